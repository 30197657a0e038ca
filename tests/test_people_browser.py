"""An author's page opened from a card, in Chromium, on a site served under a sub-path;
its feed found by autodiscovery and read as a reader would."""

from __future__ import annotations

from pathlib import Path
from urllib.request import urlopen

import feedparser
import pytest
from feedtools import write_simple_paper

from sitegen.build.pipeline import build_site
from sitegen.config import load_config

pytestmark = pytest.mark.browser


def test_an_author_page_opens_from_a_card(site: Path, serve_dir, browser) -> None:
    write_simple_paper(site, "p1", "First paper", date="2025-08-11", rank=1,
                       authors=["Mei Lin", "Ola Nordmann"])
    write_simple_paper(site, "p2", "Second paper", date="2025-08-12", rank=1,
                       authors=["Mei Lin", "José García"])
    (site / "_site").mkdir()
    base = serve_dir(site / "_site", "/repo/")
    build_site(load_config(site).with_base_url(base), site / "_site")
    page = browser.new_page()
    page.goto(base + "2025/08/12/")
    page.locator(".card-byline a.author", has_text="Mei Lin").click()
    page.wait_for_url(base + "authors/mei-lin/")
    assert page.locator("h1").inner_text() == "Mei Lin"
    titles = page.locator(".card-title a").all_inner_texts()
    assert titles == ["Second paper", "First paper"]
    feed_url = page.locator('link[rel="alternate"][type="application/atom+xml"]').first \
        .get_attribute("href")
    assert feed_url == base + "authors/mei-lin/feed.xml"  # absolute, on the base URL
    with urlopen(feed_url) as answer:
        feed = feedparser.parse(answer.read())
    assert not feed.bozo and [e.title for e in feed.entries] == titles
    page.locator(".card-title a", has_text="First paper").click()  # and back to a paper
    page.wait_for_url(base + "papers/p1.html")
    page.close()
