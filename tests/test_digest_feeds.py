"""The digest feeds (`digest/weekly.xml`, `digest/monthly.xml`, their JSON Feeds): whole
digests as entries, valid, stable ids, changed only when a new period settles."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
from lxml import etree

from tests.feedtools import atom_grammar_problems
from tests.test_digests import _intro, _kept, _voted
from tests.test_incremental import assert_same_as_clean, build

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = ("digest/weekly.xml", "digest/weekly.json", "digest/monthly.xml",
         "digest/monthly.json")


def _files(site: Path) -> dict[str, bytes]:
    return {name: (site / "_site" / name).read_bytes() for name in FEEDS}


def assert_atom(data: bytes) -> feedparser.FeedParserDict:
    """Parsed by feedparser without complaint, with what RFC 4287 requires of a feed and
    of each entry (id, title, updated; an alternate link; author on the feed)."""
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert atom_grammar_problems(data) == []
    assert parsed.version == "atom10"
    root = etree.fromstring(data)
    assert root.tag == ATOM + "feed"
    for element in (root, *root.iter(ATOM + "entry")):
        for name in ("id", "title", "updated"):
            assert len(element.findall(ATOM + name)) == 1, name
    assert root.find(ATOM + "author/" + ATOM + "name") is not None
    for entry in root.iter(ATOM + "entry"):
        links = entry.findall(ATOM + "link")  # rel defaults to "alternate"
        assert [link.get("rel", "alternate") for link in links] == ["alternate"]
        assert entry.find(ATOM + "content").get("type") == "html"
    return parsed


def test_digest_feeds_hold_whole_digests_and_change_only_when_a_period_settles(
        site: Path) -> None:
    for day, votes in ((4, 3), (6, 10), (8, 7)):  # week 32
        _voted(site, day, votes, tags=("vision",))
        _voted(site, day, votes + 1, 2)
    _intro(site, "2025-W32.md", "Read [this](../../papers/p6-1.html) first.\n")
    build(site)
    empty = _files(site)
    assert assert_atom(empty["digest/weekly.xml"]).entries == []
    _voted(site, 11, 1)  # week 33 begins: week 32's counts may still be refreshed
    build(site)
    assert _files(site) == empty
    _voted(site, 13, 1)  # 3 days after its Sunday: week 32 settles
    result = build(site)
    first = _files(site)
    weekly = assert_atom(first["digest/weekly.xml"])
    (entry,) = weekly.entries
    assert entry.id == "https://example.org/sub/digest/2025-W32/"
    assert entry.link == "https://example.org/sub/digest/2025-W32/"
    assert entry.title == "Week 32, 2025" and entry.updated.startswith("2025-08-11")
    content = entry.content[0].value
    assert 'href="https://example.org/sub/papers/p6-1.html"' in content  # the intro's link
    assert content.index("Paper 6.2") < content.index("Paper 8.2") < content.index("vision")
    assert "Paper 4.2" in content and "Other papers" in content  # every paper, by tag
    assert "digest/weekly.xml" not in _kept(result)
    feed = json.loads(first["digest/weekly.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["id"] for item in feed["items"]] == [entry.id]
    assert feed["feed_url"] == "https://example.org/sub/digest/weekly.json"
    assert assert_atom(first["digest/monthly.xml"]).entries == []
    for day in (14, 15):  # days of week 33: nothing settles
        _voted(site, day, 50)
        result = build(site)
        assert _files(site) == first
        assert set(FEEDS) <= _kept(result)  # kept whole, not made
    _voted(site, 20, 2)  # 3 days after week 33's Sunday: week 33 settles
    build(site)
    second = _files(site)
    entries = assert_atom(second["digest/weekly.xml"]).entries
    assert [e.id for e in entries] == ["https://example.org/sub/digest/2025-W33/", entry.id]
    assert entries[1].content[0].value == content  # the settled entry as it was
    assert second["digest/monthly.xml"] == first["digest/monthly.xml"]
    assert_same_as_clean(site)


def test_the_atom_grammar_check_finds_what_it_looks_for(site: Path) -> None:
    _voted(site, 4, 1)
    _voted(site, 13, 1)
    build(site)
    data = (site / "_site" / "digest" / "weekly.xml").read_bytes()
    assert atom_grammar_problems(data) == []
    assert atom_grammar_problems((site / "_site" / "feed.xml").read_bytes()) == []
    for broken in (data.replace(b"<updated>2025-08-11T00:00:00+00:00</updated>", b"", 1),
                   data.replace(b"<title>Week 32, 2025</title>", b""),
                   data.replace(b"T00:00:00+00:00</published>", b"</published>")):
        assert broken != data and atom_grammar_problems(broken) != []


def test_a_month_settles_into_the_monthly_feed(site: Path) -> None:
    _voted(site, 29, 5)
    _voted(site, 30, 1)
    (site / "content" / "papers" / "sep.md").write_text(
        "---\ntitle: 'Sept'\ndate: 2025-09-03\nrank: 1\n---\n", encoding="utf-8")
    build(site)
    monthly = assert_atom((site / "_site" / "digest" / "monthly.xml").read_bytes())
    assert [e.id for e in monthly.entries] == ["https://example.org/sub/digest/2025-08/"]
    assert monthly.entries[0].title == "August 2025"
    assert monthly.feed.title == "Test Papers: monthly digest"
