"""Cards, week rankings and reading without JavaScript, in a real browser, on a site
fetched from the stand-in Hugging Face API (tests/hfstandin.py): the fields each card
shows, the week's ranking rule, no layout shift, no overflow at 320 px, page weight, and
no serious or critical axe-core violation (axe-core from npm, injected here only)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hfstandin import DAYS, Server, day_items

from sitegen.cli import main
from tests.conftest import REPO, require_node
from tests.sitecheck import LAYOUT_SHIFT, axe_violations, page_weight

pytestmark = pytest.mark.browser

PAGES = ("", "2025/08/13/", "2025/W32/", "top/", "tags/reasoning/", "2025/08/", "search/?q=depth")


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    """The stand-in running, a site fetched from it and built (served under /site/)."""
    import sitegen.sources.http as source_http

    root = tmp_path_factory.mktemp("cards") / "site"
    server = Server()
    with server.running() as origin, pytest.MonkeyPatch.context() as patch:
        patch.setattr(source_http, "default_sleep", lambda seconds: None)
        (root / "content" / "papers").mkdir(parents=True)
        (root / "sitegen.toml").write_text(
            f'[site]\ntitle = "Cards"\nbase_url = "{origin}/site/"\n'
            f'[sources]\nhf_api_url = "{origin}"\n[theme]\nthumbnails = true\n')
        assert main(["fetch", "hf", "--from", DAYS[0].isoformat(), "--to",
                     DAYS[-1].isoformat(), "--no-cache", "--root", str(root), "-q"]) == 0
        assert main(["build", "--root", str(root), "-q"]) == 0
        server.site = root / "_site"
        yield server, origin + "/site/", root


def _expected(origin: str) -> dict[str, dict]:
    """The stand-in's items by arXiv id."""
    return {item["paper"]["id"]: item for items in day_items(origin).values() for item in items}


def test_a_card_shows_every_field_the_api_gave(browser, fetched) -> None:
    server, base, _ = fetched
    items = _expected(server.origin)
    page = browser.new_page()
    page.goto(base + "2025/08/13/")
    cards = page.locator("#day-papers > li .card")
    day = day_items(server.origin)[dt.date(2025, 8, 13)]
    assert cards.count() == len(day)
    for index, item in enumerate(day):  # the day's own order: HF's
        card, paper = cards.nth(index), item["paper"]
        assert card.locator(".card-title a").get_attribute("href").endswith(
            f"/site/papers/{paper['id']}.html")
        byline = card.locator(".card-byline").inner_text() if paper["authors"] else ""
        names = [a["name"] for a in paper["authors"]]
        shown = names if len(names) <= 4 else names[:3]
        assert byline.startswith(", ".join(shown))
        assert ("et al." in byline) == (len(names) > 4)
        if "organization" in item:
            assert card.locator(".card-org").inner_text() == item["organization"]["fullname"]
        stats = card.locator(".card-foot .stat").all_inner_texts()
        want = [f"▲ {paper['upvotes']} upvotes"]
        if "githubStars" in paper:
            want.append(f"★ {paper['githubStars']} GitHub stars")
        want.append(f"💬 {item['numComments']} comments")
        assert [" ".join(s.split()) for s in stats] == want
        tldr = card.locator(".card-tldr").inner_text()
        if paper.get("ai_summary"):  # cut at a word past 280 characters
            assert " ".join(paper["ai_summary"].split()).startswith(tldr.rstrip("…"))
        else:
            assert paper["summary"].startswith(tldr.rstrip("…"))
        links = dict(zip(card.locator(".card-links a").all_inner_texts(),
                         [a.get_attribute("href") for a in card.locator(".card-links a").all()],
                         strict=True))
        assert links["PDF"] == f"https://arxiv.org/pdf/{paper['id']}"
        assert links.get("Code") == paper.get("githubRepo")
        assert links.get("Project") == paper.get("projectPage")
        for tag in card.locator(".tags a").all():
            assert "/site/tags/" in tag.get_attribute("href")
        thumb = card.locator("img.card-thumb")
        assert thumb.get_attribute("src") == item["thumbnail"]
        assert (thumb.get_attribute("width"), thumb.get_attribute("height")) == ("160", "84")
        assert thumb.get_attribute("loading") == "lazy"
    assert items  # every card above was checked against the stand-in's answer
    page.close()


