"""Atom, RSS and JSON feeds, site-wide and per tag (sitegen/feeds.py), read as readers do."""

from __future__ import annotations

import datetime as dt
import html
import html.parser
import json
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from feedtools import build, write_simple_paper

from sitegen.build.pipeline import build_site
from sitegen.config import load_config
from tests.hostile.checks import html_elements_text

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = ('Tom & Jerry <script>alert("x")</script> "quoted" \'single\' '
           '日本語の論文 🚀 $x<y$ </title>]]> &amp;')
BASE = "https://example.org/sub/"
FEEDS = ("feed.xml", "rss.xml", "feed.json")


@pytest.fixture
def papers_site(site: Path) -> Path:
    """Three papers on two days: a hostile one, one with notes and links, one plain."""
    write_simple_paper(
        site, "2408.01234", HOSTILE, date="2025-08-11", id="2408.01234",
        authors=["Ada <Lovelace>", "Zoë & Co", "李雷"],
        abstract="We show $a<b$ and <b>not bold</b> & more.", primary_category="cs.CL",
        tags=["Agents"],
        notes="A [relative](other.html) link, ![img](pic.png), <script>bad()</script> "
              "and [js](javascript:alert(1)).")
    write_simple_paper(site, "second", "Second: a diffusion model", date="2025-08-12",
                       authors=["B. Author"], abstract="A diffusion model for agents.",
                       links=["https://github.com/x/y"])
    write_simple_paper(site, "third", "Third, without authors", date="2025-08-12")
    return site


def text_of(data: bytes) -> str:
    return data.decode("utf-8")


