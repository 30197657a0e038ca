"""THE place for slugs, URLs and output paths: one table of page kinds.

Templates and renderers ask `Urls.url(kind, obj)`; nothing else builds a path. The base
URL's path (a GitHub Pages project site lives at `https://user.github.io/repo/`) is joined
here once, so every link works under a sub-path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, urlsplit

from sitegen.errors import OutputError

#: kind -> path pattern relative to the site root. Directory pages end in "/" and are
#: written as ".../index.html"; paper pages are flat files (`papers/<slug>.html`, the
#: BibTeX beside it), so a large site does not create one folder per paper. A paginated
#: list (home, tag) has its main page (the newest entries) and numbered pages `{page}`
#: counted from the oldest, so a full page never changes.
PAGE_KINDS: dict[str, str] = {
    "home": "",
    "home_page": "page/{page}/",
    "day": "{y:04d}/{m:02d}/{d:02d}/",
    "week": "{y:04d}/W{w:02d}/",  # ISO year and week: `url('week', week)`, `(year, week)`
    "month": "{y:04d}/{m:02d}/",
    "year": "{y:04d}/",
    "archive": "archive/",
    "paper": "papers/{slug}.html",
    "paper_bib": "papers/{slug}.bib",
    # Not a page: feed entry ids keep the folder layout's paper URL they were first
    # published with, so readers do not show every paper again as new.
    "paper_feed_id": "papers/{slug}/",
    "top": "top/",
    # Digests of settled weeks and months (`url('digest', digest)`: its slug `2026-W37`,
    # `2026-09`), each with an email-safe copy, and their feeds (entries: whole digests).
    "digests": "digest/",
    "digest": "digest/{slug}/",
    "digest_email": "digest/{slug}/email.html",
    "digest_atom": "digest/{slug}.xml",  # `weekly` or `monthly`
    "digest_json": "digest/{slug}.json",
    "tags": "tags/",
    "tag": "tags/{slug}/",
    "tag_page": "tags/{slug}/page/{page}/",
    "tag_atom": "tags/{slug}/feed.xml",
    "tag_rss": "tags/{slug}/rss.xml",
    "authors": "authors/",
    "author": "authors/{slug}/",
    "author_page": "authors/{slug}/page/{page}/",
    "author_atom": "authors/{slug}/feed.xml",
    "orgs": "orgs/",
    "org": "orgs/{slug}/",
    "org_page": "orgs/{slug}/page/{page}/",
    "org_atom": "orgs/{slug}/feed.xml",
    "atom": "feed.xml",
    "rss": "rss.xml",
    "json_feed": "feed.json",
    "lists": "lists/",
    "list": "lists/{slug}/",
    "list_atom": "lists/{slug}/feed.xml",
    "search": "search/",
    "saved": "saved/",  # a reader's saved papers, from this browser's storage (docs/picks.md)
    "search_manifest": "search/manifest.json",
    "search_shard": "search/t/{path}.json",
    "search_tail": "search/x/{path}.json",
    "search_docs": "search/d/{path}.json",
    "search_pairs": "search/p/{path}.json",
    "search_vocab": "search/v/{path}.json",
    "search_members": "search/m/{path}.json",
    "sitemap": "sitemap.xml",
    "robots": "robots.txt",
    "not_found": "404.html",
    "static": "static/{path}",
}

# `\Z`, not `$`: `$` also matches before a final newline, and an id `"2501.00001\n"`
# (from an API) would become a file name with a newline in it.
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})\Z", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+\Z")


def strip_arxiv_version(arxiv_id: str) -> str:
    """`2408.01234v2` -> `2408.01234`: papers are keyed by the id without its version."""
    return _ARXIV_VERSION.sub("", arxiv_id.strip())


def is_arxiv_id(value: str) -> bool:
    """True for new-style (`2408.01234`) and old-style (`cs/0112017`) ids without version."""
    return bool(_ARXIV_ID.match(value))


def slugify(text: str, max_len: int = 60) -> str:
    """An ASCII slug of `text` (lower case, `a-z0-9-`), possibly empty; safe as a path segment."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug.strip("-")


