"""arXiv query API: `GET {api}/api/query?search_query=Q&start=S&max_results=N` (Atom) -> records,
and metadata by id: `GET {api}/api/query?id_list=A,B,...` (at most 100 ids a request).

Read with `xml.etree.ElementTree`, strictly: an answer that is not well-formed Atom is
refused as a whole. Defusedxml-style care without the dependency: a document declaring a
DTD or entities is refused before parsing (arXiv's Atom never has one), so no entity
expansion or external fetch can happen. feedparser was not used because it is lenient by
design (it "bozo"-flags broken feeds and carries on), and a broken answer must not reach
the store.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs refused before parsing, see above
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from sitegen.errors import SourceError
from sitegen.links import is_doi
from sitegen.model import Paper
from sitegen.sources.http import (
    Answer,
    Fetcher,
    Throttled,
    full_url,
    looks_like_html,
    snippet,
)
from sitegen.urls import is_arxiv_id, paper_slug, strip_arxiv_version
from sitegen.util.textclean import strip_controls

ACCEPT = "application/atom+xml"
PAGE_SIZE = 100
MIN_INTERVAL = 3.0  # arXiv's terms: no more than one request every three seconds
NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom",
      "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}
_ID_IN_URL = re.compile(r"arxiv\.org/abs/(.+)\Z")
_TOTAL = re.compile(r"[0-9]{1,9}")


#: The query's sort order: newest submissions first, so a `cat:` query gives the latest papers.
SORT = {"sortBy": "submittedDate", "sortOrder": "descending"}
ID_BATCH = 100  # ids per `id_list` request


class QueryResult(NamedTuple):
    """The papers of every page that parsed, the error that stopped paging (if any), and
    how many papers the query matches (`None` if arXiv did not say)."""

    papers: list[Paper]
    error: SourceError | None
    total: int | None = None


@dataclass(frozen=True)
class IdResult:
    """Metadata fetched by id: the papers found (by id), the ids arXiv does not know, and
    the ids of batches that failed, with their errors."""

    papers: dict[str, Paper]
    unknown: tuple[str, ...]
    failed: tuple[str, ...]
    errors: tuple[SourceError, ...]


@dataclass(frozen=True)
class FeedPage:
    """One page of results: its papers and the total the query matches."""

    papers: tuple[Paper, ...]
    total: int | None


def _fold(text: str | None) -> str:
    """Whitespace folded, control characters removed (XML 1.1 and character references
    such as `&#1;` can carry them)."""
    return " ".join(strip_controls(text or "").split())


def _find(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    return _fold(found.text) if found is not None else ""


def _day(text: str) -> dt.date | None:
    """The UTC day of a timestamp; None if it is none, or is outside the calendar in UTC
    (year 1 or 9999 with an offset)."""
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (stamp.astimezone(dt.UTC) if stamp.tzinfo else stamp).date()
    except (ValueError, OverflowError):
        return None


def _entry_id(raw: str) -> str:
    match = _ID_IN_URL.search(raw)
    return strip_arxiv_version(match.group(1)) if match else ""


def _is_error(entry: ET.Element) -> bool:
    return "/api/errors" in _find(entry, "atom:id") or _find(entry, "atom:title") == "Error"


def entry_to_paper(entry: ET.Element, where: str) -> Paper:
    """One Atom entry -> a `Paper` record; `SourceError` when it lacks an id, title or date."""
    raw_id = _find(entry, "atom:id")
    arxiv_id = _entry_id(raw_id)
    if not is_arxiv_id(arxiv_id):
        raise SourceError(f"entry with id {raw_id!r} is not an arXiv paper", where)
    title = _find(entry, "atom:title")
    if not title:
        raise SourceError(f"entry {arxiv_id} has no title", where)
    raw_published = _find(entry, "atom:published")
    published = _day(raw_published)
    if published is None:
        raise SourceError(f"entry {arxiv_id} has no usable published date "
                          f"({raw_published[:40]!r})", where)
    authors = tuple(name for a in entry.findall("atom:author", NS)
                    if (name := _find(a, "atom:name")))
    categories = tuple(dict.fromkeys(term for c in entry.findall("atom:category", NS)
                                     if (term := _fold(c.get("term")))))
    primary = entry.find("arxiv:primary_category", NS)
    doi = _find(entry, "arxiv:doi")
    return Paper(
        slug=paper_slug(title, arxiv_id),
        title=title,
        date=published,
        arxiv_id=arxiv_id,
        published=published,
        updated=_day(_find(entry, "atom:updated")),
        authors=authors,
        abstract=_find(entry, "atom:summary"),
        categories=categories,
        primary_category=_fold(primary.get("term")) if primary is not None else None
        or (categories[0] if categories else None),
        comment=_find(entry, "arxiv:comment") or None,
        journal_ref=_find(entry, "arxiv:journal_ref") or None,
        doi=doi if is_doi(doi) else None,  # a malformed DOI is dropped, never linked
        source="arxiv",
    )


def parse_xml(answer: Answer, expected: str) -> ET.Element:
    """An arXiv answer's XML root (the query API's Atom, the announcement feeds' RSS):
    `Throttled` for arXiv's 'Rate exceeded.', `SourceError` for an HTML page (`expected`
    names what was wanted), a DTD or entity (refused before parsing) or broken XML."""
    body = answer.body
    if body.strip() == b"Rate exceeded.":
        raise Throttled("arXiv answered 'Rate exceeded.'", answer.url)
    if looks_like_html(body):
        raise SourceError(f"expected {expected}, got an HTML page: {snippet(body)}", answer.url)
    if b"<!DOCTYPE" in body[:4096] or b"<!ENTITY" in body:
        raise SourceError("refused: the answer declares a DTD or entities", answer.url)
    try:
        return ET.fromstring(body)  # noqa: S314 - DTDs refused above
    except ET.ParseError as exc:
        raise SourceError(f"answer is not well-formed XML ({exc}): {snippet(body)}",
                          answer.url) from None


def parse_feed(answer: Answer) -> FeedPage:
    """One Atom answer -> its papers; `SourceError` for garbage or an arXiv `Error` entry."""
    body = answer.body
    root = parse_xml(answer, "Atom XML")
    if root.tag != f"{{{NS['atom']}}}feed":
        raise SourceError(f"expected an Atom <feed>, got <{root.tag}>", answer.url)
    entries = root.findall("atom:entry", NS)
    for entry in entries:
        if _is_error(entry):
            raise SourceError(f"arXiv refused the query: {_find(entry, 'atom:summary')}",
                              answer.url, hint="check --query (arXiv search syntax)")
    if answer.status >= 400:
        raise SourceError(f"HTTP {answer.status}: {snippet(body)}", answer.url)
    return FeedPage(tuple(entry_to_paper(e, answer.url) for e in entries),
                    _total(_find(root, "opensearch:totalResults"), answer.url))


def _total(text: str, where: str) -> int | None:
    """`opensearch:totalResults`: None when absent; ASCII digits (at most 9) when present,
    else the answer is refused (`"²".isdigit()` is true, and a 5,000-digit number is more
    than `int` reads)."""
    if not text:
        return None
    if not _TOTAL.fullmatch(text):
        raise SourceError(f"opensearch:totalResults {text[:40]!r} is not a count", where)
    return int(text)


def query_url(api_url: str, query: str) -> str:
    """The query's first page, as errors about its papers name it."""
    return full_url(api_url.rstrip("/") + "/api/query", {"search_query": query, "start": 0})


