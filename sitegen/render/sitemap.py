"""`sitemap.xml` (every HTML page, absolute URLs, `lastmod` from the data) and `robots.txt`.

`lastmod` of a page is the newest paper day shown on it (`page_lastmod`), never the build
time, so an unchanged page keeps its date and the build stays reproducible. Each output
carries its date (`Output.lastmod`, `Kept.lastmod`): the sitemap is made from what was put
into the site, whatever made it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from sitegen.model import Day, Month, Output, Paper, Site, Tag
from sitegen.site.periods import Week
from sitegen.urls import PAGE_KINDS, Urls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: A character a path cannot carry into a URL as it is (then it is percent-encoded, which
#: also leaves nothing for XML to escape).
_UNSAFE = re.compile(r"[^A-Za-z0-9/._~-]")


def escape(text: str) -> str:
    """`xml.sax.saxutils.escape` (`&`, `<`, `>`), without importing `xml.sax`, which
    imports `urllib.request` and `http.client` (docs/performance.md)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

#: Page kinds left out of the sitemap: not content (the Saved page shows what a reader
#: saved in their own browser), or a copy of a page that is (a digest's email file).
UNLISTED_KINDS = ("not_found", "saved", "digest_email")


def _pattern(kind: str) -> str:
    """A kind's file paths as a regex: its pattern with any field for a path segment."""
    path = PAGE_KINDS[kind]
    path = path + "index.html" if path.endswith("/") or not path else path
    return "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]*\}", path))


_UNLISTED = re.compile("|".join(_pattern(kind) for kind in UNLISTED_KINDS))


def unlisted(path: str) -> bool:
    """Whether an output file is left out of the sitemap (`UNLISTED_KINDS`)."""
    return _UNLISTED.fullmatch(path) is not None


def _newest(value: Any) -> dt.date | None:
    if isinstance(value, Paper | Day):
        return value.date
    if isinstance(value, Month | Week):
        return value.days[0].date if value.days else None
    if isinstance(value, dt.date):  # the top page's newest day
        return value
    if isinstance(value, Tag):
        return value.papers[0].date if value.papers else None
    if isinstance(value, list | tuple):  # a tag page's 30 papers: no call per paper
        dates = [v.date if isinstance(v, Paper | Day) else _newest(v) for v in value]
        return max((d for d in dates if d), default=None)
    return None


def page_lastmod(context: Mapping[str, Any]) -> dt.date | None:
    """The newest paper day a page shows, from its template context.

    The most specific key wins: a paper page's own paper, a list page's papers or days,
    then broader objects (a tag's page 2 shows older papers than the tag's newest).
    """
    for key in ("paper", "papers", "days", "day", "week", "month", "months", "tags", "tag",
                "newest"):
        if key in context:
            found = _newest(context[key])
            if found:
                return found
    return None


def html_page_url(urls: Urls, path: str) -> str:
    """The absolute URL of an output file (`a/b/index.html` -> `<base>a/b/`), its path
    percent-encoded as page links are (`my paper.html` -> `my%20paper.html`)."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return urls.origin_base + (quote(path, safe="/") if _UNSAFE.search(path) else path)


def sitemap_xml(urls: Urls, lastmods: Mapping[str, dt.date | None], default: dt.date | None
                ) -> bytes:
    """A sitemap of every HTML output of `lastmods` (every output's path and date; a page
    without a date gets `default`).

    Made every build from 10,000s of paths: the base is escaped once, a path only when it
    has a character to escape, and each date's text is made once."""
    start = "  <url><loc>" + escape(urls.origin_base)
    ends: dict[dt.date | None, str] = {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for path in sorted(path for path in lastmods if path.endswith(".html")):
        if unlisted(path):
            continue
        lastmod = lastmods.get(path) or default
        end = ends.get(lastmod)
        if end is None:
            end = ends[lastmod] = (f"</loc><lastmod>{lastmod.isoformat()}</lastmod></url>"
                                   if lastmod else "</loc></url>")
        if path.endswith("index.html") and (len(path) == 10 or path[-11] == "/"):
            path = path[:-10]  # `html_page_url`
        if _UNSAFE.search(path):  # a hand-written file name (`a#b`, `my paper`, `café`)
            path = quote(path, safe="/")  # percent-encoded as page links are (urls.py)
        lines.append(start + path + end)
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots_txt(urls: Urls) -> bytes:
    """Allow everything and point to the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap')}\n".encode()


def sitemap_outputs(site: Site, urls: Urls, lastmods: Mapping[str, dt.date | None]
                    ) -> list[Output]:
    """`sitemap.xml` and `robots.txt` for the HTML pages among the outputs put into the
    site (`lastmods`: each output's path and date, as put)."""
    return [Output(urls.output_path("sitemap"), sitemap_xml(urls, lastmods, site.updated)),
            Output(urls.output_path("robots"), robots_txt(urls))]
