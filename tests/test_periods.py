"""Weeks, rankings and the pages built on them: site/periods.py, the week and top pages,
the top of the month; a settled week's page never changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sitegen.model import Day, Paper
from sitegen.site.periods import last_days, ranked, top_of_day, top_windows, weeks_of
from tests.conftest import write_paper
from tests.test_incremental import assert_same_as_clean, build, paper_text


def _paper(slug: str, day: dt.date, upvotes: int | None, stars: int | None = None) -> Paper:
    return Paper(slug=slug, title=slug, date=day, upvotes=upvotes, github_stars=stars)


MON, TUE = dt.date(2025, 8, 4), dt.date(2025, 8, 5)


def test_ranking_upvotes_then_stars_then_day_order_earlier_days_first() -> None:
    monday = Day(MON, (_paper("m1", MON, 5), _paper("m2", MON, 9, 1), _paper("m3", MON, None)))
    tuesday = Day(TUE, (_paper("t1", TUE, 9, 3), _paper("t2", TUE, 5), _paper("t3", TUE, 9, 1)))
    order = [p.slug for p in ranked([tuesday, monday])]  # days in any order
    assert order == ["t1", "m2", "t3", "m1", "t2", "m3"]
    assert [p.slug for p in top_of_day(tuesday.papers, 2)] == ["t1", "t3"]


def test_weeks_are_iso_weeks_newest_first_with_neighbours() -> None:
    days = [Day(d, (_paper(d.isoformat(), d, 1),), prev=d - dt.timedelta(days=1))
            for d in (dt.date(2026, 1, 1), dt.date(2025, 12, 29), dt.date(2025, 12, 28))]
    weeks = weeks_of(days)
    assert [(w.week.year, w.week.week) for w in weeks] == [(2026, 1), (2025, 52)]
    assert weeks[0].week.days[0].prev is None  # no neighbours: a new day changes no week
    assert (weeks[0].prev, weeks[0].next, weeks[0].over) == ((2025, 52), None, False)
    assert (weeks[1].next, weeks[1].over) == ((2026, 1), True)
    assert weeks[0].week.monday == dt.date(2025, 12, 29)


def test_windows_count_back_from_the_newest_day_never_the_clock() -> None:
    days = [Day(dt.date(2020, 1, d), (_paper(f"p{d}", dt.date(2020, 1, d), d),))
            for d in (30, 24, 23, 1)]
    assert [d.date.day for d in last_days(days, 7)] == [30, 24]
    week, month = top_windows(days)
    assert (week.span, week.first, week.papers) == (7, dt.date(2020, 1, 24), 2)
    assert [p.slug for p in month.top] == ["p30", "p24", "p23", "p1"]


def _voted(site: Path, day: int, upvotes: int, rank: int = 1) -> None:
    write_paper(site, f"p{day}-{rank}", paper_text(
        f"Paper {day}.{rank}", f"2025-08-{day:02d}", rank, extra=f"upvotes: {upvotes}\n"))


def test_a_settled_week_is_byte_identical_after_a_new_day(site: Path) -> None:
    for day, votes in ((4, 3), (6, 10), (8, 7), (11, 1)):  # week 32, then Monday of 33
        _voted(site, day, votes)
        _voted(site, day, votes + 1, 2)
    build(site)
    out = site / "_site"
    week32 = (out / "2025" / "W32" / "index.html").read_bytes()
    page = week32.decode()
    assert "this ranking is final" in page and "Ranked by upvotes" in page
    assert page.index("Paper 6.2") < page.index("Paper 6.1") < page.index("Paper 8.2")
    result = None
    for day in (12, 13):
        _voted(site, day, 99)
        result = build(site)
    assert (out / "2025" / "W32" / "index.html").read_bytes() == week32
    kept = {p for o in result.outputs for p in getattr(o, "paths", [getattr(o, "path", "")])
            if type(o).__name__ in ("Kept", "KeptMany")}
    assert "2025/W32/index.html" in kept and "2025/W33/index.html" not in kept
    assert "Paper 13.1" in (out / "top" / "index.html").read_text()
    month = (out / "2025" / "08" / "index.html").read_text()
    assert month.index("Paper 13.1") < month.index("Paper 6.2")  # top of the month
    assert_same_as_clean(site)
