"""The search page in Chromium, with the site served under a sub-path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import write_paper

PAPERS = {
    "2408.00001": ("Diffusion Transformers for Video", "We scale diffusion models for video "
                   "generation.", ["video"]),
    "2408.00002": ("Reasoning Agents with Tools", "Language model agents plan and reason over "
                   "tools.", ["agents"]),
    "2408.00003": ("基于注意力机制的视觉语言模型", "我们提出了一种基于注意力机制的新型视觉语言模型。",
                   ["vision"]),
    "2408.00004": ("Efficient <b>Attention</b> & \"Friends\"", "An attention kernel "
                   "<img src=x onerror=alert(1)> for long video.", []),
    "2408.00005": ("ParrotBench: Do Large Language Models Repeat Themselves?", "We measure "
                   "memorisation in large language models.", []),
    "2408.00006": ("Language, Models and Large Corpora", "Dense retrieval over large corpora "
                   "of language.", []),
}


def _front(slug: str, title: str, abstract: str, tags: list[str]) -> str:
    tag_lines = "".join(f"\n- {t}" for t in tags)
    return (f"---\nid: '{slug}'\ntitle: '{title}'\ndate: 2025-08-11\nabstract: '{abstract}'\n"
            f"tags:{tag_lines if tags else ' []'}\n---\n")


@pytest.fixture
def served(site: Path, run_cli, serve_dir) -> str:
    for slug, (title, abstract, tags) in PAPERS.items():
        write_paper(site, slug, _front(slug, title, abstract, tags))
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    return serve_dir(site / "_site", "/sub/")


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(f"{msg.text} {msg.location.get('url')}")
            if msg.type == "error" and "favicon" not in str(msg.location.get("url")) else None)
    page.errors = errors
    yield page
    context.close()


def _search(page, query: str) -> None:
    """Type a query and wait until the page has answered that query."""
    page.fill("#search-q", query)
    page.wait_for_function("q => document.getElementById('search-status').textContent"
                           ".includes('“' + q + '”')", arg=query)


def _titles(page) -> list[str]:
    return page.locator("#search-results a.result-title").all_inner_texts()


@pytest.mark.browser
def test_shared_link_runs_the_query_and_opens_a_result(served: str, page) -> None:
    page.goto(served + "search/?q=diffusion")
    page.wait_for_selector("#search-results > li")
    assert _titles(page) == ["Diffusion Transformers for Video"]
    assert page.input_value("#search-q") == "diffusion"
    assert page.locator("#search-results mark").first.inner_text().lower() == "diffusion"
    assert "1 paper matches" in page.inner_text("#search-status")
    day = page.locator("#search-results time").first  # the day as the pages write it
    assert (day.inner_text(), day.get_attribute("datetime")) == ("August 11, 2025", "2025-08-11")
    assert page.get_attribute("#search-app", "data-engine") == "worker"  # scored off-thread
    page.click("#search-results a.result-title")
    page.wait_for_url("**/sub/papers/2408.00001.html")
    assert page.errors == []


@pytest.mark.browser
def test_typing_updates_results_and_url(served: str, page) -> None:
    page.goto(served + "search/")
    page.fill("#search-q", "attention")
    page.wait_for_function("() => location.search === '?q=attention'")
    page.wait_for_selector("#search-results > li")
    titles = _titles(page)
    assert titles == ['Efficient <b>Attention</b> & "Friends"']  # text, never markup
    assert page.locator("#search-results b, #search-results img").count() == 0
    _search(page, "zzzznotaword")
    assert page.inner_text("#search-status").startswith("No papers match")
    assert _titles(page) == []
    assert page.errors == []


@pytest.mark.browser
def test_chinese_query_finds_the_chinese_paper(served: str, page) -> None:
    page.goto(served + "search/?q=" + quote("注意力"))
    page.wait_for_selector("#search-results > li")
    assert _titles(page) == ["基于注意力机制的视觉语言模型"]
    assert page.locator("#search-results .result-title mark").first.inner_text() == "注意力"
    assert page.errors == []


@pytest.mark.browser
def test_keyboard_slash_arrows_enter(served: str, page) -> None:
    page.goto(served + "search/?q=video")
    page.wait_for_selector("#search-results > li:nth-child(2)")
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.textContent")
    assert second == _titles(page)[1]
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == _titles(page)[0]
    page.keyboard.press("Enter")
    page.wait_for_url("**/sub/papers/**")
    assert page.errors == []


@pytest.mark.browser
def test_invalid_syntax_and_field_queries(served: str, page) -> None:
    page.goto(served + "search/?q=" + quote("title:"))
    page.wait_for_selector("#search-status.error")
    assert page.inner_text("#search-status").startswith("Invalid search:")
    _search(page, "tags:agents")
    assert _titles(page) == ["Reasoning Agents with Tools"]
    _search(page, "+video -diffusion")
    assert _titles(page) == ['Efficient <b>Attention</b> & "Friends"']
    _search(page, "reas*")
    assert _titles(page) == ["Reasoning Agents with Tools"]
    assert page.locator("#search-results mark").first.inner_text() == "Reasoning"
    _search(page, "atention~1")  # fuzzy: the vocabulary file, then the matches' shard
    assert _titles(page) == ['Efficient <b>Attention</b> & "Friends"']
    assert page.errors == []


@pytest.mark.browser
def test_header_form_leads_to_results(served: str, page) -> None:
    page.goto(served)
    page.fill("#site-search", "agents")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/sub/search/?q=agents")
    page.wait_for_selector("#search-results > li")
    assert _titles(page) == ["Reasoning Agents with Tools"]


@pytest.mark.browser
def test_without_javascript_the_page_explains(served: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "search/")
    status = page.inner_text("#search-status")
    assert status.startswith("Search needs JavaScript")
    assert page.locator("#search-status a[href='/sub/archive/']").count() == 1
    assert page.locator("#search-status a[href='/sub/tags/']").count() == 1
    context.close()


LAYOUT_SHIFTS = """window.__shift = 0; new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: 'layout-shift', buffered: true});"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_nothing_moves_as_the_search_starts_and_answers(served: str, browser, width: int) -> None:
    """The page is laid out as the script leaves it: its start (the no-JavaScript note
    replaced), a status line of three lines (the retry's) and a page of results arriving
    shift nothing (cumulative layout shift 0)."""
    for query in ("", "?q=difusion", "?q=video"):
        context = browser.new_context(viewport={"width": width, "height": 740})
        page = context.new_page()
        page.add_init_script(LAYOUT_SHIFTS)
        page.goto(served + "search/" + query)
        page.wait_for_function("() => /papers|Type to search/.test("
                               "document.getElementById('search-status').textContent)")
        if query:
            page.wait_for_selector("#search-results li")
        page.wait_for_timeout(300)  # anything after the answer has been drawn
        assert page.evaluate("window.__shift") == 0, (width, query)
        context.close()


