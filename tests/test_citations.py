"""render/citations.py: bulk `.bib` and `.ris` files per day, week, tag page, author and
organisation page and list,
their "Cite all" links, COinS spans; strict parsing (tests/citechecks.py) and units."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from citechecks import strict_bibtex, strict_ris

from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.units import CachedRunner
from sitegen.model import Kept, Output, Paper, Person
from sitegen.render.citations import (
    CitedPage,
    bibtex_file,
    citation_stage,
    coins,
    ris_file,
    ris_record,
    unique_keys,
)
from sitegen.render.metadata import bibtex_key
from sitegen.render.pages import numbered_page
from sitegen.render.units import run_units
from sitegen.site.assemble import assemble
from sitegen.urls import Urls
from tests.hostile.corpus import TEX_PAYLOADS
from tests.hostile.texchecks import bibtex_problems

URLS = Urls("https://example.org/sub/")
DAY = dt.date(2025, 8, 11)


def _paper(index: int, title: str = "Deep Learning", day: dt.date = DAY, **fields) -> Paper:
    fields.setdefault("authors", ("Ada Lovelace", "Alan Turing"))
    return Paper(slug=f"p{day:%m%d}-{index}", title=title, date=day, rank=index, **fields)


def test_keys_are_unique_in_a_file_and_the_first_keeps_the_papers_own_key() -> None:
    papers = [_paper(i) for i in range(30)]
    keys = unique_keys(papers)
    assert keys[0] == bibtex_key(papers[0]) == "lovelace2025deep"
    assert keys[1:3] == ["lovelace2025deepb", "lovelace2025deepc"]
    assert len(set(keys)) == 30
    # a paper whose own key is another's suffixed key still gets a fresh one
    tricky = [_paper(1), _paper(2), _paper(3, title="Deepb"), _paper(4)]
    assert len(set(unique_keys(tricky))) == 4
    entries = strict_bibtex(bibtex_file(papers))
    assert [key for key, _ in entries] == keys


def test_bulk_files_parse_strictly_with_hostile_text() -> None:
    papers = [_paper(i, title=f"{text}\nER  - \nTY  - JOUR\u2028x\x85y",
                     authors=(text, "Ada Lovelace", "Doe, Jane"),
                     abstract="An abstract.", tags=("a tag",),
                     arxiv_id="2508.0000" + str(i % 10) if i % 2 else None,
                     doi="10.1/x y" if i == 3 else None)
              for i, text in enumerate(TEX_PAYLOADS)]
    text = bibtex_file(papers)
    assert bibtex_problems(text.encode(), "bulk.bib") == []  # metadata.py's escaping
    assert len(strict_bibtex(text)) == len(papers)
    records = strict_ris(ris_file(papers))
    assert len(records) == len(papers)
    for record, paper in zip(records, papers, strict=True):
        assert record["TY"] == ["UNPB"]
        assert record["TI"][0].endswith("ER - TY - JOUR x y")  # no record ended inside
        assert record["AU"][1:] == ["Ada Lovelace", "Doe, Jane"]
        assert "AB" not in record  # no abstract, as in BibTeX
        assert ("N1" in record) == bool(paper.arxiv_id)


def test_ris_record_fields() -> None:
    paper = _paper(1, arxiv_id="2508.01234", published=dt.date(2025, 8, 1), doi="10.5/abc",
                   tags=("llm", "rl"))
    assert ris_record(paper) == (
        "TY  - UNPB\nTI  - Deep Learning\nAU  - Ada Lovelace\nAU  - Alan Turing\n"
        "PY  - 2025\nDA  - 2025/08/01\nKW  - llm\nKW  - rl\nDO  - 10.5/abc\nDP  - arXiv\n"
        "N1  - arXiv:2508.01234\nUR  - https://arxiv.org/abs/2508.01234\nER  - \n")


def test_coins_is_an_openurl_context_object() -> None:
    paper = _paper(1, title="A & B = <C>", arxiv_id="2508.01234")
    fields = parse_qs(coins(paper))
    assert fields["ctx_ver"] == ["Z39.88-2004"]
    assert fields["rft.atitle"] == ["A & B = <C>"]
    assert fields["rft.au"] == ["Ada Lovelace", "Alan Turing"]
    assert fields["rft_id"] == ["info:arxiv/2508.01234", "https://arxiv.org/abs/2508.01234"]
    assert fields["rft.date"] == ["2025-08-11"]
    assert "&amp;" not in coins(paper) and "<" not in coins(paper)


def _site(days: int = 3, per_day: int = 4):
    papers = [_paper(i, day=DAY + dt.timedelta(days=d), tags=("llm",) if i % 2 else ("rl",))
              for d in range(days) for i in range(1, per_day + 1)]
    return assemble(papers, lambda p: p.tags)


def _outputs(stage) -> dict[str, bytes]:
    return {o.path: o.data for o in run_units(stage)}


def test_every_page_gets_both_files_listing_its_papers_in_its_order() -> None:
    site = _site(days=9)
    files = _outputs(citation_stage(site, URLS, papers_per_page=4))
    day = site.days[0]
    bib = files[f"{day.date:%Y/%m/%d}/papers.bib"].decode()
    assert [fields["title"] for _, fields in strict_bibtex(bib)] == [p.title for p in day.papers]
    # a week: its days oldest first
    year, week, _ = day.date.isocalendar()
    weekly = strict_ris(files[f"{year}/W{week:02d}/papers.ris"].decode())
    week_days = [d for d in reversed(site.days) if d.date.isocalendar()[:2] == (year, week)]
    assert len(weekly) == sum(len(d.papers) for d in week_days)
    # a tag: its main page and each numbered page, the papers the page shows
    tag = next(t for t in site.tags if t.name == "llm")
    assert len(tag.papers) == 18
    main = strict_ris(files["tags/llm/papers.ris"].decode())
    assert len(main) == 18 - 3 * 4  # 4 full numbered pages: the main page shows the rest
    for number in (1, 2, 3):
        shown = numbered_page(tag.papers, 4, number)
        page = strict_bibtex(files[f"tags/llm/page/{number}/papers.bib"].decode())
        assert len(page) == len(shown) == 4
    assert "tags/llm/page/4/papers.bib" not in files
    # each paper's own .bib is still there, with its own key
    assert files[f"papers/{day.papers[0].slug}.bib"].startswith(b"@misc{lovelace2025deep,")


def _titled(days: int):
    """`_site`'s, each paper titled by its slug (a file's papers can be told apart), and
    an author of them all."""
    site = assemble([replace(paper, title=paper.slug) for paper in _site(days).papers],
                    lambda p: p.tags)
    return replace(site, authors=(Person("author", "Ada Lovelace", "ada-lovelace",
                                         site.papers),))


def test_authors_and_organisations_pages_get_the_files_of_what_each_page_lists() -> None:
    site = _titled(9)
    papers = site.papers  # newest first, as a person's
    site = replace(site, orgs=(Person("org", "Lab & Co", "lab-co", papers[:5]),))
    files = _outputs(citation_stage(site, URLS, 4, people_per_page=10))
    assert len(papers) == 36  # numbered pages 1 and 2 of 10, the main page the newest 16
    assert [f["title"] for _, f in strict_bibtex(files["authors/ada-lovelace/papers.bib"]
                                                 .decode())] == [p.title for p in papers[:16]]
    for number in (1, 2):
        shown = numbered_page(papers, 10, number)
        got = strict_ris(files[f"authors/ada-lovelace/page/{number}/papers.ris"].decode())
        assert [r["TI"][0] for r in got] == [p.title for p in shown]
    assert "authors/ada-lovelace/page/3/papers.bib" not in files
    assert len(strict_bibtex(files["orgs/lab-co/papers.bib"].decode())) == 5
    # a new day of hers: her main page's files made again, settled numbered pages kept
    made, state = _cached(citation_stage(site, URLS, 4, people_per_page=10))
    newer = replace(_titled(10), orgs=site.orgs)
    outputs, _ = _cached(citation_stage(newer, URLS, 4, people_per_page=10), state,
                         [o.path for o in made])
    remade = {o.path for o in outputs if isinstance(o, Output)}
    assert "authors/ada-lovelace/papers.bib" in remade
    assert not any(path.startswith(("authors/ada-lovelace/page/1/", "orgs/"))
                   for path in remade)


def test_extra_pages_get_files_too() -> None:
    site = _site(days=1)
    page = CitedPage("tag", "my list", None, site.papers[:2])
    files = _outputs(citation_stage(site, URLS, 4, [page]))
    assert len(strict_bibtex(files["tags/my list/papers.bib"].decode())) == 2


def _cached(stage, state=None, intact=()):
    cache = PageCache(None, state)
    cache.verified(set(intact))
    outputs = list(CachedRunner(cache).run(stage))
    return outputs, cache.saved()


def test_a_new_day_makes_only_the_files_whose_papers_changed() -> None:
    site = _site(days=9)
    made, state = _cached(citation_stage(site, URLS, 4))
    assert made == list(run_units(citation_stage(site, URLS, 4)))
    paths = [o.path for o in made]
    again, _ = _cached(citation_stage(site, URLS, 4), state, paths)
    assert all(isinstance(o, Kept) for o in again)
    newer = _site(days=10)
    outputs, _ = _cached(citation_stage(newer, URLS, 4), state, paths)
    remade = {o.path for o in outputs if isinstance(o, Output)}
    new_day = newer.days[0].date
    year, week, _ = new_day.isocalendar()
    assert f"{new_day:%Y/%m/%d}/papers.bib" in remade
    assert f"{year}/W{week:02d}/papers.ris" in remade
    assert "tags/llm/papers.bib" in remade  # the tag's main page shows the new papers
    assert f"{site.days[0].date:%Y/%m/%d}/papers.bib" not in remade
    # settled numbered pages kept; page 4 is new (20 papers fill 5 pages of 4)
    assert sorted(path for path in remade if "/page/" in path) == [
        f"tags/{tag}/page/4/papers.{fmt}" for tag in ("llm", "rl") for fmt in ("bib", "ris")]
    assert not any(path.startswith("papers/") and path.endswith(f"{DAY:%m%d}-1.bib")
                   for path in remade)
    assert {o.path: o.data for o in outputs if isinstance(o, Output)} == {
        path: data for path, data in _outputs(citation_stage(newer, URLS, 4)).items()
        if path in remade}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cite: list[str] = []
        self.coins: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and "download" in values and (values.get("href") or "").endswith(
                ("papers.bib", "papers.ris")):
            self.cite.append(values["href"] or "")
        if tag == "span" and values.get("class") == "Z3988":
            self.coins.append(values.get("title") or "")


def _write_papers(root: Path, count: int) -> None:
    for index in range(count):
        data = {"title": f"Paper {index} & <b>", "date": f"2025-08-{11 + index % 3:02d}",
                "authors": ["Ada Lovelace"], "tags": ["llm"], "id": f"2508.{index:05d}"}
        (root / "content" / "papers" / f"2508.{index:05d}.md").write_text(
            "---\n" + yaml.safe_dump(data) + "---\n", encoding="utf-8")


@pytest.mark.parametrize("page", ["2025/08/11/index.html", "2025/W33/index.html",
                                  "tags/llm/index.html", "authors/ada-lovelace/index.html"])
def test_cite_all_links_resolve_under_the_sub_path(site: Path, run_cli, page: str) -> None:
    _write_papers(site, 9)
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    out = site / "_site"
    links = _Links()
    links.feed((out / page).read_text(encoding="utf-8"))
    assert len(links.cite) == 2
    for href in links.cite:
        assert href.startswith("/sub/")
        data = (out / href.removeprefix("/sub/")).read_text(encoding="utf-8")
        parsed = strict_bibtex(data) if href.endswith(".bib") else strict_ris(data)
        assert len(parsed) == (3 if page.startswith("2025/08/11") else 9)
        if page.startswith("authors/"):
            assert href == "/sub/authors/ada-lovelace/papers." + href[-3:]
    if page.startswith("2025/08/11"):  # day pages carry a COinS span per paper
        assert [parse_qs(title)["rft.atitle"] for title in links.coins] == [
            [f"Paper {i} & <b>"] for i in (0, 3, 6)]
    text = (out / page).read_text(encoding="utf-8")
    assert re.search(r"Cite all \d+ papers", text)


def test_many_papers_with_one_key_get_their_keys_in_linear_time() -> None:
    from tests.hostile.growth import LINEAR, growth

    ratio, at_n, at_2n = growth(unique_keys, lambda n: [_paper(i) for i in range(n)], 1500)
    assert ratio < LINEAR, (ratio, at_n, at_2n)  # it was quadratic
