"""The BibTeX copy button: progressive enhancement from static/js/copy.js (Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedtools import write_simple_paper

from sitegen.build.pipeline import build_site
from sitegen.config import load_config

TITLE = 'Copy me: 100% & <b>"quoted"</b> 日本 🚀'


@pytest.fixture
def served_paper(site: Path, serve_dir, tmp_path: Path) -> str:
    write_simple_paper(site, "2408.01234", TITLE, id="2408.01234", authors=["Ada Lovelace"])
    out = tmp_path / "out"
    base = serve_dir(out, "/repo/")
    build_site(load_config(site).with_base_url(base), out)
    return base + "papers/2408.01234.html"


@pytest.mark.browser
def test_copy_button_copies_the_bibtex(browser, served_paper: str):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(served_paper)
        button = page.locator("button.copy-button")
        button.wait_for(state="visible")
        button.click()
        page.locator(".copy-status").filter(has_text="Copied.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("pre.bibtex").text_content()
        assert "title = {Copy me: 100\\% \\& <b>\"quoted\"</b> 日本 🚀}" in copied
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_without_javascript_the_bibtex_is_a_selectable_block(browser, served_paper: str):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_paper)
        assert page.locator("pre.bibtex").is_visible()
        assert page.locator("button.copy-button").is_hidden()
        assert page.locator("a[download]").get_attribute("href") == \
            "/repo/papers/2408.01234.bib"
    finally:
        context.close()
