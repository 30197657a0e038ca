"""Helpers for tests that inspect a built site: links, ids, page weight."""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class LinkCollector(HTMLParser):
    """Collects href/src values and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "action"):
            if values.get(name):
                self.links.append(values[name] or "")
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"] or "")
        if tag == "link" and values.get("rel") == "stylesheet":
            self.styles.append(values["href"] or "")


def parse_page(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def resolve(out: Path, prefix: str, link: str) -> Path | None:
    """The file an internal link points to, or None for external links."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "#")):
        return None
    path = unquote(parts.path)
    assert path.startswith(prefix), f"internal link {link!r} is not under the sub-path {prefix}"
    rel = path[len(prefix):]
    target = out / rel
    return target / "index.html" if rel == "" or rel.endswith("/") else target


def broken_links(out: Path, prefix: str) -> list[str]:
    """Every internal link (and #anchor) of every page that points nowhere."""
    broken: list[str] = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(out.rglob("*.html")):
        collector = parse_page(page)
        ids[page] = collector.ids
        for link in collector.links:
            if link.startswith("#"):
                if link[1:] and link[1:] not in collector.ids:
                    broken.append(f"{page.relative_to(out)}: {link}")
                continue
            target = resolve(out, prefix, link)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(out)}: {link}")
    return broken


def page_weight(out: Path, prefix: str, page: Path) -> int:
    """Gzip bytes of a page plus the stylesheets and scripts it loads."""
    collector = parse_page(page)
    total = len(gzip.compress(page.read_bytes(), 9))
    for link in collector.styles + collector.scripts:
        target = resolve(out, prefix, link)
        if target is not None:
            total += len(gzip.compress(target.read_bytes(), 9))
    return total


#: A page's layout shift so far, in Chromium (`page.evaluate(LAYOUT_SHIFT)`): 0 when nothing
#: moved after it was first drawn.
LAYOUT_SHIFT = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) total += e.value; })
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => done(total), 300);
})"""


def axe_violations(page, axe: str) -> list[str]:
    """axe-core's serious and critical violations on a Playwright page (`axe`: the text of
    axe.min.js, injected for the test only; the page's context needs `bypass_csp`)."""
    page.add_script_tag(content=axe)
    return page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
        .then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target).join(' ')))""")
