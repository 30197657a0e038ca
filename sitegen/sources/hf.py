"""Hugging Face Daily Papers: `GET {api}/api/daily_papers?date=D&p=N&limit=L` -> `Paper` records;
one paper by id (`GET {api}/api/papers/{id}`) and a title search (`GET {api}/api/papers/search`).

A tolerant reader of a strict shape: the answer must be a JSON list of objects, each with a
`paper` object holding an arXiv `id` and a `title` (otherwise the whole day is refused);
optional fields are read from `paper` first, then from the wrapper; unknown fields are
ignored. Every paper of the answer for day D gets `date = D`: that is the list HF shows for
D (its `date` parameter selects the Daily Papers day), whatever the item's own timestamp.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from sitegen.errors import SourceError
from sitegen.links import is_handle, is_http_url
from sitegen.model import Account, Paper
from sitegen.sources.http import Answer, Fetcher, full_url, looks_like_html, snippet
from sitegen.urls import is_arxiv_id, paper_slug, strip_arxiv_version
from sitegen.util.textclean import has_controls, strip_controls

ACCEPT = "application/json"
PAGE_SIZE = 100  # the API's maximum `limit`
#: Far more than any real day (HF lists 20 to 150): an answer holding more is refused, so a
#: looping or hostile server cannot fill the store.
MAX_PAPERS_PER_DAY = 5000
MAX_PAGES = MAX_PAPERS_PER_DAY // PAGE_SIZE
#: Upvotes, comments and stars beyond this are not counts: left out like a wrong type.
MAX_COUNT = 10**9


def _text(value: Any) -> str | None:
    """Text with its whitespace folded and control characters removed (they cannot reach
    XML feeds, file names or links), or None when nothing is left."""
    if isinstance(value, str) and value.strip():
        return " ".join(strip_controls(value).split()) or None
    return None


def _int(value: Any) -> int | None:
    """A count from 0 to `MAX_COUNT`, or None (wrong type, negative, absurd)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_COUNT:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _url(value: Any) -> str | None:
    """An http(s) URL as sent (a control character inside makes it no URL: left out)."""
    if not isinstance(value, str) or has_controls(value):
        return None
    text = value.strip()
    return text if is_http_url(text) else None


def _day_of(value: Any) -> dt.date | None:
    """The UTC day of an ISO timestamp such as `2026-09-01T17:59:58.000Z`."""
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is not None:  # year 1 or 9999 with an offset leaves the calendar
            stamp = stamp.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return stamp.date()


def _pick(paper: dict[str, Any], item: dict[str, Any], key: str) -> Any:
    value = paper.get(key)
    return value if value not in (None, "", []) else item.get(key)


#: Media URLs kept of one paper (HF lists a teaser or two): more is not a teaser.
MAX_MEDIA = 8


def _username(user: Any) -> str | None:
    """The username of a user overview (`{"user": "ada", "name": "ada", ...}`: `user`
    first, then `name`), when it is a valid Hugging Face name."""
    if not isinstance(user, dict):
        return None
    for key in ("user", "name"):
        value = user.get(key)
        if isinstance(value, str) and is_handle(value.strip()):
            return value.strip()
    return None


def _organization(value: Any) -> tuple[str | None, str | None]:
    """(display name, handle) of an organisation object (`fullname`, `name`)."""
    if not isinstance(value, dict):
        return None, None
    raw = value.get("name")
    handle = raw.strip() if isinstance(raw, str) and is_handle(raw.strip()) else None
    return _text(value.get("fullname")) or _text(raw), handle


def _accounts(authors: Any) -> tuple[Account, ...]:
    """The authors who claimed the paper (`authors[].user`), with their usernames."""
    if not isinstance(authors, list):
        return ()
    accounts: list[Account] = []
    seen: set[str] = set()
    for author in authors:
        if not isinstance(author, dict):
            continue
        name, username = _text(author.get("name")), _username(author.get("user"))
        if name and username and name not in seen:
            seen.add(name)
            accounts.append(Account(name, username))
    return tuple(accounts)


def _media(value: Any) -> tuple[str, ...]:
    """The http(s) URLs of a `mediaUrls` list, in order, without repeats."""
    if not isinstance(value, list):
        return ()
    urls = [u for item in value if (u := _url(item))]
    return tuple(dict.fromkeys(urls))[:MAX_MEDIA]


def hf_paper_url(arxiv_id: str) -> str:
    """The paper's page on Hugging Face."""
    return f"https://huggingface.co/papers/{arxiv_id}"


def item_to_paper(item: Any, day: dt.date, rank: int, where: str) -> Paper:
    """One daily-papers item -> a `Paper` record for `day`; `SourceError` if unusable."""
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise SourceError(f"item {rank} is not an object with a 'paper' object", where)
    paper: dict[str, Any] = item["paper"]
    raw_id = paper.get("id")
    arxiv_id = strip_arxiv_version(raw_id) if isinstance(raw_id, str) else ""
    if not is_arxiv_id(arxiv_id):
        raise SourceError(f"item {rank} has no arXiv id (paper.id = {raw_id!r})", where)
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        raise SourceError(f"item {rank} ({arxiv_id}) has no title", where)
    authors = paper.get("authors")
    names = tuple(n for a in authors if isinstance(a, dict) and (n := _text(a.get("name"))))\
        if isinstance(authors, list) else ()
    raw_keywords = _pick(paper, item, "ai_keywords")
    keywords = tuple(t for k in raw_keywords if (t := _text(k))) \
        if isinstance(raw_keywords, list) else ()
    summary = _pick(paper, item, "summary")
    links = tuple(u for key in ("githubRepo", "projectPage")
                  if (u := _url(_pick(paper, item, key))))
    organization, handle = _organization(_pick(paper, item, "organization"))
    submitter = _username(item.get("submittedBy")) or _username(paper.get("submittedOnDailyBy"))
    return Paper(
        slug=paper_slug(title, arxiv_id),
        title=title,
        date=day,
        rank=rank,
        arxiv_id=arxiv_id,
        published=_day_of(paper.get("publishedAt")),
        authors=names,
        abstract=_text(summary) or "",
        links=links + (hf_paper_url(arxiv_id),),
        upvotes=_int(_pick(paper, item, "upvotes")),
        comments=_int(_pick(paper, item, "numComments")),
        github_stars=_int(_pick(paper, item, "githubStars")),
        ai_summary=_text(_pick(paper, item, "ai_summary")),
        ai_keywords=keywords,
        thumbnail=_url(_pick(paper, item, "thumbnail")),
        media_urls=_media(_pick(paper, item, "mediaUrls")),
        organization=organization,
        organization_handle=handle,
        submitted_by=submitter,
        hf_accounts=_accounts(authors),
        source="hf",
    )


