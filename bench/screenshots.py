"""Screenshots of a site fetched from a stand-in Hugging Face API (docs/screenshots/).

    python bench/screenshots.py                  # writes docs/screenshots/*.png
    python bench/screenshots.py --out DIR        # elsewhere

One server on 127.0.0.1 (tests/hfstandin.py) answers the Daily Papers API with invented but
realistic papers (organisations, upvotes, stars, comments, summaries, thumbnails), then
serves the site built from them. `sitegen fetch hf` fetches eight days into a new site
(`[theme] thumbnails = true`), `sitegen build` builds it, and Debian's Chromium (through
Playwright) photographs the home, day, week, paper, tag and search pages at 375 px (a
phone) and 1280 px (a desktop), light and dark; each PNG shows light and dark side by
side. Needs Playwright's Python package and /usr/bin/chromium; no network.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from hfstandin import DAYS, Server  # noqa: E402

from sitegen.cli import main as sitegen  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: (name, path under the site, what to do once loaded)
PAGES = (("home", ""), ("day", "2025/08/13/"), ("week", "2025/W32/"),
         ("paper", None), ("tag", "tags/reasoning/"), ("search", "search/?q=reasoning"))
SIZES = (("phone", 375, 1000), ("desktop", 1280, 1000))
#: True once every image in the first screen has been drawn (`loading="lazy"` images are
#: fetched as they come into view, after the load event: a picture must not catch them
#: half-way).
SHOWN_IMAGES_LOADED = """() => Array.from(document.images)
  .filter(img => img.getBoundingClientRect().top < innerHeight)
  .every(img => img.complete && img.naturalWidth > 0)"""


def make_site(root: Path, origin: str) -> Path:
    """A new site fetched from the stand-in and built; returns its output folder."""
    import sitegen.sources.http as source_http

    source_http.default_sleep = lambda seconds: None  # the stand-in needs no pacing
    root.mkdir(parents=True)
    (root / "sitegen.toml").write_text(
        f'[site]\ntitle = "Daily Papers"\nbase_url = "{origin}/site/"\n'
        'description = "Research papers, day by day, from a stand-in Hugging Face API."\n'
        f'[sources]\nhf_api_url = "{origin}"\n[theme]\nthumbnails = true\n', encoding="utf-8")
    (root / "content" / "papers").mkdir(parents=True)
    for command in (["fetch", "hf", "--from", DAYS[0].isoformat(), "--to",
                     DAYS[-1].isoformat(), "--no-cache"], ["build"]):
        status = sitegen([*command, "--root", str(root), "-q"])
        if status != 0:
            raise SystemExit(f"sitegen {' '.join(command)} failed ({status})")
    return root / "_site"


def top_paper(out: Path) -> str:
    """The path of the week's first paper (the most upvoted, with the most to show)."""
    html = (out / "2025" / "W32" / "index.html").read_text(encoding="utf-8")
    start = html.index('class="card-title"><a href="') + len('class="card-title"><a href="')
    href = html[start:html.index('"', start)]
    return href.split("/site/", 1)[1]


def side_by_side(browser, left: bytes, right: bytes, width: int) -> bytes:
    """One PNG with `left` (light) and `right` (dark) next to each other."""
    page = browser.new_page(viewport={"width": 2 * width + 48, "height": 400})
    images = "".join(
        f'<figure><figcaption>{label}</figcaption><img src="data:image/png;base64,'
        f'{base64.b64encode(data).decode()}" width="{width}"></figure>'
        for label, data in (("light", left), ("dark", right)))
    page.set_content(
        "<style>body{margin:0;padding:8px;display:flex;gap:16px;background:#888;"
        "font:14px sans-serif}figure{margin:0}figcaption{color:#fff;padding:0 0 4px}"
        f"img{{display:block;box-shadow:0 0 0 1px #555}}</style>{images}")
    page.wait_for_load_state("load")
    data = page.screenshot(full_page=True)
    page.close()
    return data


def shoot(out: Path, base: str, target: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    target.mkdir(parents=True, exist_ok=True)
    paper = top_paper(out)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, path in PAGES:
            for size, width, height in SIZES:
                shots = []
                for scheme in ("light", "dark"):
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme=scheme)
                    page = context.new_page()
                    page.goto(base + (paper if path is None else path))
                    page.wait_for_load_state("networkidle")
                    if name == "search":
                        page.wait_for_selector("#search-results li")
                    page.wait_for_function(SHOWN_IMAGES_LOADED)  # lazy ones in view too
                    shots.append(page.screenshot())
                    context.close()
                file = target / f"{name}-{size}.png"
                file.write_bytes(side_by_side(browser, shots[0], shots[1], width))
                written.append(file)
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    server = Server()
    with tempfile.TemporaryDirectory() as tmp, server.running() as origin:
        server.site = make_site(Path(tmp) / "site", origin)
        for file in shoot(server.site, origin + "/site/", args.out):
            print(file.relative_to(REPO) if file.is_relative_to(REPO) else file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
