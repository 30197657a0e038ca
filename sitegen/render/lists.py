"""Reading lists as outputs: a page per list (`lists/<name>/`, its sessions with their
papers as cards), the page of all lists (`lists/`), an Atom feed per list whose entries are
its sessions, and (through render/citations.py) its `papers.bib` and `papers.ris`.

A list page is a unit keyed by the list (its sessions and their papers, field by field),
so it is made again only when the list or one of its papers changes. A feed entry is a
session, not a paper: a reading group announces meetings, and a paper read twice is two
entries. Entries are newest first; their ids and links end in the session's anchor on
the list page (`#2025-08-11`, `#2025-08-11-2` for a second session that day), stable
while the session keeps its date.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from functools import partial
from typing import Any

from sitegen.config import Config
from sitegen.model import ListSession, Output, ReadingList, Site
from sitegen.render.citations import CitedPage
from sitegen.render.feedentry import Entry, FeedInfo
from sitegen.render.feedids import feed_ids
from sitegen.render.feeds import atom_feed, clean_entry_html, midnight, xml_text
from sitegen.render.sitemap import page_lastmod
from sitegen.render.textrender import notes_to_html
from sitegen.render.units import Job, Unit
from sitegen.urls import Urls


def session_anchors(sessions: tuple[ListSession, ...]) -> tuple[str, ...]:
    """Each session's fragment id on the list page: its date, `-2`, `-3`... for the
    second and later sessions of one day."""
    seen: dict[dt.date, int] = {}
    anchors = []
    for session in sessions:
        seen[session.date] = seen.get(session.date, 0) + 1
        count = seen[session.date]
        anchors.append(session.date.isoformat() + (f"-{count}" if count > 1 else ""))
    return tuple(anchors)


def _job(template: str, path: str, context: dict[str, Any]) -> Job:
    return Job(template, path, context, page_lastmod(context))


def list_jobs(urls: Urls, reading: ReadingList) -> list[Job]:
    """A list's page."""
    return [_job("list.html", urls.output_path("list", reading), {
        "list": reading, "papers": reading.papers,
        "sessions": tuple(zip(session_anchors(reading.sessions), reading.sessions,
                              strict=True)),
        "canonical": urls.absolute("list", reading)})]


def lists_jobs(urls: Urls, lists: tuple[ReadingList, ...]) -> list[Job]:
    """The page of all lists."""
    return [_job("lists.html", urls.output_path("lists"), {
        "lists": lists, "canonical": urls.absolute("lists")})]


def list_units(site: Site, urls: Urls) -> Iterator[Unit]:
    """The lists' pages, as units of the page stage (render/pages.py)."""
    if not site.lists:
        return
    kind = "list.html\0" + urls.base_url
    for reading in site.lists:
        yield Unit("list.html " + reading.slug, kind, (reading,),
                   partial(list_jobs, urls, reading), exact=True)
    shown = tuple((reading.slug, reading.title, len(reading.sessions), len(reading.papers))
                  for reading in site.lists)  # what the page of all lists shows of each
    yield Unit("lists.html", "lists.html\0" + urls.base_url, (shown,),
               partial(lists_jobs, urls, site.lists), exact=True)


def list_cited_pages(site: Site) -> Iterator[CitedPage]:
    """Each list with its papers, for its bulk citation files."""
    for reading in site.lists:
        yield CitedPage("list", reading, None, reading.papers)


def session_html(session: ListSession, urls: Urls, page_url: str) -> str:
    """A session as a feed entry's content: who presents, the papers (linked to their
    pages), the notes; sanitized, links absolute."""
    parts = []
    if session.presenter:
        parts.append(f"<p>Presented by {html.escape(session.presenter)}.</p>")
    if session.papers:
        items = "".join(f'<li><a href="{html.escape(urls.absolute("paper", paper))}">'
                        f"{html.escape(paper.title)}</a></li>" for paper in session.papers)
        parts.append(f"<ul>{items}</ul>")
    if session.notes.strip():
        parts.append(notes_to_html(session.notes))
    return clean_entry_html("\n".join(parts), page_url)


def list_feed(reading: ReadingList, config: Config, urls: Urls) -> bytes:
    """A list's Atom feed: an entry per session, newest first."""
    ids = feed_ids(config)
    path = urls.rel("list", reading)
    page = urls.absolute("list", reading)
    anchored = sorted(zip(session_anchors(reading.sessions), reading.sessions, strict=True),
                      key=lambda pair: pair[1].date, reverse=True)
    entries = []
    for anchor, session in anchored:
        when = midnight(session.date)
        title = f"{session.date:%d %B %Y}" + (f": {session.presenter}"
                                               if session.presenter else "")
        titles = "; ".join(paper.title for paper in session.papers)
        entries.append(Entry(
            id=ids.of(f"{path}#{anchor}"), url=f"{page}#{anchor}", title=xml_text(title),
            published=when, authors=tuple(a for a in (xml_text(session.presenter).strip(),)
                                          if a),
            summary=xml_text(titles), content_html=session_html(session, urls, page),
            tags=()))
    info = FeedInfo(title=f"{config.site['title']}: {reading.title}",
                    subtitle=f"Sessions of the reading list \u201c{reading.title}\u201d",
                    page_url=page, feed_id=ids.of(path),
                    atom_url=urls.absolute("list_atom", reading),
                    rss_url=urls.absolute("list_atom", reading))
    return atom_feed(info, config, entries)


def list_feeds(site: Site, config: Config, urls: Urls) -> Iterator[Output]:
    """Every list's feed. Made every build: a handful of small files (the writer keeps a
    file whose bytes are unchanged)."""
    for reading in site.lists:
        yield Output(urls.output_path("list_atom", reading), list_feed(reading, config, urls))