def parse_json(answer: Answer) -> Any:
    """The JSON of one answer; `SourceError` saying what was wrong otherwise."""
    if looks_like_html(answer.body):
        raise SourceError(f"expected JSON, got an HTML page: {snippet(answer.body)}", answer.url)
    try:
        data = json.loads(answer.body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceError(f"answer is not UTF-8 ({exc.reason})", answer.url) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"answer is not valid JSON ({exc.msg} at char {exc.pos}): "
                          f"{snippet(answer.body)}", answer.url) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise SourceError(f"answer holds an absurd value ({exc})", answer.url) from None
    except RecursionError:
        raise SourceError("answer nests too deeply to be a list of papers", answer.url) from None
    return data


def parse_answer(answer: Answer) -> list[Any]:
    """The JSON list of one answer; `SourceError` saying what was wrong otherwise."""
    data = parse_json(answer)
    if not isinstance(data, list):
        raise SourceError(f"expected a JSON list of papers, got {type(data).__name__}: "
                          f"{snippet(answer.body)}", answer.url)
    if len(data) > MAX_PAPERS_PER_DAY:
        raise SourceError(f"answer lists {len(data):,} papers, more than the "
                          f"{MAX_PAPERS_PER_DAY:,} one day may hold; refused", answer.url)
    return data


def day_url(api_url: str, day: dt.date) -> str:
    """The first page of a day, as errors about the whole day name it."""
    return full_url(api_url.rstrip("/") + "/api/daily_papers",
                    {"date": day.isoformat(), "p": 0, "limit": PAGE_SIZE})


def fetch_day(fetcher: Fetcher, api_url: str, day: dt.date,
              page_size: int = PAGE_SIZE) -> list[Paper]:
    """Every paper HF lists for `day`, in list order (rank 1 first), paging as needed.

    All pages are parsed before anything is returned: one bad page refuses the day.
    An empty list is an empty day, not an error.
    """
    url = api_url.rstrip("/") + "/api/daily_papers"
    papers: list[Paper] = []
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        params = {"date": day.isoformat(), "p": page, "limit": page_size}

        def parse(answer: Answer, start: int = len(papers)) -> list[Paper]:
            items = parse_answer(answer)
            if start + len(items) > MAX_PAPERS_PER_DAY:
                raise SourceError(f"the day lists more than {MAX_PAPERS_PER_DAY:,} papers; "
                                  "refused", answer.url)
            return [item_to_paper(item, day, start + n, answer.url)
                    for n, item in enumerate(items, 1)]

        records = fetcher.get(url, params, parse, accept=ACCEPT)
        fresh = [r for r in records if r.arxiv_id not in seen]
        for record in fresh:
            seen.add(record.arxiv_id or "")
            papers.append(record)
        if len(records) < page_size or not fresh:
            break
    return [p if p.rank == n else replace(p, rank=n) for n, p in enumerate(papers, 1)]


def _flat(item: Any) -> Any:
    """A paper object of `/api/papers/{id}` (its fields at the top) in the daily items'
    shape (`{"paper": {...}}`), so one reader maps both; daily-shaped items pass."""
    if isinstance(item, dict) and not isinstance(item.get("paper"), dict):
        return {"paper": item}
    return item


def fetch_paper(fetcher: Fetcher, api_url: str, arxiv_id: str, day: dt.date) -> Paper | None:
    """The paper HF knows by this arXiv id, dated `day`; None when HF does not index it."""
    url = f"{api_url.rstrip('/')}/api/papers/{arxiv_id}"

    def parse(answer: Answer) -> Paper | None:
        if answer.status == 404:
            return None
        data = parse_json(answer)
        if not isinstance(data, dict):
            raise SourceError(f"expected a JSON paper object, got {type(data).__name__}: "
                              f"{snippet(answer.body)}", answer.url)
        return replace(item_to_paper(_flat(data), day, 1, answer.url), rank=None)

    return fetcher.get(url, None, parse, accept=ACCEPT, pass_statuses=frozenset({404}))


#: The search API's limit on the query's length.
MAX_QUERY = 250


def search_title(fetcher: Fetcher, api_url: str, title: str, day: dt.date,
                 limit: int = 10) -> list[Paper]:
    """HF's papers matching a title search (`q` cut at 250 characters), dated `day`;
    the caller picks the one whose title is the same."""
    url = api_url.rstrip("/") + "/api/papers/search"
    params = {"q": title[:MAX_QUERY], "limit": limit}

    def parse(answer: Answer) -> list[Paper]:
        return [replace(item_to_paper(_flat(item), day, n, answer.url), rank=None)
                for n, item in enumerate(parse_answer(answer), 1)]

    return fetcher.get(url, params, parse, accept=ACCEPT)
