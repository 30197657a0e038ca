"""A reader's own picks in Chromium (picks.js, saved.js; docs/picks.md), on a site served
under a sub-path: save and mark read on the cards, kept across pages; the Saved page lists
papers saved elsewhere from the search doc store, finds them when their search numbers
moved, exports a .bib that pybtex reads in strict mode; highlighting of the reader's
keywords and authors; only the site's own files requested; nothing moves; without
JavaScript nothing is broken and no button shows."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import write_paper

from tests.conftest import REPO, require_node
from tests.sitecheck import LAYOUT_SHIFT, axe_violations

pytestmark = pytest.mark.browser

NAMES = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov")
WORDS = ("Diffusion", "Agents", "Reasoning", "Video", "Retrieval", "Attention")
KEY = "sitegen-picks:/sub/"


def _paper(i: int) -> tuple[str, str, str, list[str]]:
    """Paper i of 60 (ten a day, 2025-08-04 to 09): id, title, date, authors."""
    authors = [NAMES[(i + k) % 5] for k in range(1 + i % 5)]
    return (f"2508.{i:05d}", f"{WORDS[i % 6]} study number {i}", f"2025-08-{4 + i // 10:02d}",
            authors)


@pytest.fixture
def served(site: Path, run_cli, serve_dir) -> str:
    """60 papers over six days (eight doc-store buckets), plus two papers with the same
    BibTeX key (first author, year, first title word)."""
    for i in range(60):
        arxiv_id, title, date, authors = _paper(i)
        write_paper(site, arxiv_id, f"---\nid: '{arxiv_id}'\ntitle: '{title}'\ndate: {date}\n"
                    f"authors: {json.dumps(authors)}\nabstract: 'We study "
                    f"{WORDS[i % 6].lower()} at scale. More follows.'\n"
                    f"tags: [{WORDS[(i + 1) % 6].lower()}]\n---\n")
    for n, title in ((1, "Twins: one"), (2, "Twins: two")):
        write_paper(site, f"twin-{n}", f"---\ntitle: '{title}'\ndate: 2025-08-07\n"
                    "authors: [Kurt Twin]\n---\n")
    config = site / "sitegen.toml"  # a watched author: a ★ in the card's title
    config.write_text(config.read_text() + '\n[authors]\nwatch = ["Alan Turing"]\n')
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    return serve_dir(site / "_site", "/sub/")


@pytest.fixture
def context(browser):
    """A browser context whose pages record script errors and every request they make."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.errors, context.requests = [], []
    context.on("page", lambda page: _watch(context, page))
    yield context
    context.close()


def _watch(context, page) -> None:
    page.on("pageerror", lambda exc: context.errors.append(str(exc)))
    page.on("console", lambda msg: context.errors.append(msg.text)
            if msg.type == "error" and "favicon" not in str(msg.location.get("url")) else None)
    page.on("request", lambda request: context.requests.append(request.url))


def _card(page, arxiv_id: str):
    return page.locator(f".card:has(.card-title a[href$='/papers/{arxiv_id}.html'])").first


def _status_starts(page, text: str) -> None:
    """Wait until the Saved page's status line starts with `text`."""
    page.wait_for_function("t => document.getElementById('saved-status').textContent"
                           ".startsWith(t)", arg=text)


def _stored(page) -> dict:
    return json.loads(page.evaluate("k => localStorage.getItem(k)", KEY) or "{}")


