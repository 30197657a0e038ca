"""`sitegen fetch arxiv --category`: one arXiv announcement day -> the store.

The announcement feed gives the day and the announced ids (one request), the arXiv API
their metadata (`id_list`, 100 ids a request), all 3 s apart. Papers are dated by the
announcement day. Replacements are skipped unless asked for, cross-lists kept unless
refused. A metadata batch that fails leaves its papers with the feed's own data (title,
abstract, authors, categories), said in the summary: a later fetch or `sitegen add` fills
the rest, fill-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.commands.fetch import (
    DaySummary,
    FetchOptions,
    FetchReport,
    make_fetcher,
    open_store,
)
from sitegen.errors import SourceError
from sitegen.model import Problem
from sitegen.sources import arxiv
from sitegen.sources.announcements import (
    Announced,
    Announcement,
    fetch_announcement,
    to_record,
)
from sitegen.sources.http import make_client


@dataclass(frozen=True)
class ListingRequest:
    """What to fetch: the categories, the days allowed (None: whatever the feed holds),
    and which announcements count."""

    categories: tuple[str, ...]
    days: Sequence[dt.date] | None = None
    cross_lists: bool = True
    replacements: bool = False


def chosen_items(announcement: Announcement, request: ListingRequest
                 ) -> tuple[list[Announced], int, int]:
    """The announced papers to store, and how many cross-lists and replacements were
    skipped."""
    items, crosses, replaced = [], 0, 0
    for item in announcement.items:
        if item.is_replacement and not request.replacements:
            replaced += 1
        elif item.is_cross and not request.cross_lists:
            crosses += 1
        else:
            items.append(item)
    return items, crosses, replaced


def _skipped_note(crosses: int, replaced: int) -> str | None:
    parts = [f"{n} {what} skipped" for n, what in ((replaced, "replacement(s)"),
                                                    (crosses, "cross-list(s)")) if n]
    return "; ".join(parts) or None


def fetch_arxiv_listing(root: Path, request: ListingRequest, listing_url: str, api_url: str,
                        options: FetchOptions | None = None) -> FetchReport:
    """Fetch the latest announcement of `request.categories` and merge it into the store."""
    options = options or FetchOptions()
    label = f"arxiv {'+'.join(request.categories)}"
    client = options.client or make_client()
    fetcher = make_fetcher(root, options, client, arxiv.MIN_INTERVAL)
    missed: list[Problem] = []
    try:
        try:
            announcement = fetch_announcement(fetcher, listing_url, list(request.categories))
        except SourceError as exc:
            return FetchReport((DaySummary(label, error=exc),), (), (), fetcher.requests)
        day = announcement.day
        where = f"{listing_url.rstrip('/')}/rss/{'+'.join(request.categories)}"
        if day is None or not announcement.items:
            note = f"no announcement on {day}" if day else "the feed announces nothing"
            return FetchReport((DaySummary(f"{day or '-'} {label}", note=note + (
                " (arXiv announces nothing on Saturdays, Sundays and holidays)")),), (), (),
                fetcher.requests)
        if request.days is not None and day not in request.days:
            first, last = min(request.days), max(request.days)
            error = SourceError(
                f"the feed holds the announcement of {day}, not of a day from {first} to "
                f"{last}", where, hint="arXiv's announcement feed keeps only its latest day; "
                "for earlier papers use --query with submittedDate (dated by submission)")
            return FetchReport((DaySummary(f"{day} {label}", error=error),), (), (),
                               fetcher.requests)
        items, crosses, replaced = chosen_items(announcement, request)
        metadata = arxiv.fetch_ids(fetcher, api_url, [i.arxiv_id for i in items])
    finally:
        if options.client is None:
            client.close()
    if metadata.failed:
        for error in metadata.errors:
            missed.append(Problem(error.path or api_url, f"{day}: arXiv metadata not fetched: "
                                  f"{error.message}", hint="the papers were stored with the "
                                  "feed's data; `sitegen add ID...` fills the rest"))
    if metadata.unknown:
        missed.append(Problem(api_url, f"{day}: arXiv's API does not know "
                              f"{', '.join(metadata.unknown[:5])}"
                              f"{' ...' if len(metadata.unknown) > 5 else ''} yet",
                              hint="stored with the feed's data; a later `sitegen add ID` "
                              "fills the rest", severity="warning"))
    if announcement.cut:
        missed.append(Problem(where, f"{day}: the feed of {', '.join(announcement.cut)} holds "
                              "2,000 papers, arXiv's limit: later ones may be missing",
                              hint="name fewer or smaller categories"))
    records = [to_record(item, day, rank, metadata.papers.get(item.arxiv_id))
               for rank, item in enumerate(items, 1)]
    with open_store(root, bool(records), options) as store:
        summary = store.merge(f"{day} {label}", records, refresh_rank=False,
                              note=_skipped_note(crosses, replaced))
    return FetchReport((summary,), tuple(store.written), tuple(store.problems),
                       fetcher.requests, tuple(missed))
