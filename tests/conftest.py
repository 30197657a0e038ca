"""Shared fixtures: small sites written inline, the CLI, a static server and a browser."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import venv
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.model import Output

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "samples" / "daily-papers-aug11.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Debian's Chromium; `SITEGEN_CHROMIUM=/missing` simulates a machine without it.
CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

MINIMAL_CONFIG = """\
[site]
title = "Test Papers"
base_url = "https://example.org/sub/"
"""


def in_ci() -> bool:
    """True under CI (`CI=true`, as GitHub Actions and `.ci/run` set it): CI installs every
    optional tool, so a test that would skip for want of one fails there instead."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require(available: bool, reason: str) -> None:
    """Skip the calling test when an optional tool or repository file is missing (a fresh
    machine, the sdist); under CI fail it, so CI cannot go green by skipping."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: CI must run this test; .ci/run installs what it needs)",
                    pytrace=False)
    pytest.skip(reason)


def require_node(package: str) -> str:
    """The `node` executable, with `node_modules/PACKAGE` installed by `npm ci`; else skip
    (fail under CI)."""
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require((REPO / "node_modules" / package).is_dir(),
            f"node_modules/{package} is missing (run `npm ci` in the repository root)")
    assert node is not None
    return node


def require_repo_file(relative: str) -> Path:
    """A file of the git checkout that the sdist does not ship (`.github/`, `package.json`,
    `.ci/`); skip when it is missing (fail under CI)."""
    path = REPO / relative
    require(path.exists(), f"{relative} is not here (a source distribution, not a checkout)")
    return path


def site_packages_of_this_python() -> list[str]:
    """The folders the running interpreter imports installed packages from: its venv's
    site-packages (a fresh venv holds every dependency there), and the system's when the
    venv was made with --system-site-packages."""
    return [entry for entry in sys.path
            if Path(entry).name in ("site-packages", "dist-packages") and Path(entry).is_dir()]


def venv_with_these_dependencies(env_dir: Path) -> Path:
    """A new venv that imports the dependencies the test run has (no network needed), in
    any environment: a `.pth` file adds this interpreter's site-packages after the venv's
    own, so a sitegen installed into the venv (`pip_install`) comes first. The venv has no
    pip of its own (ensurepip is slow); `pip_install` drives this one's. Returns its python."""
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         capture_output=True, text=True, check=True).stdout.strip()
    (Path(own) / "outer-dependencies.pth").write_text(
        "".join(f"{entry}\n" for entry in site_packages_of_this_python()), encoding="utf-8")
    return python


def venv_env() -> dict[str, str]:
    """The environment for a venv's own programs: this one without PYTHONPATH, which would
    put another sitegen (a checkout) before the one installed in the venv."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def pip_install(python: Path, *args: str, cwd: Path | None = None) -> None:
    """`pip install --no-deps ARGS` into the venv of `python`, with the test run's pip."""
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                           "-q", "--no-deps", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=venv_env())
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session", autouse=True)
def _cache_key_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The build cache's key (util/sealed.py) in a folder of the test session, not the
    user's ~/.cache; CLI runs in child processes inherit it."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


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
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The fetchers' pauses (politeness, Retry-After) recorded instead of slept."""
    from sitegen.sources import http as source_http

    slept: list[float] = []
    monkeypatch.setattr(source_http, "default_sleep", slept.append)
    return slept


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
    require(Path(CHROMIUM).exists(),
            f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield chromium
        chromium.close()


def papers_with_links(site: Path) -> Path:
    """The papers folder with `alias.md`, a link to its `real.md`, and `out.md`, a link to
    a paper file outside it."""
    folder = site / "content" / "papers"
    (folder / "alias.md").symlink_to(folder / "real.md")
    outside = site / "outside.md"
    outside.write_text("---\ntitle: Outside\ndate: 2025-08-11\n---\n", encoding="utf-8")
    (folder / "out.md").symlink_to(outside)
    return folder
