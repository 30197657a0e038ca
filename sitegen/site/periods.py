"""Periods of the archive and their rankings: ISO weeks, the top of a week, a month or the
last N days. Pure: no I/O, no clock (the newest day of the site is the only "now").

The ranking rule, the same everywhere (and written on the pages that rank):
most upvotes first; ties by GitHub stars; then by the order of the day lists, earlier days
first and each day in its own order (Hugging Face's). A ranking reads only the papers of
its period, so once a period is over no new day changes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sitegen.model import Day, Paper

#: How many papers a "top" block shows.
TOP = 10
#: The ranking rule as the pages state it.
RANKING_RULE = ("Ranked by upvotes; ties by GitHub stars, then by the order of the day lists "
                "(earlier days first).")
#: The spans of the top page, in days.
TOP_SPANS = (7, 30)


@dataclass(frozen=True)
class Week:
    """An ISO week (`year` is the ISO year, which differs from the calendar year around
    New Year) and its days, newest first, without their neighbours (a week's page must
    not change when a day is added to the next week)."""

    year: int
    week: int
    days: tuple[Day, ...]

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 7)

    @property
    def papers(self) -> int:
        return sum(len(day.papers) for day in self.days)


@dataclass(frozen=True)
class WeekLinks:
    """A week's page as it stands among the others: the weeks before and after (None at
    either end of the archive) and whether it is over (a newer day exists)."""

    week: Week
    prev: tuple[int, int] | None
    next: tuple[int, int] | None

    @property
    def over(self) -> bool:
        return self.next is not None


def iso_week(date: dt.date) -> tuple[int, int]:
    """(ISO year, ISO week) of a day."""
    year, week, _ = date.isocalendar()
    return year, week


def weeks_of(days: Sequence[Day]) -> list[WeekLinks]:
    """The weeks of `days` (newest first, as `Site.days`), newest first, each with its
    neighbours."""
    grouped: dict[tuple[int, int], list[Day]] = {}
    for day in days:
        grouped.setdefault(iso_week(day.date), []).append(Day(day.date, day.papers))
    keys = list(grouped)  # newest first, as the days came
    return [WeekLinks(Week(key[0], key[1], tuple(grouped[key])),
                      keys[index + 1] if index + 1 < len(keys) else None,
                      keys[index - 1] if index > 0 else None)
            for index, key in enumerate(keys)]


def ranked(days: Iterable[Day]) -> list[Paper]:
    """The papers of `days` (any order) by the ranking rule (module docstring)."""
    listed = [paper for day in sorted(days, key=lambda d: d.date) for paper in day.papers]
    order = sorted(range(len(listed)), key=lambda i: (
        -(listed[i].upvotes or 0), -(listed[i].github_stars or 0), i))
    return [listed[i] for i in order]


def top_of_day(papers: Sequence[Paper], count: int = TOP) -> list[Paper]:
    """The first `count` of a day's papers (in the day's order) by the ranking rule."""
    return ranked([Day(dt.date.min, tuple(papers))])[:count]


def last_days(days: Sequence[Day], span: int) -> list[Day]:
    """The days of `days` (newest first) within `span` days of the newest, that day
    included: the last 7 days are the newest day and the 6 before it."""
    if not days:
        return []
    first = days[0].date - dt.timedelta(days=span - 1)
    return [day for day in days if day.date >= first]


@dataclass(frozen=True)
class TopWindow:
    """The top of the last `span` days: from `first` to the site's newest day."""

    span: int
    first: dt.date
    papers: int
    top: tuple[Paper, ...]


def top_windows(days: Sequence[Day], spans: Sequence[int] = TOP_SPANS,
                count: int = TOP) -> list[TopWindow]:
    """The top of each span of the newest days of `days` (newest first)."""
    windows = []
    for span in spans:
        shown = last_days(days, span)
        if shown:
            windows.append(TopWindow(span, days[0].date - dt.timedelta(days=span - 1),
                                     sum(len(day.papers) for day in shown),
                                     tuple(ranked(shown)[:count])))
    return windows
