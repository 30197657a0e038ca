"""Hostile API answers: corpus payloads in every field of HF and arXiv stand-in answers are
fetched into a site and built (no live script, nothing outside the site, titles exact, no
`javascript:`/`data:` link, no malformed DOI or thumbnail); broken answers (cut off, timed
out, invalid, 50 MB) end as `SourceError` messages with the store untouched."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest
from fetchfakes import StandIn

from sitegen.links import is_doi, is_http_url
from sitegen.store.papers import load_papers
from sitegen.util.textclean import strip_controls
from tests.hostile import checks, corpus

JSON = {"Content-Type": "application/json"}
ATOM = {"Content-Type": "application/atom+xml"}


pytestmark = pytest.mark.usefixtures("no_waiting")  # conftest.py


def _link(index: int) -> str:
    return corpus.HOSTILE_LINKS[index % len(corpus.HOSTILE_LINKS)]


def hf_items() -> list[dict]:
    items = []
    for index, (name, text) in enumerate(corpus.PAYLOADS):
        items.append({"paper": {
            "id": f"2608.{index:05d}", "title": f"{name}: {text}", "summary": f"Abstract {text}",
            "authors": [{"name": text}, {"name": f"Author {index}"}],
            "publishedAt": "2026-08-09T10:00:00.000Z", "upvotes": index,
            "ai_summary": text, "ai_keywords": [text, name],
            "githubRepo": _link(index), "projectPage": _link(index + 3),
            "thumbnail": _link(index + 5)}, "numComments": 1})
    return items


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot carry most C0 controls at all; arXiv never sends them.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def arxiv_feed() -> bytes:
    entries = []
    for index, (name, text) in enumerate(corpus.PAYLOADS):
        t = escape(_xml_safe(text))
        entries.append(
            f"<entry><id>http://arxiv.org/abs/2609.{index:05d}v1</id>"
            f"<title>{escape(name)}: {t}</title><summary>{t}</summary>"
            f"<published>2026-09-01T10:00:00Z</published><updated>2026-09-01T10:00:00Z</updated>"
            f"<author><name>{t}</name></author><category term=\"cs.LG\"/>"
            f"<arxiv:comment>{t}</arxiv:comment><arxiv:journal_ref>{t}</arxiv:journal_ref>"
            f"<arxiv:doi>{t}</arxiv:doi></entry>")
    entries.append("<entry><id>http://arxiv.org/abs/2609.99999v1</id><title>Good DOI</title>"
                   "<published>2026-09-01T10:00:00Z</published>"
                   "<arxiv:doi>10.1000/looms.1</arxiv:doi></entry>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom"><title>q</title>'
            f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>"
            "<opensearch:startIndex>0</opensearch:startIndex>"
            + "".join(entries) + "</feed>").encode()


def expected_title(name: str, text: str, arxiv: bool) -> str:
    raw = f"{name}: {_xml_safe(text) if arxiv else text}"
    return " ".join(strip_controls(raw).split())


def test_hostile_api_fields_are_fetched_stored_safely_and_built_inert(site: Path, run_cli):
    feed = arxiv_feed()

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if path == "/api/daily_papers":
            items = hf_items() if query["p"] == "0" else []
            return 200, JSON, json.dumps(items).encode()
        return 200, ATOM, feed

    base = site.parent
    before = checks.snapshot(base)
    with StandIn(routes).running() as url:
        status, _, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url", url,
                                 "--root", str(site))
        assert status == 0, err
        status, _, err = run_cli("fetch", "arxiv", "--query", "all:x", "--max", "100",
                                 "--api-url", url, "--root", str(site))
        assert status == 0, err
    status, _, err = run_cli("build", "--root", str(site))
    assert status == 0, err
    assert "Traceback" not in err
    outside = checks.writes_outside(before, checks.snapshot(base),
                                    ("site/_site", "site/content/papers", "site/.sitegen-cache",
                                     "site/.sitegen.lock", "site/._site.lock"))
    assert outside == []

    papers, _ = load_papers(site)
    n = len(corpus.PAYLOADS)
    assert len(papers) == 2 * n + 1
    for paper in papers:
        assert all(is_http_url(link) for link in paper.links), paper.links
        assert paper.thumbnail is None or is_http_url(paper.thumbnail)
        assert paper.doi is None or is_doi(paper.doi)
    assert [p.doi for p in papers if p.doi] == ["10.1000/looms.1"]
    hf_links = {link for p in papers if p.source == "hf" for link in p.links}
    assert "https://github.com/owner/repo" in hf_links
    assert not any(urlsplit(link.strip()).scheme.lower() not in ("http", "https")
                   for link in hf_links)

    out = site / "_site"
    assert checks.site_problems(out, "/sub/static/") == []
    by_id = {p.arxiv_id: p for p in papers}
    for index, (name, text) in enumerate(corpus.PAYLOADS):
        for arxiv_id, arxiv in ((f"2608.{index:05d}", False), (f"2609.{index:05d}", True)):
            paper = by_id[arxiv_id]
            title = expected_title(name, text, arxiv)
            assert paper.title == title, (name, arxiv)
            page = (out / "papers" / f"{paper.slug}.html").read_bytes()
            assert checks.html_elements_text(page, "h1", tex=True) == [title], (name, arxiv)
    for page in out.rglob("*.html"):
        for element in checks.parse_html(page.read_bytes()).iter():
            for attr in ("href", "src"):
                value = element.get(attr) if isinstance(element.tag, str) else None
                if value is not None:
                    assert urlsplit(value.strip()).scheme.lower() in ("", "http", "https"), value
