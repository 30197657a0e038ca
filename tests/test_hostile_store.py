"""Issue 20, item 5: the store and the site tree. A symlink loop in content/papers is a
problem of that file for every command (it stopped check, import, fetch and serve with an
internal error, and build skipped it silently); paper files are written with the mode the
umask gives (they were 0600 whatever the umask); a stored link holds no line break."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fetchfakes import StandIn

from sitegen.commands.serve import SiteState
from sitegen.sources import http as source_http
from sitegen.store.papers import load_papers
from tests.hostile import checks

LOOP_MESSAGE = "is a symlink loop; not read"


@pytest.fixture
def looped(site: Path) -> Path:
    papers = site / "content" / "papers"
    (papers / "good.md").write_text("---\ntitle: Good\ndate: 2026-08-10\n---\n")
    (papers / "loop.md").symlink_to("loop.md")
    (papers / "ping.md").symlink_to("pong.md")
    (papers / "pong.md").symlink_to("ping.md")
    return site


def _named(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err
    for name in ("loop.md", "ping.md", "pong.md"):
        assert f"content/papers/{name}: error: {LOOP_MESSAGE}" in err, (name, err)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_symlink_loop_is_that_files_error_in_build_and_check(looped, run_cli, command):
    status, _, err = run_cli(command, "--root", str(looped))
    assert status == 1 and checks.cli_error_problems(err) == []
    _named(err)


def test_a_symlink_loop_does_not_stop_import(looped, run_cli):
    page = looped.parent / "page.txt"
    page.write_text("Aug 11, 2026\n\nA new paper\n\nIts abstract. Two sentences.\n")
    _, _, err = run_cli("import", str(page), "--root", str(looped))
    _named(err)
    assert (looped / "content" / "papers" / "loop.md").is_symlink()  # never written through
    titles = {p.title for p in load_papers(looped)[0]}
    assert titles == {"Good", "A new paper"}


def test_a_symlink_loop_does_not_stop_fetch(looped, run_cli, monkeypatch):
    monkeypatch.setattr(source_http, "default_sleep", lambda seconds: None)

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        items = [{"paper": {"id": "2608.00001", "title": "Fetched"}}] if query["p"] == "0" \
            else []
        return 200, {}, json.dumps(items).encode()

    with StandIn(routes).running() as url:
        _, _, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url", url,
                            "--root", str(looped), "--no-cache")
    _named(err)
    assert "Fetched" in {p.title for p in load_papers(looped)[0]}


def test_a_symlink_loop_is_shown_by_serve(looped):
    log: list[str] = []
    snapshot = SiteState(looped, "127.0.0.1", 8000, log.append).rebuild()
    assert any(LOOP_MESSAGE in message and "loop.md" in message for message in snapshot.errors)
    assert not any("internal error" in message for message in snapshot.errors)


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_paper_files_are_written_with_the_mode_the_umask_gives(site, run_cli, mask, mode):
    page = site.parent / "page.txt"
    page.write_text("Aug 11, 2026\n\nA paper\n\nIts abstract. Two sentences.\n")
    with umask(mask):
        status, _, err = run_cli("import", str(page), "--root", str(site))
    assert status == 0, err
    [written] = list((site / "content" / "papers").iterdir())
    assert stat.S_IMODE(written.stat().st_mode) == mode


def test_a_stored_link_with_a_line_break_or_a_backtick_is_left_out(site):
    # `$` in the store's link pattern matched before a final line break
    (site / "content" / "papers" / "x.md").write_text(
        '---\ntitle: X\ndate: 2026-08-11\nlinks: ["https://a.example/\\n", '
        '"https://b.example/`x", "https://c.example/"]\n---\n')
    papers, problems = load_papers(site)
    assert papers[0].links == ("https://c.example/",)
    assert sum("is not an http(s) URL" in p.message for p in problems) == 2


HAND_WRITTEN = ["a#b", "my paper", "100%", "café", "q?x", "plus+sign", "amp&x"]


def test_sitemap_locs_are_percent_encoded_as_page_links_are(site, run_cli):
    from urllib.parse import urljoin

    for name in HAND_WRITTEN:
        (site / "content" / "papers" / f"{name}.md").write_text(
            f"---\ntitle: Paper {name}\ndate: 2026-08-11\n---\n", encoding="utf-8")
    status, _, err = run_cli("build", "--root", str(site))
    assert status == 0, err
    out = site / "_site"
    locs = {loc for loc in checks.xml_texts((out / "sitemap.xml").read_bytes())
            if "/papers/" in loc}
    page = checks.parse_html((out / "2026" / "08" / "11" / "index.html").read_bytes())
    hrefs = {urljoin("https://example.org/", a.get("href")) for a in page.iter()
             if isinstance(a.tag, str) and a.tag.endswith("a") and "/papers/" in
             (a.get("href") or "") and (a.get("href") or "").endswith(".html")}
    assert len(locs) == len(HAND_WRITTEN) and locs == hrefs
    assert "https://example.org/sub/papers/a%23b.html" in locs
    assert checks.xml_problems((out / "sitemap.xml").read_bytes(), "sitemap.xml") == []


def test_a_file_name_with_a_backslash_is_named_in_a_clear_message(site, run_cli):
    (site / "content" / "papers" / "back\\slash.md").write_text(
        "---\ntitle: B\ndate: 2026-08-11\n---\n")
    status, _, err = run_cli("build", "--root", str(site))
    assert status == 1 and checks.cli_error_problems(err) == []
    assert "content/papers/back\\slash.md: error: the file name holds a backslash" in err
