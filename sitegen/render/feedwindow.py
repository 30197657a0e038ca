"""Which papers a feed holds, so that a reader who polls once a day misses none.

A day has 30 to 70 papers and the daily workflow catches up on 3 days at once: a fixed
count would push some of them out of a feed before a reader saw them. So every feed (the
site's and each tag's) holds every paper of the site's newest `[feeds] days` days with
papers, however many; at least `[feeds] limit` papers (older ones fill up a quiet feed);
and at most `[feeds] max_entries` (a size bound: a feed of 500 entries is about 1.5 MB).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.model import Paper, Site


@dataclass(frozen=True)
class FeedWindow:
    """Every paper dated `since` or later, at least `limit`, at most `max_entries`."""

    since: dt.date | None
    limit: int
    max_entries: int

    def of(self, papers: Sequence[Paper]) -> Sequence[Paper]:
        """The papers of a feed, from `papers` sorted newest first (by date)."""
        recent = 0
        if self.since is not None:
            for paper in papers[:self.max_entries]:
                if paper.date < self.since:
                    break
                recent += 1
        return papers[:min(max(recent, self.limit), self.max_entries)]


def feed_window(site: Site, days: int, limit: int, max_entries: int) -> FeedWindow:
    """The window of `site`'s feeds: from the oldest of its newest `days` days with papers."""
    newest = site.days[:days]  # newest first
    return FeedWindow(newest[-1].date if newest else None, limit, max_entries)