@pytest.mark.browser
def test_a_misspelled_search_is_retried_one_letter_away_and_says_so(served: str, page) -> None:
    page.goto(served + "search/?q=difusion")
    page.wait_for_selector("#search-results li")
    assert _titles(page) == ["Diffusion Transformers for Video"]
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"  # announced by screen readers
    assert status.inner_text() == ("No papers match “difusion”; showing 1 paper for "
                                   "“difusion~1” (words one letter away).")
    page.fill("#search-q", "retreival")
    page.wait_for_function("() => document.getElementById('search-status').textContent"
                           ".includes('retreival~1')")
    assert _titles(page) == ["Language, Models and Large Corpora"]
    assert page.locator("#search-results mark").first.inner_text() == "retrieval"
    assert page.errors == []


@pytest.mark.browser
def test_a_quoted_phrase_needs_every_word_and_ranks_the_phrase_first(served: str, page) -> None:
    page.goto(served + "search/")
    _search(page, '"large language models"')
    # both papers hold the three words; only ParrotBench holds them as a phrase
    assert _titles(page) == ["ParrotBench: Do Large Language Models Repeat Themselves?",
                             "Language, Models and Large Corpora"]
    assert "the 1 with the exact phrase come first" in page.inner_text("#search-status")
    _search(page, '"video agents"')  # every word required: no paper has both
    assert _titles(page) == []
    page.fill("#search-q", '-"large models"')
    page.wait_for_selector("#search-status.error")
    assert "cannot be excluded" in page.inner_text("#search-status")
    assert page.errors == []


@pytest.mark.browser
def test_the_word_being_typed_is_a_prefix(served: str, page) -> None:
    page.goto(served + "search/")
    page.locator("#search-q").press_sequentially("parr", delay=30)
    page.wait_for_function("() => document.getElementById('search-status').textContent"
                           ".includes('“parr”')")
    assert _titles(page) == ["ParrotBench: Do Large Language Models Repeat Themselves?"]
    page.locator("#search-q").press_sequentially("ot", delay=30)
    page.wait_for_function("() => document.getElementById('search-status').textContent"
                           ".includes('“parrot”')")
    assert _titles(page) == ["ParrotBench: Do Large Language Models Repeat Themselves?"]
    assert page.locator("#search-results mark").first.inner_text() == "ParrotBench"
    assert page.errors == []


@pytest.mark.browser
def test_slash_focuses_the_search_box_on_every_page(served: str, page) -> None:
    for path in ("", "papers/2408.00001.html", "tags/"):
        page.goto(served + path)
        page.locator("h1").first.click()
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "site-search", path
        assert page.input_value("#site-search") == ""  # the key is not typed into it
    page.goto(served + "search/")
    page.wait_for_function("() => document.getElementById('search-status').textContent")
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"  # the page's own box
    assert page.errors == []


