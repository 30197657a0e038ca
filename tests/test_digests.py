"""Digests (issue 19 item 1): site/digests.py (settled periods, by tag), the intros
(store/intros.py), the digest pages and their email copies, kept once settled."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from sitegen.model import Day, Paper
from sitegen.site.digests import MONTHLY, WEEKLY, digest_key, settled_digests
from sitegen.store.intros import load_intros
from tests.conftest import write_paper
from tests.test_incremental import assert_same_as_clean, build, paper_text


def _paper(slug: str, day: dt.date, upvotes: int | None, tags: tuple[str, ...] = ()
           ) -> Paper:
    return Paper(slug=slug, title=slug, date=day, upvotes=upvotes, tags=tags)


def _days(*dates: dt.date) -> list[Day]:
    return [Day(d, (_paper(d.isoformat(), d, d.day),), prev=d - dt.timedelta(days=1))
            for d in sorted(dates, reverse=True)]


def test_a_period_settles_3_days_after_its_end_by_the_newest_day_never_the_clock() -> None:
    days = _days(dt.date(2025, 12, 29), dt.date(2025, 12, 31), dt.date(2026, 1, 2),
                 dt.date(2026, 1, 5))
    # the daily fetch refreshes the last 3 days' upvotes: W01 (to Jan 4) may still change
    assert settled_digests(days, WEEKLY) == []
    assert [d.slug for d in settled_digests(_days(dt.date(2026, 1, 2), dt.date(2026, 1, 6)),
                                            WEEKLY)] == []
    later = settled_digests(_days(dt.date(2026, 1, 2), dt.date(2026, 1, 7)), WEEKLY)
    assert [d.slug for d in later] == ["2026-W01"]  # Jan 7: 3 days after its Sunday
    weeks = settled_digests(days, WEEKLY, settle_days=1)
    # 2026-01-05 is the Monday of 2026-W02: W01 (Dec 29 to Jan 4) is over, W02 is not
    assert [d.slug for d in weeks] == ["2026-W01"]
    assert weeks[0].first == dt.date(2025, 12, 29) and weeks[0].last == dt.date(2026, 1, 4)
    assert all(day.prev is None for day in weeks[0].days)  # no neighbours: nothing moves
    months = settled_digests(days, MONTHLY)  # Jan 5 is 5 days after December
    assert [(d.slug, d.title, d.papers) for d in months] == [("2025-12", "December 2025", 2)]
    assert settled_digests(days[:1], WEEKLY, 1) == []  # the newest period is never settled
    assert settled_digests(days, WEEKLY, 0) == weeks  # at least 1 day after, whatever asked
    assert settled_digests([], MONTHLY) == []


def test_a_digest_ranks_by_the_shared_rule_and_lists_every_paper_once_by_tag() -> None:
    mon, tue = dt.date(2025, 8, 4), dt.date(2025, 8, 5)
    days = [Day(dt.date(2025, 8, 13), (_paper("next", dt.date(2025, 8, 13), 1),)),
            Day(tue, (_paper("b", tue, 9, ("Agents", "vision")), _paper("c", tue, 1))),
            Day(mon, (_paper("a", mon, 9, ("vision",)), _paper("d", mon, 5, ("vision",))))]
    (week,) = settled_digests(days, WEEKLY)
    assert [p.slug for p in week.top(3)] == ["a", "b", "d"]  # tie: the earlier day first
    groups = [(g.tag, [p.slug for p in g.papers]) for g in week.by_tag()]
    # each paper once, under its first tag
    assert groups == [("Agents", ["b"]), ("vision", ["a", "d"]), (None, ["c"])]


@pytest.mark.parametrize(("name", "key"), [
    ("2026-W37", (WEEKLY, 2026, 37)), ("2026-09", (MONTHLY, 2026, 9)),
    ("2020-W53", (WEEKLY, 2020, 53)), ("2021-W53", None), ("2026-13", None),
    ("2026-W7", None), ("2026-9", None), ("W37", None), ("2026-W37\n", None)])
def test_digest_names(name: str, key: tuple | None) -> None:
    assert digest_key(name) == key


def _intro(site: Path, name: str, data: bytes | str) -> Path:
    folder = site / "content" / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_bad_intro_files_are_problems_naming_the_file_and_line(site: Path) -> None:
    _intro(site, "2025-W32.md", "Fine.\n")
    _intro(site, "2025-W99.md", "No such week.\n")
    _intro(site, "2025-W33.md", b"line one\nline two \xff\n")
    _intro(site, "2025-08.md", "Bell \x07 here\n")
    _intro(site, "README.txt", "not an intro\n")
    intros, problems = load_intros(site)
    assert sorted(intros) == ["2025-08", "2025-W32"]
    assert intros["2025-08"].markdown == "Bell  here"
    shown = sorted(str(p) for p in problems)
    assert shown == [
        "content/digests/2025-08.md:1: warning: control characters left out",
        "content/digests/2025-W33.md:2: error: is not UTF-8 text (save the file as UTF-8)",
        "content/digests/2025-W99.md: error: '2025-W99.md' names no week or month "
        "(name it like 2026-W37.md (ISO week) or 2026-09.md)"]


def test_an_intro_linking_outside_its_folder_is_not_read(site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    folder = site / "content" / "digests"
    folder.mkdir(parents=True)
    os.symlink(secret, folder / "2025-W32.md")
    intros, problems = load_intros(site)
    assert intros == {} and "outside content/digests" in str(problems[0])


def test_a_bad_intro_stops_the_build_with_its_line(site: Path, run_cli) -> None:
    write_paper(site, "p1", paper_text("One", "2025-08-04", 1))
    _intro(site, "2025-W32.md", b"ok\n\n\xc3(\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 1
    assert "content/digests/2025-W32.md:3: error: is not UTF-8 text" in err
    assert "Traceback" not in err
    status, out, err = run_cli("check", cwd=site)
    assert status == 1 and "2025-W32.md:3: error" in out + err


def _voted(site: Path, day: int, upvotes: int, rank: int = 1, tags: tuple[str, ...] = ()
           ) -> None:
    write_paper(site, f"p{day}-{rank}", paper_text(
        f"Paper {day}.{rank}", f"2025-08-{day:02d}", rank, tags=tags,
        extra=f"upvotes: {upvotes}\n"))


DIGEST_FILES = ("digest/2025-W32/index.html", "digest/2025-W32/email.html")


def _kept(result) -> set[str]:
    return {p for o in result.outputs for p in getattr(o, "paths", [getattr(o, "path", "")])
            if type(o).__name__ in ("Kept", "KeptMany")}


def test_a_settled_digest_is_byte_identical_across_new_days_until_its_intro_changes(
        site: Path) -> None:
    for day, votes in ((4, 3), (6, 10), (8, 7)):  # week 32
        _voted(site, day, votes, tags=("vision",))
        _voted(site, day, votes + 1, 2)
    build(site)
    out = site / "_site"
    assert not (out / "digest" / "2025-W32").exists()  # the week is not over yet
    _intro(site, "2025-W32.md", "A **busy** week. <script>alert(1)</script>\n")
    _voted(site, 11, 1)  # Monday of week 33: the fetch window still holds week 32's end
    build(site)
    assert not (out / "digest" / "2025-W32").exists()
    _voted(site, 13, 1)  # 3 days after its Sunday: week 32 settles
    build(site)
    first = {name: (out / name).read_bytes() for name in DIGEST_FILES}
    page = first[DIGEST_FILES[0]].decode()
    assert "<strong>busy</strong>" in page and "alert(1)" not in page
    assert page.index("Top 6") < page.index("Paper 6.2") < page.index("Paper 6.1") \
        < page.index("Paper 8.2") < page.index("All papers by tag")
    tagged = page[page.index("All papers by tag"):]
    assert tagged.index("vision") < tagged.index("Paper 6.1") < tagged.index("Other papers") \
        < tagged.index("Paper 6.2")
    assert "2025-W33" not in (out / "digest" / "index.html").read_text()
    for day in (14, 15):
        _voted(site, day, 99)
        result = build(site)
        assert {name: (out / name).read_bytes() for name in DIGEST_FILES} == first
        assert set(DIGEST_FILES) <= _kept(result)  # kept whole: not even rendered
    _intro(site, "2025-W32.md", "A calmer week.\n")
    result = build(site)
    changed = {name: (out / name).read_bytes() for name in DIGEST_FILES}
    assert all(changed[name] != first[name] for name in DIGEST_FILES)
    assert b"calmer" in changed[DIGEST_FILES[1]] and not set(DIGEST_FILES) & _kept(result)
    assert_same_as_clean(site)


def test_a_new_month_settles_the_month_digest_and_lists_it(site: Path) -> None:
    _voted(site, 29, 5)
    write_paper(site, "sep", paper_text("September paper", "2025-09-03", 1))
    build(site)
    out = site / "_site"
    month = (out / "digest" / "2025-08" / "index.html").read_text()
    assert "August 2025" in month and "Paper 29.1" in month
    listing = (out / "digest" / "index.html").read_text()
    assert 'href="/sub/digest/2025-08/"' in listing and 'href="/sub/digest/2025-W35/"' in listing
    assert not (out / "digest" / "2025-09").exists()
    for page in ("index.html", "2025/08/29/index.html", "papers/sep.html"):  # the footer
        assert '<a href="/sub/digest/">Weekly and monthly digests</a>' in (out / page).read_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert "digest/2025-08/</loc>" in sitemap and "email.html" not in sitemap


def test_settle_days_from_the_config_decides_when_a_digest_is_made(site: Path) -> None:
    _voted(site, 8, 4)
    _voted(site, 11, 1)  # one day after week 32's Sunday
    build(site)
    out = site / "_site"
    assert not (out / "digest" / "2025-W32").exists()
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + "\n[digests]\nsettle_days = 1\n")
    build(site)
    assert (out / "digest" / "2025-W32" / "email.html").is_file()
    assert b"2025-W32" in (out / "digest" / "weekly.xml").read_bytes()
    assert_same_as_clean(site)
