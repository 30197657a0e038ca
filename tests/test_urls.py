"""Slugs, URLs under a sub-path, and output paths that stay inside the output folder."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.errors import OutputError
from sitegen.urls import (
    Urls,
    checked_output_path,
    paper_slug,
    short_hash,
    slugify,
    strip_arxiv_version,
    tag_slug,
)


@given(st.text())
def test_paper_slugs_are_never_empty_or_unsafe(title):
    slug = paper_slug(title)
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug
    assert slug == slug.encode("ascii", "ignore").decode()


@given(st.text())
def test_tag_slugs_are_safe(name):
    slug = tag_slug(name)
    assert slug and all(c.isalnum() or c == "-" for c in slug) and slug.isascii()


def test_cjk_title_gets_a_usable_fallback_and_slugs_are_stable():
    assert paper_slug("大型语言模型").startswith("paper-")
    assert paper_slug("大型语言模型") == paper_slug("大型语言模型")
    assert paper_slug("大型语言模型") != paper_slug("扩散模型")
    assert paper_slug("../../etc/passwd").startswith("etc-passwd-")
    assert paper_slug("X", "cs/0112017") == "cs-0112017"


def test_arxiv_version_is_stripped():
    assert strip_arxiv_version("2408.01234v3") == "2408.01234"


def test_urls_under_a_sub_path():
    urls = Urls("https://user.github.io/repo/")
    day = dt.date(2025, 8, 1)
    assert urls.url("home") == "/repo/"
    assert urls.url("home", None, 2) == "/repo/page/2/"
    assert urls.url("home", None, 1) == "/repo/page/1/"  # numbered pages count from the oldest
    assert urls.url("tag", "a b", 1) == "/repo/tags/a%20b/page/1/"
    assert urls.output_path("tag", "a b", 3) == "tags/a b/page/3/index.html"
    assert urls.url("tag", "a b") == "/repo/tags/a%20b/"  # the memo keeps quoted and file forms
    assert urls.url("day", day) == "/repo/2025/08/01/"
    assert urls.url("month", (2025, 8)) == "/repo/2025/08/"
    assert urls.url("paper", "2408.01234") == "/repo/papers/2408.01234.html"
    assert urls.absolute("atom") == "https://user.github.io/repo/feed.xml"
    assert urls.output_path("day", day) == "2025/08/01/index.html"
    assert urls.output_path("home") == "index.html"
    assert Urls("https://example.org").url("tags") == "/tags/"


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a\\b", "", "C:/x", "a\x00"])
def test_output_paths_that_leave_the_folder_are_refused(bad):
    with pytest.raises(OutputError):
        checked_output_path(bad)


_stem = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30) \
    .filter(lambda s: "/" not in s and not s.startswith("."))


@given(_stem)
def test_a_link_decodes_to_the_file_it_names(stem):
    # A hand-written file's stem is its slug: the percent-encoded link, decoded by the
    # server, must name the file the page is written to (or the path is refused).
    from urllib.parse import unquote
    urls = Urls("https://user.github.io/repo/")
    link = urls.url("paper", stem)
    assert link.isascii() and " " not in link and "#" not in link[len("/repo/"):]
    try:
        path = urls.output_path("paper", stem)
    except OutputError:
        assert "\\" in stem or stem in (".", "..")
        return
    assert unquote(link)[len("/repo/"):] == path
    assert path.startswith("papers/") and ".." not in path.split("/")


# --- slugs that never move (tags now; authors and organisations later) ----------------------

def test_a_plain_name_is_its_own_slug() -> None:
    from sitegen.urls import stable_slug

    for name, slug in [("agents", "agents"), ("reinforcement learning", "reinforcement-learning"),
                       ("vision-language", "vision-language"), ("cs.cl", "cs-cl"),
                       ("3d", "3d"), ("zero_shot", "zero-shot")]:
        assert stable_slug(name) == slug


def test_adding_a_tag_never_takes_another_tags_page(run_cli, site) -> None:
    """The bug: tags `c++` and then `c`; numbering by name gave `c` the page of `c++`."""
    from conftest import write_paper

    write_paper(site, "one", "---\ntitle: One\ndate: 2025-08-11\ntags: [c++]\n---\n")
    assert run_cli("build", cwd=site)[0] == 0
    cpp = sorted(p.name for p in (site / "_site" / "tags").iterdir() if p.is_dir())
    assert cpp == [f"c-{short_hash('c++')}"]
    feed = (site / "_site" / "tags" / cpp[0] / "feed.xml").read_bytes()
    write_paper(site, "two", "---\ntitle: Two\ndate: 2025-08-12\ntags: [c]\n---\n")
    assert run_cli("build", cwd=site)[0] == 0
    assert (site / "_site" / "tags" / cpp[0] / "feed.xml").read_bytes() == feed
    new = (site / "_site" / "tags" / "c" / "feed.xml").read_text()
    assert "<title>Two</title>" in new and "<title>One</title>" not in new


@pytest.mark.parametrize("name", ["c++", "c#", "café", "GPT", "a  b", "-x", "x" * 61,
                                  "扩散模型", "../x", "a/b"])
def test_any_other_name_gets_a_hash_of_itself(name: str) -> None:
    from sitegen.urls import stable_slug

    slug = stable_slug(name)
    assert slug.endswith(short_hash(name)) and re.fullmatch(r"[a-z0-9-]+", slug)
    assert stable_slug(name, "author").startswith("author-") == (slugify(name) == "")


def test_twins_differing_only_in_a_separator_share_one_page() -> None:
    from sitegen.model import Paper
    from sitegen.site.assemble import assemble

    a = Paper(slug="a", title="A", date=dt.date(2025, 8, 11), tags=("self-supervised",))
    b = Paper(slug="b", title="B", date=dt.date(2025, 8, 12), tags=("self supervised",))
    (tag,) = assemble([a, b], None).tags
    assert (tag.name, tag.slug, tag.aliases) == ("self supervised", "self-supervised",
                                                 ("self-supervised",))
    assert [p.slug for p in tag.papers] == ["b", "a"]
