"""Issue 20, item 4: each bad answer is one day's error naming its URL, the other days of
the run kept; no answer can crash `fetch` ("internal error"), flood the store, write a
paper file `build` would refuse, or put a control character in a stored link or a file
name. Answers come from a stand-in server on 127.0.0.1 (`fetchfakes.StandIn`), run
through the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fetchfakes import StandIn

from sitegen.commands import admit
from sitegen.commands import fetch as fetch_mod
from sitegen.sources import http as source_http
from sitegen.store.papers import load_papers
from tests.hostile import checks

JSON = {"Content-Type": "application/json"}
ATOM = {"Content-Type": "application/atom+xml"}
BAD_DAY = "2026-08-11"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_http, "default_sleep", lambda seconds: None)


def good_day(day: str) -> bytes:
    return json.dumps([{"paper": {"id": f"2608.000{day[-2:]}", "title": f"Day {day}"}}]).encode()


def one_paper(**fields: object) -> bytes:
    return json.dumps([{"paper": {"id": "2608.00099", "title": "Bad day", **fields}}]).encode()


LOOP = f"/api/daily_papers?date={BAD_DAY}&p=0&limit=100"
HF_BAD = {
    "deeply nested JSON": ((200, JSON, b"[" * 100_000 + b"]" * 100_000),
                           "answer nests too deeply"),
    "a 5,000-digit integer": ((200, JSON, b'[{"paper": {"id": "2608.00099", "title": "x", '
                               b'"upvotes": ' + b"9" * 5000 + b"}}]"), "answer holds an absurd value"),
    "a redirect loop": ((302, {"Location": LOOP}, b""), "redirect loop"),
    "a redirect cycle": ((302, {"Location": "/hop"}, b""), "redirect loop"),
    "a redirect to javascript:": ((302, {"Location": "javascript:alert(1)"}, b""),
                                  "redirected to an invalid URL"),
    "a redirect to file:": ((302, {"Location": "file:///etc/passwd"}, b""),
                            "redirected to 'file:///etc/passwd', not an http(s) URL"),
    "a broken gzip body": ((200, {**JSON, "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00garbage, not gzip"),
                           "the answer's body cannot be decoded"),
    "100,000 papers in one answer": (
        (200, JSON, json.dumps([{"paper": {"id": f"2608.{n:05d}", "title": f"P{n}"}}
                                for n in range(100_000)]).encode()),
        "answer lists 100,000 papers, more than the 5,000 one day may hold"),
    "an id with a newline": ((200, JSON, json.dumps([{"paper": {
        "id": "2501.00001\nv2", "title": "x"}}]).encode()), "has no arXiv id"),
}


def hf_routes(bad: tuple[int, dict, bytes]):
    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if path == "/hop":
            return 302, {"Location": LOOP}, b""
        if query.get("date") != BAD_DAY:
            return 200, JSON, good_day(query["date"]) if query["p"] == "0" else b"[]"
        return bad if query["p"] == "0" else (200, JSON, b"[]")
    return routes


def fetch_days(run_cli, site: Path, url: str) -> tuple[int, str]:
    status, _, err = run_cli("fetch", "hf", "--from", "2026-08-10", "--to", "2026-08-12",
                             "--api-url", url, "--root", str(site), "--no-cache")
    assert "internal error" not in err and "Traceback" not in err
    if status:
        assert checks.cli_error_problems(err) == []
    return status, err


def stored_names(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "content" / "papers").iterdir())


@pytest.mark.parametrize("case", list(HF_BAD))
def test_a_bad_hf_answer_is_that_days_error_and_the_other_days_are_kept(site, run_cli, case):
    bad, words = HF_BAD[case]
    with StandIn(hf_routes(bad)).running() as url:
        status, err = fetch_days(run_cli, site, url)
    assert status == 1
    assert f"{url}/api/daily_papers?date={BAD_DAY}&p=0&limit=100: error: {BAD_DAY}: " in err
    assert words in err
    assert "fetch failed for 1 of 3 day(s)" in err
    assert stored_names(site) == ["2608.00010.md", "2608.00012.md"]


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_an_hf_timestamp_outside_the_calendar_is_left_out_like_any_unusable_field(
        site, run_cli, stamp):
    # The UTC day of these is year 0 or 10000: `astimezone` raised OverflowError out of
    # fetch. `publishedAt` is optional, and an unusable optional field is left out.
    bad = (200, JSON, one_paper(publishedAt=stamp))
    with StandIn(hf_routes(bad)).running() as url:
        status, err = fetch_days(run_cli, site, url)
    assert status == 0, err
    papers = {p.arxiv_id: p for p in load_papers(site)[0]}
    assert papers["2608.00099"].published is None
    assert len(papers) == 3


def test_control_characters_never_reach_stored_links_or_text(site, run_cli):
    bad = (200, JSON, one_paper(title="Bad\x00 day\x07", githubRepo="https://github.com/a/b\x00c",
                                projectPage="https://example.org/\x01x", summary="a\x1bb",
                                thumbnail="https://example.org/t.png\x0b"))
    with StandIn(hf_routes(bad)).running() as url:
        status, err = fetch_days(run_cli, site, url)
    assert status == 0, err
    papers, problems = load_papers(site)
    assert problems == []  # no "control characters removed" warning: none were written
    paper = {p.arxiv_id: p for p in papers}["2608.00099"]
    assert paper.title == "Bad day" and paper.abstract == "ab"
    assert paper.links == ("https://huggingface.co/papers/2608.00099",)
    assert paper.thumbnail is None
    text = (site / "content" / "papers" / "2608.00099.md").read_text()
    assert "\\0" not in text and "\\x" not in text and "\\e" not in text


def test_papers_per_run_are_capped_the_days_past_the_cap_refused(site, run_cli, monkeypatch):
    monkeypatch.setattr(fetch_mod, "MAX_PAPERS_PER_RUN", 2)
    with StandIn(hf_routes((200, JSON, good_day(BAD_DAY)))).running() as url:
        status, err = fetch_days(run_cli, site, url)
    assert status == 1
    assert "date=2026-08-12&p=0&limit=100: error: 2026-08-12: not stored: the run would " \
           "hold more than 2 papers" in err
    assert stored_names(site) == ["2608.00010.md", "2608.00011.md"]


def test_a_paper_build_would_refuse_is_never_written(site, run_cli, monkeypatch):
    # A 20 MB answer wrote a paper file over build's 16 MB limit: every later build failed
    # until someone deleted it. Fetch now reads each paper back with build's own rules.
    monkeypatch.setattr(admit, "MAX_PAPER_BYTES", 4096)
    bad = (200, JSON, one_paper(summary="word " * 2000))
    with StandIn(hf_routes(bad)).running() as url:
        status, err = fetch_days(run_cli, site, url)
    assert status == 1
    assert f"{BAD_DAY}: not stored: 1 paper(s) would be refused by build; first: " in err
    assert "content/papers/2608.00099.md: the paper file would be" in err
    assert stored_names(site) == ["2608.00010.md", "2608.00012.md"]
    status, _, err = run_cli("build", "--root", str(site))
    assert status == 0, err


def atom(entries: list[str], total: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{total}</opensearch:totalResults>"
            + "".join(entries) + "</feed>").encode()


def entry(n: int, published: str = "2026-09-01T10:00:00Z") -> str:
    return (f"<entry><id>http://arxiv.org/abs/2609.{n:05d}v1</id><title>Paper {n}</title>"
            f"<published>{published}</published></entry>")


ARXIV_BAD = {
    "totalResults ²": (atom([entry(n) for n in range(100, 200)], "²"), "is not a count"),
    "totalResults of 5,000 digits": (atom([entry(n) for n in range(100, 200)], "9" * 5000),
                                     "is not a count"),
    "a date at year 1 with an offset": (
        atom([entry(100, "0001-01-01T00:00:00+05:00")], "300"), "no usable published date"),
    "a date at year 9999 with an offset": (
        atom([entry(100, "9999-12-31T23:00:00-05:00")], "300"), "no usable published date"),
}


@pytest.mark.parametrize("case", list(ARXIV_BAD))
def test_a_bad_arxiv_page_is_an_error_and_the_pages_before_it_are_kept(site, run_cli, case):
    body, words = ARXIV_BAD[case]

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if query["start"] == "0":
            return 200, ATOM, atom([entry(n) for n in range(100)], "300")
        return 200, ATOM, body

    with StandIn(routes).running() as url:
        status, _, err = run_cli("fetch", "arxiv", "--query", "all:x", "--max", "300",
                                 "--api-url", url, "--root", str(site), "--no-cache")
    assert "internal error" not in err and "Traceback" not in err
    assert status == 1
    assert (f"{url}/api/query?search_query=all%3Ax&sortBy=submittedDate&sortOrder=descending"
            "&start=100&max_results=100: error: ") in err
    assert words in err
    assert len(stored_names(site)) == 100