@pytest.mark.browser
def test_arriving_from_the_header_search_focuses_the_box_with_the_results_read(
        served: str, page) -> None:
    page.goto(served)
    page.fill("#site-search", "agents")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/sub/search/?q=agents")
    page.wait_for_function("() => document.activeElement.id === 'search-q'")
    # the box describes itself by the status line first: a screen reader reads the count
    described = page.get_attribute("#search-q", "aria-describedby").split()
    assert described[0] == "search-status"
    assert page.inner_text("#search-status") == "1 paper matches “agents”."
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Reasoning Agents with Tools"
    page.keyboard.press("Enter")
    page.wait_for_url("**/sub/papers/2408.00002.html")
    assert page.errors == []


def _build_graph_papers(site: Path, run_cli) -> None:
    """23 papers that all hold "graph", more or less often; built."""
    for i in range(23):
        slug = f"2408.{i:05d}"
        write_paper(site, slug, _front(slug, f"Graph paper number {i}",
                                       "graph " * (i % 5 + 1) + "learning.", []))
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err


@pytest.mark.browser
def test_more_results_button_pages_through(site: Path, run_cli, serve_dir, page) -> None:
    _build_graph_papers(site, run_cli)
    base = serve_dir(site / "_site", "/sub/")
    page.goto(base + "search/?q=graph")
    page.wait_for_selector("#search-results > li")
    assert "23 papers match" in page.inner_text("#search-status")
    assert page.locator("#search-results > li").count() == 10
    page.click("#search-more")
    page.wait_for_function("() => document.querySelectorAll('#search-results > li').length === 20")
    page.click("#search-more")
    page.wait_for_function("() => document.querySelectorAll('#search-results > li').length === 23")
    assert page.locator("#search-more").is_hidden()
    assert len(set(_titles(page))) == 23
    assert page.errors == []


@pytest.mark.browser
def test_base_and_recent_segments_with_split_words(site: Path, run_cli, serve_dir, page,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Small segments and heads (8 and 3 papers): the page fetches both segments' shards
    with their own versions, tiers of a split word, and ranks as one index would."""
    import functools

    import sitegen.incremental.searchstore as searchstore

    _build_graph_papers(site, run_cli)
    exact_url = serve_dir(site / "_site", "/sub/")
    page.goto(exact_url + "search/?q=graph")  # one segment, nothing split: exact
    page.wait_for_selector("#search-results > li")
    exact = _titles(page)
    assert len(exact) == 10
    monkeypatch.setattr(searchstore, "Params", functools.partial(searchstore.Params, segment=8,
                                                                 head_docs=3))
    status, _, err = run_cli("build", "--out", str(site / "segmented"), cwd=site)
    assert status == 0, err
    manifest = (site / "segmented" / "search" / "manifest.json").read_text()
    assert '"segment":8' in manifest and '"docs":16' in manifest  # base 16, recent 7
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(serve_dir(site / "segmented", "/sub/") + "search/?q=graph")
    page.wait_for_selector("#search-results > li")
    # ranked from the loaded tiers only: the page says so, and "Rank exactly" fetches the rest
    assert page.locator("#search-approx").is_visible()
    page.click("#search-exact")
    page.wait_for_selector("#search-approx", state="hidden")
    page.wait_for_function("() => document.querySelectorAll('#search-results > li')"
                           ".length === 10")
    assert _titles(page) == exact
    assert any("/search/t/b" in url for url in fetched)
    assert any("/search/t/r" in url for url in fetched)
    assert any("/search/x/b" in url for url in fetched)  # a tier of the split word
    # each segment's files carry its own version: the base's URLs stay when a day is added
    versions = {seg["id"]: seg["v"] for seg in json.loads(manifest)["segments"]}
    for url in fetched:
        if re.search(r"/search/[txmv]/[br]", url):
            segment = url.split("/search/")[1][2]
            assert url.endswith(".json?v=" + versions[segment]), url
    assert page.errors == []


@pytest.mark.browser
def test_a_worker_that_cannot_start_leaves_the_search_to_the_page(site: Path, run_cli,
                                                                   serve_dir, page) -> None:
    """The worker's protocol falls back: a worker script that fails to load (here, missing)
    answers nothing, and the page searches on its own thread instead."""
    for slug, (title, abstract, tags) in PAPERS.items():
        write_paper(site, slug, _front(slug, title, abstract, tags))
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    search_page = site / "_site" / "search" / "index.html"
    html = search_page.read_text(encoding="utf-8")
    search_page.write_text(html.replace('data-worker="/sub/static/js/search-worker.js"',
                                        'data-worker="/sub/static/js/missing-worker.js"'),
                           encoding="utf-8")
    page.goto(serve_dir(site / "_site", "/sub/") + "search/?q=diffusion")
    page.wait_for_selector("#search-results > li")
    assert _titles(page) == ["Diffusion Transformers for Video"]
    assert page.get_attribute("#search-app", "data-engine") == "page"
    page.errors.clear()  # the missing worker script's own 404 is expected
    _search(page, "agents")
    assert _titles(page) == ["Reasoning Agents with Tools"]
    assert page.errors == []