def fetch_query(fetcher: Fetcher, api_url: str, query: str, max_results: int,
                on_page: Callable[[int], None] | None = None) -> QueryResult:
    """Up to `max_results` papers matching `query`, newest submissions first, 100 per
    request, 3 s apart.

    Returns the papers of every page that parsed, the error that stopped paging (if any):
    a bad page contributes nothing, and the total the query matches (more than
    `max_results`: the results were cut). At most `max_results` entries are read in all,
    and a page with nothing new ends the query (a server that ignores `start`).
    """
    url = api_url.rstrip("/") + "/api/query"
    papers: list[Paper] = []
    seen: set[str] = set()
    start = 0
    total: int | None = None
    while start < max_results:
        size = min(PAGE_SIZE, max_results - start)
        params = {"search_query": query, **SORT, "start": start, "max_results": size}

        def parse(answer: Answer, start: int = start) -> FeedPage:
            page = parse_feed(answer)
            if not page.papers and page.total is not None and start < page.total:
                raise Throttled(f"arXiv sent an empty page at start={start} of {page.total}",
                                answer.url)
            return page

        try:
            page = fetcher.get(url, params, parse, accept=ACCEPT,
                               pass_statuses=frozenset({400}))
        except SourceError as exc:
            return QueryResult(papers, exc, total)
        total = page.total if page.total is not None else total
        # a server ignoring max_results may send more, never more than `max_results` in all
        entries = page.papers[:max_results - start]
        fresh = [p for p in entries if p.arxiv_id not in seen]
        for paper in fresh:
            seen.add(paper.arxiv_id or "")
            papers.append(paper)
        if on_page is not None:
            on_page(len(entries))
        start += len(entries)
        if len(entries) < size or not fresh or (page.total is not None and start >= page.total):
            break
    return QueryResult(papers, None, total)


def fetch_ids(fetcher: Fetcher, api_url: str, ids: list[str],
              batch: int = ID_BATCH) -> IdResult:
    """The arXiv metadata of papers by id, `batch` ids a request (3 s apart, as every arXiv
    request). A batch that fails is reported (its ids in `failed`), the others are kept."""
    url = api_url.rstrip("/") + "/api/query"
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Paper] = {}
    failed: list[str] = []
    errors: list[SourceError] = []
    for first in range(0, len(wanted), batch):
        chunk = wanted[first:first + batch]
        params = {"id_list": ",".join(chunk), "start": 0, "max_results": len(chunk)}
        try:
            page = fetcher.get(url, params, parse_feed, accept=ACCEPT,
                               pass_statuses=frozenset({400}))
        except SourceError as exc:
            failed += chunk
            errors.append(exc)
            continue
        for paper in page.papers:
            if paper.arxiv_id in chunk:
                found.setdefault(paper.arxiv_id, paper)
    unknown = tuple(i for i in wanted if i not in found and i not in failed)
    return IdResult(found, unknown, tuple(failed), tuple(errors))
