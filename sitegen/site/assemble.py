"""Papers -> `Site`: days, months, tags and their order. Pure: no I/O, no templates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from operator import attrgetter

from sitegen.model import Day, Month, Paper, Site, Tag
from sitegen.site.tagging import with_tags
from sitegen.urls import tag_slug


def day_order(paper: Paper) -> tuple:
    """Within a day: page order (rank) first, then most upvoted, then title."""
    return (paper.rank is None, paper.rank or 0, -(paper.upvotes or 0), paper.title, paper.slug)


_RANK = attrgetter("rank")


def in_day_order(papers: list[Paper]) -> tuple[Paper, ...]:
    """`papers` sorted by `day_order`. A day's papers usually all have distinct ranks
    (their places on the day's list), which then alone decide the order: sorted by rank,
    without a key tuple per paper."""
    ranks = set(map(_RANK, papers))
    if len(ranks) == len(papers) and None not in ranks:
        return tuple(sorted(papers, key=_RANK))
    return tuple(sorted(papers, key=day_order))


def pinned_first(papers: tuple[Paper, ...], first: Callable[[Paper], bool]
                 ) -> tuple[Paper, ...]:
    """A day's papers with those `first` chooses (a watched author's) before the others,
    each group in its order."""
    chosen = [paper for paper in papers if first(paper)]
    if not chosen or len(chosen) == len(papers):
        return papers
    return (*chosen, *(paper for paper in papers if not first(paper)))


def assemble(papers: Iterable[Paper], tags_of: Callable[[Paper], tuple[str, ...]] | None,
             first: Callable[[Paper], bool] | None = None) -> Site:
    """Group papers into days, months and tags; `tags_of` gives each paper's full tag list
    (None: the papers have them already); `first` pins papers first in their day's list."""
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
            papers=(in_day_order(by_day[date]) if first is None
                    else pinned_first(in_day_order(by_day[date]), first)),
            next=dates[index - 1] if index > 0 else None,
            prev=dates[index + 1] if index + 1 < len(dates) else None,
        ))
    ordered = tuple(chain.from_iterable(day.papers for day in days))
    by_month: dict[tuple[int, int], list[Day]] = defaultdict(list)
    for day in days:
        by_month[(day.date.year, day.date.month)].append(day)
    months = tuple(Month(y, m, tuple(ds)) for (y, m), ds in sorted(by_month.items(), reverse=True))
    by_tag: dict[str, list[Paper]] = defaultdict(list)
    for paper in ordered:
        for tag in paper.tags:
            by_tag[tag].append(paper)
    # One tag per slug: names that differ only in a separator ("self supervised",
    # "self-supervised") share a page, shown under the first name, the others as aliases.
    by_slug: dict[str, list[str]] = defaultdict(list)
    for name in sorted(by_tag):
        by_slug[tag_slug(name)].append(name)
    tags: list[Tag] = []
    for slug, names in sorted(by_slug.items(), key=lambda item: item[1][0]):
        papers = by_tag[names[0]] if len(names) == 1 else [
            p for p in ordered if any(name in p.tags for name in names)]
        tags.append(Tag(name=names[0], slug=slug, papers=tuple(papers),
                        aliases=tuple(names[1:])))
    return Site(papers=ordered, days=tuple(days), months=months, tags=tuple(tags),
                updated=dates[0] if dates else None)
