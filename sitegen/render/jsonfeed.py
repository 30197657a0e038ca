"""JSON Feed 1.1 documents, from the same entries as the Atom and RSS feeds (feeds.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sitegen.config import Config
from sitegen.render.feedentry import Entry, FeedInfo

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(info: FeedInfo, config: Config, entries: Sequence[Entry]) -> bytes:
    """A JSON Feed 1.1 document."""
    items = []
    for entry in entries:
        item: dict[str, object] = {"id": entry.id, "url": entry.url, "title": entry.title,
                                   "content_html": entry.content_html}
        if entry.summary:
            item["summary"] = entry.summary
        item["date_published"] = entry.published.isoformat()
        if entry.authors:
            item["authors"] = [{"name": name} for name in entry.authors]
        if entry.tags:
            item["tags"] = list(entry.tags)
        if entry.image:
            item["image"] = entry.image
        items.append(item)
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION, "title": info.title, "home_page_url": info.page_url,
        "feed_url": info.json_url, "description": info.subtitle,
        "language": config.site["language"],
    }
    if config.site["author"]:
        feed["authors"] = [{"name": config.site["author"]}]
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
