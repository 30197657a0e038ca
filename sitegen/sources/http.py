"""The only place an HTTP client is built: identity, timeouts, retries, pacing, a response cache.

Sources get a `Fetcher` (wrapping an injected `httpx.Client`) and call `fetcher.get(url,
params, parse, accept=...)`: the answer is returned only once `parse` accepted it, so a
garbage answer is never cached and never reaches the store. Sleeping, the clocks and the
jitter are injectable so tests never wait.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from sitegen import PROJECT_URL, __version__
from sitegen.errors import SourceError
from sitegen.sources.deadline import Sockets, Watchdog
from sitegen.sources.unreachable import unreachable
from sitegen.util.sealed import read_sealed, write_sealed

USER_AGENT = f"sitegen/{__version__} (+{PROJECT_URL})"
CACHE_DIR = ".sitegen-cache"
#: Statuses worth asking again: throttling (429, and 406 which arXiv sends under edge
#: throttling) and server trouble (5xx).
RETRY_STATUSES = frozenset({406, 429, 500, 502, 503, 504, 507, 520, 521, 522, 524})
#: The largest answer read: an HF day page is ~0.3 MB, 2,000 arXiv entries ~5 MB. A bigger
#: body (a broken or hostile server) is refused once this much was read, never held whole.
MAX_BODY_BYTES = 32 << 20
#: The longest one request may take, redirects and a trickled body included.
REQUEST_DEADLINE = 120.0
#: The longest one run of `sitegen fetch` may take, every day and every wait included.
RUN_DEADLINE = 3600.0
#: The most a run sleeps before retries (backoff and `Retry-After`), all requests together.
MAX_TOTAL_WAIT = 300.0
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})

T = TypeVar("T")


def default_sleep(seconds: float) -> None:
    """`time.sleep`, looked up when called, so a test can replace this one function."""
    time.sleep(seconds)


class Throttled(SourceError):
    """Raised by a parser when a 200 answer is really a throttling notice (arXiv's
    plain-text `Rate exceeded.`, an empty page in the middle of results): ask again later."""


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, as parsers see it."""

    url: str
    status: int
    content_type: str
    body: bytes


def make_client(timeout: float = 30.0, transport: httpx.BaseTransport | None = None
                ) -> httpx.Client:
    """The httpx client every source uses: our User-Agent, timeouts, redirects followed."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        transport=transport,
    )


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


class ResponseCache:
    """`.sitegen-cache/http/<sha256 of URL>.json`: body, ETag and fetch time of good answers,
    sealed with the user's key (util/sealed.py): an answer a repository holds is never used.

    Only answers that parsed are stored. Re-fetching sends `If-None-Match`; a 304 reuses the
    stored body. `Last-Modified` is not used: its one-second resolution can hide an upvote
    change. `max_age` seconds (0 by default) lets a young answer be reused without asking.
    """

    def __init__(self, folder: Path, writable: bool = True) -> None:
        self.folder = folder
        self.writable = writable  # a dry run reads the cache (ETags) but writes nothing

    def _file(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.json"

    def load(self, url: str) -> dict[str, Any] | None:
        """The stored entry of a URL, or None (a damaged entry counts as none)."""
        try:
            payload = read_sealed(self._file(url))  # one this user's sitegen wrote, or none
            if payload is None:
                return None
            entry = json.loads(bytes(payload))
            if entry.get("url") != url:
                return None
            entry["body"] = base64.b64decode(entry["body"])
            return entry
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store(self, url: str, answer: Answer, etag: str | None, fetched_at: float) -> None:
        """Remember a good answer (atomically; a cache write failure is not fatal)."""
        if not self.writable:
            return
        entry = {"url": url, "etag": etag, "fetched_at": fetched_at,
                 "content_type": answer.content_type,
                 "body": base64.b64encode(answer.body).decode("ascii")}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_sealed(self._file(url), json.dumps(entry).encode("utf-8"))
        except OSError:
            pass


def full_url(url: str, params: Mapping[str, Any] | None) -> str:
    """The URL with its query string, as sent (for messages and cache keys)."""
    try:
        return str(httpx.URL(url, params={k: str(v) for k, v in (params or {}).items()}))
    except (httpx.InvalidURL, TypeError, ValueError):  # shown as given; the request fails
        return url


def _redirect_target(response: httpx.Response, shown: str, seen: set[str]) -> str:
    """Where a redirect leads: an http(s) URL not seen before; `SourceError` otherwise."""
    location = response.headers.get("Location", "")
    try:
        target = response.url.join(location)
    except (httpx.InvalidURL, TypeError, ValueError):
        target = None
    if target is None or target.scheme not in ("http", "https") or not target.host:
        raise SourceError(f"redirected to {location[:100]!r}, not an http(s) URL; refused",
                          shown, hint="the server's answer is broken or hostile")
    if str(target) in seen:
        raise SourceError(f"redirect loop (back to {str(target)[:100]})", shown,
                          hint="the server's answer is broken")
    seen.add(str(target))
    return str(target)


def _check_url(url: str, shown: str) -> None:
    """An http(s) URL with a host, or `SourceError` (a bad `--api-url`: not retried)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise SourceError(f"not a valid URL ({exc})", shown) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise SourceError("not an http(s) URL", shown, hint="check --api-url")


