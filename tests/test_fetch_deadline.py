"""Fetch always ends: a server that trickles its headers or its body (real sockets on
127.0.0.1, `tests/hostile/servers.py`) is cut off at the request's deadline, also on a
connection reused from the pool; the run has a deadline of its own and a cap on the time
spent waiting for retries; a run cut short keeps the days fetched before."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from fetchfakes import FakeClock, Script, json_answer

from sitegen.errors import SourceError
from sitegen.sources import http as source_http
from sitegen.sources.http import Answer, Fetcher, make_client
from tests.hostile.servers import Trickler

#: A hang guard, not a timing: a fetch without a deadline never returns at all.
HANG = 30.0


def parse_json(answer: Answer) -> object:
    return json.loads(answer.body)


def get_in_thread(fetcher: Fetcher, url: str) -> object:
    """`fetcher.get(url)` in a thread; fails the test if it has not returned by `HANG`."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = fetcher.get(url, None, parse_json, accept="application/json")
        except Exception as exc:  # noqa: BLE001 - handed to the test
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), "the request never ended: no deadline"
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline(phase: str) -> None:
    server = Trickler(phase)
    with server.running() as url, make_client() as client:
        fetcher = Fetcher(client, deadline=0.5, retries=0)
        with pytest.raises(SourceError, match=r"no complete answer within 0.5 s") as caught:
            get_in_thread(fetcher, url + "/api/x")
        assert server.hung_up.wait(5), "the client kept the connection open"
    assert caught.value.path == url + "/api/x"
    assert server.sent > 0  # it did trickle: each byte kept the read timeout from firing


def test_a_pooled_connection_that_turns_slow_is_cut_off_too() -> None:
    # the first request opens the connection (the watchdog sees it connect); the second
    # reuses it from the pool, where no connect happens
    server = Trickler("ok", "headers")
    with server.running() as url, make_client() as client:
        fetcher = Fetcher(client, deadline=0.5, retries=0)
        assert get_in_thread(fetcher, url + "/a") == [{"paper": {"id": "2608.00001",
                                                                 "title": "Quick"}}]
        with pytest.raises(SourceError, match="no complete answer"):
            get_in_thread(fetcher, url + "/b")
    assert server.requests == 2  # one connection, two requests


def test_a_trickled_day_fails_and_the_other_days_are_kept(site: Path, run_cli, monkeypatch):
    # fetch through the CLI: day 11 trickles, days 10 and 12 answer at once
    monkeypatch.setattr(source_http, "REQUEST_DEADLINE", 0.5)
    monkeypatch.setattr(source_http, "default_sleep", lambda seconds: None)
    trickler = Trickler("body")
    with trickler.running() as slow_url:
        def handler(request: httpx.Request) -> httpx.Response:
            day = request.url.params["date"]
            if day == "2026-08-11":
                return httpx.Response(307, headers={"Location": slow_url + "/slow"})
            if request.url.params["p"] != "0":
                return json_answer([])
            return json_answer([{"paper": {"id": f"2608.000{day[-2:]}", "title": f"Day {day}"}}])

        real_client = make_client
        monkeypatch.setattr("sitegen.commands.fetch.make_client",
                            lambda: real_client(transport=_Mixed(handler)))
        status, _, err = run_cli("fetch", "hf", "--from", "2026-08-10", "--to", "2026-08-12",
                                 "--api-url", "http://api.test", "--root", str(site),
                                 "--no-cache")
    assert status == 1
    assert "2026-08-11: no complete answer within" in err
    assert "date=2026-08-11" in err  # the URL is named
    names = sorted(p.name for p in (site / "content" / "papers").iterdir())
    assert names == ["2608.00010.md", "2608.00012.md"]


class _Mixed(httpx.BaseTransport):
    """`api.test` answered in memory, any other host over real sockets (the trickler)."""

    def __init__(self, handler) -> None:
        self.mock = httpx.MockTransport(handler)
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.test":
            return self.mock.handle_request(request)
        return self.real.handle_request(request)

    def close(self) -> None:
        self.real.close()


def test_the_run_deadline_refuses_the_days_after_it() -> None:
    clock = FakeClock()
    script = Script(json_answer([1]))
    fetcher = script.fetcher(clock, run_deadline=10.0, min_interval=4.0)
    assert fetcher.get("http://api.test/1", None, parse_json, accept="*/*") == [1]
    assert fetcher.get("http://api.test/2", None, parse_json, accept="*/*") == [1]
    assert fetcher.get("http://api.test/3", None, parse_json, accept="*/*") == [1]  # t = 8
    with pytest.raises(SourceError, match=r"the run's time limit \(10 s\) is over"):
        fetcher.get("http://api.test/4", None, parse_json, accept="*/*")  # t = 12
    assert len(script.requests) == 3


def test_retry_after_waits_are_capped_for_the_whole_run() -> None:
    # each day asks to wait 60 s four times: 240 s a day before the cap; now the run
    # stops waiting once it has waited `max_total_wait` in all
    clock = FakeClock()
    script = Script(httpx.Response(429, headers={"Retry-After": "60"}))
    fetcher = script.fetcher(clock, max_total_wait=150.0)
    messages = []
    for day in range(3):
        with pytest.raises(SourceError) as caught:
            fetcher.get(f"http://api.test/{day}", None, parse_json, accept="*/*")
        messages.append(caught.value.message)
    assert sum(clock.sleeps) <= 150.0
    assert clock.sleeps == [60.0, 60.0]
    assert "at most 150 s in all" in messages[0]
    assert all("gave up after 1 attempt(s)" in m for m in messages[1:])
