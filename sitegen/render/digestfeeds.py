"""The digest feeds, `digest/weekly.xml` and `digest/monthly.xml` (Atom) with their JSON
Feeds: one entry per settled digest, the whole digest in it, so a reader or a newsletter
service gets one item a week (or month) instead of every paper.

An entry's id is made from its digest's path (render/feedids.py) and its date the day after
the period ends, so a feed changes only when a new period settles (or an intro is edited).
As a stage (render/units.py): one unit per feed, keyed by the digests it holds and their
intros, so a day that settles nothing keeps both feeds without making them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Mapping, Sequence
from functools import partial

from sitegen.config import Config
from sitegen.model import Day
from sitegen.render.cards import card_of
from sitegen.render.digestpages import FEED_SLUGS, SHOWN_PER_TAG, intro_html
from sitegen.render.feedentry import Entry, FeedInfo
from sitegen.render.feedids import FeedIds, feed_ids
from sitegen.render.feeds import atom_feed, clean_entry_html, midnight, xml_text
from sitegen.render.jsonfeed import json_feed
from sitegen.render.units import Job, Stage, Unit
from sitegen.site.digests import MONTHLY, UNTAGGED, WEEKLY, Digest, settled_digests
from sitegen.site.periods import RANKING_RULE, TOP
from sitegen.store.intros import Intro
from sitegen.urls import Urls

#: The digests a feed holds, newest first: a quarter of weeks, a year of months.
FEED_DIGESTS = {WEEKLY: 13, MONTHLY: 12}


def _date_text(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def digest_html(digest: Digest, intro: Intro | None, urls: Urls) -> str:
    """A digest as one feed entry's HTML: its intro, its top papers (title, TL;DR, counts),
    then every paper by tag; sanitized, every link absolute."""
    page_url = urls.absolute("digest", digest)
    esc = html.escape
    parts = [f"<p>{esc(_date_text(digest.first))} to {esc(_date_text(digest.last))}: "
             f"{digest.papers} paper{'s' if digest.papers != 1 else ''}. "
             f'<a href="{esc(page_url)}">Read it on the web</a></p>',
             str(intro_html(intro, page_url))]
    top = digest.top(TOP)
    parts.append(f"<h2>Top {len(top)}</h2><p>{esc(RANKING_RULE)}</p><ol>")
    for paper in top:
        card = card_of(paper)
        counts = ", ".join(f"{count} {name}" for count, name in (
            (card.upvotes, "upvotes"), (card.stars, "GitHub stars"),
            (card.comments, "comments")) if count is not None)
        parts.append(f'<li><a href="{esc(urls.absolute("paper", paper))}">'
                     f"{esc(paper.title)}</a>" + (f" ({counts})" if counts else "")
                     + (f"<br>{esc(card.tldr)}" if card.tldr else "") + "</li>")
    parts.append("</ol><h2>All papers by tag</h2>")
    for number, group in enumerate(digest.by_tag(), 1):
        parts.append(f"<h3>{esc(group.tag) if group.tag is not None else UNTAGGED} "
                     f"({len(group.papers)})</h3><ul>")
        parts += [f'<li><a href="{esc(urls.absolute("paper", paper))}">{esc(paper.title)}'
                  "</a></li>" for paper in group.papers[:SHOWN_PER_TAG]]
        if len(group.papers) > SHOWN_PER_TAG:
            parts.append(f'<li><a href="{esc(page_url)}#group-{number}">'
                         f"{len(group.papers) - SHOWN_PER_TAG} more on the web</a></li>")
        parts.append("</ul>")
    return clean_entry_html("".join(parts), page_url)


def digest_entry(digest: Digest, intro: Intro | None, urls: Urls, ids: FeedIds) -> Entry:
    """A digest as a feed entry, dated the day after its period ends."""
    end = digest.last + dt.timedelta(days=1)
    titles = "; ".join(paper.title for paper in digest.top(3))
    return Entry(
        id=ids.of(urls.rel("digest", digest)),
        url=urls.absolute("digest", digest),
        title=digest.title,
        published=midnight(end),
        authors=(),
        summary=xml_text(f"{digest.papers} papers, {_date_text(digest.first)} to "
                         f"{_date_text(digest.last)}. Top: {titles}"),
        content_html=digest_html(digest, intro, urls),
        tags=(),
    )


def digest_feed_info(kind: str, config: Config, urls: Urls, ids: FeedIds) -> FeedInfo:
    """A digest feed's texts and URLs."""
    slug = FEED_SLUGS[kind]
    title = config.site["title"]
    return FeedInfo(
        title=f"{title}: {FEED_SLUGS[kind]} digest",
        subtitle=f"One entry per {kind} of {title}: its top papers, then every paper by tag",
        page_url=urls.absolute("digests"), feed_id=ids.of(urls.rel("digest_atom", slug)),
        atom_url=urls.absolute("digest_atom", slug), rss_url=urls.absolute("digest_atom", slug),
        json_url=urls.absolute("digest_json", slug))


def _feed_jobs(kind: str, urls: Urls, digests: tuple[Digest, ...],
               intros: tuple[Intro | None, ...]) -> list[Job]:
    slug = FEED_SLUGS[kind]
    context = {"kind": kind, "digests": digests, "intros": intros}
    return [Job("atom", urls.output_path("digest_atom", slug), context),
            Job("json", urls.output_path("digest_json", slug), context)]


def _render(config: Config, urls: Urls, jobs: Sequence[Job]) -> Iterator[bytes]:
    ids = feed_ids(config)
    made: dict[str, list[Entry]] = {}  # a feed's entries, for its Atom and its JSON
    for job in jobs:
        kind = job.context["kind"]
        if kind not in made:
            made[kind] = [digest_entry(digest, intro, urls, ids) for digest, intro
                          in zip(job.context["digests"], job.context["intros"], strict=True)]
        info = digest_feed_info(kind, config, urls, ids)
        if job.template == "atom":
            yield atom_feed(info, config, made[kind])
        else:
            yield json_feed(info, config, made[kind])


def digest_feed_stage(days: tuple[Day, ...], config: Config, urls: Urls,
                      intros: Mapping[str, Intro]) -> Stage:
    """Both digest feeds as a stage: a unit per feed, keyed by its digests (their days'
    papers) and their intros; its kind holds the feed's texts and addresses."""
    site = config.site
    made_with = "\0".join(("digest feed", urls.base_url, feed_ids(config).scheme, site["title"],
                           site["author"], site["language"]))
    units = []
    for kind in (WEEKLY, MONTHLY):
        settled = settled_digests(days, kind, config.digests["settle_days"])
        digests = tuple(settled[:FEED_DIGESTS[kind]])
        held = tuple(intros.get(digest.slug) for digest in digests)
        units.append(Unit(f"digest feed {FEED_SLUGS[kind]}", made_with, (digests, held),
                          partial(_feed_jobs, kind, urls, digests, held), exact=True, size=2))
    return Stage(units, partial(_render, config, urls))
