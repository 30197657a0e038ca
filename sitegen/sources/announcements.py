"""arXiv's daily announcements: `GET {listing}/rss/cs.CV+cs.NE` (RSS 2.0) -> what was announced.

arXiv's announcement feeds (https://info.arxiv.org/help/rss.html, rebuilt daily at midnight
US Eastern time) hold one announcement day: the channel's `pubDate` is that day, each item
an announced paper with its `arxiv:announce_type` (`new`, `cross`, `replace`,
`replace-cross`). On Saturdays, Sundays and arXiv holidays the feed is empty (`skipDays`).
A feed of several categories holds at most 2,000 items: at that size the categories are
asked one by one, and a single category that still fills it is reported as cut.

Parsed as strictly as the query API's Atom (`arxiv.py`): a document declaring a DTD or an
entity is refused before parsing, and so is anything that is not an RSS feed of papers.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs refused before parsing, see above
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sitegen.errors import SourceError
from sitegen.links import is_doi
from sitegen.model import Paper
from sitegen.sources.arxiv import parse_xml
from sitegen.sources.http import Answer, Fetcher
from sitegen.urls import is_arxiv_id, paper_slug, strip_arxiv_version

ACCEPT = "application/rss+xml"
MAX_ITEMS = 2000  # arXiv's limit for one feed
#: `source:` of papers listed by an announcement (a listing day, like Daily Papers').
SOURCE = "arxiv-listing"
NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
_GUID = re.compile(r"^oai:arXiv\.org:(.+)$")
_ABS = re.compile(r"arxiv\.org/abs/(.+)$")
KINDS = ("new", "cross", "replace", "replace-cross")


@dataclass(frozen=True)
class Announced:
    """One announced paper, as the feed gives it."""

    arxiv_id: str
    kind: str  # one of KINDS
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def is_cross(self) -> bool:
        return self.kind.endswith("cross")

    @property
    def is_replacement(self) -> bool:
        return self.kind.startswith("replace")


@dataclass(frozen=True)
class Announcement:
    """The day a feed announces (None if it says none) and its papers, in feed order;
    `cut` names the categories whose feed was full (later papers may be missing)."""

    day: dt.date | None
    items: tuple[Announced, ...]
    cut: tuple[str, ...] = ()


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    return " ".join((found.text or "").split()) if found is not None else ""


def _day(text: str) -> dt.date | None:
    """The calendar day of an RFC 822 date in its own time zone (arXiv's: US Eastern)."""
    try:
        stamp = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.date() if stamp is not None else None


def _item_id(item: ET.Element) -> str:
    for raw, pattern in ((_text(item, "guid"), _GUID), (_text(item, "link"), _ABS)):
        found = pattern.match(raw) if pattern is _GUID else pattern.search(raw)
        if found and is_arxiv_id(strip_arxiv_version(found.group(1))):
            return strip_arxiv_version(found.group(1))
    return ""


def _abstract(description: str) -> str:
    """The abstract of a description `arXiv:ID Announce Type: new Abstract: ...`."""
    head, mark, rest = description.partition("Abstract:")
    return rest.strip() if mark else description


def parse_item(item: ET.Element, where: str) -> Announced:
    """One feed item; `SourceError` when it lacks an arXiv id or a title."""
    arxiv_id = _item_id(item)
    title = _text(item, "title")
    if not arxiv_id or not title:
        raise SourceError(f"an item without an arXiv id or a title: {_text(item, 'guid')!r}",
                          where)
    kind = _text(item, "arxiv:announce_type").lower()
    creators = _text(item, "dc:creator")
    doi = _text(item, "arxiv:DOI") or _text(item, "arxiv:doi")
    return Announced(
        arxiv_id=arxiv_id, kind=kind if kind in KINDS else "new", title=title,
        abstract=_abstract(_text(item, "description")),
        authors=tuple(a for a in (n.strip() for n in creators.split(",")) if a),
        categories=tuple(dict.fromkeys(c for e in item.findall("category")
                                       if (c := " ".join((e.text or "").split())))),
        doi=doi if is_doi(doi) else None,
        journal_ref=_text(item, "arxiv:journal_reference") or _text(item, "arxiv:journal_ref")
        or None)


def parse_listing(answer: Answer) -> Announcement:
    """One feed answer -> its announcement; `SourceError` for anything but an RSS feed."""
    root = parse_xml(answer, "an RSS feed")
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceError(f"expected an RSS <rss><channel>, got <{root.tag}>", answer.url)
    items = tuple(parse_item(item, answer.url) for item in channel.findall("item"))
    day = _day(_text(channel, "pubDate"))
    if day is None and items:
        days = [d for item in channel.findall("item") if (d := _day(_text(item, "pubDate")))]
        day = max(set(days), key=days.count) if days else None
    return Announcement(day, items)


def _feed(fetcher: Fetcher, listing_url: str, categories: Iterable[str]) -> Announcement:
    url = f"{listing_url.rstrip('/')}/rss/{'+'.join(categories)}"
    return fetcher.get(url, None, parse_listing, accept=ACCEPT)


def fetch_announcement(fetcher: Fetcher, listing_url: str,
                       categories: list[str]) -> Announcement:
    """The latest announcement of `categories`: one request, or one per category when the
    combined feed is full (a paper listed in several is kept once, `new` before `cross`)."""
    combined = _feed(fetcher, listing_url, categories)
    if len(combined.items) < MAX_ITEMS:
        return combined
    if len(categories) == 1:
        return replace(combined, cut=tuple(categories))
    parts = [(category, _feed(fetcher, listing_url, [category])) for category in categories]
    items: dict[str, Announced] = {}
    for _, part in parts:
        for item in part.items:
            if item.arxiv_id not in items or KINDS.index(item.kind) < KINDS.index(
                    items[item.arxiv_id].kind):
                items[item.arxiv_id] = item
    days = [part.day for _, part in parts if part.day is not None]
    return Announcement(max(days) if days else combined.day, tuple(items.values()),
                        tuple(c for c, part in parts if len(part.items) >= MAX_ITEMS))


def to_record(item: Announced, day: dt.date, rank: int, metadata: Paper | None) -> Paper:
    """An announced paper as a record for the store, dated by its announcement `day`: the
    arXiv API's metadata when it came, else the feed's own (no comment, no dates)."""
    if metadata is not None:
        return replace(metadata, date=day, rank=rank, source=SOURCE)
    return Paper(slug=paper_slug(item.title, item.arxiv_id), title=item.title, date=day,
                 rank=rank, arxiv_id=item.arxiv_id, authors=item.authors,
                 abstract=item.abstract, categories=item.categories,
                 primary_category=item.categories[0] if item.categories else None,
                 doi=item.doi, journal_ref=item.journal_ref, source=SOURCE)
