"""sources/hf.py: the daily-papers answer -> Paper records, paging, refusing garbage."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from fetchfakes import Script, fixture_bytes, hf_items, json_answer

from sitegen.errors import SourceError
from sitegen.sources.hf import fetch_day, item_to_paper

DAY = dt.date(2026, 9, 2)
API = "https://hf.test"


def test_maps_every_field_of_the_real_shape() -> None:
    script = Script(httpx.Response(200, content=fixture_bytes("hf-daily-papers.json")))
    papers = fetch_day(script.fetcher(), API, DAY)
    request = script.requests[0]
    assert request.url.path == "/api/daily_papers"
    assert dict(request.url.params) == {"date": "2026-09-02", "p": "0", "limit": "100"}
    assert request.headers["Accept"] == "application/json"
    first, second, third = papers
    assert first.arxiv_id == "2609.01234" and first.slug == "2609.01234"
    assert first.title == "Difference Engines Are All You Need"
    assert first.abstract == "We revisit mechanical computation and show that $O(n)$ cogs suffice."
    assert first.authors == ("Ada Lovelace", "Charles Babbage")
    assert first.date == DAY and first.published == dt.date(2026, 9, 1)
    assert (first.upvotes, first.comments, first.github_stars) == (87, 3, 412)
    assert first.links == ("https://github.com/example-lab/diff-engines",
                           "https://example-lab.github.io/diff-engines",
                           "https://huggingface.co/papers/2609.01234")
    assert first.ai_summary == "A mechanical engine tabulates polynomials with fewer cogs."
    assert first.ai_keywords == ("difference engine", "finite differences", "punched cards")
    assert first.thumbnail.endswith("/papers/2609.01234.png")
    assert [p.rank for p in papers] == [1, 2, 3]
    assert {p.source for p in papers} == {"hf"}
    # version stripped; optional fields found on the wrapper when the paper lacks them
    assert second.arxiv_id == "2609.04321"
    assert second.title == "Compilers <for> Everyone & Everything"
    assert "https://github.com/hopper/flowmatic" in second.links
    assert second.ai_keywords == ("compilers",)
    assert second.github_stars is None and second.ai_summary is None
    assert third.authors == () and third.comments == 0


def test_the_day_asked_is_the_papers_day_whatever_their_timestamps() -> None:
    items = hf_items()
    items[0]["publishedAt"] = items[0]["paper"]["submittedOnDailyAt"] = "2026-09-01T23:59:00Z"
    papers = fetch_day(Script(json_answer(items)).fetcher(), API, DAY)
    assert {p.date for p in papers} == {DAY}


def test_pages_through_a_long_day() -> None:
    items = hf_items()

    def answer(request: httpx.Request) -> httpx.Response:
        page, limit = int(request.url.params["p"]), int(request.url.params["limit"])
        return json_answer(items[page * limit:(page + 1) * limit])

    script = Script(answer)
    papers = fetch_day(script.fetcher(), API, DAY, page_size=2)
    assert [r.url.params["p"] for r in script.requests] == ["0", "1"]
    assert [p.arxiv_id for p in papers] == ["2609.01234", "2609.04321", "2609.05555"]
    assert [p.rank for p in papers] == [1, 2, 3]


def test_a_server_ignoring_the_page_number_does_not_loop() -> None:
    script = Script(json_answer(hf_items()[:2]))
    papers = fetch_day(script.fetcher(), API, DAY, page_size=2)
    assert len(papers) == 2 and len(script.requests) == 2


def test_an_empty_day_is_not_an_error() -> None:
    assert fetch_day(Script(json_answer([])).fetcher(), API, DAY) == []


@pytest.mark.parametrize(("body", "expected"), [
    (fixture_bytes("hf-daily-papers.json")[:500], "not valid JSON"),
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "got an HTML page"),
    (b'{"error": "Invalid date"}', "expected a JSON list of papers, got dict"),
    (b'[{"title": "no paper object"}]', "item 1 is not an object with a 'paper' object"),
    (b'[{"paper": {"title": "x"}}]', "item 1 has no arXiv id"),
    (b'[{"paper": {"id": "2609.00001"}}]', "item 1 (2609.00001) has no title"),
    (b"\xff\xfe[]", "not UTF-8"),
])
def test_garbage_is_refused_naming_the_url(body: bytes, expected: str) -> None:
    script = Script(httpx.Response(200, content=body))
    with pytest.raises(SourceError) as caught:
        fetch_day(script.fetcher(), API, DAY)
    assert expected in caught.value.message
    assert caught.value.path == f"{API}/api/daily_papers?date=2026-09-02&p=0&limit=100"


def test_one_bad_page_refuses_the_whole_day() -> None:
    items = hf_items()
    script = Script(json_answer(items[:2]), httpx.Response(200, content=b"[{"))
    with pytest.raises(SourceError, match="p=1"):
        fetch_day(script.fetcher(), API, DAY, page_size=2)


def test_wrong_types_of_optional_fields_are_ignored() -> None:
    item = {"paper": {"id": "2609.00002", "title": "T", "upvotes": "many", "githubStars": True,
                      "authors": [{"name": 5}, "x", {"name": " Bo  Li "}],
                      "ai_keywords": "not a list", "githubRepo": "javascript:alert(1)",
                      "publishedAt": "yesterday"},
            "numComments": 2.0, "thumbnail": 7}
    paper = item_to_paper(json.loads(json.dumps(item)), DAY, 1, "u")
    assert paper.upvotes is None and paper.github_stars is None and paper.comments == 2
    assert paper.authors == ("Bo Li",)
    assert paper.ai_keywords == () and paper.thumbnail is None and paper.published is None
    assert paper.links == ("https://huggingface.co/papers/2609.00002",)


def test_counts_out_of_range_are_left_out_like_wrong_types() -> None:
    item = {"paper": {"id": "2609.00003", "title": "T", "upvotes": 10**12, "githubStars": -5},
            "numComments": 1e300}
    paper = item_to_paper(item, DAY, 1, "u")
    assert paper.upvotes is None and paper.github_stars is None and paper.comments is None


# -- one paper by id, and the title search (sitegen add, fetch hf --complete) ---------------

def test_a_paper_by_id_maps_the_flat_shape() -> None:
    from sitegen.sources.hf import fetch_paper

    script = Script(httpx.Response(200, content=fixture_bytes("hf-paper.json")))
    paper = fetch_paper(script.fetcher(), API, "2609.30001", DAY)
    assert script.requests[0].url.path == "/api/papers/2609.30001"
    assert paper is not None and paper.arxiv_id == "2609.30001" and paper.date == DAY
    assert paper.title == "Asynchronous Corner Detection on Event Streams"
    assert paper.authors == ("Mei Lin", "Hedy Lamarr") and paper.upvotes == 5
    assert paper.links == ("https://example.org/corners",
                           "https://huggingface.co/papers/2609.30001")
    assert paper.ai_keywords == ("corner detection", "event camera") and paper.rank is None


def test_a_paper_hf_does_not_index_is_none_and_garbage_is_an_error() -> None:
    from sitegen.sources.hf import fetch_paper

    script = Script(json_answer({"error": "Paper not found"}, 404))
    assert fetch_paper(script.fetcher(), API, "2609.99999", DAY) is None
    with pytest.raises(SourceError, match="expected a JSON paper object, got list"):
        fetch_paper(Script(json_answer([1])).fetcher(), API, "2609.99999", DAY)
    with pytest.raises(SourceError, match="not valid JSON"):
        fetch_paper(Script(httpx.Response(200, content=b"{")).fetcher(), API, "2609.1", DAY)


def test_the_title_search_reads_daily_shaped_items_and_cuts_long_queries() -> None:
    from sitegen.sources.hf import MAX_QUERY, search_title

    script = Script(httpx.Response(200, content=fixture_bytes("hf-search.json")))
    found = search_title(script.fetcher(), API, "CIF-Bench " + "x" * 400, DAY)
    params = script.requests[0].url.params
    assert script.requests[0].url.path == "/api/papers/search"
    assert len(params["q"]) == MAX_QUERY and params["limit"] == "10"
    assert [p.arxiv_id for p in found] == ["2402.04321", "2402.09999"]
    assert found[0].authors == ("Yizhi Li", "Ge Zhang") and found[0].date == DAY
