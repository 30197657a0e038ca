"""Shared fixtures: small sites written inline, the CLI, a static server and a browser."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.model import Output

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "samples" / "daily-papers-aug11.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

MINIMAL_CONFIG = """\
[site]
title = "Test Papers"
base_url = "https://example.org/sub/"
"""


def old_search_pack(outputs: list[Output]) -> bytes:
    """A search cache file in the layout before format 1 (a zlib pack of every output):
    tests write it to check an old or foreign cache file is ignored."""
    header = json.dumps([[o.path, len(o.data)] for o in outputs]).encode("utf-8")
    return zlib.compress(header + b"\n" + b"".join(o.data for o in outputs), 1)


def write_paper(root: Path, slug: str, text: str) -> Path:
    """Write a paper file into a test site."""
    path = root / "content" / "papers" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder with a minimal sitegen.toml (base URL under the /sub/ path)."""
    root = tmp_path / "site"
    (root / "content" / "papers").mkdir(parents=True)
    (root / "sitegen.toml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    return root


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `sitegen ARGS` in a folder; return (exit status, stdout, stderr)."""
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-28")

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse usage errors and --help
            status = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture(scope="session")
def sample_page() -> Path:
    """The real Daily Papers page (Aug 11) as users copy it; a copy ships in tests/fixtures."""
    shipped = FIXTURES / "daily-papers-aug11.txt"
    return shipped if shipped.exists() else SAMPLE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def serve_dir():
    """Serve a folder on 127.0.0.1 under a sub-path: `serve_dir(folder, "/repo/")` -> base URL.

    The folder is mounted at the sub-path the way GitHub Pages serves a project site.
    """
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, sub_path: str = "/repo/") -> str:
        mount = folder.parent / f".mount-{folder.name}"
        target = mount / sub_path.strip("/") if sub_path.strip("/") else mount
        if mount.exists():
            shutil.rmtree(mount)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(folder.resolve(), target)
        handler = functools.partial(_QuietHandler, directory=str(mount))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{sub_path}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()
