"""Paper-page metadata: Highwire tags, OpenGraph, JSON-LD, BibTeX (sitegen/metadata.py)."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
from pathlib import Path

import pytest
from feedtools import build, write_simple_paper

from sitegen.model import Paper
from sitegen.render.metadata import bib_escape, bibtex, bibtex_key, json_script
from sitegen.urls import Urls

BASE = "https://example.org/sub/"
TITLE = 'A </script><script>alert(1)</script> & "quoted" 日本 🚀 title with $x_1$ & 50%'


class _Head(html.parser.HTMLParser):
    """Meta tags, JSON-LD and script elements of a page, as a crawler reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self.pre: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "content" in values:
            self.meta.append((values.get("name") or values.get("property", ""),
                              values["content"]))
        elif tag == "script":
            self.scripts.append(values)
            self._in = "json" if values.get("type") == "application/ld+json" else "script"
            if self._in == "json":
                self.json_ld.append("")
        elif tag == "pre" and "bibtex" in values.get("class", ""):
            self._in = "pre"
            self.pre.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "pre"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "json":
            self.json_ld[-1] += data
        elif self._in == "pre":
            self.pre[-1] += data
        elif self._in == "script":
            raise AssertionError(f"inline script: {data!r}")


def head_of(page: bytes) -> _Head:
    parser = _Head()
    parser.feed(page.decode("utf-8"))
    parser.close()
    return parser


@pytest.fixture
def paper_site(site: Path) -> Path:
    write_simple_paper(site, "2408.01234", TITLE, date="2025-08-11", id="2408.01234",
                       published="2024-08-02", primary_category="cs.CL",
                       authors=["Ada Lovelace", "Grace {Brewster} Hopper", "Smith and Wesson"],
                       abstract="Text </script> with $a<b$.", doi="10.1234/x_y")
    write_simple_paper(site, "no-arxiv", "Plain paper", date="2025-08-11",
                       links=["https://example.com/code", "https://example.com/paper.PDF"])
    return site


def test_highwire_tags_for_google_scholar(paper_site: Path):
    out = build(paper_site)
    meta = head_of(out["papers/2408.01234.html"]).meta
    assert ("citation_title", TITLE) in meta
    authors = [v for k, v in meta if k == "citation_author"]
    assert authors == ["Ada Lovelace", "Grace {Brewster} Hopper", "Smith and Wesson"]
    assert ("citation_publication_date", "2024/08/02") in meta
    assert ("citation_arxiv_id", "2408.01234") in meta
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2408.01234") in meta
    assert ("citation_doi", "10.1234/x_y") in meta
    assert ("citation_abstract_html_url", BASE + "papers/2408.01234.html") in meta
    plain = dict(head_of(out["papers/no-arxiv.html"]).meta)
    assert plain["citation_title"] == "Plain paper"
    assert plain["citation_publication_date"] == "2025/08/11"
    assert "citation_arxiv_id" not in plain
    assert plain["citation_pdf_url"] == "https://example.com/paper.PDF"


def test_opengraph_and_twitter_card(paper_site: Path):
    meta = dict(head_of(build(paper_site)["papers/2408.01234.html"]).meta)
    assert meta["og:type"] == "article" and meta["og:title"] == TITLE
    assert meta["og:url"] == BASE + "papers/2408.01234.html"
    assert meta["og:site_name"] == "Test Papers"
    assert meta["twitter:card"] == "summary" and meta["twitter:title"] == TITLE
    assert meta["og:description"].startswith("Text </script>")


