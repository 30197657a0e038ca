"""`sitegen check`: validate the content and the built site without writing anything.

Content: every problem `content.load_papers` finds (front matter schema, dates, duplicate
ids, unknown keys), plus dates in the future and links in the curator's notes that point
at site pages that do not exist. Output: every internal link and `#anchor` of every HTML
page resolves to a built file and id; XML (feeds, sitemap) and JSON files parse.
By default the site is built in memory; `out_dir` checks a folder built earlier instead.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own build output
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sitegen.build.outputs import build_outputs
from sitegen.config import Config
from sitegen.errors import ProblemsFound, SitegenError
from sitegen.model import Paper, Problem
from sitegen.render.textrender import notes_to_html
from sitegen.store.intros import load_intros
from sitegen.store.papers import load_papers
from sitegen.urls import Urls

#: (tag, attribute) pairs whose URLs must resolve inside the site.
LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
                   ("source", "src"), ("iframe", "src")}


@dataclass
class PageLinks:
    """What one HTML page links to (url, line) and which fragment ids it defines."""

    links: list[tuple[str, int]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


# One pass over a page: comments and the text of script/style elements are skipped (their
# start tags still count), every other start tag is read with its attributes. Much faster
# than html.parser on large sites, and equivalent on sitegen's output (a test compares them).
_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style)\b(?P<rawattrs>[^>]*)>.*?</(?P=raw)\s*>"
    r"|<(?P<tag>[a-zA-Z][\w:-]*)(?P<attrs>(?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'"
    r"|[^\s>\"']+))?)*)\s*/?>",
    re.DOTALL | re.IGNORECASE)
_ATTR = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")


def scan_html(data: bytes) -> PageLinks:
    """The links (with line numbers) and the fragment ids of an HTML document."""
    text = data.decode("utf-8", errors="replace")
    page = PageLinks()
    line, counted = 1, 0
    for match in _TOKEN.finditer(text):
        tag = match.group("raw") or match.group("tag")
        if tag is None:
            continue  # a comment
        attrs = match.group("rawattrs") if match.group("raw") else match.group("attrs")
        if not attrs:
            continue
        tag = tag.lower()
        for attr in _ATTR.finditer(attrs):
            name = attr.group(1).lower()
            value = next((v for v in attr.group(2, 3, 4) if v is not None), None)
            if value is None:
                continue
            value = html.unescape(value) if "&" in value else value
            if name == "id" or (tag == "a" and name == "name"):
                page.ids.add(value)
            elif (tag, name) in LINK_ATTRIBUTES:
                line += text.count("\n", counted, match.start())
                counted = match.start()
                page.links.append((value, line))
    return page


def page_url(urls: Urls, path: str) -> str:
    """The URL path a built file is served at: `/sub/tags/x/` for its `index.html`,
    `/sub/papers/x.html` for any other file."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[:-len("index.html")]
    return urls.prefix + path


