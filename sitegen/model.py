"""The data every stage passes on: frozen dataclasses, no I/O, no templates.

A `Paper` is what one file in `content/papers/` holds; a `Site` is what the build
assembles from all of them; an `Output` is one file of the built site, still in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: Front-matter keys in the order they are written; `content.py` and `docs/content.md` follow it.
PAPER_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "date",
    "rank",
    "published",
    "updated",
    "authors",
    "abstract",
    "tags",
    "links",
    "upvotes",
    "comments",
    "github_stars",
    "ai_summary",
    "ai_keywords",
    "categories",
    "primary_category",
    "comment",
    "journal_ref",
    "doi",
    "thumbnail",
    "media_urls",
    "organization",
    "organization_handle",
    "submitted_by",
    "hf_accounts",
    "source",
    "hidden",
    "draft",
)


@dataclass(frozen=True)
class Account:
    """An author's account on Hugging Face: the name as the paper lists it, the username."""

    name: str
    username: str


@dataclass(frozen=True)
class Paper:
    """One paper of the store: the data from its front matter plus the curator's notes.

    `date` is the day the paper appeared on (a Daily Papers list, or the arXiv
    submission day); `published` is the arXiv publication date when known.
    Read from the store, `tags` are the stored tags; the build replaces them with the
    stored tags plus the build-time rule tags (`tagging.py`), never writing those back.
    """

    slug: str
    title: str
    date: dt.date
    abstract: str = ""
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    rank: int | None = None  # position on its day's list (1 = first); orders a day's papers
    published: dt.date | None = None
    updated: dt.date | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    upvotes: int | None = None
    comments: int | None = None
    github_stars: int | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    thumbnail: str | None = None
    #: teaser images and videos the source links to (Hugging Face's `mediaUrls`)
    media_urls: tuple[str, ...] = ()
    #: the organisation the paper is filed under on Hugging Face: its display name and
    #: its handle (`huggingface.co/<handle>`)
    organization: str | None = None
    organization_handle: str | None = None
    #: the Hugging Face user who put the paper on Daily Papers
    submitted_by: str | None = None
    #: authors who claimed the paper on Hugging Face, with their usernames, in author order
    hf_accounts: tuple[Account, ...] = ()
    source: str = "dailytext"
    #: `hidden: true`: kept off the site for good; fetch and import never bring it back
    hidden: bool = False
    #: `draft: true`: not published yet (a work in progress); off the site like `hidden`
    draft: bool = False
    notes: str = ""
    #: Per author, the slug of their page if they had one by this paper's day, else ""
    #: (set when the site is assembled: site/people.py, `with_people_pages`; not stored).
    author_pages: tuple[str, ...] = ()
    #: The slug of its organisation's page if it had one by this paper's day, else ""
    #: (set with `author_pages`; not stored).
    org_page: str = ""
    #: Where the paper was read from (relative path), for error messages; not part of the data.
    path: str = field(default="", compare=False)


@dataclass(frozen=True)
class Link:
    """A labelled outbound link of a paper (arXiv, PDF, code, project page)."""

    kind: str
    label: str
    url: str


@dataclass(frozen=True)
class Day:
    """One day of the archive: its papers in page order and its neighbours."""

    date: dt.date
    papers: tuple[Paper, ...]
    prev: dt.date | None = None
    next: dt.date | None = None


@dataclass(frozen=True)
class Month:
    """One month of the archive (year, month) and its days, newest first."""

    year: int
    month: int
    days: tuple[Day, ...]


@dataclass(frozen=True)
class Tag:
    """A tag (display name and URL slug) and its papers, newest first. `aliases`: other
    names with the same slug (`urls.stable_slug`), whose papers are on this tag's page."""

    name: str
    slug: str
    papers: tuple[Paper, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagLink:
    """What every page may know of a tag: enough to link to it (`url('tag', link)`).

    Pages other than the tag's own get this, not the `Tag` with its papers, so that adding
    a paper to a tag does not change (and re-render) every page showing the tag's name.
    """

    name: str
    slug: str


@dataclass(frozen=True)
class Person:
    """An author (or an organisation: `kind` "org") with a page: the name shown, the URL
    slug (`urls.person_slug`: decided by the name alone, it never moves), the papers,
    newest first, and whether the site watches them (`[authors] watch`)."""

    kind: str
    name: str
    slug: str
    papers: tuple[Paper, ...]
    watched: bool = False


@dataclass(frozen=True)
class PersonLink:
    """What a page other than the person's own gets: enough to link to it (`url(link.kind,
    link)`), so a new paper of theirs does not change every page naming them."""

    kind: str
    name: str
    slug: str
    count: int = 0


@dataclass(frozen=True)
class Site:
    """Everything the renderers need, assembled once from the papers."""

    papers: tuple[Paper, ...]  # newest day first, then page order within the day
    days: tuple[Day, ...]  # newest first
    months: tuple[Month, ...]  # newest first
    tags: tuple[Tag, ...]  # by name
    updated: dt.date | None  # the newest day, the build's only notion of "now"
    lists: tuple[ReadingList, ...] = ()  # the reading lists (content/lists/), by name
    authors: tuple[Person, ...] = ()  # those with a page, by slug (site/people.py)
    orgs: tuple[Person, ...] = ()  # organisations with a page, by slug


@dataclass(frozen=True)
class ListLink:
    """A reading list as a paper page names it: its URL segment and its title."""

    slug: str
    title: str


@dataclass(frozen=True)
class ListSession:
    """One meeting of a reading group: its day, who presents, the papers (from the store)
    and the curator's notes (Markdown, sanitized when shown)."""

    date: dt.date
    presenter: str
    papers: tuple[Paper, ...]
    notes: str = ""


@dataclass(frozen=True)
class ReadingList:
    """A reading list, `content/lists/<name>.md`: `slug` its URL segment (from the file
    name), its title, its introduction (Markdown: the file's body) and its sessions in
    the file's order."""

    slug: str
    title: str
    intro: str
    sessions: tuple[ListSession, ...]

    @property
    def papers(self) -> tuple[Paper, ...]:
        """Every paper of the list once, in the order they first come."""
        seen: dict[str, Paper] = {}
        for session in self.sessions:
            for paper in session.papers:
                seen.setdefault(paper.slug, paper)
        return tuple(seen.values())


@dataclass(frozen=True)
class Output:
    """One file of the built site: a path relative to the output folder, its bytes, and
    its sitemap date (`lastmod`: the newest paper day it shows; None for files that are not
    pages, or pages that show no paper)."""

    path: str
    data: bytes
    lastmod: dt.date | None = None


@dataclass(frozen=True)
class Kept:
    """An output the build cache proved unchanged: the output folder already holds it,
    as the last build made it, with its sitemap date."""

    path: str
    lastmod: dt.date | None = None


@dataclass(frozen=True)
class KeptMany:
    """Outputs the build cache proved unchanged, many at once (a kept unit's): `Kept` for
    each of `paths` with its date of `lastmods` (as many), without an object and a writer
    call per file."""

    paths: tuple[str, ...]
    lastmods: tuple[dt.date | None, ...]


@dataclass(frozen=True)
class Problem:
    """A warning or error found while loading or building, in compiler style."""

    path: str
    message: str
    line: int | None = None
    hint: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {self.message}{hint}"

