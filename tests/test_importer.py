"""Importing many pages: one merger across pages, re-imports are a zero diff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sitegen.commands.importer import import_pages
from sitegen.store.papers import load_papers


def page(day: str, titles: list[str]) -> str:
    lines = [day, ""]
    for title in titles:
        lines += [title, "", f"The abstract of {title}. It has two sentences, at least.", ""]
    return "\n".join(lines)


def test_pages_merge_against_each_other_and_reimport_writes_nothing(site: Path,
                                                                    tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    two = tmp_path / "two.txt"
    one.write_text(page("Aug 10", ["Alpha paper", "Beta paper"]), encoding="utf-8")
    two.write_text(page("Aug 11", ["Gamma paper", "alpha  PAPER"]), encoding="utf-8")
    today = dt.date(2025, 8, 12)
    report = import_pages(site, [one, two], today)
    assert [(s.new, s.duplicates) for s in report.files] == [(2, 0), (1, 1)]
    assert len(report.written) == 3
    papers, _ = load_papers(site)
    assert {p.title: p.date.day for p in papers}["Alpha paper"] == 10  # first day kept
    again = import_pages(site, [one, two], today)
    assert again.written == ()
    assert [(s.new, s.updated) for s in again.files] == [(0, 0), (0, 0)]


def test_non_bmp_titles_round_trip_through_the_slow_dumper(site: Path, tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text(page("Aug 10", ["Emoji 😀 title \u2028 odd", "Plain title"]), encoding="utf-8")
    import_pages(site, [one], dt.date(2025, 8, 12))
    assert import_pages(site, [one], dt.date(2025, 8, 12)).written == ()
    papers, problems = load_papers(site)
    assert not problems
    assert any("😀" in p.title for p in papers)
