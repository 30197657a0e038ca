"""Atom 1.0 and RSS 2.0 (feedgen) and JSON Feed 1.1 (json), site-wide and per tag.

Deterministic: feedgen stamps `now()` on every feed and entry and prepends entries by
default; here every date comes from the papers (a feed's `updated` is its newest entry),
and entries are appended newest first. Entry ids never change (feedids.py), and each feed
holds the papers feedwindow.py chooses.
Entry HTML is self-contained: sanitized by nh3, every link absolute.

Atom and RSS documents are put together from each entry's XML, made once, and each feed's
header (`FeedWriter`), the same bytes feedgen writes for the whole feed. An `EntryStore`
may hold entries and headers made before (the build cache's keeps them between builds).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin

import nh3
from feedgen.feed import FeedGenerator
from feedgen.util import formatRFC2822

from sitegen.config import Config
from sitegen.links import is_http_url, paper_links
from sitegen.model import Output, Paper, Site, Tag
from sitegen.render.feedentry import Entry, FeedInfo
from sitegen.render.feedids import FeedIds, feed_ids
from sitegen.render.feedwindow import feed_window
from sitegen.render.jsonfeed import json_feed
from sitegen.render.textrender import (
    MATHML_ATTRIBUTES,
    MATHML_TAGS,
    NOTE_TAGS,
    notes_to_html,
    preview,
    text_with_math,
)
from sitegen.urls import Urls

# Characters XML 1.0 cannot hold at all; lxml refuses them, so they are dropped from text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTENT_TAGS = set(NOTE_TAGS | MATHML_TAGS | {"span"})
_CONTENT_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                       "td": {"align"}, "th": {"align"}, "abbr": {"title"},
                       "span": {"class"}, "math": {"alttext"}, "*": set(MATHML_ATTRIBUTES)}


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot carry (control characters, lone surrogates)."""
    return _NOT_XML.sub("", text)


def midnight(day: dt.date) -> dt.datetime:
    """A day as a feed's time: its midnight, UTC (entries, digests, list sessions)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def fallback_time() -> dt.datetime:
    """The date of a feed without entries: `SOURCE_DATE_EPOCH`, else the Unix epoch."""
    try:
        return dt.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return dt.datetime.fromtimestamp(0, dt.UTC)


def _absolute(base: str, _element: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        return urljoin(base, value.strip())
    return value


def entry_html(paper: Paper, page_url: str) -> str:
    """The abstract (math as MathML), summary, notes and links, sanitized, links absolute."""
    parts = []
    if paper.abstract:
        parts.append(f"<p>{text_with_math(paper.abstract)}</p>")
    if paper.ai_summary:
        parts.append(f"<p><strong>Summary:</strong> {text_with_math(paper.ai_summary)}</p>")
    if paper.notes.strip():
        parts.append(notes_to_html(paper.notes))
    items = [f'<li><a href="{html.escape(page_url)}">Paper page</a></li>']
    items += [f'<li><a href="{html.escape(link.url)}">{html.escape(link.label)}</a></li>'
              for link in paper_links(paper)]
    parts.append("<ul>" + "".join(items) + "</ul>")
    return clean_entry_html("\n".join(parts), page_url)


def clean_entry_html(raw: str, page_url: str) -> str:
    """An entry's HTML as feeds carry it: sanitized by nh3, every link absolute against
    `page_url`, without characters XML cannot hold."""
    clean = nh3.clean(raw, tags=_CONTENT_TAGS, attributes=_CONTENT_ATTRIBUTES,
                      attribute_filter=partial(_absolute, page_url),
                      url_schemes={"http", "https", "mailto"}, link_rel=None,
                      strip_comments=True)
    return xml_text(clean)


def make_entry(paper: Paper, urls: Urls, ids: FeedIds) -> Entry:
    """A paper's feed entry: its id from `ids`, links from the base URL."""
    page_url = urls.absolute("paper", paper)
    return Entry(
        id=ids.of(urls.rel("paper_feed_id", paper)),
        url=page_url,
        title=xml_text(paper.title) or paper.slug,  # a title of control characters only
        published=midnight(paper.date),
        authors=tuple(a for a in (xml_text(n).strip() for n in paper.authors) if a),
        summary=xml_text(preview(paper.abstract, 500)) if paper.abstract else "",
        content_html=entry_html(paper, page_url),
        tags=tuple(xml_text(t) for t in paper.tags),
        image=paper.thumbnail if is_http_url(paper.thumbnail) else None,
    )


