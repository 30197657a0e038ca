"""The hostile site in a real browser (Chromium, JavaScript on): no dialog, no script runs.

Every payload of tests/hostile/corpus.py calls alert() or similar if it ever runs; the
pages are served under a sub-path and visited one by one while dialogs, page errors and
console messages are recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MINIMAL_CONFIG
from tests.hostile import corpus

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    from sitegen.cli import main

    root = tmp_path_factory.mktemp("browser-hostile") / "site"
    (root / "content" / "papers").mkdir(parents=True)
    (root / "sitegen.toml").write_text(MINIMAL_CONFIG.replace("https://example.org/sub/",
                                                              "https://user.github.io/repo/"))
    for paper in corpus.hostile_papers(big=False):
        (root / "content" / "papers" / f"{paper.slug}.md").write_text(
            corpus.paper_file_text(paper), encoding="utf-8")
    page = root.parent / "page.txt"
    page.write_text(corpus.daily_page(big=False), encoding="utf-8")
    assert main(["import", "-q", "--root", str(root), str(page)]) == 0
    assert main(["build", "-q", "--root", str(root)]) == 0
    return root / "_site"


def test_no_dialog_no_script_error_no_csp_violation_on_any_hostile_page(browser, hostile_site,
                                                                       serve_dir):
    base = serve_dir(hostile_site, "/repo/")
    every = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    # Every page kind, every hand-written hostile paper, the day page of the imported ones.
    pages = [rel for rel in every if not rel.startswith(("tags/", "papers/"))
             or rel.startswith("papers/hostile-") or rel == "tags/index.html"]
    pages += [rel for rel in every if rel.startswith("tags/")][:4]
    assert len(pages) > 50
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    for rel in pages:
        url = base + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
        page.goto(url)
        # Focus and hover what a payload might have attached a handler to.
        page.mouse.move(10, 10)
        page.keyboard.press("Tab")
    assert dialogs == []
    assert errors == []
    # Controls, so the listeners are known to work: a page without the CSP that runs an
    # inline alert gives a dialog; the same page with the site's CSP gives a console error.
    head = (hostile_site / "index.html").read_text().split("<head>")[1].split("<meta name")[0]
    evil = "<script>alert('control')</script>"
    (hostile_site / "control-no-csp.html").write_text(f"<!doctype html><title>c</title>{evil}")
    (hostile_site / "control-csp.html").write_text(f"<!doctype html><head>{head}</head>{evil}")
    page.goto(base + "control-no-csp.html")
    page.goto(base + "control-csp.html")
    context.close()
    assert [d.rsplit(": ", 1)[1] for d in dialogs] == ["control"]
    assert len(errors) == 1 and "Content Security Policy" in errors[0]


SEARCHED = ["script", "img-onerror", "svg-onload", "cdata-end", "entities", "jinja-expr",
            "bidi", "unicode"]


def test_hostile_search_typed_and_opened_runs_nothing_and_shows_titles_as_text(
        browser, hostile_site, serve_dir):
    from sitegen.util.textclean import strip_controls
    base = serve_dir(hostile_site, "/repo/")
    payloads = dict(corpus.PAYLOADS)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    titles_js = ("() => [...document.querySelectorAll('#search-results a.result-title')]"
                 ".map(a => a.textContent)")
    found: dict[str, list[str]] = {}
    for name in SEARCHED:
        wanted = strip_controls(f"{name}: {payloads[name]}")
        for query in (payloads[name], name):
            page.goto(base + "search/")
            page.fill("#search-q", query)
            # The status names the query once answered: `N papers match “…”.`
            page.wait_for_function("() => document.getElementById('search-status')"
                                   ".textContent.includes('\u201d')")
            shown = page.evaluate(titles_js)
            found[query] = shown
            if query == name:  # a word of the title finds it, shown as text
                assert wanted in shown, (name, shown)
            if shown:
                page.click("#search-results a.result-title >> nth=0")
                page.wait_for_load_state()
                page.mouse.move(10, 10)
                page.keyboard.press("Tab")
    context.close()
    assert dialogs == []
    assert errors == []  # no CSP violation, no script error
    assert sum(1 for shown in found.values() if shown) >= len(SEARCHED)
