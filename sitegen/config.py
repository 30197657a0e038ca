"""`sitegen.toml` -> a frozen `Config`.

Strict about structure: an unknown section or key is an error with a suggestion, a value of
the wrong type names the key. `[extra]` is free-form and passed to templates as `extra`.
Every key lives in `SCHEMA`, which `docs/configuration.md` documents (a test checks it).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from sitegen.errors import ConfigError, RuleError
from sitegen.site.select import CATEGORY, compile_selector
from sitegen.site.tagging import compile_rules

CONFIG_FILE = "sitegen.toml"

#: section -> key -> (type, default). The only place a config key is declared.
SCHEMA: dict[str, dict[str, tuple[type, Any]]] = {
    "site": {
        "title": (str, "Daily Papers"),
        "description": (str, "Research papers, day by day."),
        "base_url": (str, "http://localhost:8000/"),
        "author": (str, ""),
        "language": (str, "en"),
    },
    "build": {
        "output": (str, "_site"),
        "theme": (str, "default"),
        "days_per_page": (int, 3),
        "papers_per_page": (int, 100),
        "workers": (int, 0),
    },
    "theme": {
        "thumbnails": (bool, False),
    },
    "feeds": {
        "days": (int, 3),
        "limit": (int, 50),
        "max_entries": (int, 500),
        "site_id": (str, ""),
        "id_base": (str, ""),
    },
    "digests": {
        "mail": (str, "off"),
        "settle_days": (int, 3),
    },
    "tags": {
        "default_rules": (bool, True),
        "rules": (dict, {}),
        "aliases": (dict, {}),
        "keywords": (dict, {}),
    },
    "sources": {
        "hf_api_url": (str, "https://huggingface.co"),
        "arxiv_api_url": (str, "https://export.arxiv.org"),
        "arxiv_listing_url": (str, "https://rss.arxiv.org"),
    },
    "select": {
        "include": (list, []),
        "tags": (list, []),
        "authors": (list, []),
        "exclude": (list, []),
        "min_upvotes": (int, 0),
        "categories": (list, []),
        "store": (str, "selected"),
    },
    "authors": {
        "min_papers": (int, 2),
        "papers_per_page": (int, 30),
        "feed_entries": (int, 20),
        "aliases": (dict, {}),
        "watch": (list, []),
    },
    "fetch": {
        "sources": (list, ["hf"]),
        "arxiv_categories": (list, []),
        "cross_lists": (bool, True),
        "hf_with_arxiv": (bool, False),
    },
}
#: Which digest `sitegen mail` sends (`[digests] mail`): none, the weekly or the monthly.
MAIL_CHOICES = ("off", "weekly", "monthly")
#: What `sitegen fetch` can fetch (`[fetch] sources`).
FETCH_SOURCES = ("hf", "arxiv")


#: Upper bounds of the integer keys (the lower bounds are checked in `parse_config`): far
#: beyond any real site, and small enough that no page loop or process count can explode.
INT_LIMITS: dict[tuple[str, str], int] = {
    ("build", "days_per_page"): 10_000,
    ("build", "papers_per_page"): 1_000_000,
    ("build", "workers"): 1024,
    ("feeds", "limit"): 1_000_000,
    ("feeds", "days"): 10_000,
    ("feeds", "max_entries"): 1_000_000,
    ("digests", "settle_days"): 366,
    ("authors", "min_papers"): 1_000_000,
    ("authors", "papers_per_page"): 1_000_000,
    ("authors", "feed_entries"): 1_000_000,
}
#: Arrays and tables nested deeper than this are refused: no key needs more than a few
#: levels, and the reader and every walk over the values recurse once per level.
MAX_DEPTH = 20
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")


def _depth(value: Any) -> int:
    """How deeply arrays and tables nest in `value` (a walk without recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, level + 1) for v in item]
    return deepest


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a site's base URL, or None: an absolute http(s) URL with a host,
    no user name or password (every page would publish them), no query or fragment (page
    paths are appended to it), no spaces, control characters or backslashes."""
    if not url.startswith(("http://", "https://")):
        return "must be an absolute http(s) URL"
    if re.search(r"[\s\\\x00-\x1f\x7f]", url):
        return "must not hold spaces, control characters or backslashes"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if not parts.hostname:
        return "has no host"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not have a query (?...) or fragment (#...)"
    return None


def _toml_error(exc: Exception, text: str, path: str) -> ConfigError:
    """A `ConfigError` for what tomllib raises besides `TOMLDecodeError`: an integer of more
    than 4,300 digits (`ValueError`), arrays nested past the recursion limit."""
    if isinstance(exc, RecursionError):
        lines = text.splitlines()
        deepest = max(range(len(lines)), key=lambda n: lines[n].count("[") + lines[n].count("{"),
                      default=0)
        return ConfigError(f"not valid TOML: arrays or tables nested too deeply (at most "
                           f"{MAX_DEPTH} levels)", path, deepest + 1 if lines else None)
    found = re.search(r"\d{4300}", text)
    line = text.count("\n", 0, found.start()) + 1 if found else None
    return ConfigError(f"not valid TOML: a number too large to read ({exc})", path, line,
                       "write a number of a few digits")


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class Config:
    """The site's settings, one attribute per section (`config.site["title"]`)."""

    site: Mapping[str, Any]
    build: Mapping[str, Any]
    theme: Mapping[str, Any]
    feeds: Mapping[str, Any]
    digests: Mapping[str, Any]
    tags: Mapping[str, Any]
    sources: Mapping[str, Any]
    select: Mapping[str, Any]
    fetch: Mapping[str, Any]
    authors: Mapping[str, Any]
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    root: Path = Path(".")

    def with_base_url(self, base_url: str) -> Config:
        """A copy with another base URL (`build --base-url`, `serve`)."""
        problem = base_url_problem(base_url)
        if problem:
            raise ConfigError(f"the base URL {problem}, not {base_url[:100]!r}", "--base-url",
                              hint="e.g. https://user.github.io/repo/")
        site = dict(self.site)
        site["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
        return Config(**{**self.__dict__, "site": MappingProxyType(site)})


def _suggest(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(name, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(choices))}"


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(needle):
            return number
    return None


def parse_config(text: str, path: str = CONFIG_FILE, root: Path = Path(".")) -> Config:
    """Parse and validate the text of a `sitegen.toml`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise ConfigError(f"not valid TOML: {exc}", path, line,
                          "see docs/configuration.md for the format") from None
    except (ValueError, RecursionError) as exc:
        raise _toml_error(exc, text, path) from None
    for section, values in data.items():
        if _depth(values) > MAX_DEPTH:
            raise ConfigError(f"[{section}] nests arrays or tables more than {MAX_DEPTH} "
                              "levels deep", path, _line_of(text, f"[{section}"))
    sections: dict[str, Any] = {}
    for section, values in data.items():
        if section == "extra":
            continue
        if section not in SCHEMA:
            raise ConfigError(f"unknown section [{section}]", path, _line_of(text, f"[{section}"),
                              _suggest(section, [*SCHEMA, "extra"]))
        if not isinstance(values, dict):
            raise ConfigError(f"'{section}' must be a table", path, _line_of(text, section))
        for key, value in values.items():
            spec = SCHEMA[section]
            if key not in spec:
                raise ConfigError(f"unknown key '{key}' in [{section}]", path,
                                  _line_for(text, section, [key]), _suggest(key, list(spec)))
            expected = spec[key][0]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(
                    f"[{section}] {key} must be {expected.__name__}, not {type(value).__name__}",
                    path, _line_for(text, section, [key]))
    for section, spec in SCHEMA.items():
        merged = {key: default for key, (_, default) in spec.items()}
        merged.update(data.get(section, {}))
        sections[section] = _freeze(merged)
    for key in ("days_per_page", "papers_per_page"):
        if sections["build"][key] < 1:
            raise ConfigError(f"[build] {key} must be at least 1", path,
                              _line_for(text, "build", [key]))
    if sections["build"]["workers"] < 0:
        raise ConfigError("[build] workers must be 0 (one per CPU) or more", path,
                          _line_for(text, "build", ["workers"]))
    for key in ("days", "limit", "max_entries"):
        if sections["feeds"][key] < 1:
            raise ConfigError(f"[feeds] {key} must be at least 1", path,
                              _line_for(text, "feeds", [key]))
    if sections["digests"]["settle_days"] < 1:
        raise ConfigError("[digests] settle_days must be at least 1", path,
                          _line_for(text, "digests", ["settle_days"]),
                          "the days after a week or month before its digest is made: "
                          "3 for the daily workflow's fetch window")
    for (section, key), most in INT_LIMITS.items():
        if sections[section][key] > most:
            raise ConfigError(f"[{section}] {key} must be at most {most:,}", path,
                              _line_for(text, section, [key]))
    theme = sections["build"]["theme"]
    if not _THEME_NAME.match(theme) or ".." in theme:
        raise ConfigError(f"[build] theme must be a theme's name, not {theme[:80]!r}", path,
                          _line_for(text, "build", ["theme"]),
                          "a packaged theme or a folder in the site's themes/: no path")
    _check_feeds(sections["feeds"], text, path)
    if sections["digests"]["mail"] not in MAIL_CHOICES:
        raise ConfigError(f"[digests] mail must be one of {', '.join(MAIL_CHOICES)}, not "
                          f"{sections['digests']['mail'][:40]!r}", path,
                          _line_for(text, "digests", ["mail"]))
    base = sections["site"]["base_url"]
    problem = base_url_problem(base)
    if problem:
        raise ConfigError(f"[site] base_url {problem}, not {base[:100]!r}", path,
                          _line_for(text, "site", ["base_url"]), "e.g. https://user.github.io/repo/")
    _check_rules(sections, text, path)
    _check_fetch(sections["fetch"], text, path)
    _check_authors(sections["authors"], text, path)
    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        raise ConfigError("'extra' must be a table", path, _line_of(text, "extra"))
    config = Config(extra=_freeze(extra), root=root, **sections)
    return config.with_base_url(base)


def _check_feeds(feeds: Mapping[str, Any], text: str, path: str) -> None:
    if feeds["max_entries"] < feeds["limit"]:
        raise ConfigError(f"[feeds] max_entries ({feeds['max_entries']}) must be at least "
                          f"limit ({feeds['limit']})", path,
                          _line_for(text, "feeds", ["max_entries"]))
    id_base = feeds["id_base"]
    if id_base and not id_base.startswith(("http://", "https://")):
        raise ConfigError(f"[feeds] id_base must be an absolute http(s) URL, not {id_base!r}",
                          path, _line_for(text, "feeds", ["id_base"]),
                          "your site's first base URL, so feed entry ids never change")
    if feeds["site_id"]:
        try:
            uuid.UUID(feeds["site_id"])
        except ValueError:
            raise ConfigError(f"[feeds] site_id must be a UUID, not {feeds['site_id'][:80]!r}",
                              path, _line_for(text, "feeds", ["site_id"]),
                              "sitegen new writes one; never change it") from None


def _line_for(text: str, section: str, needles: list[str]) -> int | None:
    """The line of the first needle found in `section` (else anywhere), else its header."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip().startswith(f"[{section}")), 0)
    for needle in filter(None, needles):
        for number in [*range(start, len(lines)), *range(start)]:
            if needle in lines[number]:
                return number + 1
    return start + 1 if start or lines and lines[0].strip().startswith(f"[{section}") else None


def _check_rules(sections: Mapping[str, Any], text: str, path: str) -> None:
    """Compile the tag and selection rules once at load, so a bad rule is reported with the
    line that holds it (the pattern's own, else its key's)."""
    try:
        compile_selector(sections["select"], compile_rules(sections["tags"]))
    except RuleError as exc:
        # "[tags] rules."my tag": ...", "[select] include: ...": the section, key and name
        found = re.match(r'\[(\w+)\] (\w+)(?:\."([^"]*)")?', exc.message)
        section, key, name = found.groups() if found else ("tags", "", None)
        pattern = exc.pattern
        needles = [f'"{pattern}"', f"'{pattern}'", pattern.replace("\\", "\\\\")] \
            if pattern else []
        needles += [f'"{name}"', name] if name else []
        needles += [f"{key} ", f"{key}="] if key else []
        raise ConfigError(exc.message, path, _line_for(text, section, needles),
                          exc.hint) from None


def _check_fetch(section: Mapping[str, Any], text: str, path: str) -> None:
    """`[fetch] sources` names known sources; arXiv needs its categories."""
    for source in section["sources"]:
        if source not in FETCH_SOURCES:
            raise ConfigError(f"[fetch] sources: unknown source {source!r}", path,
                              _line_for(text, "fetch", ["sources"]),
                              f"known: {', '.join(FETCH_SOURCES)}")
    for category in section["arxiv_categories"]:
        if not isinstance(category, str) or not CATEGORY.match(category):
            raise ConfigError(f"[fetch] arxiv_categories: {category!r} is not an arXiv "
                              "category", path, _line_for(text, "fetch", ["arxiv_categories"]),
                              "e.g. cs.CV, hep-th, q-bio.NC")
    if "arxiv" in section["sources"] and not section["arxiv_categories"]:
        raise ConfigError('[fetch] sources has "arxiv" but arxiv_categories is empty', path,
                          _line_for(text, "fetch", ["sources"]),
                          'name the categories, e.g. arxiv_categories = ["cs.CV"]')


def _check_authors(section: Mapping[str, Any], text: str, path: str) -> None:
    """`[authors]`: page sizes at least 1; aliases and the watch list name people (the
    rules themselves, `site.people.people_rules`, are made from these checked values)."""
    for key in ("min_papers", "papers_per_page", "feed_entries"):
        if section[key] < 1:
            raise ConfigError(f"[authors] {key} must be at least 1", path,
                              _line_for(text, "authors", [key]))
    from sitegen.site.people import people_rules

    try:
        people_rules(section)
    except RuleError as exc:
        needles = [f'"{exc.pattern}"', f"'{exc.pattern}'"] if exc.pattern else []
        needles += [f"{key} " for key in ("aliases", "watch") if f"] {key}" in exc.message]
        raise ConfigError(exc.message, path, _line_for(text, "authors", needles),
                          exc.hint) from None


def load_config(root: Path) -> Config:
    """Read `root/sitegen.toml`; a missing file is an error that says how to make one."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"no {CONFIG_FILE} here", str(path),
                          hint="run this inside a site folder, or create one with 'sitegen new DIR'"
                          ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", str(path)) from None
    return parse_config(text, str(path), root)