def _generator(info: FeedInfo, config: Config, entries: Sequence[Entry], self_url: str,
               self_type: str, updated: dt.datetime | None = None) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(info.feed_id)
    fg.title(xml_text(info.title))
    fg.subtitle(xml_text(info.subtitle) or xml_text(info.title))
    fg.link(href=self_url, rel="self", type=self_type)
    fg.link(href=info.page_url, rel="alternate")  # last: feedgen makes it the RSS <link>
    fg.language(config.site["language"])
    fg.author({"name": xml_text(config.site["author"] or config.site["title"])})
    fg.generator("sitegen")
    fg.updated(updated or (entries[0].published if entries else fallback_time()))
    for entry in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.guid(entry.id, permalink=entry.id == entry.url)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.published)
        for name in entry.authors:
            fe.author({"name": name})
        if entry.authors:  # one element: feedparser and newsboat keep only the last
            fe.dc.dc_creator(", ".join(entry.authors))
        for tag in entry.tags:
            fe.category(term=tag, label=tag)
        fe.summary(entry.summary or entry.title)  # Atom: type="text"
        # RSS readers read <description> as HTML: escape the plain text once more.
        fe.description(html.escape(entry.summary or entry.title, quote=False))
        fe.content(entry.content_html, type="html")
    return fg


def atom_feed(info: FeedInfo, config: Config, entries: Sequence[Entry],
              updated: dt.datetime | None = None) -> bytes:
    """An Atom 1.0 document (`updated`: the feed's date, if not its first entry's)."""
    return _generator(info, config, entries, info.atom_url,
                      "application/atom+xml", updated).atom_str(pretty=True)


def rss_feed(info: FeedInfo, config: Config, entries: Sequence[Entry],
             updated: dt.datetime | None = None) -> bytes:
    """An RSS 2.0 document (content in `content:encoded`, authors as `dc:creator`)."""
    fg = _generator(info, config, entries, info.rss_url, "application/rss+xml", updated)
    # The channel <description> is read as HTML too (a tag's name is in it): escape it.
    fg.description(html.escape(fg.description(), quote=False))
    return fg.rss_str(pretty=True)


#: How feedgen writes (pretty-printed) the start of an entry and the end of a document.
_ENTRY_START = {"atom": b"  <entry>\n", "rss": b"    <item>\n"}
_DOC_END = {"atom": b"</feed>\n", "rss": b"  </channel>\n</rss>\n"}
_WRITERS = {"atom": atom_feed, "rss": rss_feed}
#: The one element of a header made from the feed's date, and how feedgen writes the date.
_DATE_ELEMENT = {"atom": "updated", "rss": "lastBuildDate"}
_DATE_TEXT = {"atom": dt.datetime.isoformat, "rss": formatRFC2822}


def _date_element(kind: str, when: dt.datetime) -> bytes:
    name = _DATE_ELEMENT[kind]
    return f"<{name}>{_DATE_TEXT[kind](when)}</{name}>".encode()


def retimed(kind: str, head: bytes, old: dt.datetime, new: dt.datetime) -> bytes | None:
    """A feed header made for date `old` with `new` in its place: the date is in one
    element only (text that needs no escaping), other text is escaped (no `<` in it), so
    the element found once is the one. None if it is not found exactly once."""
    element = _date_element(kind, old)
    if head.count(element) != 1:
        return None
    return head.replace(element, _date_element(kind, new))


@dataclass(frozen=True)
class EntryXml:
    """An entry with its XML in Atom and in RSS (as feedgen writes it in any feed)."""

    entry: Entry
    atom: bytes
    rss: bytes


@dataclass(frozen=True)
class Header:
    """A feed's document up to its first entry, and the feed date it was made with."""

    updated: dt.datetime
    data: bytes


@dataclass(frozen=True)
class HeaderSource:
    """What a feed's header is made from, besides its date."""

    kind: str  # "atom" or "rss"
    info: FeedInfo
    site_title: str
    site_author: str
    language: str


class EntryStore:
    """Where `feed_outputs` looks for an entry or a header before making it. This one
    holds none: every entry and header is made. The build cache keeps them between builds
    (`incremental.feedcache.FeedCache`), keyed by what they are made from."""

    def entry(self, paper: Paper, made_with: str) -> EntryXml | None:
        """The entry of `paper` made with `made_with` (the ids' base and the site's
        address), if held."""
        return None

    def header(self, source: HeaderSource) -> Header | None:
        """A header made from `source` (for whatever date), if held."""
        return None

    def keep(self, entries: Sequence[tuple[Paper, EntryXml]],
             headers: Sequence[tuple[HeaderSource, Header]]) -> None:
        """What this build used (told once, after the last feed)."""


