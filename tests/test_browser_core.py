"""The built site in a real browser, served from a sub-path: phone size, no JavaScript."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def served(run_cli, site, sample_page, serve_dir) -> str:
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    status, _, err = run_cli("build", "--base-url", "https://user.github.io/repo/", cwd=site)
    assert status == 0, err
    return serve_dir(site / "_site", "/repo/")


def test_reader_walks_home_day_paper_under_a_sub_path_without_js_on_a_phone(browser, served):
    context = browser.new_context(viewport={"width": 375, "height": 740},
                                  java_script_enabled=False)
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(served)
    assert page.title() == "Test Papers"
    page.get_by_role("link", name="August 11, 2025", exact=True).click()
    page.wait_for_url("**/repo/2025/08/11/")
    assert page.locator("h1").inner_text() == "August 11, 2025"
    page.locator(".card-title a").first.click()
    page.wait_for_url("**/repo/papers/**")
    assert page.locator("h1").inner_text().startswith("CIF-Bench")
    # The stylesheet loaded under the sub-path and the page fits a phone screen.
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("link", name="August 11, 2025").first.click()
    page.wait_for_url("**/repo/2025/08/11/")
    assert failed == []
    context.close()


def test_skip_link_and_keyboard_focus(browser, served):
    page = browser.new_page()
    page.goto(served)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.close()


def test_dark_mode_changes_colours(browser, served):
    colours = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(served)
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        context.close()
    assert colours[0] != colours[1]


def test_pages_carry_a_csp_without_inline_scripts_and_raise_no_violations(browser, served):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served)
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0
    assert errors == []
    page.close()
