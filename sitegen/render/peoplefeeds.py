"""An Atom feed per author and organisation with a page (`authors/<slug>/feed.xml`,
`orgs/<slug>/feed.xml`): their newest `[authors] feed_entries` papers.

A site has thousands of them, so each costs little: entries are light (title, authors,
tags, the abstract's first 500 characters as text and as HTML, no MathML), made once per
paper for all feeds (`FeedWriter.prepare`, Atom only) and kept between builds by an
`EntryStore` of their own; each feed's header is one header made by feedgen with marked
places, the person's texts put in as lxml escapes them (byte for byte feedgen's, tested),
not a feedgen run per feed. Entry ids are the site feed's (a paper keeps its id in every
feed); feed ids are made as the tags' are (render/feedids.py).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Sequence

from sitegen.config import Config
from sitegen.model import Output, Paper, Person, Site
from sitegen.render.feedentry import Entry, FeedInfo
from sitegen.render.feedids import FeedIds, feed_ids
from sitegen.render.feeds import (
    EntryStore,
    EntryXml,
    FeedWriter,
    atom_feed,
    fallback_time,
    midnight,
    retimed,
    xml_text,
)
from sitegen.render.textrender import preview
from sitegen.urls import Urls

#: The end of an Atom document as feedgen writes it.
_END = b"</feed>\n"
#: Marked places in the header made once: each is found once and replaced.
_MARKS = {"title": "SITEGENxTITLEx", "subtitle": "SITEGENxSUBTITLEx",
          "page_url": "https://sitegen.invalid/PAGE", "feed_id": "https://sitegen.invalid/ID",
          "atom_url": "https://sitegen.invalid/ATOM"}
_MARK_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: How lxml escapes text and attribute values (the texts are `xml_text`: no other
#: character needs it).
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def light_entry(paper: Paper, urls: Urls, ids: FeedIds) -> Entry:
    """A paper as a person's feed shows it: its id is the site feed's, its content the
    abstract's first 500 characters (as text; HTML-escaped as content)."""
    summary = xml_text(preview(paper.abstract, 500)) if paper.abstract else ""
    url = urls.absolute("paper", paper)
    title = xml_text(paper.title) or paper.slug
    return Entry(
        id=ids.of(urls.rel("paper_feed_id", paper)), url=url, title=title,
        published=midnight(paper.date),
        authors=tuple(a for a in (xml_text(n).strip() for n in paper.authors) if a),
        summary=summary,
        content_html=(f"<p>{html.escape(summary or title)}</p>"
                      f'<p><a href="{html.escape(url)}">Paper page</a></p>'),
        tags=tuple(xml_text(t) for t in paper.tags))


def person_feed_info(person: Person, config: Config, urls: Urls, ids: FeedIds) -> FeedInfo:
    """A person's feed: titled after the site and the person."""
    kind, site = person.kind, config.site["title"]
    about = "from" if kind == "org" else "by"
    return FeedInfo(
        title=f"{site}: {person.name}", subtitle=f"Papers {about} {person.name} on {site}",
        page_url=urls.absolute(kind, person), feed_id=ids.of(urls.rel(kind, person)),
        atom_url=urls.absolute(f"{kind}_atom", person), rss_url="")


class Headers:
    """Atom headers for many feeds from one made by feedgen with marked places."""

    def __init__(self, config: Config) -> None:
        self.config = config
        marked = FeedInfo(_MARKS["title"], _MARKS["subtitle"], _MARKS["page_url"],
                          _MARKS["feed_id"], _MARKS["atom_url"], "")
        self.head = atom_feed(marked, config, [], _MARK_DATE)[:-len(_END)].decode()
        self.usable = all(self.head.count(mark) == 1 for mark in _MARKS.values())

    def header(self, info: FeedInfo, updated: dt.datetime) -> bytes:
        """`info`'s header, the same bytes `atom_feed(info, config, [], updated)` starts
        with."""
        head = retimed("atom", self.head.encode(), _MARK_DATE, updated) if self.usable \
            else None
        if head is None:
            return atom_feed(info, self.config, [], updated)[:-len(_END)]
        text = head.decode()
        title = xml_text(info.title)
        for name, escape in (("title", _TEXT), ("subtitle", _TEXT), ("page_url", _ATTRIBUTE),
                             ("feed_id", _TEXT), ("atom_url", _ATTRIBUTE)):
            value = (xml_text(info.subtitle) or title) if name == "subtitle" else \
                title if name == "title" else getattr(info, name)
            text = text.replace(_MARKS[name], value.translate(escape))
        return text.encode()


def people_feed_outputs(site: Site, config: Config, urls: Urls,
                        store: EntryStore | None = None) -> Iterator[Output]:
    """The Atom feed of every author and organisation with a page, made one at a time;
    `store`: light entries made before (told what this build used at the end)."""
    people: Sequence[Person] = (*site.authors, *site.orgs)
    if not people:
        return
    limit = config.authors["feed_entries"]
    ids = feed_ids(config)
    writer = FeedWriter(config, store)
    writer.xml = {"atom": {}}  # the people's feeds are Atom only
    store = writer.store
    made_with = "light\0" + ids.scheme + "\0" + urls.absolute("home")
    made: dict[str, tuple[Paper, Entry]] = {}
    atom = writer.xml["atom"]
    for person in people:
        for paper in person.papers[:limit]:
            if paper.slug in made:
                continue
            held = store.entry(paper, made_with)
            if held is None:
                made[paper.slug] = (paper, light_entry(paper, urls, ids))
            else:
                made[paper.slug] = (paper, held.entry)
                atom[held.entry.id] = held.atom
    headers = Headers(config)
    infos = [(person, person_feed_info(person, config, urls, ids)) for person in people]
    writer.prepare(infos[0][1], [entry for _, entry in made.values()])
    for person, info in infos:
        entries = [made[paper.slug][1] for paper in person.papers[:limit]]
        if writer.whole:
            data = atom_feed(info, config, entries)
        else:
            updated = entries[0].published if entries else fallback_time()
            data = b"".join([headers.header(info, updated), *(atom[e.id] for e in entries),
                             _END])
        yield Output(urls.output_path(f"{person.kind}_atom", person), data)
    if not writer.whole:
        store.keep([(paper, EntryXml(entry, atom[entry.id], b""))
                    for paper, entry in made.values()], [])