class FeedWriter:
    """Atom and RSS documents put together from each entry's XML, made once.

    feedgen builds an lxml tree of a whole feed, and a paper is in the site's feed and in
    each of its tags' feeds. Pretty-printed, an entry's XML is the same in any feed, so
    each is made once (`prepare`: all of them in one document, cut at the entry starts),
    and a feed is its header (feedgen, no entries), its entries' XML and its end. A header
    the store holds for another date gets the new date written in (`retimed`) instead of
    a new feedgen run.
    """

    def __init__(self, config: Config, store: EntryStore | None = None) -> None:
        self.config = config
        self.store = store if store is not None else EntryStore()
        self.xml: dict[str, dict[str, bytes]] = {"atom": {}, "rss": {}}
        self.used: list[tuple[HeaderSource, Header]] = []
        self.whole = False  # feedgen wrote something unexpected: write whole feeds

    def prepare(self, info: FeedInfo, entries: Sequence[Entry]) -> None:
        """Make the XML of the entries not made yet (keyed by entry id)."""
        for kind, made in self.xml.items():
            todo = list({e.id: e for e in entries if e.id not in made}.values())
            if not todo:
                continue
            doc = _WRITERS[kind](info, self.config, todo)
            start, end = _ENTRY_START[kind], _DOC_END[kind]
            first = doc.find(start)
            pieces = doc[first:len(doc) - len(end)].split(start)[1:]
            if first < 0 or not doc.endswith(end) or len(pieces) != len(todo):
                self.whole = True
                return
            for entry, piece in zip(todo, pieces, strict=True):
                made[entry.id] = start + piece

    def document(self, kind: str, info: FeedInfo, entries: Sequence[Entry]) -> bytes:
        """The whole `kind` ("atom" or "rss") document: the same bytes feedgen writes."""
        self.prepare(info, entries)
        if self.whole:
            return _WRITERS[kind](info, self.config, entries)
        updated = entries[0].published if entries else fallback_time()
        site = self.config.site
        source = HeaderSource(kind, info, site["title"], site["author"], site["language"])
        kept = self.store.header(source)
        head = None
        if kept is not None:
            head = kept.data if kept.updated == updated else retimed(kind, kept.data,
                                                                     kept.updated, updated)
        if head is None:
            empty = _WRITERS[kind](info, self.config, [], updated)
            head = empty[:len(empty) - len(_DOC_END[kind])]
        self.used.append((source, Header(updated, head)))
        made = self.xml[kind]
        return b"".join([head, *(made[e.id] for e in entries), _DOC_END[kind]])


def feed_outputs(site: Site, config: Config, urls: Urls, store: EntryStore | None = None
                 ) -> Iterator[Output]:
    """Every feed file: site-wide Atom, RSS and JSON Feed, then Atom and RSS per tag, made
    one at a time (a site's feeds are megabytes: each is written and dropped before the
    next is made, so the memory is reused, not mapped afresh for each). `store`: entries
    and headers made before; it is told what this build used after the last feed."""
    feeds = config.feeds
    window = feed_window(site, feeds["days"], feeds["limit"], feeds["max_entries"])
    ids = feed_ids(config)
    writer = FeedWriter(config, store)
    store = writer.store
    made_with = ids.scheme + "\0" + urls.absolute("home")
    made: dict[str, tuple[Paper, Entry]] = {}

    def entries(papers: Sequence[Paper]) -> list[Entry]:
        # Newest first already (`Site.papers`, `Tag.papers`): a stable sort by date, which
        # the feeds' order is, keeps them as they are.
        papers = window.of(papers)
        for paper in papers:
            if paper.slug not in made:
                held = store.entry(paper, made_with)
                if held is None:
                    made[paper.slug] = (paper, make_entry(paper, urls, ids))
                else:
                    made[paper.slug] = (paper, held.entry)
                    writer.xml["atom"][held.entry.id] = held.atom
                    writer.xml["rss"][held.entry.id] = held.rss
        return [made[p.slug][1] for p in papers]

    site_info = FeedInfo(
        title=config.site["title"], subtitle=config.site["description"],
        page_url=urls.absolute("home"), feed_id=ids.of(""), atom_url=urls.absolute("atom"),
        rss_url=urls.absolute("rss"), json_url=urls.absolute("json_feed"))
    latest = entries(site.papers)
    tagged = [(tag, tag_feed_info(tag, config, urls, ids), entries(tag.papers))
              for tag in site.tags]
    writer.prepare(site_info, [entry for _, entry in made.values()])
    yield Output(urls.output_path("atom"), writer.document("atom", site_info, latest))
    yield Output(urls.output_path("rss"), writer.document("rss", site_info, latest))
    yield Output(urls.output_path("json_feed"), json_feed(site_info, config, latest))
    for tag, info, items in tagged:
        yield Output(urls.output_path("tag_atom", tag), writer.document("atom", info, items))
        yield Output(urls.output_path("tag_rss", tag), writer.document("rss", info, items))
    if not writer.whole:
        store.keep([(paper, EntryXml(entry, writer.xml["atom"][entry.id],
                                     writer.xml["rss"][entry.id]))
                    for paper, entry in made.values()], writer.used)


def tag_feed_info(tag: Tag, config: Config, urls: Urls, ids: FeedIds) -> FeedInfo:
    """A tag's feeds: titled after the site and the tag."""
    return FeedInfo(
        title=f"{config.site['title']}: {tag.name}",
        subtitle=f"Papers tagged \u201c{tag.name}\u201d on {config.site['title']}",
        page_url=urls.absolute("tag", tag), feed_id=ids.of(urls.rel("tag", tag)),
        atom_url=urls.absolute("tag_atom", tag), rss_url=urls.absolute("tag_rss", tag))

