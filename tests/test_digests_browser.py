"""A digest's email file and page in a real browser, as a phone's mail view shows them:
320 px wide with no script, nothing overflowing sideways (long titles, names and links
wrap), text large enough to read, nothing loaded but the intro's image; and the digest
pages read at 320 px with no serious axe-core violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main
from tests.conftest import REPO, require_node
from tests.feedtools import write_simple_paper

pytestmark = pytest.mark.browser

LONG = "Supercalifragilistic" * 6  # one 120-letter word: a title or a name that cannot wrap
INTRO = (f"This week: {LONG}. See https://example.org/{'very-long-path/' * 8}x and "
         "![a chart](https://images.example/chart.png).\n")


@pytest.fixture
def digest_site(site: Path) -> Path:
    for day in range(4, 9):  # week 32 of 2025, five days of papers
        for rank in range(1, 7):
            write_simple_paper(
                site, f"p{day}-{rank}", f"Paper {day}.{rank} {LONG if rank == 1 else ''}",
                f"2025-08-{day:02d}", rank=rank, upvotes=day * 10 + rank,
                authors=[f"Author {LONG}", "Bob Smith", "Carol Jones", "Dan Brown"],
                tags=["vision" if rank % 2 else f"tag-{LONG}"],
                links=[f"https://github.com/lab/{LONG}"], ai_summary=f"It does {LONG}.")
    write_simple_paper(site, "next", "Next week", "2025-08-13", rank=1)
    (site / "content" / "digests").mkdir()
    (site / "content" / "digests" / "2025-W32.md").write_text(INTRO, encoding="utf-8")
    assert main(["build", "--root", str(site), "-q"]) == 0
    return site / "_site"


def test_the_email_reads_in_a_narrow_mail_view(browser, digest_site: Path, serve_dir
                                                ) -> None:
    base = serve_dir(digest_site, "/sub/")
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 320, "height": 640})
    page = context.new_page()
    asked: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        asked.append(url)
        if url.startswith(base):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)
    page.goto(base + "digest/2025-W32/email.html")
    assert page.locator("h1").inner_text() == "Week 32, 2025"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the email is {width} px wide at 320 px"
    smallest = page.evaluate("""() => Math.min(...[...document.body.querySelectorAll('*')]
        .filter(e => e.innerText && e.innerText.trim())
        .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 13
    # every paper of the week is linked (six a day, at most 10 a tag in the email)
    assert page.locator('a[href^="https://example.org/sub/papers/"]').count() >= 20
    loaded = [url for url in asked if not url.startswith(base)]
    assert loaded == ["https://images.example/chart.png"]  # the intro's image, nothing else
    context.close()


def test_the_digest_pages_read_at_320_px(browser, digest_site: Path, serve_dir) -> None:
    """Also the pages listing the same cards: a long word in a card (a flex item) used to
    widen them to 886 px (body `overflow-wrap: break-word` does not shrink a flex item)."""
    base = serve_dir(digest_site, "/sub/")
    page = browser.new_page(viewport={"width": 320, "height": 640})
    for path in ("digest/2025-W32/", "digest/", "2025/W32/", "2025/08/04/", "tags/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    page.close()


def test_the_digest_pages_pass_axe(browser, digest_site: Path, serve_dir) -> None:
    require_node("axe-core")
    axe = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    base = serve_dir(digest_site, "/sub/")
    for path in ("digest/2025-W32/", "digest/"):
        context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740})
        page = context.new_page()
        page.goto(base + path)
        page.add_script_tag(content=axe)  # for the test only: no site ships it
        found = page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
            .then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target).join(' ')))""")
        assert found == [], (path, found)
        context.close()