class Resolver:
    """Resolves links found on a page to built files and ids (no network: external is ok)."""

    def __init__(self, urls: Urls, files: dict[str, bytes]) -> None:
        self.urls = urls
        self.files = files
        self._ids: dict[str, set[str]] = {}
        self._seen: dict[object, tuple[str, str] | None] = {}

    def remember(self, path: str, ids: set[str]) -> None:
        """Record the ids of a page already scanned, so it is not scanned again."""
        self._ids[path] = ids

    def ids(self, path: str) -> set[str]:
        if path not in self._ids:
            self._ids[path] = scan_html(self.files[path]).ids
        return self._ids[path]

    def problem(self, page_path: str, href: str) -> tuple[str, str] | None:
        """None if `href` on `page_path` works, else (severity, message). Memoized: a site
        repeats the same root-relative links (header, footer, tags) on every page."""
        key = (href if href.startswith("/") and not href.startswith("//")
               else (page_path, href))
        if key not in self._seen:
            self._seen[key] = self._problem(page_path, href)
        return self._seen[key]

    def _problem(self, page_path: str, href: str) -> tuple[str, str] | None:
        href = href.strip()
        parts = urlsplit(href)
        if parts.scheme and parts.scheme not in ("http", "https"):
            return None  # mailto:, data:, javascript: (nh3 strips it from notes) ...
        if parts.netloc:
            base = self.urls.origin_base
            if not href.startswith(base):
                return None  # external: not checked (check never touches the network)
            href = self.urls.prefix + href[len(base):]
        absolute = urljoin("http://site.invalid" + page_url(self.urls, page_path), href)
        target = urlsplit(absolute)
        path = unquote(target.path)
        if not path.startswith(self.urls.prefix):
            return ("error", f"link {href!r} points outside the site's path {self.urls.prefix}")
        rel = path[len(self.urls.prefix):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        if rel not in self.files:
            if rel + "/index.html" in self.files:
                return ("warning", f"link {href!r} lacks its trailing '/' (a redirect on most "
                        "hosts, a broken link on some)")
            if rel + ".html" in self.files:
                return ("warning", f"link {href!r} lacks its '.html' (GitHub Pages serves "
                        "it, some hosts do not)")
            flat = rel.removesuffix("/index.html") + ".html"
            if rel.endswith("/index.html") and flat in self.files:
                return ("error", f"broken link {href!r}: no page {rel} (the page is {flat})")
            return ("error", f"broken link {href!r}: no page {rel}")
        fragment = unquote(target.fragment)
        if fragment and rel.endswith(".html") and fragment not in self.ids(rel):
            return ("error", f"broken anchor {href!r}: {rel} has no id '{fragment}'")
        return None


def check_outputs(files: dict[str, bytes], urls: Urls, out_label: str,
                  skip: set[tuple[str, str]] = frozenset(),
                  resolver: Resolver | None = None) -> list[Problem]:
    """Links and anchors of every HTML page; XML and JSON files must parse."""
    resolver = resolver or Resolver(urls, files)
    problems: list[Problem] = []
    for path in sorted(files):
        where = f"{out_label}/{path}"
        data = files[path]
        if path.endswith(".html"):
            scanned = scan_html(data)
            resolver.remember(path, scanned.ids)
            for href, line in scanned.links:
                found = resolver.problem(path, href)
                if found and (path, href) not in skip:
                    problems.append(Problem(where, found[1], line, severity=found[0]))
        elif path.endswith(".xml"):
            try:
                ET.fromstring(data)  # noqa: S314 - our own output
            except ET.ParseError as exc:
                problems.append(Problem(where, f"not well-formed XML: {exc}", exc.position[0]))
        elif path.endswith(".json"):
            try:
                json.loads(data)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                problems.append(Problem(where, f"not valid JSON: {exc}",
                                        getattr(exc, "lineno", None)))
    return problems


def _line_of(root: Path, paper: Paper, needle: str) -> int | None:
    try:
        lines = (root / paper.path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((n for n, line in enumerate(lines, 1) if needle in line), None)


def check_notes(papers: Iterable[Paper], root: Path, urls: Urls, resolver: Resolver
                ) -> tuple[list[Problem], set[tuple[str, str]]]:
    """Links in the curator's notes that point at site pages that do not exist.

    Returns the problems (at the paper file and line) and the (page, href) pairs they
    cover, so the output check does not report the same link twice.
    """
    problems: list[Problem] = []
    covered: set[tuple[str, str]] = set()
    for paper in papers:
        if not paper.notes.strip():
            continue
        page = urls.output_path("paper", paper)
        for href, _ in scan_html(notes_to_html(paper.notes).encode("utf-8")).links:
            found = resolver.problem(page, href)
            if found:
                hint = ("link with a path relative to the paper page (OTHER-SLUG.html) or "
                        f"starting with {urls.prefix}")
                problems.append(Problem(paper.path, f"in the notes: {found[1]}",
                                        _line_of(root, paper, href), hint, found[0]))
                covered.add((page, href))
    return problems, covered


def check_dates(papers: Iterable[Paper], today: dt.date) -> list[Problem]:
    """Days in the future are almost always typos (2052 for 2025)."""
    return [Problem(p.path, f"date {p.date.isoformat()} is in the future", None,
                    "write the day the paper was listed, YYYY-MM-DD", "warning")
            for p in papers if p.date > today]


def read_folder(out_dir: Path) -> dict[str, bytes]:
    """Every file of a built site folder, by path relative to it."""
    if not out_dir.is_dir():
        raise SitegenError("no such folder; build the site first or leave out --out",
                           str(out_dir))
    return {p.relative_to(out_dir).as_posix(): p.read_bytes()
            for p in sorted(out_dir.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def built_for(out_dir: Path) -> str | None:
    """The base URL a built folder was made for, as its `robots.txt` records it (the line
    `Sitemap: BASE/sitemap.xml`), or None."""
    try:
        text = (out_dir / "robots.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        value = value.strip()
        if name.strip().lower() == "sitemap" and value.endswith("/sitemap.xml"):
            return value[:-len("sitemap.xml")]
    return None


def check_site(config: Config, today: dt.date, out_dir: Path | None = None) -> list[Problem]:
    """Every problem of the content and of the built site (in memory, or `out_dir`)."""
    papers, problems = load_papers(config.root)
    problems = list(problems)
    problems += check_dates(papers, today)
    intros, intro_problems = load_intros(config.root)
    problems += intro_problems
    urls = Urls(config.site["base_url"])
    if out_dir is not None:
        files = read_folder(out_dir)
        label = str(out_dir)
    else:
        if any(p.severity == "error" for p in intro_problems):
            return problems
        try:
            _, outputs = build_outputs(config, papers, problems=problems, intros=intros)
        except ProblemsFound:  # the reading lists' errors, in `problems`
            return problems
        files = {o.path: o.data for o in outputs}
        label = config.build["output"]
    resolver = Resolver(urls, files)
    note_problems, covered = check_notes(papers, config.root, urls, resolver)
    problems += note_problems
    problems += check_outputs(files, urls, label, covered, resolver)
    return problems

