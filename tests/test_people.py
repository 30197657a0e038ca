"""Authors' and organisations' pages, their feeds and the authors index (issue 18, items
2-5): who gets a page, merged spellings, stable slugs, the watch list, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from feedtools import build, write_simple_paper

from sitegen.config import parse_config
from sitegen.errors import ConfigError
from sitegen.model import Paper
from sitegen.render.feedentry import FeedInfo
from sitegen.render.feeds import atom_feed
from sitegen.render.peoplefeeds import Headers
from sitegen.site.people import authors_of, people_rules, person_key
from sitegen.urls import person_slug

BASE = "https://example.org/sub/"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Zoë <script>alert("x")</script> & "Co" ../../etc 日本'


def config_with(site: Path, authors: str) -> None:
    path = site / "sitegen.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[authors]\n" + authors,
                    encoding="utf-8")


def paper(slug: str, date: str, *authors: str) -> Paper:
    import datetime as dt

    return Paper(slug=slug, title=slug, date=dt.date.fromisoformat(date), authors=authors)


def test_a_name_folds_case_accents_punctuation_and_spacing() -> None:
    assert person_key("  José   García ") == person_key("jose garcia") == "jose garcia"
    assert person_key("Y. LeCun") == "y lecun"
    assert person_key("O'Brien-Smith") == "o brien smith"
    assert person_key("<>!") == ""
    assert person_slug(person_key("Yann LeCun")) == "yann-lecun"
    cjk = person_slug(person_key("李雷"))
    assert re.fullmatch(r"author-[0-9a-f]{8}", cjk)


def test_min_papers_decides_who_has_a_page() -> None:
    papers = [paper("a", "2025-08-12", "Ann Lee", "Bo Chen"), paper("b", "2025-08-11", "ann lee")]
    two = authors_of(papers, people_rules({"min_papers": 2}))
    assert [(p.name, p.slug, len(p.papers)) for p in two] == [("Ann Lee", "ann-lee", 2)]
    one = authors_of(papers, people_rules({"min_papers": 1}))
    assert [p.slug for p in one] == ["ann-lee", "bo-chen"]


def test_aliases_merge_spellings_under_one_name_and_slug() -> None:
    papers = [paper("a", "2025-08-12", "Y. LeCun"), paper("b", "2025-08-11", "Yann LeCun"),
              paper("c", "2025-08-10", "Yann Le Cun")]
    for aliases in ({"Y. LeCun": "Yann LeCun", "Yann Le Cun": "Yann LeCun"},
                    {"Yann LeCun": ["Y. LeCun", "Yann Le Cun"]}):
        people = authors_of(papers, people_rules({"aliases": aliases}))
        assert [(p.name, p.slug) for p in people] == [("Yann LeCun", "yann-lecun")]
        assert [x.slug for x in people[0].papers] == ["a", "b", "c"]
    apart = authors_of(papers, people_rules({"min_papers": 1}))
    assert len(apart) == 3


@pytest.mark.parametrize("authors, message", [
    ('min_papers = 0\n', "min_papers must be at least 1"),
    ('papers_per_page = 0\n', "papers_per_page must be at least 1"),
    ('aliases = { "A. B" = "Ann B", "Ann B" = "Ann Bee" }\n', "itself another spelling"),
    ('aliases = { "A. B" = "!!" }\n', "is not a name"),
    ('watch = ["Ann", 3]\n', "must be a name or a list of names"),
])
def test_bad_authors_settings_name_the_key_and_line(authors: str, message: str) -> None:
    text = '[site]\nbase_url = "https://example.org/"\n\n[authors]\n' + authors
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in caught.value.message
    assert caught.value.line == 5


@pytest.fixture
def people_site(site: Path) -> Path:
    """Ann Lee on three days (once as "ANN LEE"), Bo Chen twice, a hostile name twice,
    Cy once."""
    write_simple_paper(site, "p1", "One", date="2025-08-10", authors=["Ann Lee", HOSTILE])
    write_simple_paper(site, "p2", "Two", date="2025-08-11",
                       authors=["ANN LEE", "Bo Chen", HOSTILE], abstract="About $x<y$ & more.")
    write_simple_paper(site, "p3", "Three", date="2025-08-12", authors=["Ann Lee", "Bo Chen"],
                       rank=1)
    write_simple_paper(site, "p4", "Four", date="2025-08-12", authors=["Cy Dee"], rank=2)
    return site


def test_author_pages_list_their_papers_and_link_their_feed(people_site: Path) -> None:
    out = build(people_site)
    page = out["authors/ann-lee/index.html"].decode()
    assert page.count('href="/sub/papers/') == 3 and "3 papers" in page
    assert ('<link rel="alternate" type="application/atom+xml" title="Test Papers: Ann Lee '
            '(Atom)" href="https://example.org/sub/authors/ann-lee/feed.xml">') in page
    assert "authors/bo-chen/index.html" in out
    assert not any(path.startswith("authors/cy-dee") for path in out)  # one paper
    index = out["authors/index.html"].decode()
    listed = re.findall(r'<li><a href="/sub/authors/([^/]+)/">', index)
    assert listed[0] == "ann-lee" and set(listed[1:]) == {"bo-chen", person_slug(
        person_key(HOSTILE))}
    assert 'href="/sub/authors/"' in out["index.html"].decode()  # the header links it


def test_author_feeds_are_valid_atom_with_the_site_feeds_entry_ids(people_site: Path
                                                                    ) -> None:
    out = build(people_site)
    feed = feedparser.parse(out["authors/ann-lee/feed.xml"])
    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.title == "Test Papers: Ann Lee"
    assert feed.feed.link == BASE + "authors/ann-lee/"
    assert [e.title for e in feed.entries] == ["Three", "Two", "One"]
    site_ids = {e.title: e.id for e in feedparser.parse(out["feed.xml"]).entries}
    assert all(site_ids[e.title] == e.id for e in feed.entries)
    assert all(e.link.startswith(BASE + "papers/") for e in feed.entries)
    root = ET.fromstring(out["authors/ann-lee/feed.xml"])
    assert root.findtext(f"{ATOM}id") == BASE + "authors/ann-lee/"
    assert root.findtext(f"{ATOM}updated") == "2025-08-12T00:00:00+00:00"
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "summary", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name


def test_hostile_names_are_escaped_in_pages_feeds_and_file_names(people_site: Path) -> None:
    out = build(people_site)
    slug = person_slug(person_key(HOSTILE))
    assert re.fullmatch(r"[a-z0-9-]+", slug) and ".." not in slug
    page = out[f"authors/{slug}/index.html"].decode()
    assert "<script>" not in page and "Zoë &lt;script&gt;" in page
    feed = feedparser.parse(out[f"authors/{slug}/feed.xml"])
    assert not feed.bozo and feed.feed.title == "Test Papers: " + HOSTILE
    assert b"<script>" not in out[f"authors/{slug}/feed.xml"]
    assert "<script>" not in out["authors/index.html"].decode()


@pytest.mark.parametrize("name", [HOSTILE, "A\rB\tC", "plain", "]]> &amp; <!-- x -->"])
def test_a_feed_header_is_the_bytes_feedgen_writes(name: str) -> None:
    config = parse_config(f'[site]\ntitle = "T & <b>"\nbase_url = "{BASE}"\n')
    info = FeedInfo(f"T: {name}", f"Papers by {name}", BASE + 'authors/a%22b/',
                    BASE + "authors/x/", BASE + "authors/a&b/feed.xml", "")
    import datetime as dt

    when = dt.datetime(2025, 8, 12, tzinfo=dt.UTC)
    expected = atom_feed(info, config, [], when)[:-len(b"</feed>\n")]
    assert Headers(config).header(info, when) == expected


def test_watched_people_always_have_a_page_and_their_papers_come_first(people_site: Path
                                                                       ) -> None:
    config_with(people_site, 'watch = ["Cy Dee", "Nobody Yet"]\n')
    out = build(people_site)
    assert "authors/cy-dee/feed.xml" in out and "authors/nobody-yet/feed.xml" in out
    nobody = out["authors/nobody-yet/index.html"].decode()
    assert "0 papers yet" in nobody and "watched" in nobody
    assert not feedparser.parse(out["authors/nobody-yet/feed.xml"]).bozo
    day = out["2025/08/12/index.html"].decode()
    assert day.index(">Four<") < day.index(">Three<")  # pinned before the rank order
    plain = build_without_watch(people_site)
    assert plain.index(">Three<") < plain.index(">Four<")


def build_without_watch(site: Path) -> str:
    path = site / "sitegen.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'watch = ["Cy Dee", "Nobody Yet"]\n', ""), encoding="utf-8")
    return build(site)["2025/08/12/index.html"].decode()


def test_a_new_author_never_moves_an_existing_page(people_site: Path) -> None:
    before = {p for p in build(people_site) if p.startswith("authors/")}
    for number, name in enumerate(("ann-lee", "Ann  Lee.", "Bo Chen Jr", "bo chen 2"), 5):
        write_simple_paper(people_site, f"p{number}", f"New {number}", date="2025-08-13",
                           authors=[name, "Someone New"])
    after = {p for p in build(people_site) if p.startswith("authors/")}
    assert before <= after  # every page and feed is still where it was
    assert "authors/someone-new/index.html" in after


def test_pages_paginate_stably(people_site: Path) -> None:
    config_with(people_site, "papers_per_page = 1\n")
    out = build(people_site)
    # three papers, one a page: the main page shows the newest, pages 2 and 1 the others
    for path, slug in (("index.html", "p3"), ("page/2/index.html", "p2"),
                       ("page/1/index.html", "p1")):
        page = out["authors/ann-lee/" + path].decode()
        assert page.count('href="/sub/papers/') == 1 and f"/sub/papers/{slug}.html" in page
    assert "authors/ann-lee/page/3/index.html" not in out


def test_a_new_day_remakes_only_the_author_pages_it_changes(people_site: Path) -> None:
    from test_incremental import assert_same_as_clean
    from test_incremental import build as build_cached

    config_with(people_site, 'papers_per_page = 1\naliases = { "Bo Chen" = "Ann Lee" }\n')
    build_cached(people_site)
    write_simple_paper(people_site, "p5", "Five", date="2025-08-13", authors=["Ann Lee"])
    write_simple_paper(people_site, "p6", "Six", date="2025-08-13", authors=["Cy Dee"])
    result = build_cached(people_site)
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    made = {o.path for o in result.outputs if type(o).__name__ == "Made"}
    assert "authors/ann-lee/page/1/index.html" in kept  # settled: the oldest paper
    assert "authors/ann-lee/index.html" in made  # the new paper is on it
    assert "authors/cy-dee/index.html" in made  # a new page (2 papers now)
    # old papers' links never change with a new day: their pages are kept
    assert {"papers/p1.html", "papers/p2.html", "papers/p4.html"} <= kept
    assert_same_as_clean(people_site)


def test_author_names_link_to_their_page_from_the_day_they_have_one(people_site: Path
                                                                   ) -> None:
    out = build(people_site)
    first, second = (out[f"papers/{slug}.html"].decode() for slug in ("p1", "p2"))
    assert "<p class=\"authors\">Ann Lee, " in first and 'href="/sub/authors/ann-lee/"' not in first
    assert '<a href="/sub/authors/ann-lee/">ANN LEE</a>' in second
    assert '<a href="/sub/authors/bo-chen/">' not in second  # his first paper
    assert '<a href="/sub/authors/bo-chen/">Bo Chen</a>' in out["papers/p3.html"].decode()
    hostile = person_slug(person_key(HOSTILE))
    assert f'<a href="/sub/authors/{hostile}/">Zoë &lt;script&gt;' in second
    assert "/sub/authors/cy-dee/" not in out["papers/p4.html"].decode()
    config_with(people_site, 'watch = ["Cy Dee", "Ann Lee"]\n')
    watched = build(people_site)
    assert '<a href="/sub/authors/cy-dee/">Cy Dee</a>' in watched["papers/p4.html"].decode()
    assert '<a href="/sub/authors/ann-lee/">Ann Lee</a>' in watched["papers/p1.html"].decode()


def test_cards_link_authors_to_their_pages_and_mark_the_watched(people_site: Path) -> None:
    config_with(people_site, 'watch = ["Cy Dee"]\n')
    out = build(people_site)
    day = out["2025/08/12/index.html"].decode()
    assert '<a class="author" href="/sub/authors/ann-lee/">Ann Lee</a>' in day
    four = day[day.index(">Four<"):day.index("</article>", day.index(">Four<"))]
    assert "watched author" in four and "watched author" not in day[day.index(">Three<"):]
    person = out["authors/ann-lee/index.html"].decode()
    assert person.count('class="card card-row"') == 3


def test_organisations_have_pages_feeds_and_an_index(site: Path) -> None:
    for number, (name, handle) in enumerate((("Google DeepMind", "google-deepmind"),
                                             ("Google Deepmind", "google-deepmind"),
                                             ("Solo Lab", None)), 1):
        write_simple_paper(site, f"o{number}", f"Org {number}", date=f"2025-08-1{number}",
                           organization=name, **({"organization_handle": handle}
                                                 if handle else {}))
    out = build(site)
    page = out["orgs/google-deepmind/index.html"].decode()
    assert "2 papers" in page and "Google Deepmind" in page  # the newest spelling wins a tie
    assert not any(path.startswith("orgs/solo-lab") for path in out)
    feed = feedparser.parse(out["orgs/google-deepmind/feed.xml"])
    assert not feed.bozo and [e.title for e in feed.entries] == ["Org 2", "Org 1"]
    assert "/sub/orgs/google-deepmind/" in out["orgs/index.html"].decode()
    # named on cards and paper pages, linked from the day it has a page (its second paper)
    link = '<a href="/sub/orgs/google-deepmind/">Google Deepmind</a>'
    assert link in out["papers/o2.html"].decode() and link in out["2025/08/12/index.html"].decode()
    first = out["papers/o1.html"].decode()
    assert "/sub/orgs/" not in first and 'href="https://huggingface.co/google-deepmind"' in first


def test_people_feeds_keep_the_atom_grammar(people_site: Path) -> None:
    import feedtools

    problems = getattr(feedtools, "atom_grammar_problems", None)
    if problems is None:  # the grammar comes with the digests work (tests/fixtures/atom.rng)
        pytest.skip("tests/feedtools.atom_grammar_problems is not on this branch yet")
    config_with(people_site, 'watch = ["Nobody Yet"]\n')  # a feed with no entries
    for number in (5, 6):
        write_simple_paper(people_site, f"p{number}", f"Org {number}", date="2025-08-13",
                           organization=HOSTILE)
    out = build(people_site)
    feeds = [path for path in out if path.endswith("/feed.xml")
             and path.startswith(("authors/", "orgs/"))]
    assert "authors/nobody-yet/feed.xml" in feeds and any(p.startswith("orgs/") for p in feeds)
    assert {path: problems(out[path]) for path in feeds} == {path: [] for path in feeds}
