"""Broken API answers end as one `SourceError` message, exit status 1, the store untouched:
a body cut off mid-way, a timeout after a full page of records, invalid JSON or XML, a 50 MB
body (refused after reading at most the 32 MB cap, never held whole)."""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from pathlib import Path

import httpx
import pytest
from fetchfakes import Script, StandIn

from sitegen.commands import fetch as fetch_mod
from sitegen.errors import SourceError
from sitegen.sources import hf
from sitegen.sources.http import MAX_BODY_BYTES, Answer, make_client
from tests.hostile import checks

MB = 1 << 20


pytestmark = pytest.mark.usefixtures("no_waiting")  # conftest.py


def hf_page(start: int, count: int) -> bytes:
    return json.dumps([{"paper": {"id": f"2608.{n:05d}", "title": f"Paper {n}"}}
                       for n in range(start, start + count)]).encode()


def papers_of(root: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted((root / "content" / "papers").iterdir())}


@pytest.fixture
def stored(site: Path) -> Path:
    (site / "content" / "papers" / "kept.md").write_text(
        "---\ntitle: Kept\ndate: 2026-08-11\nid: '2608.00000'\nupvotes: 1\n---\nnotes\n")
    return site


def run_fetch(run_cli, root: Path, handler, source: str = "hf") -> tuple[int, str]:
    args = (["hf", "--date", "2026-08-11"] if source == "hf"
            else ["arxiv", "--query", "all:x", "--max", "5"])
    before = papers_of(root)
    status, _, err = run_cli("fetch", *args, "--api-url", "http://api.test", "--root",
                             str(root), "--no-cache")
    assert papers_of(root) == before  # the store is untouched
    assert checks.cli_error_problems(err) == []
    return status, err


def mock(monkeypatch: pytest.MonkeyPatch, handler) -> None:
    monkeypatch.setattr(fetch_mod, "make_client",
                        lambda: make_client(transport=httpx.MockTransport(handler)))


def test_a_body_cut_off_mid_way_is_a_clear_error(stored: Path, run_cli) -> None:
    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        body = hf_page(0, 3)
        return 200, {"Content-Type": "application/json",
                     "Content-Length": str(len(body) + 500)}, body  # then the server hangs up

    with StandIn(routes).running() as url:
        status, _, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url", url,
                                 "--root", str(stored))
    assert status == 1
    assert "gave up after 5 attempts: connection failed (RemoteProtocolError" in err
    assert list((stored / "content" / "papers").iterdir()) == [stored / "content" / "papers"
                                                               / "kept.md"]


def test_a_timeout_after_a_full_page_of_records_stores_nothing(stored: Path, run_cli,
                                                               monkeypatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["p"] == "0":
            return httpx.Response(200, content=hf_page(0, hf.PAGE_SIZE))
        raise httpx.ReadTimeout("read timed out", request=request)

    mock(monkeypatch, handler)
    status, err = run_fetch(run_cli, stored, handler)
    assert status == 1
    assert "p=1&limit=100: error: 2026-08-11: gave up after 5 attempts: timed out" in err


@pytest.mark.parametrize("source, body, words", [
    ("hf", b'[{"paper": {"id": "2608.00001", "title": "x"}', "answer is not valid JSON"),
    ("hf", b"\xff\xfe[]", "answer is not UTF-8"),
    ("hf", b'{"error": "x"}', "expected a JSON list of papers, got dict"),
    ("arxiv", b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "not well-formed XML"),
    ("arxiv", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><feed/>',
     "declares a DTD or entities"),
])
def test_invalid_json_or_xml_is_refused(stored: Path, run_cli, monkeypatch, source, body,
                                        words) -> None:
    mock(monkeypatch, lambda request: httpx.Response(200, content=body))
    status, err = run_fetch(run_cli, stored, None, source)
    assert status == 1 and words in err and ": error: " in err


class _Endless(httpx.SyncByteStream):
    """A 50 MB body in 1 MB chunks, counting the chunks the client pulled."""

    def __init__(self, chunks: list[int]) -> None:
        self.chunks = chunks

    def __iter__(self):
        for _ in range(50):
            self.chunks.append(1)
            yield b"[" * MB


def _endless(chunks: list[int]) -> httpx.SyncByteStream:
    return _Endless(chunks)


@pytest.mark.parametrize("announced", [False, True], ids=["streamed", "content-length"])
def test_a_50_mb_body_is_refused_after_at_most_the_cap(stored: Path, run_cli, monkeypatch,
                                                       announced: bool) -> None:
    chunks: list[int] = []
    headers = {"Content-Length": str(50 * MB)} if announced else {}
    mock(monkeypatch, lambda request: httpx.Response(200, headers=headers,
                                                     stream=_endless(chunks)))
    status, err = run_fetch(run_cli, stored, None)
    assert status == 1
    assert f"answer is over {MAX_BODY_BYTES >> 20} MB; refused" in err
    assert len(chunks) == (0 if announced else MAX_BODY_BYTES // MB + 1)


def test_the_cap_bounds_memory() -> None:
    chunks: list[int] = []
    fetcher = Script(lambda request: httpx.Response(200, stream=_endless(chunks))).fetcher()
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="over 32 MB"):
            fetcher.get("http://api.test/x", None, lambda answer: answer, accept="*/*")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Measured: 33.0 MB peak for the 32 MB cap (the chunks read so far), not 50 MB.
    assert peak < MAX_BODY_BYTES + 4 * MB, peak / MB
    assert fetcher.requests == 1  # refused, not retried


def test_a_small_cap_still_reads_a_normal_answer() -> None:
    fetcher = Script(httpx.Response(200, content=hf_page(0, 3))).fetcher(max_bytes=4096)
    papers = fetcher.get("http://api.test/x", None, hf.parse_answer, accept="*/*")
    assert len(papers) == 3
    assert isinstance(Answer("u", 200, "", b""), Answer)
    assert hf.fetch_day(Script(httpx.Response(200, content=b"[]")).fetcher(), "http://a",
                        dt.date(2026, 8, 11)) == []