def parsed(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_site_feeds_parse_with_the_expected_entries(papers_site: Path):
    out = build(papers_site)
    for name in ("feed.xml", "rss.xml"):
        feed = parsed(out[name])
        assert feed.version == ("atom10" if name == "feed.xml" else "rss20")
        assert feed.feed.title == "Test Papers"
        assert feed.feed.link == BASE
        titles = [e.title for e in feed.entries]
        # Newest day first, then the day's order (no rank: title order).
        assert titles == ["Second: a diffusion model", "Third, without authors", HOSTILE]
        hostile = feed.entries[2]
        assert hostile.link == BASE + "papers/2408.01234.html"
        assert hostile.id == BASE + "papers/2408.01234/"  # ids keep the old layout
        if name == "feed.xml":
            assert [a["name"] for a in hostile.authors] == ["Ada <Lovelace>", "Zoë & Co", "李雷"]
        else:  # one dc:creator with every name (readers keep only the last of several)
            assert hostile.author == "Ada <Lovelace>, Zoë & Co, 李雷"
        assert hostile.published_parsed[:3] == (2025, 8, 11)
        assert "agents" in [t.term for t in hostile.tags]
        assert feed.entries[0].published_parsed[:3] == (2025, 8, 12)


def test_hostile_title_arrives_as_exact_text_in_every_feed(papers_site: Path):
    out = build(papers_site)
    atom = parsed(out["feed.xml"]).entries[2]
    assert atom.title == HOSTILE and atom.title_detail.type == "text/plain"
    assert parsed(out["rss.xml"]).entries[2].title == HOSTILE
    assert json.loads(out["feed.json"])["items"][2]["title"] == HOSTILE
    # And the raw XML holds it escaped once, as text: no live markup, no CDATA tricks.
    assert "<script>" not in text_of(out["feed.xml"]) and "<script>" not in text_of(out["rss.xml"])


def test_entry_content_is_sanitized_self_contained_html(papers_site: Path):
    out = build(papers_site)
    for name in ("feed.xml", "rss.xml"):
        entry = parsed(out[name]).entries[2]
        content = entry.content[0].value
        assert "<math" in content and "a&lt;b" in content  # formula as MathML
        assert "&lt;b&gt;not bold&lt;/b&gt;" in content  # abstract is text, escaped
        assert "<script" not in content and "javascript:" not in content
        assert 'href="https://example.org/sub/papers/other.html"' in content
        assert 'src="https://example.org/sub/papers/pic.png"' in content
        assert 'href="https://arxiv.org/abs/2408.01234"' in content
        assert 'href="https://example.org/sub/papers/2408.01234.html"' in content
    item = json.loads(out["feed.json"])["items"][2]
    for href in ('"other.html"', '"pic.png"', 'href="/'):
        assert href not in item["content_html"]
    # RSS <description> is read as HTML: the plain-text summary is escaped for that.
    rss = ET.fromstring(out["rss.xml"])
    descriptions = [i.findtext("description") for i in rss.iter("item")]
    assert "We show $a&lt;b$ and &lt;b&gt;not bold&lt;/b&gt; &amp; more." in descriptions


def test_atom_has_every_element_the_specification_requires(papers_site: Path):
    root = ET.fromstring(build(papers_site)["feed.xml"])
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1
    assert root.findtext(f"{ATOM}updated") == "2025-08-12T00:00:00+00:00"  # newest entry
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": BASE + "feed.xml", "alternate": BASE}
    assert root.find(f"{ATOM}link[@rel='self']").get("type") == "application/atom+xml"
    # A feed needs an author unless every entry has one (the third paper has none).
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Test Papers"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary", "content"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert entry.find(f"{ATOM}link").get("rel", "alternate") == "alternate"
        assert entry.find(f"{ATOM}content").get("type") == "html"


def test_rss_has_every_element_the_specification_requires(papers_site: Path):
    root = ET.fromstring(build(papers_site)["rss.xml"])
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "Test Papers"
    assert channel.findtext("link") == BASE
    assert channel.findtext("description")
    assert channel.findtext("lastBuildDate") == "Tue, 12 Aug 2025 00:00:00 +0000"
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + "rss.xml"
    assert self_link.get("type") == "application/rss+xml"
    for item in channel.findall("item"):
        assert item.findtext("title") and item.findtext("link").startswith(BASE)
        # Ids keep the folder layout's URL (stable across the switch to flat pages).
        assert item.findtext("guid") == item.findtext("link").removesuffix(".html") + "/"
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.findtext("pubDate").endswith("00:00:00 +0000")


def test_json_feed_follows_version_1_1(papers_site: Path):
    feed = json.loads(build(papers_site)["feed.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Test Papers"
    assert feed["home_page_url"] == BASE and feed["feed_url"] == BASE + "feed.json"
    assert isinstance(feed["items"], list) and len(feed["items"]) == 3
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item["url"].startswith(BASE)
        assert item.get("content_html") or item.get("content_text")
        dt.datetime.fromisoformat(item["date_published"])  # RFC 3339
        for author in item.get("authors", []):
            assert set(author) == {"name"}
    assert feed["items"][0]["authors"] == [{"name": "B. Author"}]
    assert "authors" not in feed["items"][1]


def test_feeds_are_byte_identical_across_builds(papers_site: Path):
    first, second = build(papers_site), build(papers_site)
    feed_paths = [p for p in first if p.endswith((".xml", ".json")) or p.endswith("rss.xml")]
    assert "tags/agents/feed.xml" in feed_paths and "sitemap.xml" in feed_paths
    for path in feed_paths:
        assert first[path] == second[path], path


def test_entry_ids_survive_a_move_when_id_base_is_set(papers_site: Path):
    config = papers_site / "sitegen.toml"
    config.write_text(config.read_text() + '\n[feeds]\nid_base = "https://example.org/sub/"\n')
    old = parsed(build(papers_site)["feed.xml"])
    new = parsed(build(papers_site, base_url="https://papers.example.com/")["feed.xml"])
    assert [e.id for e in old.entries] == [e.id for e in new.entries]
    assert new.feed.id == old.feed.id
    assert [e.link for e in new.entries][0] == "https://papers.example.com/papers/second.html"


def test_limit_keeps_the_newest_papers(papers_site: Path):
    config = papers_site / "sitegen.toml"
    config.write_text(config.read_text() + "\n[feeds]\nlimit = 1\ndays = 1\n")
    out = build(papers_site)
    # the newest day's two papers (all of a day within `days`), not the older one
    assert [e.title for e in parsed(out["feed.xml"]).entries] == ["Second: a diffusion model",
                                                                 "Third, without authors"]
    assert len(parsed(out["rss.xml"]).entries) == 2
    assert len(json.loads(out["feed.json"])["items"]) == 2


def test_every_tag_has_atom_and_rss_feeds_of_its_papers(papers_site: Path):
    out = build(papers_site)
    tags = {p.split("/")[1] for p in out if p.startswith("tags/") and p.count("/") == 2}
    assert {"agents", "diffusion", "nlp"} <= tags
    for slug in tags:
        atom, rss = parsed(out[f"tags/{slug}/feed.xml"]), parsed(out[f"tags/{slug}/rss.xml"])
        assert atom.entries and [e.id for e in atom.entries] == [e.id for e in rss.entries]
        assert atom.feed.link == f"{BASE}tags/{slug}/"
    agents = parsed(out["tags/agents/feed.xml"])
    assert agents.feed.title == "Test Papers: agents"
    assert [e.title for e in agents.entries] == ["Second: a diffusion model", HOSTILE]
    self_href = [link.href for link in agents.feed.links if link.rel == "self"]
    assert self_href == [BASE + "tags/agents/feed.xml"]


def test_empty_site_feeds_are_valid_and_dated_from_source_date_epoch(
        site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = build(site)
    atom = parsed(out["feed.xml"])
    assert atom.entries == [] and atom.feed.updated == "2023-11-14T22:13:20+00:00"
    assert parsed(out["rss.xml"]).entries == []
    assert json.loads(out["feed.json"])["items"] == []


def test_control_characters_in_titles_do_not_break_the_feeds(site: Path):
    write_simple_paper(site, "ctl", "Bell\x07 and\x0b tab\t title", abstract="x\x00y")
    out = build(site)  # control characters are removed when the store is read (textclean.py)
    for name in ("feed.xml", "rss.xml"):
        assert [e.title for e in parsed(out[name]).entries] == ["Bell and tab\t title"]
    assert json.loads(out["feed.json"])["items"][0]["title"] == "Bell and tab\t title"


class _Alternates(html.parser.HTMLParser):
    """Collect <link rel="alternate"> elements the way feed readers do."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link" and "alternate" in values.get("rel", "").split():
            self.links.append(values)


def fetch(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.read()


def discover(page_url: str) -> list[dict[str, str]]:
    parser = _Alternates()
    parser.feed(fetch(page_url).decode("utf-8"))
    return [{**link, "href": urljoin(page_url, link["href"])} for link in parser.links]


def test_feed_reader_finds_feeds_by_autodiscovery_under_a_sub_path(
        papers_site: Path, serve_dir, tmp_path: Path):
    out = tmp_path / "out"
    base = serve_dir(out, "/repo/")
    build_site(load_config(papers_site).with_base_url(base), out)

    home_links = discover(base)
    types = [link["type"] for link in home_links]
    assert types[:3] == ["application/atom+xml", "application/rss+xml", "application/feed+json"]
    for link in home_links:
        data = fetch(link["href"])
        if link["type"] == "application/feed+json":
            items = json.loads(data)["items"]
            urls_titles = [(i["url"], i["title"]) for i in items]
        else:
            entries = parsed(data).entries
            urls_titles = [(e.link, e.title) for e in entries]
        assert [t for _, t in urls_titles][2] == HOSTILE
        for url, title in urls_titles:  # every entry opens its own page under the sub-path
            assert url.startswith(base + "papers/")
            page = fetch(url).decode("utf-8")
            # the heading renders `$...$` math: read as TeX, it is the title
            assert html_elements_text(page, "h1", tex=True) == [title]

    tag_links = discover(base + "tags/agents/")
    assert tag_links[0]["type"] == "application/atom+xml"
    assert tag_links[0]["href"] == base + "tags/agents/feed.xml"
    assert tag_links[1]["href"] == base + "tags/agents/rss.xml"
    tag_feed = parsed(fetch(tag_links[0]["href"]))
    assert [e.title for e in tag_feed.entries] == ["Second: a diffusion model", HOSTILE]
    # The tag page also shows its feeds as visible links.
    tag_page = fetch(base + "tags/agents/").decode("utf-8")
    assert 'href="/repo/tags/agents/feed.xml"' in tag_page
    assert 'href="/repo/tags/agents/rss.xml"' in tag_page



def test_feeds_put_together_from_entries_are_feedgens_own(papers_site: Path):
    # FeedWriter writes each entry's XML once and joins them: the bytes must be those
    # feedgen writes for the whole feed, for every feed, entries or none.
    from sitegen.model import Tag
    from sitegen.render.feedids import FeedIds
    from sitegen.render.feeds import FeedWriter, atom_feed, make_entry, rss_feed, tag_feed_info
    from sitegen.site.assemble import assemble
    from sitegen.store.papers import load_papers
    from sitegen.urls import Urls

    config = load_config(papers_site)
    urls = Urls(config.site["base_url"])
    site = assemble(load_papers(papers_site)[0], lambda p: p.tags)
    entries = [make_entry(p, urls, FeedIds("", BASE)) for p in site.papers]
    writer = FeedWriter(config)
    tag = Tag("agents", "agents", site.papers)
    info = tag_feed_info(tag, config, urls, FeedIds("", BASE))
    for chosen in (entries, entries[1:], entries[:1], [], entries[::-1]):
        assert writer.document("atom", info, chosen) == atom_feed(info, config, chosen)
        assert writer.document("rss", info, chosen) == rss_feed(info, config, chosen)
    assert not writer.whole and set(writer.xml["atom"]) == {e.id for e in entries}
    writer.whole = True  # the fallback writes whole feeds
    assert writer.document("rss", info, entries) == rss_feed(info, config, entries)


def test_the_feed_cache_reuses_entries_and_headers_and_gives_the_same_feeds(
        papers_site: Path, tmp_path: Path, monkeypatch):
    from sitegen.incremental.feedcache import FeedCache
    from sitegen.render import feeds
    from sitegen.site.assemble import assemble
    from sitegen.store.papers import load_papers
    from sitegen.urls import Urls

    config = load_config(papers_site)
    urls = Urls(config.site["base_url"])

    def outputs(cache=None, refresh=False):
        site = assemble(load_papers(papers_site)[0], lambda p: p.tags)
        store = FeedCache(cache, refresh) if cache is not None else None
        return {o.path: o.data for o in feeds.feed_outputs(site, config, urls, store)}

    plain = outputs()
    cache = tmp_path / "feeds.pickle"
    assert outputs(cache=cache) == plain and cache.exists()
    made = []
    original = feeds.make_entry
    monkeypatch.setattr(feeds, "make_entry", lambda p, *a: made.append(p.slug) or original(p, *a))
    writers = dict(feeds._WRITERS)
    monkeypatch.setattr(feeds, "_WRITERS", {k: lambda *a, _k=k: pytest.fail(f"{_k} header")
                                            for k in writers})
    assert outputs(cache=cache) == plain and made == []  # nothing made again
    monkeypatch.setattr(feeds, "_WRITERS", writers)
    write_simple_paper(papers_site, "third", "Third, renamed", date="2025-08-12")
    changed = outputs(cache=cache)
    assert made == ["third"] and b"Third, renamed" in changed["feed.xml"]
    monkeypatch.setattr(feeds, "make_entry", original)
    assert changed == outputs()  # as made without a cache
    made.clear()
    monkeypatch.setattr(feeds, "make_entry", lambda p, *a: made.append(p.slug) or original(p, *a))
    assert outputs(cache=cache, refresh=True) == changed and len(made) == 3
    # Another base URL: every entry anew (their links change).
    moved = {o.path: o.data for o in feeds.feed_outputs(
        assemble(load_papers(papers_site)[0], lambda p: p.tags),
        config.with_base_url("https://example.org/moved/"), Urls("https://example.org/moved/"),
        FeedCache(cache))}
    assert len(made) == 6 and b"/moved/papers/" in moved["feed.xml"]


def test_a_header_retimed_is_feedgens_header_for_the_new_date(papers_site: Path):
    # A tag's feed changes date with each new paper: its kept header gets the new date
    # written in, which must be byte for byte what feedgen writes for that date, whatever
    # the texts (even a title holding the date element itself, escaped by feedgen).
    import datetime as dt

    from sitegen.render.feeds import _DOC_END, _WRITERS, FeedInfo, retimed

    config = load_config(papers_site)

    def head(kind, info, when):
        empty = _WRITERS[kind](info, config, [], when)
        return empty[:len(empty) - len(_DOC_END[kind])]

    tricky = "<updated>2025-01-02T00:00:00+00:00</updated> & <lastBuildDate>"
    infos = [FeedInfo("Plain", "", "https://e.org/", "https://e.org/", "https://e.org/a.xml",
                      "https://e.org/r.xml"),
             FeedInfo(tricky, "Thu, 02 Jan 2025 00:00:00 +0000", "https://e.org/t/",
                      "https://e.org/t/", "https://e.org/t/a.xml", "https://e.org/t/r.xml")]
    dates = [dt.datetime(2025, 1, 2, tzinfo=dt.UTC), dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
             dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 28, tzinfo=dt.UTC)]
    for kind in ("atom", "rss"):
        for info in infos:
            for old in dates:
                for new in dates:
                    made = retimed(kind, head(kind, info, old), old, new)
                    assert made == head(kind, info, new), (kind, info.title, old, new)
        twice = head(kind, infos[0], dates[0]) * 2  # the element found twice: not retimed
        assert retimed(kind, twice, dates[0], dates[1]) is None
