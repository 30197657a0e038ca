"""`sitegen fetch arxiv --category`: an announcement day into the store, dated by the
announcement (commands/listing.py), through stand-in arXiv servers on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fetchfakes import fixture_bytes
from labfakes import LabApis, lab_config, write_config

from sitegen.store.papers import load_papers

NEW_AND_CROSS = {"2609.10001", "2609.10002", "2609.10003", "2609.10004", "2609.10005"}


pytestmark = pytest.mark.usefixtures("no_waiting")  # conftest.py


def papers(root: Path) -> dict[str, object]:
    return {p.arxiv_id: p for p in load_papers(root)[0]}


def test_a_category_day_is_stored_dated_by_its_announcement(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url))
        status, out, err = run_cli("fetch", "arxiv", "--category", "cs.CV,cs.NE",
                                   "--root", str(site))
    assert status == 0, err
    stored = papers(site)
    assert set(stored) == NEW_AND_CROSS  # replacements skipped
    first = stored["2609.10001"]
    assert first.date == dt.date(2026, 9, 15) and first.published == dt.date(2026, 9, 14)
    assert first.comment == "12 pages, 5 figures; accepted at ECCV 2026"
    assert first.source == "arxiv-listing" and first.rank == 1
    assert "2026-09-15 arxiv cs.CV+cs.NE: 5 papers: 5 new" in out
    assert "(2 replacement(s) skipped)" in out
    # one feed request, then one id_list request of 5 ids (their 3 s pacing, which a slow
    # machine may already have spent, is tested with a fake clock in
    # test_sources_announcements.py)
    assert apis.seen == ["/rss/cs.CV+cs.NE", "/api/query?id_list=2609.10001,2609.10002,"
                         "2609.10003,2609.10004,2609.10005&max_results=5&start=0"]


def test_no_cross_lists_and_replacements_on_request(site: Path, run_cli):
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url))
        status, out, _ = run_cli("fetch", "arxiv", "--category", "cs.CV,cs.NE",
                                 "--no-cross-lists", "--replacements", "--root", str(site))
    assert status == 0
    assert set(papers(site)) == NEW_AND_CROSS - {"2609.10005"} | {"2607.00042"}
    assert "2 cross-list(s) skipped" in out  # a cross-list and a replaced one


def test_the_categories_come_from_the_config(site: Path, run_cli):
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url, fetch='[fetch]\narxiv_categories = ["cs.CV", '
                                      '"cs.NE"]\ncross_lists = false\n'))
        status, _, err = run_cli("fetch", "arxiv", "--root", str(site))
    assert status == 0, err and "2609.10005" not in papers(site)
    assert set(papers(site)) == NEW_AND_CROSS - {"2609.10005"}


def test_a_weekend_feed_is_no_announcement_not_an_error(site: Path, run_cli):
    apis = LabApis(feeds={"cs.CV": fixture_bytes("arxiv-announce-weekend.xml")})
    with apis.running() as url:
        write_config(site, lab_config(url))
        status, out, err = run_cli("fetch", "arxiv", "--category", "cs.CV", "--root",
                                   str(site))
    assert status == 0, err
    assert "no announcement on 2026-09-19" in out and papers(site) == {}


def test_a_day_the_feed_does_not_hold_is_an_error(site: Path, run_cli):
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url))
        status, _, err = run_cli("fetch", "arxiv", "--category", "cs.CV,cs.NE", "--date",
                                 "2026-09-10", "--root", str(site))
    assert status == 1 and papers(site) == {}
    assert "the feed holds the announcement of 2026-09-15, not of a day from 2026-09-10" in err
    assert "--query with submittedDate" in err
    # a window holding the feed's day is fine
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url))
        status, _, err = run_cli("fetch", "arxiv", "--category", "cs.CV,cs.NE", "--from",
                                 "2026-09-13", "--to", "2026-09-15", "--root", str(site))
    assert status == 0, err


def test_failed_metadata_keeps_the_feeds_papers_and_says_what_is_missing(site: Path, run_cli):
    apis = LabApis.recorded()
    apis.arxiv_down = True
    with apis.running() as url:
        write_config(site, lab_config(url))
        status, out, err = run_cli("fetch", "arxiv", "--category", "cs.CV,cs.NE",
                                   "--root", str(site))
    assert status == 1
    stored = papers(site)
    assert set(stored) == NEW_AND_CROSS
    assert stored["2609.10001"].comment is None and stored["2609.10001"].authors == (
        "Ada Lovelace", "Charles Babbage")
    assert "arXiv metadata not fetched: gave up after 5 attempts: HTTP 500" in err
    assert "sitegen add ID..." in err
    # A later `add` completes them, fill-only, and keeps their day.
    apis.arxiv_down = False
    with apis.running() as url:
        write_config(site, lab_config(url))
        status, _, err = run_cli("add", "2609.10001", "--root", str(site))
    assert status == 0, err
    completed = papers(site)["2609.10001"]
    assert completed.comment.startswith("12 pages") and completed.date == dt.date(2026, 9, 15)


def test_the_feed_failing_stores_nothing(site: Path, run_cli):
    apis = LabApis()  # knows no feed: 404
    with apis.running() as url:
        write_config(site, lab_config(url))
        status, _, err = run_cli("fetch", "arxiv", "--category", "cs.CV", "--root", str(site))
    assert status == 1 and "HTTP 404" in err and papers(site) == {}


def test_query_and_category_are_exclusive_and_one_is_needed(site: Path, run_cli):
    status, _, err = run_cli("fetch", "arxiv", "--query", "cat:cs.CV", "--category", "cs.CV",
                             "--root", str(site))
    assert status == 2 and "--query takes no --category" in err
    status, _, err = run_cli("fetch", "arxiv", "--root", str(site))
    assert status == 2 and "give --query or --category" in err


def test_a_query_cut_by_max_warns(site: Path, run_cli):
    body = fixture_bytes("arxiv-query.xml").replace(
        b"<opensearch:totalResults>2<", b"<opensearch:totalResults>1234<")

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        return 200, {"Content-Type": "application/atom+xml"}, body

    from fetchfakes import StandIn
    with StandIn(routes).running() as url:
        status, _, err = run_cli("fetch", "arxiv", "--query", "cat:cs.LG", "--max", "2",
                                 "--api-url", url, "--root", str(site))
    assert status == 0
    assert "warning: --max 2 cut the results: the query matches 1,234 papers, 2 were " \
        "fetched (the newest)" in err