class _DeadlinePassed(SourceError):
    """Raised when one request (redirects and body included) outlasts its deadline."""


class Fetcher:
    """Polite GETs: at most one request every `min_interval` seconds, retries with
    exponential backoff and jitter (honouring `Retry-After`, capped at `max_wait` each and
    `max_total_wait` for the whole run), every request ended `deadline` seconds after it
    started and the whole run `run_deadline` seconds after the fetcher was made."""

    def __init__(self, client: httpx.Client, *, min_interval: float = 0.0, retries: int = 4,
                 backoff: float = 1.0, max_wait: float = 60.0, cache: ResponseCache | None = None,
                 max_age: float = 0.0, sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random,
                 max_bytes: int = MAX_BODY_BYTES, deadline: float | None = None,
                 run_deadline: float | None = None, max_total_wait: float | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.notify = notify  # told of each retry (a terminal shows it), or None
        self.max_bytes = max_bytes
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.cache = cache
        self.max_age = max_age
        self._sleep = sleep
        self.clock = clock
        self.wall = wall
        self.jitter = jitter
        # None: the module's limits, read now (so a test can lower them for a whole run)
        self.deadline = REQUEST_DEADLINE if deadline is None else deadline
        self.run_deadline = RUN_DEADLINE if run_deadline is None else run_deadline
        self.max_total_wait = MAX_TOTAL_WAIT if max_total_wait is None else max_total_wait
        self.started = clock()
        self.sockets = Sockets()
        self._last: float | None = None
        self.requests = 0  # requests actually sent (tests and the summary)
        self.waited = 0.0  # seconds slept for pacing and backoff
        self.retry_waited = 0.0  # of which for backoff and Retry-After

    def sleep(self, seconds: float) -> None:
        """Sleep through the injected function, else `default_sleep`."""
        if seconds <= 0:
            return
        self.waited += seconds
        (self._sleep or default_sleep)(seconds)

    def _pace(self) -> None:
        if self._last is not None and self.min_interval > 0:
            self.sleep(self._last + self.min_interval - self.clock())

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        delay = self.backoff * (2 ** attempt) + self.jitter() * self.backoff
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self.max_wait)

    def run_left(self) -> float:
        """Seconds left of the run's time (negative once it is over)."""
        return self.started + self.run_deadline - self.clock()

    def _check_run(self, shown: str, extra: float = 0.0) -> None:
        if self.run_left() - extra <= 0:
            raise SourceError(f"not fetched: the run's time limit ({self.run_deadline:g} s) "
                              "is over", shown, hint="fetch the rest in another run")

    def _get(self, url: str, params: Mapping[str, Any] | None, headers: dict[str, str],
             shown: str) -> tuple[httpx.Response, bytes]:
        """One GET, redirects followed (http(s) only, no loops, at most `MAX_REDIRECTS`),
        ended after `deadline` seconds, the body read up to `max_bytes` (more is refused)."""
        seconds = max(min(self.deadline, self.run_left()), 0.0)
        late = _DeadlinePassed(f"no complete answer within {seconds:g} s; refused", shown,
                               hint="the server is far too slow or hostile")
        target, query, seen = url, params, {shown}
        _check_url(url, shown)
        with Watchdog(seconds, self.sockets) as watch:
            try:
                for _ in range(MAX_REDIRECTS + 1):
                    with self.client.stream(
                            "GET", target, params=query, headers=headers,
                            follow_redirects=False, timeout=watch.timeout(self.client.timeout),
                            extensions={"trace": watch.trace}) as response:
                        if response.status_code in REDIRECTS and "Location" in response.headers:
                            target, query = _redirect_target(response, shown, seen), None
                            continue
                        return response, self._read(response, watch, late, shown)
            except httpx.InvalidURL as exc:  # httpx reads every Location, followed or not
                raise SourceError(f"redirected to an invalid URL ({exc}); refused", shown,
                                  hint="the server's answer is broken or hostile") from None
            except httpx.TransportError as exc:
                if watch.expired():
                    raise late from None
                if "location header" in str(exc).lower():
                    raise SourceError(f"redirected to an invalid URL ({exc}); refused", shown,
                                      hint="the server's answer is broken or hostile") from None
                raise
        raise SourceError(f"more than {MAX_REDIRECTS} redirects", shown,
                          hint="the server's answer is broken")

    def _read(self, response: httpx.Response, watch: Watchdog, late: SourceError,
              shown: str) -> bytes:
        too_big = SourceError(f"answer is over {self.max_bytes >> 20} MB; refused", shown,
                              hint="the server sent far more than a page of papers")
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and len(length) < 20 and int(length) > self.max_bytes:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if watch.expired():
                raise late
            size += len(chunk)
            if size > self.max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_before(self, attempt: int, retry_after: float | None, problem: str,
                     shown: str) -> None:
        """Sleep before another attempt, unless that would pass the run's waiting budget
        or its time limit: then give up now."""
        delay = self._delay(attempt - 1, retry_after)
        if self.retry_waited + delay > self.max_total_wait:
            raise SourceError(f"gave up after {attempt} attempt(s): {problem} (the run has "
                              f"waited {self.retry_waited:.0f} s for retries, at most "
                              f"{self.max_total_wait:.0f} s in all)", shown,
                              hint="the server may be busy; try again later")
        self._check_run(shown, delay)
        self.retry_waited += delay
        if self.notify is not None:
            self.notify(f"{shown}: {problem}; asking again in {delay:.0f} s "
                        f"(attempt {attempt + 1} of {self.retries + 1})")
        self.sleep(delay)

    def get(self, url: str, params: Mapping[str, Any] | None, parse: Callable[[Answer], T], *,
            accept: str, pass_statuses: frozenset[int] = frozenset()) -> T:
        """GET and parse; retry transient failures; raise `SourceError` naming the URL.

        `pass_statuses` are error statuses whose body the parser reads (arXiv explains a
        bad query in an Atom `Error` entry sent with HTTP 400).
        """
        shown = full_url(url, params)
        self._check_run(shown)
        cached = self.cache.load(shown) if self.cache else None
        if cached and self.max_age > 0 and self.wall() - cached["fetched_at"] < self.max_age:
            try:
                return parse(Answer(shown, 200, cached.get("content_type", ""), cached["body"]))
            except SourceError:
                cached = None
        headers = {"Accept": accept}
        if cached and cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        problem = "no answer"
        retry_after: float | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._wait_before(attempt, retry_after, problem, shown)
            retry_after = None
            self._pace()
            self._check_run(shown)
            try:
                self.requests += 1
                response, body = self._get(url, params, headers, shown)
            except httpx.TimeoutException:
                problem = "timed out"
                continue
            except httpx.TransportError as exc:
                hopeless = unreachable(exc, shown)  # no DNS, refused: asking again won't help
                if hopeless is not None:
                    raise hopeless from None
                problem = f"connection failed ({type(exc).__name__}: {exc})"
                continue
            except httpx.DecodingError as exc:
                raise SourceError(f"the answer's body cannot be decoded ({exc})", shown,
                                  hint="the server sent a broken compressed body") from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise SourceError(f"request failed ({type(exc).__name__}: {exc})",
                                  shown) from None
            finally:
                self._last = self.clock()
            status = response.status_code
            if status in RETRY_STATUSES:
                retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.wall())
                problem = f"HTTP {status} {response.reason_phrase}".rstrip()
                continue
            if status == 304 and cached:
                answer = Answer(shown, 200, cached.get("content_type", ""), cached["body"])
            elif status >= 300 and status not in pass_statuses:
                raise SourceError(f"HTTP {status} {response.reason_phrase}: "
                                  f"{snippet(body)}".rstrip(": "), shown)
            else:
                answer = Answer(shown, status, response.headers.get("Content-Type", ""), body)
            try:
                result = parse(answer)
            except Throttled as exc:
                problem = exc.message
                continue
            except SourceError as exc:
                exc.path = exc.path or shown
                raise
            if self.cache and answer.status == 200:
                self.cache.store(shown, answer, response.headers.get("ETag")
                                 or (cached or {}).get("etag"), self.wall())
            return result
        raise SourceError(f"gave up after {self.retries + 1} attempts: {problem}", shown,
                          hint="the server may be busy; try again later")


def snippet(body: bytes, length: int = 80) -> str:
    """The start of a body, on one line, for error messages."""
    text = body[:400].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:length] + ("..." if len(text) > length else "")


def looks_like_html(body: bytes) -> bool:
    """True for an HTML page (a proxy's or server's error page) instead of data."""
    head = body[:200].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
