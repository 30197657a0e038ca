"""Digest pages as units: a page and an email-safe copy per settled week and month
(`digest/2026-W37/`, `digest/2026-W37/email.html`), and the list of digests (`digest/`).

A digest's unit is keyed by the digest (its days' papers, without neighbours) and its
intro: a settled digest is made once and then kept, until its intro file changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin

import nh3
from markupsafe import Markup

from sitegen.model import Day
from sitegen.render.textrender import NOTE_ATTRIBUTES, NOTE_TAGS, notes_to_html
from sitegen.render.units import Job, Unit
from sitegen.site.digests import MONTHLY, SETTLE_DAYS, WEEKLY, Digest, settled_digests
from sitegen.site.periods import TOP
from sitegen.store.intros import Intro
from sitegen.urls import Urls

#: Papers of a tag the email file and the feed entry list (the page lists all): Gmail
#: clips a message over 102 KB, and a month holds 1,500 papers.
SHOWN_PER_TAG = 10
#: The digest feeds, by kind: their slug in `digest/<slug>.xml`.
FEED_SLUGS = {WEEKLY: "weekly", MONTHLY: "monthly"}


@dataclass(frozen=True)
class DigestLink:
    """A digest as the list of digests shows it."""

    kind: str
    slug: str
    title: str
    first: dt.date
    last: dt.date
    papers: int


def absolute_html(clean_html: str, page_url: str) -> str:
    """Sanitized HTML (`notes_to_html`) with every link and image made absolute against
    `page_url`: for the email copy and feeds, which are read away from the site."""
    if not clean_html:
        return ""
    return nh3.clean(clean_html, tags=set(NOTE_TAGS),
                     attributes={k: set(v) for k, v in NOTE_ATTRIBUTES.items()},
                     attribute_filter=partial(_absolute, page_url),
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener",
                     strip_comments=True)


def _absolute(base: str, _element: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        return urljoin(base, value.strip())
    return value


def intro_html(intro: Intro | None, page_url: str) -> Markup:
    """A digest's intro as sanitized HTML with absolute links (empty without one)."""
    if intro is None:
        return Markup("")
    return Markup(absolute_html(notes_to_html(intro.markdown), page_url))  # noqa: S704


def digest_context(urls: Urls, digest: Digest, intro: Intro | None) -> dict[str, object]:
    """What a digest's page and its email copy show. The intro's links are absolute in
    both (the email is read outside the site; the page shows the same HTML)."""
    page_url = urls.absolute("digest", digest)
    return {"digest": digest, "intro_html": intro_html(intro, page_url),
            "top": digest.top(TOP), "groups": digest.by_tag(),
            "newest": digest.days[0].date, "feed_slug": FEED_SLUGS[digest.kind],
            "per_tag": SHOWN_PER_TAG, "canonical": page_url}


def digest_jobs(urls: Urls, digest: Digest, intro: Intro | None) -> list[Job]:
    """A digest's page and its email-safe copy (not in the sitemap)."""
    context = digest_context(urls, digest, intro)
    last = digest.days[0].date
    return [Job("digest.html", urls.output_path("digest", digest), context, last),
            Job("email/digest.html", urls.output_path("digest_email", digest), context, last)]


def digest_list_jobs(urls: Urls, digests: tuple[DigestLink, ...]) -> list[Job]:
    """The list of digests, newest first, weekly and monthly."""
    newest = max((link.last for link in digests), default=None)
    return [Job("digests.html", urls.output_path("digests"), {
        "weekly": tuple(link for link in digests if link.kind == WEEKLY),
        "monthly": tuple(link for link in digests if link.kind == MONTHLY),
        "canonical": urls.absolute("digests")}, newest)]


def all_digests(days: tuple[Day, ...], settle_days: int = SETTLE_DAYS) -> list[Digest]:
    """Every settled digest of the site, weekly then monthly, newest first."""
    return (settled_digests(days, WEEKLY, settle_days)
            + settled_digests(days, MONTHLY, settle_days))


def digest_units(days: tuple[Day, ...], urls: Urls, intros: Mapping[str, Intro],
                 settle_days: int = SETTLE_DAYS) -> Iterator[Unit]:
    """The list of digests (made every build: small), then a unit per settled digest."""
    digests = all_digests(days, settle_days)
    links = tuple(DigestLink(d.kind, d.slug, d.title, d.first, d.last, d.papers)
                  for d in digests)
    yield Unit("digests.html", "digests.html", None, partial(digest_list_jobs, urls, links))
    kind = "digest.html\0" + urls.base_url
    for digest in digests:
        intro = intros.get(digest.slug)
        yield Unit("digest.html " + digest.slug, kind, (digest, intro),
                   partial(digest_jobs, urls, digest, intro), exact=True, size=2)
