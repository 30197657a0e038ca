"""sources/announcements.py: arXiv's announcement feed -> what was announced, and when."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fetchfakes import FakeClock, Script, fixture_bytes

from sitegen.errors import SourceError
from sitegen.sources.announcements import (
    MAX_ITEMS,
    SOURCE,
    fetch_announcement,
    parse_listing,
    to_record,
)
from sitegen.sources.arxiv import MIN_INTERVAL, parse_feed
from sitegen.sources.http import Answer

LISTING = "https://rss.test"
FEED = fixture_bytes("arxiv-announce.xml")


def rss(body: bytes) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"Content-Type": "application/rss+xml"})


def feed_of(count: int, day: str = "Tue, 15 Sep 2026 00:00:00 -0400", first: int = 0,
            kind: str = "new") -> bytes:
    items = "".join(
        f"<item><title>Paper {n}</title><link>https://arxiv.org/abs/2609.{n:05d}</link>"
        f"<description>arXiv:2609.{n:05d}v1 Announce Type: {kind} \nAbstract: A.</description>"
        f"<guid>oai:arXiv.org:2609.{n:05d}v1</guid><category>cs.CV</category>"
        f"<arxiv:announce_type>{kind}</arxiv:announce_type><dc:creator>A B</dc:creator></item>"
        for n in range(first, first + count))
    return (f'<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
            f"<pubDate>{day}</pubDate>{items}</channel></rss>").encode()


def test_reads_the_day_and_every_item_of_the_real_shape() -> None:
    announcement = parse_listing(Answer("u", 200, "application/rss+xml", FEED))
    assert announcement.day == dt.date(2026, 9, 15) and announcement.cut == ()
    kinds = [(i.arxiv_id, i.kind) for i in announcement.items]
    assert kinds == [("2609.10001", "new"), ("2609.10002", "new"), ("2609.10003", "new"),
                     ("2609.10004", "new"), ("2609.10005", "cross"),
                     ("2607.00042", "replace"), ("2603.00777", "replace-cross")]
    first = announcement.items[0]
    assert first.title == "Spiking Neural Networks for Low-Latency Optical Flow"
    assert first.abstract.startswith("We train a spiking neural network") and \
        "Announce Type" not in first.abstract
    assert first.authors == ("Ada Lovelace", "Charles Babbage")
    assert first.categories == ("cs.CV", "cs.NE")
    cross = announcement.items[4]
    assert cross.is_cross and not cross.is_replacement and cross.doi == "10.1234/evo.2026.5"
    assert announcement.items[5].journal_ref == "J. Events 3 (2026) 1-9"
    assert announcement.items[6].is_cross and announcement.items[6].is_replacement


def test_an_empty_weekend_feed_still_says_its_day() -> None:
    body = fixture_bytes("arxiv-announce-weekend.xml")
    announcement = parse_listing(Answer("u", 200, "", body))
    assert announcement.day == dt.date(2026, 9, 19) and announcement.items == ()


def test_the_day_is_the_eastern_calendar_day_not_utc() -> None:
    late = feed_of(1, day="Wed, 16 Sep 2026 00:00:00 -0400")  # 04:00 UTC, same date
    assert parse_listing(Answer("u", 200, "", late)).day == dt.date(2026, 9, 16)


def test_one_request_for_several_categories() -> None:
    script = Script(rss(FEED))
    announcement = fetch_announcement(script.fetcher(), LISTING, ["cs.CV", "cs.NE"])
    assert len(announcement.items) == 7 and len(script.requests) == 1
    assert script.requests[0].url.path == "/rss/cs.CV+cs.NE"
    assert script.requests[0].headers["Accept"] == "application/rss+xml"


def test_a_full_combined_feed_is_asked_category_by_category_three_seconds_apart() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/rss/cs.CV+cs.NE":
            return rss(feed_of(MAX_ITEMS))
        if path == "/rss/cs.CV":
            return rss(feed_of(1500))
        return rss(feed_of(MAX_ITEMS, first=1400, kind="cross"))  # cs.NE: full itself

    clock = FakeClock()
    script = Script(answer)
    announcement = fetch_announcement(script.fetcher(clock, min_interval=MIN_INTERVAL),
                                      LISTING, ["cs.CV", "cs.NE"])
    assert [r.url.path for r in script.requests] == ["/rss/cs.CV+cs.NE", "/rss/cs.CV",
                                                     "/rss/cs.NE"]
    assert clock.sleeps == [3.0, 3.0]
    assert len(announcement.items) == 3400 and announcement.cut == ("cs.NE",)
    kinds = {i.arxiv_id: i.kind for i in announcement.items}
    assert kinds["2609.01400"] == "new" and kinds["2609.03000"] == "cross"


def test_one_full_category_is_reported_as_cut() -> None:
    script = Script(rss(feed_of(MAX_ITEMS)))
    assert fetch_announcement(script.fetcher(), LISTING, ["cs.LG"]).cut == ("cs.LG",)


@pytest.mark.parametrize(("body", "expected"), [
    (FEED[:900], "not well-formed XML"),
    (b"<!DOCTYPE html><html><body>Oops</body></html>", "got an HTML page"),
    (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss/>', "declares a DTD"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "expected an RSS <rss><channel>"),
    (b"<rss><channel><item><title>T</title><link>https://example.org/x</link></item>"
     b"</channel></rss>", "without an arXiv id"),
])
def test_garbage_is_refused(body: bytes, expected: str) -> None:
    with pytest.raises(SourceError, match=expected):
        fetch_announcement(Script(rss(body)).fetcher(), LISTING, ["cs.CV"])


def test_records_are_dated_by_the_announcement_with_api_metadata_or_the_feeds() -> None:
    announcement = parse_listing(Answer("u", 200, "", FEED))
    item = announcement.items[0]
    metadata = {p.arxiv_id: p for p in parse_feed(
        Answer("u", 200, "", fixture_bytes("arxiv-idlist.xml"))).papers}
    day = dt.date(2026, 9, 15)
    full = to_record(item, day, 1, metadata[item.arxiv_id])
    assert full.date == day and full.published == dt.date(2026, 9, 14) and full.rank == 1
    assert full.comment == "12 pages, 5 figures; accepted at ECCV 2026"
    assert full.source == SOURCE and full.primary_category == "cs.CV"
    bare = to_record(announcement.items[4], day, 2, None)
    assert (bare.title, bare.date, bare.source, bare.doi) == (
        "Event-Based Visual Odometry with Learned Features", day, SOURCE, "10.1234/evo.2026.5")
    assert bare.published is None and bare.categories == ("cs.RO", "cs.CV")
