"""Test doubles for the fetch tests: a scripted `httpx.MockTransport`, a fake clock, a
stand-in API server on 127.0.0.1. No test touches the network."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from sitegen.sources.http import Fetcher, make_client

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def hf_items() -> list[dict]:
    return json.loads(fixture_bytes("hf-daily-papers.json"))


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler answering from a list (or a function), recording requests."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    def client(self) -> httpx.Client:
        return make_client(transport=httpx.MockTransport(self))

    def fetcher(self, clock: FakeClock | None = None, **kwargs: object) -> Fetcher:
        clock = clock or FakeClock()
        return Fetcher(self.client(), sleep=clock.sleep, clock=clock, jitter=lambda: 0.0,
                       **kwargs)  # type: ignore[arg-type]


def json_answer(data: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


def xml_answer(body: bytes, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"Content-Type": "application/atom+xml"})


class StandIn:
    """A stand-in API on 127.0.0.1: `routes(path, query) -> (status, headers, body)`."""

    def __init__(self, routes: Callable[[str, dict[str, str]], tuple[int, dict, bytes]]) -> None:
        self.routes = routes
        self.seen: list[str] = []

    @contextmanager
    def running(self) -> Iterator[str]:
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                stand_in.seen.append(self.path)
                status, headers, body = stand_in.routes(parts.path, query)
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
