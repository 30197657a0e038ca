"""fetch.py: fetched records merged into a store: matching, curator edits, partial days,
failed days and interrupted writes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import httpx
import pytest
from conftest import write_paper
from fetchfakes import FakeClock, Script, fixture_bytes, hf_items, json_answer, xml_answer

from sitegen.commands.fetch import FetchOptions, day_range, fetch_arxiv, fetch_hf
from sitegen.errors import SourceError
from sitegen.store.papers import load_papers
from sitegen.util import fileio

DAY = dt.date(2026, 9, 2)
API = "https://hf.test"


def options(script: Script) -> FetchOptions:
    return FetchOptions(client=script.client(), sleep=FakeClock().sleep)


def by_id(root: Path) -> dict[str, object]:
    papers, problems = load_papers(root)
    assert [p for p in problems if p.severity == "error"] == []
    return {p.arxiv_id or p.slug: p for p in papers}


def snapshot(root: Path) -> dict[str, bytes]:
    folder = root / "content" / "papers"
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


TEXT_PAPER = """\
---
title: Difference engines are all you need!
date: 2026-09-02
rank: 1
abstract: Our own copy of the abstract.
links:
- https://example.org/slides
source: dailytext
---

My notes: *read this*.
"""


def test_text_import_then_api_gains_the_id_and_keeps_slug_notes_and_text(site: Path) -> None:
    write_paper(site, "difference-engines-1234abcd", TEXT_PAPER)
    report = fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    assert [(d.new, d.updated, d.unchanged) for d in report.days] == [(2, 1, 0)]
    paper = by_id(site)["2609.01234"]
    assert paper.slug == "difference-engines-1234abcd"
    assert not (site / "content" / "papers" / "2609.01234.md").exists()
    assert paper.title == "Difference engines are all you need!"
    assert paper.abstract == "Our own copy of the abstract."
    assert paper.notes.strip() == "My notes: *read this*."
    assert paper.authors == ("Ada Lovelace", "Charles Babbage")
    assert paper.upvotes == 87 and paper.github_stars == 412
    assert paper.links[0] == "https://example.org/slides"
    assert "https://github.com/example-lab/diff-engines" in paper.links
    assert paper.source == "dailytext"


def test_refetch_refreshes_counts_and_keeps_curator_edits(site: Path) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    file = site / "content" / "papers" / "2609.01234.md"
    text = file.read_text(encoding="utf-8")
    text = text.replace("title: Difference Engines Are All You Need", "title: Engines (edited)")
    file.write_text(text + "\nCurator note: great paper.\n", encoding="utf-8")
    items = hf_items()
    items[0]["paper"]["upvotes"] = 120
    items[0]["numComments"] = 9
    items[0]["paper"]["githubStars"] = 500
    report = fetch_hf(site, [DAY], API, options(Script(json_answer(items))))
    assert [(d.new, d.updated, d.unchanged) for d in report.days] == [(0, 1, 2)]
    paper = by_id(site)["2609.01234"]
    assert (paper.upvotes, paper.comments, paper.github_stars) == (120, 9, 500)
    assert paper.title == "Engines (edited)"
    assert "Curator note: great paper." in paper.notes
    assert report.written == (file,)


def test_refetch_with_nothing_new_is_a_zero_diff(site: Path) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    before = snapshot(site)
    report = fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    assert report.written == () and snapshot(site) == before
    assert [(d.new, d.updated, d.unchanged) for d in report.days] == [(0, 0, 3)]


def test_version_suffixes_match_the_same_paper(site: Path) -> None:
    write_paper(site, "2609.04321", "---\nid: 2609.04321v1\ntitle: Old title\ndate: 2026-09-02\n"
                "source: hf\n---\n")
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    papers = by_id(site)
    assert papers["2609.04321"].title == "Old title"
    assert len(papers) == 3


def test_same_title_with_another_id_is_another_paper(site: Path) -> None:
    write_paper(site, "2501.00001", "---\nid: '2501.00001'\ntitle: A Minimal Paper\n"
                "date: 2025-01-02\nsource: hf\n---\n")
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    assert {"2501.00001", "2609.05555"} <= set(by_id(site))


def test_hf_then_arxiv_keeps_the_listed_day_and_fills_arxiv_fields(site: Path) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    script = Script(xml_answer(fixture_bytes("arxiv-query.xml")))
    report = fetch_arxiv(site, "all:engines", 10, "https://arxiv.test", options(script))
    assert [d.label for d in report.days] == ["2026-08-30", "2026-09-01"]
    assert [(d.new, d.updated) for d in report.days] == [(1, 0), (0, 1)]
    papers = by_id(site)
    engines = papers["2609.01234"]
    assert engines.date == DAY and engines.rank == 1 and engines.source == "hf"
    assert engines.categories == ("cs.LG", "math.HO")
    assert engines.comment.startswith("20 pages")
    assert engines.upvotes == 87
    looms = papers["2608.07777"]
    assert looms.date == dt.date(2026, 8, 30) and looms.source == "arxiv"


def test_arxiv_then_hf_moves_the_paper_to_its_listed_day(site: Path) -> None:
    script = Script(xml_answer(fixture_bytes("arxiv-query.xml")))
    fetch_arxiv(site, "all:engines", 10, "https://arxiv.test", options(script))
    assert by_id(site)["2609.01234"].date == dt.date(2026, 9, 1)
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    engines = by_id(site)["2609.01234"]
    assert engines.date == DAY and engines.source == "hf" and engines.rank == 1
    assert engines.categories == ("cs.LG", "math.HO")


def test_a_partial_day_adds_but_never_shrinks_or_reorders(site: Path) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    items = hf_items()[2:]
    items[0]["paper"]["upvotes"] = 50
    new_item = {"paper": {"id": "2609.09999", "title": "Late Arrival"}}
    report = fetch_hf(site, [DAY], API, options(Script(json_answer(items + [new_item]))))
    day = report.days[0]
    assert day.note and "partial answer" in day.note
    papers = by_id(site)
    assert len(papers) == 4
    assert [papers[i].rank for i in ("2609.01234", "2609.04321", "2609.05555")] == [1, 2, 3]
    assert papers["2609.05555"].upvotes == 50
    assert papers["2609.09999"].rank == 5  # after the stored ones


def test_a_complete_answer_refreshes_the_order(site: Path) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()[::-1]))))
    papers = by_id(site)
    assert [papers[i].rank for i in ("2609.05555", "2609.04321", "2609.01234")] == [1, 2, 3]


def test_an_empty_day_is_not_an_error_and_keeps_the_stored_day(site: Path) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    before = snapshot(site)
    report = fetch_hf(site, [DAY], API, options(Script(json_answer([]))))
    assert report.failed == () and report.days[0].papers == 0
    assert snapshot(site) == before


def test_a_refused_day_stores_nothing_and_other_days_go_on(site: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["date"] == "2026-09-01":
            return httpx.Response(200, content=b'[{"paper": {"id": "2609.0')
        return json_answer(hf_items())

    report = fetch_hf(site, day_range(dt.date(2026, 9, 1), DAY), API, options(Script(answer)))
    assert [d.label for d in report.failed] == ["2026-09-01"]
    assert "not valid JSON" in report.failed[0].error.message
    assert "date=2026-09-01" in report.failed[0].error.path
    assert len(by_id(site)) == 3


def test_503_and_429_are_survived(site: Path) -> None:
    script = Script(httpx.Response(503), httpx.Response(429, headers={"Retry-After": "2"}),
                    json_answer(hf_items()))
    report = fetch_hf(site, [DAY], API, options(script))
    assert report.failed == () and len(by_id(site)) == 3


def test_an_interrupted_write_leaves_every_file_whole(site: Path, monkeypatch) -> None:
    fetch_hf(site, [DAY], API, options(Script(json_answer(hf_items()))))
    before = snapshot(site)
    items = hf_items()
    for number, item in enumerate(items):
        item["paper"]["upvotes"] = 1000 + number
    real_replace = os.replace
    renames: list[str] = []

    def killed_on_second_rename(src: str, dst: str, **in_folders: int) -> None:
        if "papers" in Path(dst).parts:
            renames.append(dst)
        if len(renames) == 2:  # the second file's bytes are on disk, the rename never happens
            raise KeyboardInterrupt
        real_replace(src, dst, **in_folders)  # (sealed cache files are renamed by folder)

    monkeypatch.setattr(fileio.os, "replace", killed_on_second_rename)
    with pytest.raises(KeyboardInterrupt):
        fetch_hf(site, [DAY], API, options(Script(json_answer(items))))
    after = snapshot(site)
    assert set(after) == set(before)  # no stray temporary files
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["2609.01234.md"]  # written whole; the others untouched
    papers = by_id(site)  # every file still parses
    assert sorted(p.upvotes for p in papers.values()) == [1, 12, 1000]


def test_day_range_checks() -> None:
    assert len(day_range(dt.date(2026, 1, 1), dt.date(2026, 1, 31))) == 31
    with pytest.raises(SourceError, match="after"):
        day_range(DAY, dt.date(2026, 9, 1))
    with pytest.raises(SourceError, match="at most"):
        day_range(dt.date(2020, 1, 1), dt.date(2026, 1, 1))
