"""`sitegen serve`: in-memory build, sub-path, live reload in a real browser, error page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import write_paper

from sitegen.commands.serve import DevServer, Snapshot, error_page, inject


def paper(arxiv_id: str, title: str) -> str:
    return f"---\nid: '{arxiv_id}'\ntitle: {title}\ndate: 2025-08-11\nabstract: Text.\n---\n"


@pytest.fixture
def dev(site: Path) -> Iterator[DevServer]:
    """A running `serve` of a two-paper site (base URL path /sub/) on a free port."""
    write_paper(site, "2508.00001", paper("2508.00001", "First paper"))
    write_paper(site, "2508.00002", paper("2508.00002", "Second paper"))
    log: list[str] = []
    server = DevServer(site, "127.0.0.1", 0, log.append, debounce_ms=100).start()
    server.log_lines = log  # type: ignore[attr-defined]
    yield server
    server.stop()


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_serves_under_the_sub_path_and_redirects_root(dev: DevServer) -> None:
    assert dev.url.endswith("/sub/")
    origin = dev.url[: -len("sub/")]
    with httpx.Client(follow_redirects=False) as client:
        home = client.get(dev.url)
        assert home.status_code == 200
        assert home.headers["content-type"] == "text/html; charset=utf-8"
        # Links in the served pages point at the local server, not the configured site.
        assert 'href="/sub/papers/2508.00001.html"' in home.text
        assert client.get(origin).headers["location"] == "/sub/"
        assert client.get(origin + "sub").headers["location"] == "/sub/"
        assert client.get(dev.url + "archive").headers["location"] == "/sub/archive/"
        # A paper page without its .html is served as GitHub Pages does, no redirect.
        bare = client.get(dev.url + "papers/2508.00001")
        assert bare.status_code == 200 and "<title>" in bare.text
        assert bare.text == client.get(dev.url + "papers/2508.00001.html").text
        assert client.get(dev.url + "papers/2508.00001/").status_code == 404
        assert client.get(origin + "elsewhere/").status_code == 404
        missing = client.get(dev.url + "no/such/page/")
        assert missing.status_code == 404 and "Page not found" in missing.text
        css = client.get(dev.url + "static/css/site.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "livereload" not in css.text
        assert client.head(dev.url).content == b""
    assert not (dev.root / "_site").exists()  # serve writes nothing


def test_reload_script_is_external_and_only_in_serve(dev: DevServer, run_cli) -> None:
    page = httpx.get(dev.url).text
    assert '<script src="/sub/__sitegen__/livereload.js"' in page
    assert "<script>" not in page  # no inline script: CSP script-src 'self' works
    script = httpx.get(dev.url + "__sitegen__/livereload.js")
    assert script.status_code == 200 and "EventSource" in script.text
    assert run_cli("build", "--root", str(dev.root))[0] == 0
    for file in (dev.root / "_site").rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert b"__sitegen__" not in data and b"livereload" not in data, file


def test_unchanged_papers_are_not_parsed_again(dev: DevServer) -> None:
    hits = dev.state.cache.hits
    first = dev.state.snapshot.build
    path = dev.root / "content" / "papers" / "2508.00002.md"
    path.write_text(paper("2508.00002", "Second paper, renamed"))
    wait_for(lambda: dev.state.snapshot.build > first)
    assert dev.state.cache.hits == hits + 1  # 2508.00001 reused, 2508.00002 parsed again
    assert "renamed" in httpx.get(dev.url + "papers/2508.00002.html").text


def test_error_page_escapes_messages() -> None:
    page = error_page(Snapshot(3, "/sub/", {}, ("x.html:1: error: <img src=x onerror=alert(1)>",)))
    assert b"<img" not in page and b"&lt;img src=x onerror=alert(1)&gt;" in page
    assert b"<script>" not in page
    assert inject(b"<p>hi</p></BODY>", "/", 7).index(b"data-build=\"7\"") < \
        inject(b"<p>hi</p></BODY>", "/", 7).index(b"</BODY>")


def test_port_in_use_is_a_clear_error(dev: DevServer) -> None:
    from sitegen.errors import SitegenError

    with pytest.raises(SitegenError, match="cannot listen"):
        DevServer(dev.root, "127.0.0.1", dev.port)


@pytest.mark.browser
def test_live_reload_error_page_and_recovery(dev: DevServer, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(dev.url + "papers/2508.00001.html")
        assert page.locator("h1").inner_text() == "First paper"
        # The theme's CSP (script-src 'self') is in force: the reload must work under it.
        assert "script-src 'self'" in page.content()
        page.evaluate("window.__sitegenTestMarker = 1")
        page.wait_for_timeout(300)  # let the event stream connect

        # 1. Change a content file: the open page reloads by itself and shows the change.
        (dev.root / "content" / "papers" / "2508.00001.md").write_text(
            paper("2508.00001", "First paper, revised"))
        # (Locator waits, not wait_for_function: the pages' CSP forbids eval.)
        page.locator("h1", has_text="revised").wait_for(timeout=15000)
        assert page.evaluate("window.__sitegenTestMarker") is None  # a real reload

        # 2. Break a template: the page shows the build error instead.
        templates = dev.root / "templates"
        templates.mkdir()
        (templates / "paper.html").write_text(
            '{% extends "default:paper.html" %}\n{% block main %}{% if %}{% endblock %}\n')
        page.wait_for_selector("#sitegen-build-error", timeout=15000)
        text = page.locator("#sitegen-build-error").inner_text()
        assert "\ntemplates/paper.html:2: error: template syntax" in "\n" + text, text
        assert str(dev.root) not in text
        # Non-HTML files still come from the last good build.
        assert httpx.get(dev.url + "static/css/site.css").status_code == 200

        # 3. Fix it (an override that extends the original): the site comes back.
        (templates / "paper.html").write_text(
            '{% extends "default:paper.html" %}\n'
            '{% block paper_extra %}<p id="override">Overridden</p>{% endblock %}\n')
        page.wait_for_selector("#override", timeout=15000)
        assert page.locator("h1").inner_text() == "First paper, revised"

        # 4. A content error: shown too, then fixed; the server lives on throughout.
        (dev.root / "content" / "papers" / "broken.md").write_text("---\ntitle: [\n---\n")
        page.wait_for_selector("#sitegen-build-error", timeout=15000)
        assert "content/papers/broken.md" in page.locator("#sitegen-build-error").inner_text()
        (dev.root / "content" / "papers" / "broken.md").unlink()
        page.wait_for_selector("#override", timeout=15000)
        assert httpx.get(dev.url).status_code == 200
    finally:
        page.close()


def test_serve_outside_a_site_folder_is_a_clear_error(tmp_path: Path, run_cli) -> None:
    status, _, err = run_cli("serve", "--port", "0", "--root", str(tmp_path))
    assert status == 1
    assert "no sitegen.toml here" in err and "Traceback" not in err


def test_a_broken_config_shows_the_error_and_recovers(dev: DevServer) -> None:
    config = dev.root / "sitegen.toml"
    good = config.read_text()
    first = dev.state.snapshot.build
    config.write_text(good + "\n[site]\ntitle = 'again'\n")  # a duplicate table: invalid TOML
    wait_for(lambda: dev.state.snapshot.build > first)
    page = httpx.get(dev.url, headers={"Accept": "text/html"})
    assert page.status_code == 500
    assert "sitegen.toml" in page.text and "not valid TOML" in page.text
    assert httpx.get(dev.url + "static/css/site.css").status_code == 200  # last good build
    broken = dev.state.snapshot.build
    config.write_text(good)
    wait_for(lambda: dev.state.snapshot.build > broken)
    assert httpx.get(dev.url).status_code == 200


def test_cli_serve_runs_until_ctrl_c(site: Path) -> None:
    import signal
    import subprocess
    import sys

    from conftest import REPO, free_port

    write_paper(site, "2508.00001", paper("2508.00001", "First paper"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--port", str(port),
                             "--root", str(site)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/sub/papers/2508.00001.html"

        def up() -> bool:
            try:
                return httpx.get(url).status_code == 200
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                return False

        wait_for(up, timeout=30)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/sub/" in out and "stopping" in out
    assert "Traceback" not in err


@pytest.mark.browser
def test_old_folder_links_of_paper_pages_reach_the_flat_pages(dev: DevServer, browser) -> None:
    """The 404 page's moved.js sends papers/<slug>/ to papers/<slug>.html (and the .bib)."""
    page = browser.new_page()
    try:
        for old in ("papers/2508.00001/", "papers/2508.00001/index.html"):
            page.goto(dev.url + old + "#abstract")
            page.wait_for_url(dev.url + "papers/2508.00001.html#abstract")
            assert page.locator("h1").inner_text() == "First paper"
        response = httpx.get(dev.url + "papers/2508.00001/2508.00001.bib")
        assert response.status_code == 404 and "moved.js" in response.text
        page.goto(dev.url + "papers/2508.00001/2508.00001.bib")
        page.wait_for_url(dev.url + "papers/2508.00001.bib")
        assert "@article{" in page.content() or "@misc{" in page.content()
        # A paper that does not exist stays on the 404 page: no redirect loop.
        page.goto(dev.url + "papers/2599.99999/")
        page.wait_for_url(dev.url + "papers/2599.99999.html")
        assert page.locator("h1").inner_text() == "Page not found"
        page.goto(dev.url + "tags/nothing/")
        assert page.url == dev.url + "tags/nothing/"
    finally:
        page.close()
