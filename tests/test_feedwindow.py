"""render/feedwindow.py: every feed holds all papers of the site's newest days, however
many, at least `limit`, at most `max_entries`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
from conftest import write_paper

from sitegen.model import Paper
from sitegen.render.feedwindow import FeedWindow

DAY = dt.date(2025, 8, 11)


def papers_of_days(counts: list[int]) -> list[Paper]:
    """Newest first: counts[0] papers on the newest day, counts[1] the day before..."""
    return [Paper(slug=f"d{day}-{n}", title=f"Paper {day} {n}",
                  date=DAY - dt.timedelta(days=day))
            for day, count in enumerate(counts) for n in range(count)]


def test_all_papers_of_the_window_whatever_their_number() -> None:
    papers = papers_of_days([70, 60, 65, 40])
    window = FeedWindow(DAY - dt.timedelta(days=2), limit=50, max_entries=500)
    assert len(window.of(papers)) == 195  # the newest 3 days, not 50


def test_a_quiet_feed_is_filled_up_to_limit_and_a_busy_one_capped() -> None:
    papers = papers_of_days([1, 0, 1, 30])
    window = FeedWindow(DAY - dt.timedelta(days=2), limit=10, max_entries=500)
    assert len(window.of(papers)) == 10
    assert len(FeedWindow(DAY, limit=5, max_entries=20).of(papers_of_days([70]))) == 20
    assert FeedWindow(None, limit=3, max_entries=9).of(papers) == papers[:3]


def test_a_three_day_catch_up_reaches_every_feed(site: Path, run_cli) -> None:
    """The daily workflow fetches 3 days of 30 papers at once: a reader polling once a day
    gets all 90 (a fixed 50 used to drop 40), tag feeds too."""
    for day in range(4):
        date = DAY - dt.timedelta(days=day)
        for n in range(30):
            tags = "[agents]" if n % 2 else "[]"
            write_paper(site, f"p{day}-{n}", f"---\ntitle: Paper {day}-{n}\ndate: {date}\n"
                        f"tags: {tags}\n---\n")
    assert run_cli("build", cwd=site)[0] == 0
    site_feed = feedparser.parse((site / "_site" / "feed.xml").read_bytes())
    assert len(site_feed.entries) == 90
    assert {e.published_parsed[:3] for e in site_feed.entries} == {
        (2025, 8, 11), (2025, 8, 10), (2025, 8, 9)}
    tag_feed = feedparser.parse((site / "_site" / "tags" / "agents" / "rss.xml").read_bytes())
    assert len(tag_feed.entries) == 50  # 45 of the 3 days, filled up to `limit` with older
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + "\n[feeds]\ndays = 1\nlimit = 5\nmax_entries = 20\n")
    assert run_cli("build", cwd=site)[0] == 0
    assert len(feedparser.parse((site / "_site" / "feed.xml").read_bytes()).entries) == 20


def test_max_entries_below_limit_is_a_config_error(site: Path, run_cli) -> None:
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + "\n[feeds]\nlimit = 50\nmax_entries = 10\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 1 and "[feeds] max_entries (10) must be at least limit (50)" in err
