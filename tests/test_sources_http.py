"""sources/http.py: identity headers, retries with backoff, Retry-After, pacing, the cache."""

from __future__ import annotations

import email.utils
import json

import httpx
import pytest
from fetchfakes import FakeClock, Script, json_answer

from sitegen import __version__
from sitegen.errors import SourceError
from sitegen.sources.http import (
    USER_AGENT,
    Answer,
    ResponseCache,
    Throttled,
    retry_after_seconds,
)

URL = "https://api.test/api/thing"


def parse_json(answer: Answer) -> object:
    try:
        return json.loads(answer.body)
    except ValueError:
        raise SourceError("not JSON", answer.url) from None


def test_sends_user_agent_and_accept_header() -> None:
    script = Script(json_answer([1]))
    assert script.fetcher().get(URL, {"a": 1}, parse_json, accept="application/json") == [1]
    request = script.requests[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"sitegen/{__version__} (+http")
    assert request.headers["Accept"] == "application/json"
    assert request.url.params["a"] == "1"


def test_503_is_retried_with_exponential_backoff() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(503), httpx.Response(502), json_answer({"ok": True}))
    fetcher = script.fetcher(clock, backoff=1.0)
    assert fetcher.get(URL, None, parse_json, accept="*/*") == {"ok": True}
    assert len(script.requests) == 3
    assert clock.sleeps == [1.0, 2.0]  # jitter pinned to 0


def test_jitter_is_added_to_the_backoff() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(500), json_answer(1))
    fetcher = script.fetcher(clock, backoff=2.0)
    fetcher.jitter = lambda: 0.5
    fetcher.get(URL, None, parse_json, accept="*/*")
    assert clock.sleeps == [3.0]


def test_429_honours_retry_after_seconds() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(429, headers={"Retry-After": "7"}), json_answer(1))
    assert script.fetcher(clock).get(URL, None, parse_json, accept="*/*") == 1
    assert clock.sleeps == [7.0]


def test_retry_after_is_capped() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(429, headers={"Retry-After": "86400"}), json_answer(1))
    script.fetcher(clock, max_wait=30.0).get(URL, None, parse_json, accept="*/*")
    assert clock.sleeps == [30.0]


def test_retry_after_http_date() -> None:
    now = 1_800_000_000.0
    stamp = email.utils.formatdate(now + 12, usegmt=True)
    assert retry_after_seconds(stamp, now) == pytest.approx(12.0)
    assert retry_after_seconds("5", now) == 5.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_406_is_retried_like_throttling() -> None:
    script = Script(httpx.Response(406), json_answer(2))
    assert script.fetcher().get(URL, None, parse_json, accept="*/*") == 2


def test_timeouts_and_connection_errors_are_retried() -> None:
    script = Script(httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), json_answer(3))
    assert script.fetcher().get(URL, None, parse_json, accept="*/*") == 3
    assert len(script.requests) == 3


def test_gives_up_after_the_retries_naming_the_url() -> None:
    script = Script(httpx.Response(503))
    with pytest.raises(SourceError) as caught:
        script.fetcher(retries=2).get(URL, {"date": "2026-09-02"}, parse_json, accept="*/*")
    assert len(script.requests) == 3
    assert "gave up after 3 attempts: HTTP 503" in caught.value.message
    assert caught.value.path == URL + "?date=2026-09-02"


def test_client_errors_are_not_retried() -> None:
    script = Script(httpx.Response(400, text="invalid date"))
    with pytest.raises(SourceError, match="HTTP 400 Bad Request: invalid date"):
        script.fetcher().get(URL, None, parse_json, accept="*/*")
    assert len(script.requests) == 1


def test_a_throttled_parse_is_retried() -> None:
    answers = iter([b"Rate exceeded.", b"[4]"])

    def parse(answer: Answer) -> object:
        if answer.body == b"Rate exceeded.":
            raise Throttled("rate exceeded", answer.url)
        return json.loads(answer.body)

    script = Script(lambda request: httpx.Response(200, content=next(answers)))
    assert script.fetcher().get(URL, None, parse, accept="*/*") == [4]


def test_pacing_keeps_min_interval_between_requests() -> None:
    clock = FakeClock()
    script = Script(json_answer(1))
    fetcher = script.fetcher(clock, min_interval=3.0)
    for _ in range(3):
        fetcher.get(URL, None, parse_json, accept="*/*")
    assert clock.sleeps == [3.0, 3.0]


def test_cache_sends_etag_and_reuses_body_on_304(tmp_path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    first = Script(json_answer({"n": 1}, ETag='W/"abc"'))
    assert first.fetcher(cache=cache).get(URL, None, parse_json, accept="*/*") == {"n": 1}
    second = Script(httpx.Response(304))
    assert second.fetcher(cache=cache).get(URL, None, parse_json, accept="*/*") == {"n": 1}
    assert second.requests[0].headers["If-None-Match"] == 'W/"abc"'


def test_changed_answer_replaces_the_cached_one(tmp_path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    Script(json_answer(1, ETag='"a"')).fetcher(cache=cache).get(URL, None, parse_json,
                                                                accept="*/*")
    Script(json_answer(2, ETag='"b"')).fetcher(cache=cache).get(URL, None, parse_json,
                                                                accept="*/*")
    third = Script(httpx.Response(304))
    assert third.fetcher(cache=cache).get(URL, None, parse_json, accept="*/*") == 2
    assert third.requests[0].headers["If-None-Match"] == '"b"'


def test_garbage_is_never_cached(tmp_path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    bad = Script(httpx.Response(200, content=b"{trunc", headers={"ETag": '"x"'}))
    with pytest.raises(SourceError):
        bad.fetcher(cache=cache).get(URL, None, parse_json, accept="*/*")
    assert cache.load(URL) is None
    fresh = Script(json_answer(5))
    assert fresh.fetcher(cache=cache).get(URL, None, parse_json, accept="*/*") == 5
    assert "If-None-Match" not in fresh.requests[0].headers


def test_max_age_reuses_a_young_answer_without_asking(tmp_path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    Script(json_answer(1)).fetcher(cache=cache).get(URL, None, parse_json, accept="*/*")
    script = Script(json_answer(2))
    assert script.fetcher(cache=cache, max_age=600).get(URL, None, parse_json,
                                                        accept="*/*") == 1
    assert script.requests == []
    assert script.fetcher(cache=cache, max_age=0).get(URL, None, parse_json, accept="*/*") == 2


def test_damaged_cache_entry_is_ignored(tmp_path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    Script(json_answer(1, ETag='"a"')).fetcher(cache=cache).get(URL, None, parse_json,
                                                                accept="*/*")
    for file in (tmp_path / "cache").iterdir():
        file.write_text("{not json", encoding="utf-8")
    script = Script(json_answer(9))
    assert script.fetcher(cache=cache).get(URL, None, parse_json, accept="*/*") == 9
    assert "If-None-Match" not in script.requests[0].headers


def test_urls_and_ids_with_a_final_newline_or_a_control_character_are_refused() -> None:
    # `$` matched before a final newline: "2501.00001\n" was an arXiv id and a file name
    from sitegen.links import is_doi, is_http_url
    from sitegen.urls import is_arxiv_id, strip_arxiv_version

    assert not is_arxiv_id(strip_arxiv_version("2501.00001\nv2"))
    assert not is_arxiv_id("2501.00001\n") and is_arxiv_id("2501.00001")
    assert not is_http_url("https://example.org/\n") and not is_http_url("https://a.b/\x00c")
    assert not is_doi("10.1234/x\n") and is_doi("10.1234/x")
