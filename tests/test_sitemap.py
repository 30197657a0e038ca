"""sitemap.xml and robots.txt (sitegen/sitemap.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from feedtools import build, write_simple_paper

from sitegen.render.sitemap import unlisted

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/sub/"


def sitemap_entries(data: bytes) -> dict[str, str | None]:
    root = ET.fromstring(data)
    assert root.tag == f"{NS}urlset"
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod")
            for url in root.findall(f"{NS}url")}


def test_sitemap_lists_every_html_page_with_absolute_urls_and_data_dates(site: Path):
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + "\n[build]\npapers_per_page = 1\n")
    write_simple_paper(site, "old", "Old agent paper", date="2025-07-01", tags=["t"])
    write_simple_paper(site, "new", "New agent paper", date="2025-08-11", tags=["t"])
    out = build(site)
    entries = sitemap_entries(out["sitemap.xml"])
    pages = [p for p in out if p.endswith(".html") and not unlisted(p)
             and not p.endswith("/email.html")]  # a digest's email copy: not a page to index
    expected = {BASE + p.removesuffix("index.html") for p in pages}
    assert set(entries) == expected and len(entries) == len(pages)
    assert BASE + "404.html" not in entries and BASE + "saved/" not in entries  # not content
    assert "digest/2025-07/email.html" in out and entries[BASE + "digest/2025-07/"] == "2025-07-01"
    assert all(loc.startswith(BASE) for loc in entries)
    assert entries[BASE] == "2025-08-11"
    assert entries[BASE + "papers/old.html"] == "2025-07-01"
    assert entries[BASE + "2025/07/"] == "2025-07-01"
    assert entries[BASE + "2025/07/01/"] == "2025-07-01"
    assert entries[BASE + "2025/"] == "2025-08-11"
    assert entries[BASE + "tags/t/"] == "2025-08-11"
    assert entries[BASE + "tags/t/page/1/"] == "2025-07-01"  # its own papers, not the tag's
    assert entries[BASE + "tags/"] == "2025-08-11"


def test_sitemap_escapes_and_robots_points_to_it(site: Path):
    out = build(site, base_url="https://example.org/a&b/")
    assert b"https://example.org/a&amp;b/" in out["sitemap.xml"]
    ET.fromstring(out["sitemap.xml"])  # well-formed
    robots = out["robots.txt"].decode()
    assert "User-agent: *" in robots
    assert "Sitemap: https://example.org/a&b/sitemap.xml" in robots


def test_sitemap_is_stable_across_builds(site: Path):
    write_simple_paper(site, "p", "A paper")
    assert build(site)["sitemap.xml"] == build(site)["sitemap.xml"]


def test_escape_is_that_of_saxutils() -> None:
    from xml.sax.saxutils import escape as sax_escape

    from sitegen.render.sitemap import escape

    for text in ("a&b<c>d", "&amp;", "<<>>", "plain/path/", "é & ü"):
        assert escape(text) == sax_escape(text)


def test_sitemap_xml_entries_escape_strip_and_date_each_path() -> None:
    import datetime as dt

    from sitegen.render.sitemap import escape, html_page_url, sitemap_xml
    from sitegen.urls import Urls

    urls = Urls("https://example.org/a&b/")
    paths = ["xindex.html", "index.html", "a&b<c>/index.html", "tags/index.html", "404.html",
             "papers/p.bib", "papers/p.html", "feed.xml", "y/index.htm"]
    dates = {"papers/p.html": dt.date(2025, 8, 1)}
    lastmods = {path: dates.get(path) for path in paths}  # every output put, with its date
    for default in (dt.date(2025, 9, 1), None):
        lines = sitemap_xml(urls, lastmods, default).decode().splitlines()
        expected = []
        for path in sorted(p for p in paths if p.endswith(".html") and p != "404.html"):
            date = lastmods.get(path) or default
            expected.append(f"  <url><loc>{escape(html_page_url(urls, path))}</loc>"
                            + (f"<lastmod>{date.isoformat()}</lastmod>" if date else "")
                            + "</url>")
        assert lines[2:-1] == expected and lines[-1] == "</urlset>"
    # a path is percent-encoded as page links are (issue 20): nothing left for XML to escape
    assert "  <url><loc>https://example.org/a&amp;b/a%26b%3Cc%3E/</loc></url>" in lines
    assert "  <url><loc>https://example.org/a&amp;b/xindex.html</loc></url>" in lines
