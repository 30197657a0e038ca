"""`sitegen.toml` -> a frozen `Config`.

Strict about structure: an unknown section or key is an error with a suggestion, a value of
the wrong type names the key. `[extra]` is free-form and passed to templates as `extra`.
Every key lives in `SCHEMA`, which `docs/configuration.md` documents (a test checks it).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

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
    "feeds": {
        "limit": (int, 50),
        "id_base": (str, ""),
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
    "fetch": {
        "sources": (list, ["hf"]),
        "arxiv_categories": (list, []),
        "cross_lists": (bool, True),
        "hf_with_arxiv": (bool, False),
    },
}
#: What `sitegen fetch` can fetch (`[fetch] sources`).
FETCH_SOURCES = ("hf", "arxiv")


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
    feeds: Mapping[str, Any]
    tags: Mapping[str, Any]
    sources: Mapping[str, Any]
    select: Mapping[str, Any]
    fetch: Mapping[str, Any]
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    root: Path = Path(".")

    def with_base_url(self, base_url: str) -> Config:
        """A copy with another base URL (`build --base-url`, `serve`)."""
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
                                  _line_of(text, key), _suggest(key, list(spec)))
            expected = spec[key][0]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(
                    f"[{section}] {key} must be {expected.__name__}, not {type(value).__name__}",
                    path, _line_of(text, key))
    for section, spec in SCHEMA.items():
        merged = {key: default for key, (_, default) in spec.items()}
        merged.update(data.get(section, {}))
        sections[section] = _freeze(merged)
    for key in ("days_per_page", "papers_per_page"):
        if sections["build"][key] < 1:
            raise ConfigError(f"[build] {key} must be at least 1", path, _line_of(text, key))
    if sections["build"]["workers"] < 0:
        raise ConfigError("[build] workers must be 0 (one per CPU) or more", path,
                          _line_of(text, "workers"))
    if sections["feeds"]["limit"] < 1:
        raise ConfigError("[feeds] limit must be at least 1", path, _line_of(text, "limit"))
    id_base = sections["feeds"]["id_base"]
    if id_base and not id_base.startswith(("http://", "https://")):
        raise ConfigError(f"[feeds] id_base must be an absolute http(s) URL, not {id_base!r}",
                          path, _line_of(text, "id_base"),
                          "your site's first base URL, so feed entry ids never change")
    base = sections["site"]["base_url"]
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"[site] base_url must be an absolute http(s) URL, not {base!r}", path,
                          _line_of(text, "base_url"), "e.g. https://user.github.io/repo/")
    _check_rules(sections, text, path)
    _check_fetch(sections["fetch"], text, path)
    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        raise ConfigError("'extra' must be a table", path, _line_of(text, "extra"))
    config = Config(extra=_freeze(extra), root=root, **sections)
    return config.with_base_url(base)


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