def short_hash(text: str, length: int = 8) -> str:
    """A short stable hex digest of `text`, so slugs of similar titles stay distinct."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def paper_slug(title: str, arxiv_id: str | None = None) -> str:
    """The arXiv id when known (`/` of old ids becomes `-`), else title slug + short hash.

    Never empty and never containing `/`, `\\` or `..`: a CJK or emoji-only title gets
    `paper-<hash>`.
    """
    if arxiv_id:
        return arxiv_id.replace("/", "-")
    base = slugify(title) or "paper"
    return f"{base}-{short_hash(title.strip())}"


#: Names whose slug is the name itself, words joined by "-": lower-case ASCII letters and
#: digits in runs separated by one space, hyphen, dot or underscore.
_PLAIN_NAME = re.compile(r"[a-z0-9]+(?:[ ._-][a-z0-9]+)*\Z")


def stable_slug(name: str, kind: str = "tag") -> str:
    """The URL segment of a name (a tag's; later an author's or an organisation's) that
    never moves once published, decided by the name alone: no other name can ever take it.

    A plain name (`reinforcement learning`, `vision-language`, `cs.cl`) is its own slug,
    words joined by `-`; names that differ only in those separators get the same slug, one
    page (the same topic: tag rules match a hyphen and a space alike). Any other name
    (`c++`, `café`, upper case, over 60 characters) gets its slug and a hash of the exact
    name (`c-3f1a...`), so adding the tag `c` never takes the page of `c++`; one without
    ASCII letters gets `KIND-<hash>`.
    """
    slug = slugify(name)
    if _PLAIN_NAME.match(name) and len(name) <= 60:
        return slug
    return f"{slug}-{short_hash(name)}" if slug else f"{kind}-{short_hash(name)}"


def person_slug(key: str, kind: str = "author") -> str:
    """An author's or organisation's URL segment, from their key (`site.people.person_key`:
    lower case, accents and punctuation gone, words joined by one space): `yann-lecun`,
    or `author-<hash>` for a name without ASCII letters. Decided by the key alone
    (`stable_slug`), so a new person never moves another's page or feed."""
    return stable_slug(key, kind)


def tag_slug(name: str) -> str:
    """A tag's URL segment (`stable_slug`)."""
    return stable_slug(name, "tag")


@dataclass(frozen=True)
class Urls:
    """Turns (kind, object) into site paths, URLs and output file paths for one base URL."""

    base_url: str

    @cached_property  # asked for every link of every page
    def prefix(self) -> str:
        """The base URL's path, e.g. `/repo/`, always starting and ending with `/`."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @cached_property
    def origin_base(self) -> str:
        """The base URL ending in `/`, for absolute links (feeds, sitemap, canonical)."""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    def rel(self, kind: str, obj: object = None, page: int | None = None,
            quoted: bool = True) -> str:
        """The path of a page relative to the site root, e.g. `2025/08/11/`.

        `page` None is a list's main page; a number is one of its stable numbered pages
        (`home_page`, `tag_page`), page 1 holding the oldest entries.
        Slugs are percent-encoded for URLs (`quoted`) and left as they are for file paths,
        so the server's decoding of `my%20paper/` finds the folder `my paper/`.
        """
        if kind == "week" and not isinstance(obj, tuple):  # a Week: not hashed whole
            obj = (obj.year, obj.week)  # type: ignore[attr-defined]
        key = (kind, getattr(obj, "slug", obj), page, quoted)
        try:
            return self._rels[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable object: no memo
            return self._rel(kind, obj, page, quoted)
        found = self._rels[key] = self._rel(kind, obj, page, quoted)
        return found

    @cached_property
    def _rels(self) -> dict[tuple, str]:
        """Memo of `rel`: templates ask for the same links (tags, days, static files) on
        thousands of pages, and `quote` is slow."""
        return {}

    def _rel(self, kind: str, obj: object, page: int | None, quoted: bool) -> str:
        if page is not None:
            kind = {"home": "home_page", "tag": "tag_page", "author": "author_page",
                    "org": "org_page"}.get(kind, kind)
        pattern = PAGE_KINDS[kind]
        values: dict[str, object] = {"page": page}
        if kind == "week" and isinstance(obj, tuple):
            values.update(y=obj[0], w=obj[1])
        elif isinstance(obj, dt.date):
            values.update(y=obj.year, m=obj.month, d=obj.day)
        elif isinstance(obj, tuple) and len(obj) == 2:  # (year, month)
            values.update(y=obj[0], m=obj[1])
        elif isinstance(obj, int):
            values.update(y=obj)
        elif obj is not None:
            slug = getattr(obj, "slug", obj)
            values["slug"] = quote(str(slug), safe="") if quoted else str(slug)
            if "{path}" in pattern:  # not str(obj) always: a Tag's repr lists all its papers
                values["path"] = str(obj)
        return pattern.format(**values)

    def url(self, kind: str, obj: object = None, page: int | None = None) -> str:
        """A root-relative URL including the sub-path, for links inside the site."""
        return self.prefix + self.rel(kind, obj, page)

    def absolute(self, kind: str, obj: object = None, page: int | None = None) -> str:
        """An absolute URL from the base URL, for feeds, sitemap and canonical links."""
        return self.origin_base + self.rel(kind, obj, page)

    def output_path(self, kind: str, obj: object = None, page: int | None = None) -> str:
        """The file a page is written to, relative to the output folder."""
        rel = self.rel(kind, obj, page, quoted=False)
        return checked_output_path(rel + "index.html" if rel.endswith("/") or not rel else rel)


    def cite_rel(self, kind: str, obj: object = None, page: int | None = None,
                 fmt: str = "bib", quoted: bool = True) -> str:
        """The bulk citation file (`papers.bib`, `papers.ris`: every paper the page lists)
        of a folder page (a day, week, tag, list or author page), beside its index.html."""
        rel = self.rel(kind, obj, page, quoted)
        if fmt not in CITATION_FORMATS or not rel.endswith("/"):
            raise OutputError(f"no citation file {fmt!r} for the page {rel!r}")
        return f"{rel}papers.{fmt}"

    def cite_url(self, kind: str, obj: object = None, page: int | None = None,
                 fmt: str = "bib") -> str:
        """A root-relative link to a page's bulk citation file (its "Cite all" link)."""
        return self.prefix + self.cite_rel(kind, obj, page, fmt)

    def cite_output_path(self, kind: str, obj: object = None, page: int | None = None,
                         fmt: str = "bib") -> str:
        """The file a page's bulk citation file is written to."""
        return checked_output_path(self.cite_rel(kind, obj, page, fmt, quoted=False))


#: The bulk citation files of a page: BibTeX and RIS (render/citations.py).
CITATION_FORMATS = ("bib", "ris")


def checked_output_path(path: str) -> str:
    """Return `path` normalised, or raise `OutputError` if it could leave the output folder."""
    normal = posixpath.normpath(path)
    if (
        not path
        or path.startswith(("/", "\\"))
        or "\\" in path
        or "\x00" in path
        or normal.startswith("..")
        or normal != path
        or re.match(r"^[A-Za-z]:", path)
    ):
        raise OutputError(f"output path {path!r} would leave the output folder")
    return normal
