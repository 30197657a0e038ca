"""sources/arxiv.py: the Atom answer -> Paper records, paging 3 s apart, refusing garbage."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fetchfakes import FakeClock, Script, fixture_bytes, xml_answer

from sitegen.links import paper_links
from sitegen.sources.arxiv import MIN_INTERVAL, fetch_ids, fetch_query, parse_feed
from sitegen.sources.http import Answer

API = "https://arxiv.test"
FEED = fixture_bytes("arxiv-query.xml")


def entry(number: int) -> str:
    return (f"<entry><id>http://arxiv.org/abs/2609.{number:05d}v1</id><title>Paper {number}"
            "</title><summary>S.</summary><published>2026-09-01T00:00:00Z</published>"
            "<updated>2026-09-01T00:00:00Z</updated><author><name>A</name></author></entry>")


def feed(entries: list[str], total: int) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{total}</opensearch:totalResults>"
            + "".join(entries) + "</feed>").encode()


def test_maps_every_field_of_the_real_shape() -> None:
    page = parse_feed(Answer("u", 200, "application/atom+xml", FEED))
    assert page.total == 2
    first, second = page.papers
    assert first.arxiv_id == "2609.01234" and first.slug == "2609.01234"
    assert first.title == "Difference Engines Are All You Need"
    assert first.abstract == "We revisit mechanical computation and show that $O(n)$ cogs suffice."
    assert first.authors == ("Ada Lovelace", "Charles Babbage")
    assert first.date == first.published == dt.date(2026, 9, 1)
    assert first.updated == dt.date(2026, 9, 2)
    assert first.categories == ("cs.LG", "math.HO") and first.primary_category == "cs.LG"
    # The abstract and PDF links follow from the id (links.paper_links); none are stored.
    assert first.links == ()
    assert [link.url for link in paper_links(first)] == [
        "https://arxiv.org/abs/2609.01234", "https://arxiv.org/pdf/2609.01234"]
    assert first.comment == "20 pages, 3 figures; accepted at the Analytical Society"
    assert first.journal_ref is None and first.doi is None
    assert first.source == "arxiv" and first.rank is None
    assert second.doi == "10.1000/looms.1"
    assert second.journal_ref == "J. Looms 1 (1804) 1-2"
    assert second.date == dt.date(2026, 8, 30)


def test_query_parameters_and_accept_header() -> None:
    script = Script(xml_answer(FEED))
    papers, error, _ = fetch_query(script.fetcher(), API, "all:engines", 10)
    assert error is None and len(papers) == 2
    request = script.requests[0]
    assert request.url.path == "/api/query"
    assert dict(request.url.params) == {"search_query": "all:engines", "start": "0",
                                        "max_results": "10", "sortBy": "submittedDate",
                                        "sortOrder": "descending"}
    assert request.headers["Accept"] == "application/atom+xml"


def test_pages_through_more_than_100_three_seconds_apart() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start"])
        size = int(request.url.params["max_results"])
        return xml_answer(feed([entry(n) for n in range(start, min(start + size, 260))], 260))

    clock = FakeClock()
    script = Script(answer)
    papers, error, _ = fetch_query(script.fetcher(clock, min_interval=MIN_INTERVAL), API, "q", 250)
    assert error is None and len(papers) == 250
    assert [(r.url.params["start"], r.url.params["max_results"]) for r in script.requests] == [
        ("0", "100"), ("100", "100"), ("200", "50")]
    assert clock.sleeps == [3.0, 3.0]


def test_stops_at_the_total() -> None:
    script = Script(xml_answer(feed([entry(1), entry(2)], 2)))
    papers, error, _ = fetch_query(script.fetcher(), API, "q", 500)
    assert error is None and len(papers) == 2 and len(script.requests) == 1


@pytest.mark.parametrize("status", [200, 400])
def test_an_error_entry_is_an_error_not_a_paper(status: int) -> None:
    script = Script(xml_answer(fixture_bytes("arxiv-error.xml"), status))
    papers, error, _ = fetch_query(script.fetcher(), API, "id:1234.12345", 10)
    assert papers == []
    assert error is not None
    assert "incorrect id format for 1234.12345" in error.message
    assert error.path and error.path.startswith(f"{API}/api/query?search_query=")


def test_rate_exceeded_is_retried() -> None:
    clock = FakeClock()
    script = Script(httpx.Response(200, text="Rate exceeded."), xml_answer(FEED))
    papers, error, _ = fetch_query(script.fetcher(clock), API, "q", 10)
    assert error is None and len(papers) == 2 and len(clock.sleeps) == 1


def test_rate_exceeded_for_good_gives_a_clear_error() -> None:
    script = Script(httpx.Response(200, text="Rate exceeded."))
    papers, error, _ = fetch_query(script.fetcher(retries=1), API, "q", 10)
    assert papers == [] and error is not None and "Rate exceeded" in error.message


@pytest.mark.parametrize(("body", "expected"), [
    (FEED[:700], "not well-formed XML"),
    (b"<!DOCTYPE html><html><body>Oops</body></html>", "got an HTML page"),
    (b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaa">]><feed/>', "declares a DTD"),
    (b"<rss><channel/></rss>", "expected an Atom <feed>"),
    (feed(["<entry><id>http://arxiv.org/abs/2609.00001</id><title>T</title></entry>"], 1),
     "has no usable published date"),
])
def test_garbage_is_refused(body: bytes, expected: str) -> None:
    papers, error, _ = fetch_query(Script(xml_answer(body)).fetcher(), API, "q", 10)
    assert papers == [] and error is not None and expected in error.message


def test_a_failing_later_page_keeps_the_pages_before_it() -> None:
    first = xml_answer(feed([entry(n) for n in range(100)], 300))
    script = Script(first, httpx.Response(200, content=b"<feed"))
    papers, error, _ = fetch_query(script.fetcher(), API, "q", 300)
    assert len(papers) == 100
    assert error is not None and "start=100" in (error.path or "")


def test_old_style_ids_keep_their_archive_and_get_a_safe_slug() -> None:
    body = feed(["<entry><id>http://arxiv.org/abs/hep-th/9901001v3</id><title>Old</title>"
                 "<published>1999-01-01T00:00:00Z</published></entry>"], 1)
    (paper,) = parse_feed(Answer("u", 200, "", body)).papers
    assert paper.arxiv_id == "hep-th/9901001" and paper.slug == "hep-th-9901001"


def test_the_total_tells_when_max_cut_the_results() -> None:
    script = Script(xml_answer(feed([entry(n) for n in range(3)], 40)))
    result = fetch_query(script.fetcher(), API, "cat:cs.CV", 3)
    assert len(result.papers) == 3 and result.total == 40 and result.error is None


def test_ids_are_fetched_100_a_request_three_seconds_apart() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["id_list"].split(",")
        assert request.url.params["max_results"] == str(len(asked))
        known = [int(i.split(".")[1]) for i in asked if not i.endswith("99")]
        return xml_answer(feed([entry(n) for n in known], len(known)))

    clock = FakeClock()
    script = Script(answer)
    ids = [f"2609.{n:05d}" for n in range(250)]
    result = fetch_ids(script.fetcher(clock, min_interval=MIN_INTERVAL), API, ids + ids[:5])
    assert [len(r.url.params["id_list"].split(",")) for r in script.requests] == [100, 100, 50]
    assert clock.sleeps == [3.0, 3.0]
    assert result.unknown == ("2609.00099", "2609.00199")
    assert len(result.papers) == 248 and result.papers["2609.00007"].title == "Paper 7"
    assert result.failed == () and result.errors == ()


def test_a_failing_id_batch_is_reported_and_the_others_kept() -> None:
    good = xml_answer(feed([entry(n) for n in range(100)], 100))
    script = Script(good, httpx.Response(200, content=b"<feed"))
    ids = [f"2609.{n:05d}" for n in range(120)]
    result = fetch_ids(script.fetcher(), API, ids)
    assert len(result.papers) == 100 and result.failed == tuple(ids[100:])
    assert len(result.errors) == 1 and "not well-formed" in result.errors[0].message
