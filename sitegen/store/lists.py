"""Reading lists, `content/lists/<name>.md`: front matter (`title`, `sessions`) and an
introduction (the Markdown body), read with the line of every value.

A file is read the way paper files are (store/papers.py): UTF-8, size-capped, symlinks
out of the folder refused, the front matter split at its `---` lines and parsed by
PyYAML's safe loader with aliases refused. The YAML is composed into nodes, not loaded,
so each session and each paper reference keeps its line, and scalars keep the text as
written (`2508.10200` stays that, not a float). Every problem is collected, as
`path:line: error: message (hint)`; a file with an error gives no list. Which papers the
references name is the site's business (site/lists.py).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitegen.errors import ContentError
from sitegen.model import Problem
from sitegen.store.frontmatter import first_alias, split_front_matter
from sitegen.urls import slugify
from sitegen.util.fileio import leaves
from sitegen.util.textclean import has_controls, strip_controls

LISTS_DIR = Path("content") / "lists"
#: A list file is a few kB; these bound what a hostile one may bring.
MAX_LIST_BYTES = 1 << 20
MAX_SESSIONS = 1000
MAX_PAPERS = 200  # per session
MAX_TEXT = 300  # a title, a presenter, a paper reference
MAX_NOTES = 20_000
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LIST_KEYS = ("title", "sessions")
_SESSION_KEYS = ("date", "presenter", "papers", "notes")
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class PaperRef:
    """A paper as a list names it (an arXiv id or a paper file's slug) and its line."""

    text: str
    line: int


@dataclass(frozen=True)
class SessionEntry:
    """A session as written: the papers still references."""

    date: dt.date
    presenter: str
    papers: tuple[PaperRef, ...]
    notes: str
    line: int


@dataclass(frozen=True)
class ListFile:
    """One list file as read: `slug` is its URL segment, `path` what problems name."""

    slug: str
    title: str
    intro: str
    sessions: tuple[SessionEntry, ...]
    path: str


class _Problems:
    """The problems of one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Problem] = []

    def add(self, line: int | None, message: str, hint: str | None = None,
            severity: str = "error") -> None:
        self.found.append(Problem(self.path, message, line, hint, severity))

    @property
    def errors(self) -> bool:
        return any(p.severity == "error" for p in self.found)


def list_names(folder: Path) -> list[str]:
    """The `.md` files of the lists folder, sorted (hidden files left out)."""
    try:
        return sorted(entry.name for entry in os.scandir(folder)
                      if entry.name.endswith(".md") and not entry.name.startswith("."))
    except OSError:
        return []


def load_lists(root: Path) -> tuple[list[ListFile], list[Problem]]:
    """Every reading list of the site, by file name, and every problem found."""
    folder = root / LISTS_DIR
    lists: list[ListFile] = []
    problems: list[Problem] = []
    slugs: dict[str, str] = {}
    for name in list_names(folder):
        rel = (LISTS_DIR / name).as_posix()
        found, more = read_list(folder / name, rel)
        problems += more
        if found is None:
            continue
        if found.slug in slugs:
            problems.append(Problem(rel, f"gives the same URL, lists/{found.slug}/, as "
                                    f"{slugs[found.slug]}; not read", None,
                                    "rename one of the two files"))
            continue
        slugs[found.slug] = rel
        lists.append(found)
    return lists, problems


def read_list(file: Path, rel: str) -> tuple[ListFile | None, list[Problem]]:
    """One list file, or None and why."""
    bad = _Problems(rel)
    slug = slugify(file.name.removesuffix(".md"), 80)
    if not slug:
        bad.add(None, "the file name has no ASCII letter or digit to make the list's URL "
                "from; not read", "rename it, e.g. content/lists/reading-group.md")
        return None, bad.found
    try:
        st = os.lstat(file)
        if stat.S_ISLNK(st.st_mode) and leaves(file, file.parent):
            bad.add(None, "links to a file outside the lists folder; not read",
                    "copy the list file in instead of linking")
            return None, bad.found
        st = os.stat(file)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_LIST_BYTES:
            bad.add(None, f"not a file of at most {MAX_LIST_BYTES >> 20} MB; not read")
            return None, bad.found
        text = file.read_bytes().decode("utf-8")
    except (RuntimeError, OSError) as exc:  # RuntimeError: a symlink loop
        bad.add(None, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
        return None, bad.found
    except UnicodeDecodeError as exc:
        bad.add(None, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                "save the file as UTF-8")
        return None, bad.found
    found = parse_list(text, slug, rel, bad)
    return (None if bad.errors else found), bad.found


def parse_list(text: str, slug: str, rel: str, bad: _Problems | None = None) -> ListFile | None:
    """A list file's text -> `ListFile` (None when it has an error: see `bad.found`)."""
    bad = bad if bad is not None else _Problems(rel)
    try:
        yaml_text, body, _ = split_front_matter(text, rel)
    except ContentError as exc:
        bad.add(exc.line, exc.message, exc.hint)
        return None
    alias = first_alias_or_error(yaml_text, bad)
    if alias:
        return None
    try:
        node = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        bad.add(mark.line + 2 if mark else 1, f"front matter is not valid YAML: "
                f"{getattr(exc, 'problem', None) or exc}", "check the indentation and quotes")
        return None
    if not isinstance(node, yaml.MappingNode):
        bad.add(1, "the front matter must be a mapping of keys to values",
                "write `title:` and `sessions:` lines")
        return None
    values = _mapping(node, _LIST_KEYS, "a list", bad)
    title = _text(values.get("title"), "title", bad, required=True, line=2)
    items = _items(values.get("sessions"), "'sessions' must be a list of sessions",
                   "each item: `- date: YYYY-MM-DD` with `presenter`, `papers`, `notes`",
                   MAX_SESSIONS, "sessions", bad)
    sessions = [s for s in (_session(item, bad) for item in items) if s]
    intro = body
    if len(intro) > MAX_NOTES * 5:
        bad.add(None, f"the introduction is over {MAX_NOTES * 5} characters")
    if has_controls(intro):
        bad.add(None, "control characters removed from the introduction", severity="warning")
        intro = strip_controls(intro)
    if bad.errors or title is None:
        return None
    return ListFile(slug, title, intro, tuple(sessions), rel)


def first_alias_or_error(yaml_text: str, bad: _Problems) -> bool:
    """True (and the problem noted) when the YAML has an alias or cannot be scanned."""
    try:
        line = first_alias(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        bad.add(mark.line + 2 if mark else 1, f"front matter is not valid YAML: "
                f"{getattr(exc, 'problem', None) or exc}", "check the indentation and quotes")
        return True
    if line is not None:
        bad.add(line, "YAML aliases are not allowed in a list file", "write the value out")
        return True
    return False


def _line(node: yaml.Node | None) -> int | None:
    """The file line of a node (the front matter starts on line 2)."""
    return node.start_mark.line + 2 if node is not None else None


def _mapping(node: yaml.MappingNode, keys: tuple[str, ...], what: str, bad: _Problems
             ) -> dict[str, yaml.Node]:
    """A mapping node's values by key; unknown and repeated keys are errors."""
    values: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in keys:
            bad.add(_line(key), f"unknown key {str(name)[:40]!r} in {what}",
                    "allowed: " + ", ".join(keys))
        elif name in values:
            bad.add(_line(key), f"'{name}' is given twice in {what}")
        else:
            values[name] = value
    return values


def _text(node: yaml.Node | None, key: str, bad: _Problems, required: bool = False,
          line: int | None = None, limit: int = MAX_TEXT) -> str | None:
    """A scalar's text as written, control characters removed; None if missing or bad."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:  # `key:` with no value
        line, node = _line(node), None
    if node is None:
        if required:
            bad.add(line, f"'{key}' is missing", f"write `{key}: ...`")
        return None
    if not isinstance(node, yaml.ScalarNode):
        bad.add(_line(node), f"'{key}' must be text, not a list or mapping")
        return None
    text = node.value
    if has_controls(text):
        bad.add(_line(node), f"control characters removed from '{key}'", severity="warning")
        text = strip_controls(text)
    if len(text) > limit:
        bad.add(_line(node), f"'{key}' is over {limit} characters")
        return None
    if required and not text.strip():
        bad.add(_line(node), f"'{key}' is empty")
        return None
    return text.strip() if limit == MAX_TEXT else text


def _items(node: yaml.Node | None, message: str, hint: str, limit: int, what: str,
           bad: _Problems) -> list[yaml.Node]:
    """A sequence node's items (none if missing, not a sequence, or over `limit`)."""
    if node is None or isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
        return []
    if not isinstance(node, yaml.SequenceNode):
        bad.add(_line(node), message, hint)
        return []
    if len(node.value) > limit:
        bad.add(_line(node), f"more than {limit} {what}")
        return []
    return node.value


def _session(node: yaml.Node, bad: _Problems) -> SessionEntry | None:
    """One session, or None (its problems noted)."""
    line = _line(node) or 1
    if not isinstance(node, yaml.MappingNode):
        bad.add(line, "a session must be a mapping",
                "`- date: YYYY-MM-DD` then `presenter:`, `papers:`, `notes:` indented")
        return None
    values = _mapping(node, _SESSION_KEYS, "a session", bad)
    day = None
    written = _text(values.get("date"), "date", bad, required=True, line=line)
    if written is not None:
        try:
            day = dt.date.fromisoformat(written)
        except ValueError:
            bad.add(_line(values["date"]), f"'date' {written[:40]!r} is not a date",
                    "write YYYY-MM-DD")
    presenter = _text(values.get("presenter"), "presenter", bad) or ""
    notes = _text(values.get("notes"), "notes", bad, limit=MAX_NOTES) or ""
    refs: list[PaperRef] = []
    for item in _items(values.get("papers"), "'papers' must be a list of arXiv ids or paper "
                       "slugs", "e.g. `papers: [2508.01234, my-paper-slug]`", MAX_PAPERS,
                       "papers in one session", bad):
        text = _text(item, "papers", bad)
        if text:
            refs.append(PaperRef(text, _line(item) or line))
        elif text is not None:
            bad.add(_line(item), "an empty paper reference")
    if day is None:
        return None
    return SessionEntry(day, presenter, tuple(refs), notes, line)