def test_the_week_ranks_by_upvotes_then_stars_then_day_order(browser, fetched) -> None:
    server, base, _ = fetched
    days = day_items(server.origin)
    listed = [item["paper"] for day in sorted(days) if day.isocalendar()[1] == 32
              for item in days[day]]
    want = sorted(range(len(listed)), key=lambda i: (
        -listed[i]["upvotes"], -listed[i].get("githubStars", 0), i))
    page = browser.new_page()
    page.goto(base + "2025/W32/")
    ranked = page.locator(".ranked .card-title a")
    assert [a.get_attribute("href").rsplit("/", 1)[1] for a in ranked.all()] == [
        f"{listed[i]['id']}.html" for i in want[:10]]
    assert "Ranked by upvotes; ties by GitHub stars" in page.locator(".rule").inner_text()
    assert "this ranking is final" in page.locator(".lede").inner_text()
    assert page.locator(".lines li").count() == len(listed)  # then all of them, by day
    page.goto(base + "2025/W33/")
    assert "ranking may change" in page.locator(".lede").inner_text()
    page.close()


def test_everything_reads_without_javascript_and_sorting_is_progressive(browser, fetched
                                                                       ) -> None:
    server, base, _ = fetched
    day = day_items(server.origin)[dt.date(2025, 8, 12)]
    hf_order = [item["paper"]["id"] for item in day]
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320,
                                                                        "height": 700})
    page = context.new_page()
    page.goto(base)
    page.get_by_role("link", name="All", exact=False).first.click()
    page.wait_for_url("**/site/2025/08/13/")
    page.goto(base + "2025/08/12/")
    assert page.locator(".sort-button").is_hidden()
    ids = [a.get_attribute("href").rsplit("/", 1)[1][:-5]
           for a in page.locator("#day-papers .card-title a").all()]
    assert ids == hf_order
    page.locator(".card-title a").first.click()
    page.wait_for_url(f"**/site/papers/{hf_order[0]}.html")
    assert page.locator("h1").inner_text() == day[0]["paper"]["title"]
    for path in PAGES[:-1]:
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()

    page = browser.new_page()
    page.goto(base + "2025/08/12/")
    page.locator(".sort-button").click()
    votes = [(item["paper"]["upvotes"], item["paper"].get("githubStars", 0), -i)
             for i, item in enumerate(day)]
    by_votes = [day[-v[2]]["paper"]["id"] for v in sorted(votes, reverse=True)]
    ids = [a.get_attribute("href").rsplit("/", 1)[1][:-5]
           for a in page.locator("#day-papers .card-title a").all()]
    assert ids == by_votes
    assert page.locator(".sort-button").get_attribute("aria-pressed") == "true"
    page.locator(".sort-button").click()
    assert [a.get_attribute("href").rsplit("/", 1)[1][:-5]
            for a in page.locator("#day-papers .card-title a").all()] == hf_order
    page.close()




def test_pages_are_light_stable_and_pass_axe(browser, fetched) -> None:
    _, base, root = fetched
    node = require_node("axe-core")
    assert node
    axe = (REPO / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    out = root / "_site"
    for path in PAGES:
        if not path.startswith("search"):
            weight = page_weight(out, "/site/", out / path / "index.html")
            assert weight < 50_000, (path, weight)
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme, bypass_csp=True,  # for axe
                                          viewport={"width": 375, "height": 740})
            page = context.new_page()
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if path.startswith("search"):
                page.wait_for_selector("#search-results li .card-title")
            if not path.startswith("search"):  # the search page swaps its no-JS text
                assert page.evaluate(LAYOUT_SHIFT) == 0, (path, scheme)
            found = axe_violations(page, axe)  # for the test only: no site ships axe
            assert found == [], (path, scheme, found)
            context.close()


def test_the_search_page_shows_cards_from_the_doc_store(browser, fetched) -> None:
    server, base, root = fetched
    page = browser.new_page()
    page.goto(base + "search/?q=depth")
    first = page.locator("#search-results li .card").first
    first.wait_for()
    href = first.locator(".card-title a").get_attribute("href")
    arxiv_id = href.rsplit("/", 1)[1][:-5]
    item = _expected(server.origin)[arxiv_id]
    assert first.locator(".stat").first.inner_text().split()[1] == str(item["paper"]["upvotes"])
    assert first.locator(".card-links a", has_text="PDF").get_attribute("href") == \
        f"https://arxiv.org/pdf/{arxiv_id}"
    if "organization" in item:
        assert first.locator(".card-org").inner_text() == item["organization"]["fullname"]
    docs = [json.loads(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes())
            for p in (root / "_site" / "search" / "d").glob("*.json")]
    assert docs and all("a" in d or "t" in d for bucket in docs for d in bucket if d)
    page.close()
