"""Papers -> `Site`: days, months, tags and their order. Pure: no I/O, no templates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from .model import Day, Month, Paper, Site, Tag
from .tagging import with_tags
from .urls import tag_slug


def day_order(paper: Paper) -> tuple:
    """Within a day: page order (rank) first, then most upvoted, then title."""
    return (paper.rank is None, paper.rank or 0, -(paper.upvotes or 0), paper.title, paper.slug)


def assemble(papers: Iterable[Paper], tags_of: Callable[[Paper], tuple[str, ...]] | None
             ) -> Site:
    """Group papers into days, months and tags; `tags_of` gives each paper's full tag list
    (None: the papers have them already)."""
    tagged = list(papers) if tags_of is None else [
        p if (tags := tags_of(p)) == p.tags else with_tags(p, tags) for p in papers]
    by_day: dict[dt.date, list[Paper]] = defaultdict(list)
    for paper in tagged:
        by_day[paper.date].append(paper)
    dates = sorted(by_day, reverse=True)
    days: list[Day] = []
    for index, date in enumerate(dates):
        days.append(Day(
            date=date,
            papers=tuple(sorted(by_day[date], key=day_order)),
            next=dates[index - 1] if index > 0 else None,
            prev=dates[index + 1] if index + 1 < len(dates) else None,
        ))
    ordered = tuple(p for day in days for p in day.papers)
    by_month: dict[tuple[int, int], list[Day]] = defaultdict(list)
    for day in days:
        by_month[(day.date.year, day.date.month)].append(day)
    months = tuple(Month(y, m, tuple(ds)) for (y, m), ds in sorted(by_month.items(), reverse=True))
    by_tag: dict[str, list[Paper]] = defaultdict(list)
    for paper in ordered:
        for tag in paper.tags:
            by_tag[tag].append(paper)
    used: set[str] = set()
    tags: list[Tag] = []
    for name in sorted(by_tag):
        base = slug = tag_slug(name)
        number = 2
        while slug in used:  # two names with one ASCII slug: keep both reachable
            slug, number = f"{base}-{number}", number + 1
        used.add(slug)
        tags.append(Tag(name=name, slug=slug, papers=tuple(by_tag[name])))
    return Site(papers=ordered, days=tuple(days), months=months, tags=tuple(tags),
                updated=dates[0] if dates else None)
