"""Digests: a settled ISO week or calendar month of the archive, as a newsletter shows it
(the top papers by the ranking rule, then every paper grouped by tag). Pure: no I/O, no
clock.

"Settled" is relative to the newest day of the site, never the clock: a period settles
when the site has a day `settle_days` (default 3) or more after its last day. Not at once:
the daily workflow fetches the last 3 days every day, refreshing their upvotes, so a
period's last days keep changing until that window has passed them. A digest reads only
its own days (without their neighbours), so once settled no new day changes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.model import Day, Paper
from sitegen.site.periods import TOP, iso_week, ranked

WEEKLY, MONTHLY = "week", "month"
#: Digest names: `2026-W37` (ISO week) and `2026-09` (month); intro files are named so.
_WEEK_NAME = re.compile(r"^(\d{4})-W(\d{2})\Z")
_MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})\Z")
#: Days after a period's last day before it settles (`[digests] settle_days`): the daily
#: workflow's fetch window (3 days), whose fetches refresh the upvotes of those days.
SETTLE_DAYS = 3
#: The heading of the papers without tags in the by-tag list.
UNTAGGED = "Other papers"


@dataclass(frozen=True)
class TagGroup:
    """The papers of a digest that carry one tag, ranked (`tag` None: those without)."""

    tag: str | None
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class Digest:
    """A settled period: `kind` WEEKLY (`year`, `number`: ISO year and week) or MONTHLY
    (`number`: the month); its days newest first, without neighbours."""

    kind: str
    year: int
    number: int
    days: tuple[Day, ...]

    @property
    def slug(self) -> str:
        """`2026-W37` or `2026-09`: the URL segment and the intro file's name."""
        if self.kind == WEEKLY:
            return f"{self.year:04d}-W{self.number:02d}"
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def first(self) -> dt.date:
        """The period's first day (a Monday, or the 1st)."""
        if self.kind == WEEKLY:
            return dt.date.fromisocalendar(self.year, self.number, 1)
        return dt.date(self.year, self.number, 1)

    @property
    def last(self) -> dt.date:
        """The period's last day (a Sunday, or the month's last day)."""
        if self.kind == WEEKLY:
            return dt.date.fromisocalendar(self.year, self.number, 7)
        return dt.date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    @property
    def title(self) -> str:
        """`Week 37, 2026` or `September 2026`."""
        if self.kind == WEEKLY:
            return f"Week {self.number}, {self.year}"
        return f"{calendar.month_name[self.number]} {self.year}"

    @property
    def papers(self) -> int:
        return sum(len(day.papers) for day in self.days)

    def ranked(self) -> list[Paper]:
        """Every paper of the period by the ranking rule (site/periods.py)."""
        return ranked(self.days)

    def top(self, count: int = TOP) -> tuple[Paper, ...]:
        return tuple(self.ranked()[:count])

    def by_tag(self) -> tuple[TagGroup, ...]:
        """Every paper once, under its first tag (tags by name, each group ranked), the
        papers without tags last. Once, not under each of its tags: a digest lists a
        paper once, and its size stays that of its papers (a month holds 1,500)."""
        groups: dict[str | None, list[Paper]] = {}
        for paper in self.ranked():
            groups.setdefault(paper.tags[0] if paper.tags else None, []).append(paper)
        names = sorted((name for name in groups if name is not None), key=str.casefold)
        order: list[str | None] = [*names, None] if None in groups else names
        return tuple(TagGroup(name, tuple(groups[name])) for name in order)


def period_of(kind: str, date: dt.date) -> tuple[int, int]:
    """(year, ISO week) or (year, month) of a day."""
    return iso_week(date) if kind == WEEKLY else (date.year, date.month)


def settled_digests(days: Sequence[Day], kind: str, settle_days: int = SETTLE_DAYS
                    ) -> list[Digest]:
    """The settled digests of `kind` over `days` (newest first, as `Site.days`), newest
    first: every period with papers whose last day is `settle_days` or more before the
    newest day (1: every period but the newest day's)."""
    if not days:
        return []
    grouped: dict[tuple[int, int], list[Day]] = {}
    for day in days:
        grouped.setdefault(period_of(kind, day.date), []).append(Day(day.date, day.papers))
    latest = days[0].date - dt.timedelta(days=max(settle_days, 1))
    found = (Digest(kind, key[0], key[1], tuple(held)) for key, held in grouped.items()
             if any(day.papers for day in held))
    return [digest for digest in found if digest.last <= latest]


def digest_key(name: str) -> tuple[str, int, int] | None:
    """(kind, year, number) of a digest's name (`2026-W37`, `2026-09`), None if it is not
    one (a week that the ISO year does not have, a month 13)."""
    match = _WEEK_NAME.match(name)
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            return None
        return WEEKLY, year, week
    match = _MONTH_NAME.match(name)
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
        return MONTHLY, int(match[1]), int(match[2])
    return None