def test_save_and_mark_read_are_kept_across_pages_and_listed_on_the_saved_page(
        served: str, context) -> None:
    page = context.new_page()
    page.goto(served + "2025/08/05/")
    cards = page.locator("#day-papers .card")
    assert cards.count() == 10
    assert page.locator("#day-papers .card .pick-save").count() == 10
    save = _card(page, "2508.00012").locator(".pick-save")
    assert save.get_attribute("aria-pressed") == "false"
    assert save.inner_text() == "Save: Diffusion study number 12"  # its accessible name
    assert _card(page, "2508.00012").locator(".watched").count() == 1  # not in the name
    save.click()
    assert save.get_attribute("aria-pressed") == "true"
    read = _card(page, "2508.00013").locator(".pick-read")
    read.click()
    assert read.get_attribute("aria-pressed") == "true"
    assert "card-read" in _card(page, "2508.00013").get_attribute("class")
    # another page, a row card (tag pages): the same paper knows it is saved
    page.goto(served + "tags/diffusion/")
    row = _card(page, "2508.00059")
    assert "card-row" in row.get_attribute("class")
    row.locator(".pick-save").click()
    page.goto(served + "2025/08/05/")  # kept across pages
    assert _card(page, "2508.00012").locator(".pick-save").get_attribute("aria-pressed") == "true"
    assert _card(page, "2508.00013").locator(".pick-read").get_attribute("aria-pressed") == "true"
    assert _card(page, "2508.00014").locator(".pick-save").get_attribute("aria-pressed") == "false"
    stored = _stored(page)
    assert set(stored["saved"]) == {"2508.00012", "2508.00059"}
    assert stored["saved"]["2508.00012"]["d"] == "2025-08-05" and stored["read"] == {"2508.00013": 1}

    page.get_by_role("link", name="Saved").click()
    page.wait_for_url("**/sub/saved/")
    _status_starts(page, "2 saved papers.")
    titles = page.locator("#saved-list .card-title a")
    assert titles.all_inner_texts() == ["Attention study number 59", "Diffusion study number 12"]
    assert titles.nth(1).get_attribute("href") == "/sub/papers/2508.00012.html"
    first = page.locator("#saved-list .card").nth(1)  # drawn from the doc store: the whole card
    assert first.locator(".card-tldr").inner_text() == "We study diffusion at scale."
    assert first.locator(".card-byline").inner_text() == (
        "August 5, 2025 · Alan Turing, Edsger Dijkstra, Barbara Liskov")
    assert first.locator(".card-links a", has_text="PDF").get_attribute("href") == \
        "https://arxiv.org/pdf/2508.00012"
    assert first.locator(".pick-save").get_attribute("aria-pressed") == "true"
    first.locator(".pick-save").click()  # unsaved here: the card stays until a reload
    assert first.locator(".pick-save").get_attribute("aria-pressed") == "false"
    page.reload()
    _status_starts(page, "1 saved paper.")
    assert page.locator("#saved-list .card-title a").all_inner_texts() == [
        "Attention study number 59"]
    # the numbers found are kept as hints for the next visit
    assert _stored(page)["saved"]["2508.00059"]["n"] == 61  # after the twins of 08-07
    assert context.errors == []
    origin = urlsplit(served)
    assert {urlsplit(url).netloc for url in context.requests} == {origin.netloc}


def test_the_saved_page_finds_papers_whose_numbers_moved_and_keeps_missing_ones(
        served: str, context) -> None:
    page = context.new_page()
    page.goto(served + "saved/")
    picks = {"v": 1, "read": {}, "words": [], "authors": [], "saved": {
        "2508.00031": {"t": "Agents study number 31", "d": "2025-08-07", "at": 3, "n": 2},
        "twin-2-5a2c": {"t": "Gone <b>paper</b>", "d": "2025-08-07", "at": 2},
        "2508.00000": {"t": "Diffusion study number 0", "d": "2025-08-04", "at": 1, "n": 0}}}
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, json.dumps(picks)])
    page.reload()
    _status_starts(page, "3 saved papers (1 not in the search files")
    titles = page.locator("#saved-list .card-title a").all_inner_texts()
    assert titles == ["Agents study number 31", "Gone <b>paper</b>", "Diffusion study number 0"]
    assert page.locator("#saved-list b").count() == 0  # saved text is text
    numbers = {slug: entry.get("n") for slug, entry in _stored(page)["saved"].items()}
    assert numbers == {"2508.00031": 31, "twin-2-5a2c": None, "2508.00000": 0}
    assert context.errors == []


def test_export_as_bib_parses_strictly_with_unique_keys(served: str, context, site: Path
                                                      ) -> None:
    pybtex_errors = pytest.importorskip("pybtex.errors")
    from pybtex.database import parse_string

    page = context.new_page()
    page.goto(served + "2025/08/07/")
    slugs = [a.get_attribute("href").rsplit("/", 1)[1][:-5]
             for a in page.locator("#day-papers .card-title a").all()]
    twins = [s for s in slugs if s.startswith("twin-")]
    assert len(twins) == 2
    for slug in (*twins, "2508.00030"):
        _card(page, slug).locator(".pick-save").click()
    page.goto(served + "saved/")
    _status_starts(page, "3 saved papers.")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export as .bib").click()
    download = info.value
    assert download.suggested_filename == "saved-papers.bib"
    text = Path(download.path()).read_text(encoding="utf-8")
    pybtex_errors.set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")
    finally:
        pybtex_errors.set_strict_mode(False)
    assert sorted(data.entries) == ["lovelace2025diffusion", "twin2025twins", "twin2025twinsa"]
    for entry in data.entries.values():  # each the build's own entry for the paper
        title = entry.fields["title"]
        slug = next(s for s in (*twins, "2508.00030") if title in
                    (site / "_site" / "papers" / f"{s}.bib").read_text())
        own = (site / "_site" / "papers" / f"{slug}.bib").read_text()
        assert own.split("\n", 1)[1] in text
    assert "Exported 3 papers" in page.locator("#saved-status").inner_text()
    assert context.errors == []


