"""What every feed format is made from: a paper's entry and a feed's texts and URLs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One paper as feeds show it, computed once and shared by every feed it is in."""

    id: str
    url: str
    title: str
    published: dt.datetime
    authors: tuple[str, ...]
    summary: str
    content_html: str
    tags: tuple[str, ...]
    image: str | None = None  # the paper's thumbnail: an absolute http(s) URL


@dataclass(frozen=True)
class FeedInfo:
    """What a feed is about: its texts and the URLs of its page and of its files."""

    title: str
    subtitle: str
    page_url: str
    feed_id: str
    atom_url: str
    rss_url: str
    json_url: str | None = None