def test_json_ld_cannot_be_broken_out_of_and_reads_back_exactly(paper_site: Path):
    page = build(paper_site)["papers/2408.01234.html"]
    head = head_of(page)
    assert len(head.json_ld) == 1
    raw = head.json_ld[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    data = json.loads(raw)
    assert data["@type"] == "ScholarlyArticle" and data["@context"] == "https://schema.org"
    assert data["headline"] == TITLE and data["abstract"] == "Text </script> with $a<b$."
    assert [a["name"] for a in data["author"]][0] == "Ada Lovelace"
    assert data["datePublished"] == "2024-08-02"
    assert data["identifier"]["value"] == "2408.01234"
    assert data["url"] == BASE + "papers/2408.01234.html"
    assert json.loads(json_script({"x": "\u2028</script>&"})) == {"x": "\u2028</script>&"}


def test_no_inline_scripts_and_the_copy_script_is_static(paper_site: Path):
    out = build(paper_site)
    head = head_of(out["papers/2408.01234.html"])  # raises on inline script content
    sources = [s["src"] for s in head.scripts if "src" in s]
    assert sources == ["/sub/static/js/search-shortcut.js", "/sub/static/js/picks.js",
                       "/sub/static/js/copy.js"]
    for script in ("copy.js", "search-shortcut.js", "picks.js", "saved.js", "card-render.js"):
        assert f"static/js/{script}" in out
        assert b"innerHTML" not in out[f"static/js/{script}"]


def test_bibtex_on_the_page_and_beside_it(paper_site: Path):
    out = build(paper_site)
    page = head_of(out["papers/2408.01234.html"])
    bib = out["papers/2408.01234.bib"].decode("utf-8")
    assert page.pre == [bib]  # the <pre> shows exactly the file's text
    assert bib.startswith("@misc{lovelace2024script,\n")
    assert "  eprint = {2408.01234},\n  archivePrefix = {arXiv},\n  primaryClass = {cs.CL}," in bib
    assert "  url = {https://arxiv.org/abs/2408.01234}" in bib
    assert "  year = {2024}," in bib
    assert "author = {Ada Lovelace and Grace \\textbraceleft{}Brewster\\textbraceright{} Hopper" \
        " and {Smith and Wesson}}" in bib
    assert _balanced(bib)
    assert b'href="/sub/papers/2408.01234.bib"' in out["papers/2408.01234.html"]
    plain = out["papers/no-arxiv.bib"].decode()
    assert "eprint" not in plain and BASE not in plain  # never cites this site
    assert "url = {https://example.com/code}" in plain  # its own project page


def test_bibtex_without_author_or_id_has_a_title_key_and_no_url():
    paper = Paper(slug="s", title="The GraphGPT: graph instruction tuning", date=dt.date(2025, 8, 11))
    entry = bibtex(paper, Urls("https://example.org/sub/"))
    assert entry.startswith("@misc{graphgpt2025graph,\n")
    assert "url" not in entry and "example.org" not in entry and "anon" not in entry
    assert bibtex_key(Paper(slug="c", title="大型语言模型", date=dt.date(2024, 1, 1))) == "paper2024"
    assert bibtex_key(Paper(slug="c", title="大型", date=dt.date(2024, 1, 1),
                            authors=("张三",))) == "paper2024"


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("text, expected", [
    ("50% & #1 of a_b", r"50\% \& \#1 of a\_b"),
    ("{braces} and \\cmd", r"\textbraceleft{}braces\textbraceright{} and \textbackslash{}cmd"),
    ("costs $5 and ~x^2", r"costs \$5 and \textasciitilde{}x\textasciicircum{}2"),
    ("math $x_1^{2}$ stays", "math $x_1^{2}$ stays"),
    ("math $a % b & c$ too", r"math $a \% b \& c$ too"),
    ("unbalanced $x}$ is text", r"unbalanced \$x\textbraceright{}\$ is text"),
    ("Ünïcödé 日本 🚀", "Ünïcödé 日本 🚀"),
    ("line\nbreak\x00", "line break "),
])
def test_bib_escape(text: str, expected: str):
    assert bib_escape(text) == expected
    assert _balanced(bib_escape(text))


def test_bibtex_of_hostile_title_is_balanced_and_keyed_in_ascii():
    paper = Paper(slug="p", title="}}{{ @misc{evil, % comment", date=dt.date(2025, 8, 11),
                  authors=("Émile Zola,", "王 小明"))
    entry = bibtex(paper, Urls(BASE))
    assert _balanced(entry)
    assert entry.startswith("@misc{") and "\n@" not in entry  # one entry, @ only inside braces
    assert re.fullmatch(r"[a-z0-9]+", bibtex_key(paper))
    assert bibtex_key(paper) == "zola2025misc"


def test_meta_tags_are_what_the_template_loop_made() -> None:
    """meta_tags builds in Python what paper_meta.html looped over, escaped the same way."""
    import datetime as dt

    import jinja2

    from sitegen.model import Paper
    from sitegen.render.metadata import highwire_tags, meta_tags, social_tags
    from sitegen.urls import Urls

    urls = Urls("https://example.org/a&b/")
    paper = Paper(slug="x", title='A "<b>" & \'quoted\' title', date=dt.date(2025, 8, 1),
                  abstract="</script><script>alert(1)</script> & more " * 20,
                  authors=("Zoë <Z>", "O'Brien"), tags=("a&b", "<t>"), doi="10.1/x\"y")
    loop = jinja2.Environment(autoescape=True).from_string(
        "{% for name, content in highwire %}<meta name=\"{{ name }}\" content=\"{{ content }}\">\n"
        "{% endfor %}{% for attribute, name, content in social %}<meta {{ attribute }}="
        "\"{{ name }}\" content=\"{{ content }}\">\n{% endfor %}")
    expected = loop.render(highwire=highwire_tags(paper, urls),
                           social=social_tags(paper, urls, "Site <&>"))
    assert str(meta_tags(paper, urls, "Site <&>")) == expected
    assert "<script>" not in expected and "&lt;b&gt;" in expected


THUMB = "https://cdn.example.org/thumbs/2408.01234.png?w=640&h=360"


def test_a_thumbnail_becomes_og_image_a_large_card_json_ld_and_the_json_feed_image(
        site: Path) -> None:
    write_simple_paper(site, "2408.01234", TITLE, date="2025-08-11", id="2408.01234",
                       thumbnail=THUMB)
    write_simple_paper(site, "plain", "Plain paper", date="2025-08-11")
    out = build(site)
    head = head_of(out["papers/2408.01234.html"])
    meta = dict(head.meta)
    assert meta["og:image"] == THUMB and meta["twitter:image"] == THUMB  # unescaped: & kept
    assert meta["twitter:card"] == "summary_large_image"
    assert b'content="https://cdn.example.org/thumbs/2408.01234.png?w=640&amp;h=360"' in \
        out["papers/2408.01234.html"]
    assert json.loads(head.json_ld[0])["image"] == THUMB
    items = {item["title"]: item for item in json.loads(out["feed.json"])["items"]}
    assert items[TITLE]["image"] == THUMB and "image" not in items["Plain paper"]
    plain = dict(head_of(out["papers/plain.html"]).meta)
    assert "og:image" not in plain and plain["twitter:card"] == "summary"
    assert "image" not in json.loads(head_of(out["papers/plain.html"]).json_ld[0])


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "/relative.png", "data:image/png;base64,x",
                                 'https://x.org/"onload="alert(1)'])
def test_only_absolute_http_thumbnails_are_emitted(bad: str) -> None:
    from sitegen.render.feedids import FeedIds
    from sitegen.render.feeds import make_entry
    from sitegen.render.metadata import scholarly_article, social_tags

    paper = Paper(slug="p", title="P", date=dt.date(2025, 8, 11), thumbnail=bad)
    urls = Urls(BASE)
    assert not any(name in ("og:image", "twitter:image") for _, name, _ in
                   social_tags(paper, urls, "Site"))
    assert "image" not in scholarly_article(paper, urls)
    assert make_entry(paper, urls, FeedIds("", BASE)).image is None