def test_search_results_have_the_buttons_and_other_tabs_follow(served: str, context) -> None:
    other = context.new_page()
    other.goto(served + "2025/08/09/")
    page = context.new_page()
    page.goto(served + "search/?q=study+number+55")
    result = page.locator("#search-results .card", has_text="Agents study number 55")
    result.locator(".pick-save").click()
    assert result.locator(".pick-save").get_attribute("aria-pressed") == "true"
    assert _stored(page)["saved"]["2508.00055"]["d"] == "2025-08-09"
    # the day page open in another tab shows it saved, without a reload
    other.wait_for_function("() => document.querySelector("
                            "\".card[data-paper='2508.00055'] .pick-save\")"
                            ".getAttribute('aria-pressed') === 'true'")
    assert context.errors == []


def test_keywords_and_authors_are_highlighted_on_every_page(served: str, context) -> None:
    page = context.new_page()
    page.goto(served + "saved/")
    page.fill("#pick-words", "diffus, video")
    page.fill("#pick-authors", "Grace Hopper")
    page.get_by_role("button", name="Keep these").click()
    assert page.locator("#prefs-status").inner_text() == "Kept."
    page.goto(served + "2025/08/04/")
    for i in range(10):
        arxiv_id, title, _, authors = _paper(i)
        card = _card(page, arxiv_id)
        marks = card.locator("mark.pick").all_inner_texts()
        word = title.split()[0]  # in the title, and in the TL;DR ("We study video at...")
        want = [word, word.lower()] if word in ("Diffusion", "Video") else []
        want += ["Grace Hopper"] * (authors[:4 if len(authors) <= 4 else 3].count("Grace Hopper"))
        assert sorted(marks) == sorted(want), (arxiv_id, marks)
        assert ("card-pick" in card.get_attribute("class")) == bool(want)
    assert page.locator(".card-byline a.author mark.pick").count() > 0  # names are links
    # the title's text is unchanged; a new setting takes the old marks away
    assert _card(page, "2508.00000").locator(".card-title").inner_text() == "Diffusion study number 0"
    page.goto(served + "saved/")
    page.fill("#pick-words", "")
    page.fill("#pick-authors", "")
    page.get_by_role("button", name="Keep these").click()
    page.goto(served + "2025/08/04/")
    assert page.locator("mark.pick").count() == 0
    assert context.errors == []




def test_nothing_moves_and_the_pages_pass_axe(served: str, browser) -> None:
    require_node("axe-core")
    axe = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto(served + "saved/")
        picks = {"v": 1, "read": {"2508.00041": 1}, "words": ["agents"], "authors": [],
                 "saved": {"2508.00040": {"t": "x", "d": "2025-08-08", "at": 1}}}
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, json.dumps(picks)])
        for path in ("2025/08/08/", "", "tags/attention/", "saved/"):
            page.goto(served + path)
            page.wait_for_load_state("networkidle")
            if path:
                assert page.locator(".pick-save[aria-pressed=true]").count() == 1, path
            assert page.evaluate(LAYOUT_SHIFT) == 0, (path, width)
            found = axe_violations(page, axe)  # for the test only: no site ships axe
            assert found == [], (path, width, found)
        context.close()


def test_without_javascript_nothing_breaks_and_no_button_shows(served: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "2025/08/05/")
    assert page.locator("#day-papers .card").count() == 10
    assert page.locator("button.pick-button").count() == 0
    assert page.locator(".card-actions").first.bounding_box()["height"] > 0  # kept room
    page.get_by_role("link", name="Saved").click()
    page.wait_for_url("**/sub/saved/")
    assert "need JavaScript" in page.locator("#saved-status").inner_text()
    assert page.locator("#pick-words").is_disabled()
    page.get_by_role("link", name="archive", exact=True).click()
    page.wait_for_url("**/sub/archive/")
    context.close()


def test_storage_turned_off_leaves_cards_as_they_were(served: str, browser) -> None:
    context = browser.new_context()
    context.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException("
        "'denied', 'SecurityError'); }})")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served + "2025/08/05/")
    page.wait_for_load_state("networkidle")
    assert page.locator("button.pick-button").count() == 0
    page.goto(served + "saved/")
    assert "storage" in page.locator("#saved-status").inner_text()
    assert errors == []
    context.close()
