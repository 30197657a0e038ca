"""The content store: `content/papers/<slug>.md` files <-> `Paper` objects.

A paper file is YAML front matter (the data, keys in `PAPER_KEYS` order) between `---`
lines, then a Markdown body: the curator's notes. Writing a paper read from disk gives the
same bytes back, so a re-import with nothing new is a zero diff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import io
import os
import pickle
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sitegen.errors import ContentError, OutputError
from sitegen.incremental.filememo import FileMemo
from sitegen.links import is_doi, is_http_url
from sitegen.model import PAPER_KEYS, Paper, Problem
from sitegen.site.tagging import with_tags
from sitegen.urls import is_arxiv_id, strip_arxiv_version
from sitegen.util.fileid import StatKey, digest, stat_key
from sitegen.util.fileio import atomic_write_all, leaves
from sitegen.util.textclean import has_controls, strip_controls

if TYPE_CHECKING:
    from sitegen.site.tagging import TagRules

PAPERS_DIR = Path("content") / "papers"
#: Paper files are a few kB (the hostile corpus's 1 MB abstract is far beyond real ones).
MAX_PAPER_BYTES = 16 << 20

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Line breaks `str.splitlines` knows besides "\n" (and "\r\n"): files with them take the
# general path of `split_front_matter`.
_ODD_BREAKS = re.compile("[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

_INT_KEYS = ("rank", "upvotes", "comments", "github_stars")
_TEXT_KEYS = ("ai_summary", "primary_category", "comment", "journal_ref", "doi", "thumbnail")
_LIST_KEYS = ("authors", "tags", "ai_keywords", "categories")
_DATE_KEYS = ("published", "updated")


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, no line folding, no aliases (the
    reader refuses them; a shared date or list object would otherwise be written as one)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if any(ch in value for ch in "\r\x85\u2028\u2029"):  # YAML folds these unless escaped
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value and value == value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


class _CDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The same representers on libyaml's emitter, about 10x faster; no aliases either."""

    def ignore_aliases(self, data: object) -> bool:
        return True


_CDumper.add_representer(str, _represent_str)
# Text libyaml emits exactly as the pure-Python emitter does (it escapes characters outside
# the BMP and NEL/LS/PS/BOM differently): such papers take the slower, canonical dumper.
# LS/PS are written double-quoted (see `_represent_str`): those take the canonical one too.
# (Compiled when first written with: a build, which only reads, need not.)
_C_SAFE_TEXT = r"[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*"


@dataclass(frozen=True)
class PaperFile:
    """What one paper file held: the paper (None when unusable) and the problems found."""

    paper: Paper | None
    problems: tuple[Problem, ...]


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Split a paper file into (YAML text, Markdown body, line number where the body starts).

    Lines are what `str.splitlines` makes of the text; a file with only `\n` line ends
    (every file sitegen writes) takes a fast path with the same result.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.startswith("---\n") and not _ODD_BREAKS.search(text):
        end = text.find("\n---\n", 3)
        if end < 0 and text.endswith("\n---"):
            end = len(text) - 4
        if end < 0:
            raise ContentError("front matter is not closed", path, 1, "end it with a '---' line")
        return text[4:end + 1], text[end + 5:], text.count("\n", 0, end + 1) + 2
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ContentError("no front matter", path, 1, "a paper file starts with a '---' line")
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip("\r\n") == "---":
            body = "".join(lines[number:])
            return "".join(lines[1:number - 1]), body, number + 1
    raise ContentError("front matter is not closed", path, 1, "end it with a '---' line")


def _problem(path: str, message: str, hint: str | None = None, severity: str = "error",
             line: int | None = None) -> Problem:
    return Problem(path=path, message=message, line=line, hint=hint, severity=severity)


def _key_line(yaml_text: str, key: str) -> int | None:
    for number, line in enumerate(yaml_text.splitlines(), 2):
        if line.startswith(f"{key}:"):
            return number
    return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _cleaned(key: Any, value: Any, bad: Any) -> Any:
    """A front-matter value without control characters; warns once per key."""
    if isinstance(value, str) and has_controls(value):
        bad(str(key), f"control characters removed from '{key}'", severity="warning")
        return strip_controls(value)
    if isinstance(value, list) and any(isinstance(v, str) and has_controls(v) for v in value):
        bad(str(key), f"control characters removed from '{key}'", severity="warning")
        return [strip_controls(v) if isinstance(v, str) else v for v in value]
    return value


def paper_from_data(data: Any, slug: str, notes: str, path: str,
                    yaml_text: str = "") -> PaperFile:
    """Validate front-matter data and build a `Paper`; collect every problem on the way."""
    problems: list[Problem] = []

    def bad(key: str, message: str, hint: str | None = None, severity: str = "error") -> None:
        problems.append(_problem(path, message, hint, severity, _key_line(yaml_text, key)))

    if not isinstance(data, dict):
        return PaperFile(None, (_problem(path, "front matter must be a mapping of keys",
                                         "write 'key: value' lines", line=2),))
    data = {key: _cleaned(key, value, bad) for key, value in data.items()}
    if has_controls(notes):
        problems.append(_problem(path, "control characters removed from the notes",
                                 severity="warning"))
        notes = strip_controls(notes)
    for key in data:
        if key not in PAPER_KEYS:
            bad(str(key), f"unknown key '{key}'", "see docs/content.md for the keys",
                severity="warning")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("title", "missing or empty 'title'", "every paper needs a title")
    day = _as_date(data.get("date"))
    if day is None:
        bad("date", "missing or invalid 'date'", "write the day as YYYY-MM-DD")
    arxiv_id = data.get("id")
    if arxiv_id is not None:
        if not isinstance(arxiv_id, str):
            bad("id", f"'id' must be a quoted string, not {arxiv_id!r}",
                "quote it: id: '2408.01234'")
            arxiv_id = None
        else:
            arxiv_id = strip_arxiv_version(arxiv_id)
            if not is_arxiv_id(arxiv_id):
                bad("id", f"'id' {arxiv_id!r} is not an arXiv id", "e.g. '2408.01234'")
                arxiv_id = None
    values: dict[str, Any] = {}
    for key in _INT_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            bad(key, f"'{key}' must be a whole number")
        elif value is not None:
            values[key] = value
    for key in _TEXT_KEYS + ("abstract", "source"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            bad(key, f"'{key}' must be text")
        elif key == "doi" and value is not None and not is_doi(value):
            bad(key, f"'doi' {value[:80]!r} is not a DOI and is left out", "e.g. '10.1234/x.5'",
                severity="warning")
        elif key == "thumbnail" and value is not None and not is_http_url(value):
            bad(key, f"'thumbnail' {value[:80]!r} is not an http(s) URL and is left out",
                severity="warning")
        elif value is not None:
            values[key] = value
    for key in _LIST_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            bad(key, f"'{key}' must be a list of text items")
        else:
            values[key] = tuple(value)
    for key in _DATE_KEYS:
        if data.get(key) is not None:
            parsed = _as_date(data[key])
            if parsed is None:
                bad(key, f"'{key}' must be a date", "write YYYY-MM-DD")
            else:
                values[key] = parsed
    links = data.get("links")
    if links is not None:
        if not isinstance(links, list) or not all(isinstance(v, str) for v in links):
            bad("links", "'links' must be a list of URLs")
        else:
            good = tuple(url for url in links if _URL.match(url))
            for url in links:
                if not _URL.match(url):
                    bad("links", f"link {url[:80]!r} is not an http(s) URL and is left out",
                        severity="warning")
            values["links"] = good
    if any(p.severity == "error" for p in problems):
        return PaperFile(None, tuple(problems))
    assert isinstance(title, str) and day is not None
    paper = Paper(slug=slug, title=title, date=day, arxiv_id=arxiv_id, notes=notes, path=path,
                  **values)
    return PaperFile(paper, tuple(problems))


def _bad_date_line(yaml_text: str) -> int | None:
    """The file line of the first date-like value that is not a real date."""
    for number, line in enumerate(yaml_text.splitlines(), 2):
        for found in re.finditer(r"\b(\d{4})-(\d\d?)-(\d\d?)\b", line):
            try:
                dt.date(*(int(g) for g in found.groups()))
            except ValueError:
                return number
    return None


def _first_alias(yaml_text: str) -> int | None:
    """The file line of the first YAML alias, if any.

    Aliases let a few lines expand into a huge or self-referencing structure (a
    "billion laughs" list, `&a [*a]`); sitegen never writes them and paper files do not
    need them, so they are refused rather than expanded.
    """
    if "*" not in yaml_text:
        return None
    for event in yaml.parse(yaml_text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 2
    return None


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


def _strings(node: yaml.Node) -> bool:
    return type(node) is yaml.ScalarNode and node.tag == _STR


def load_yaml(text: str) -> Any:
    """What PyYAML's `load` with the safe `_Loader` returns, the common case built faster.

    libyaml composes the node tree; PyYAML's constructor, written in Python, then costs
    more than the parsing. Front matter is a mapping of text keys to text values and
    lists of text: those are taken straight from the nodes (exactly what the constructor
    would return). Any other value goes through the constructor, any other document
    shape wholly: the same values, the same errors.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if type(node) is not yaml.MappingNode or node.tag != _MAP or not all(
                _strings(key) for key, _ in node.value):
            return loader.construct_document(node)
        data: dict[str, Any] = {}
        for key, value in node.value:
            if _strings(value):
                data[key.value] = value.value
            elif type(value) is yaml.SequenceNode and value.tag == _SEQ and all(
                    _strings(item) for item in value.value):
                data[key.value] = [item.value for item in value.value]
            else:
                data[key.value] = loader.construct_document(value)
        return data
    finally:
        loader.dispose()


def parse_paper(text: str, slug: str, path: str) -> PaperFile:
    """Parse the text of one paper file."""
    try:
        yaml_text, body, _ = split_front_matter(text, path)
    except ContentError as exc:
        return PaperFile(None, (_problem(path, exc.message, exc.hint, line=exc.line),))
    try:
        alias = _first_alias(yaml_text)
        if alias is not None:
            return PaperFile(None, (_problem(
                path, "front matter uses a YAML alias (*name); aliases are not allowed",
                "write the value out in full", line=alias),))
        data = load_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint = "check quotes and indentation"
        if isinstance(exc, yaml.constructor.ConstructorError):
            reason = reason.replace("could not determine a constructor for the tag",
                                    "unsupported tag")
            hint = "YAML tags are not allowed; write plain text, numbers, dates and lists"
        return PaperFile(None, (_problem(path, f"front matter is not valid YAML: {reason}",
                                         hint, line=line),))
    except (ValueError, OverflowError) as exc:  # e.g. `2025-13-45`: YAML reads it as a date
        hint = "write real dates as YYYY-MM-DD; quote other text that looks like a date"
        return PaperFile(None, (_problem(path, f"front matter holds an impossible value: {exc}",
                                         hint, line=_bad_date_line(yaml_text)),))
    return paper_from_data(data, slug, body.lstrip("\n"), path, yaml_text)


def read_paper_file(file: Path, root: Path) -> PaperFile:
    """Read one paper file; unreadable bytes become a problem, never an exception."""
    rel = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    try:
        st = os.lstat(file)
    except OSError:
        st = None
    return _read(os.fspath(file), rel, st)


def _read(path: str, rel: str, st: os.stat_result | None) -> PaperFile:
    """`read_paper_file` for a path and its `lstat` (None if that failed).

    Only a symlink can lead out of the papers folder, so only then is the path resolved
    (a resolve costs a system call per path component, for 10,000 files every build).
    """
    if st is None or stat.S_ISLNK(st.st_mode):
        file = Path(path)
        if leaves(file, file.parent):  # a symlinked papers folder is fine, a linked file is not
            return PaperFile(None, (_problem(rel, "links to a file outside the papers folder; "
                                             "not read",
                                             "copy the paper file in instead of linking"),))
    try:
        if st is None or stat.S_ISLNK(st.st_mode):
            st = os.stat(path)
        if st.st_size > MAX_PAPER_BYTES:
            return PaperFile(None, (_problem(rel, f"over {MAX_PAPER_BYTES >> 20} MB; not read",
                                             "a paper file is a few kB"),))
        with open(path, "rb", buffering=0) as handle:
            text = handle.readall().decode("utf-8")
    except UnicodeDecodeError as exc:
        return PaperFile(None, (_problem(rel, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                         "save the file as UTF-8"),))
    except OSError as exc:
        return PaperFile(None, (_problem(rel, f"cannot read: {exc.strerror}"),))
    return parse_paper(text, rel.rpartition("/")[2].removesuffix(".md"), rel)


def _paper_names(folder: Path) -> list[str]:
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no folder yet
        return []
    return sorted(e.name for e in entries if e.name.endswith(".md")
                  and not e.name.startswith(".") and e.is_file())


def paper_files(root: Path) -> list[Path]:
    """The paper files of a site, in a stable order."""
    folder = root / PAPERS_DIR
    return [folder / name for name in _paper_names(folder)]


_PAPER_FIELDS = attrgetter(*(f.name for f in dataclasses.fields(Paper)))
_PAPER_NAME = f"{Paper.__module__}:{Paper.__qualname__}".encode()


def paper_digest(paper: Paper) -> bytes:
    """`cache.value_digest(paper, {})`, three times faster, for a paper read from a file.

    Such a paper holds only text, numbers, dates and tuples of text, which `value_digest`
    checks field by field before pickling them together; here they are pickled at once.
    (tests/test_content.py checks the two agree.)
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump((list(_PAPER_FIELDS(paper)), []))
    return digest(_PAPER_NAME + buffer.getvalue())


#: A parse cache entry: the paper (None if unusable) as tagged by the rules whose digest
#: is last (None: untagged, as stored), its digest, the file's problems, its stored tags.
#: It starts (paper, digest) as `PageCache.memo` entries do: it serves as one.
MemoEntry = tuple[Paper | None, bytes | None, tuple[Problem, ...], tuple[str, ...], bytes | None]


def _entry(result: PaperFile, rules: TagRules | None, hashed: bool) -> MemoEntry:
    """The cache entry of a file just read: its paper tagged by `rules` (if given), and
    its digest if `hashed`."""
    paper = result.paper
    if paper is None:
        return None, None, result.problems, (), None
    stored = paper.tags
    if rules is not None:
        tags = rules.tags(paper)
        paper = paper if tags == stored else with_tags(paper, tags)
    return (paper, paper_digest(paper) if hashed else None, result.problems, stored,
            rules.source if rules is not None else None)


def _retagged(entry: MemoEntry, rules: TagRules | None, hashed: bool) -> MemoEntry:
    """A cached entry for other rules (or none): its paper untagged, then tagged again."""
    paper, _, problems, stored, tagged_by = entry
    if paper is None:
        return entry
    if tagged_by is not None and paper.tags != stored:
        paper = with_tags(paper, stored)
    return _entry(PaperFile(paper, problems), rules, hashed)


def load_papers(root: Path, read: Callable[[Path, Path], PaperFile] | None = None,
                cache: Path | None = None, refresh: bool = False,
                digests: dict[int, tuple[Any, bytes]] | None = None,
                stats: Mapping[str, StatKey] | None = None, rules: TagRules | None = None
                ) -> tuple[list[Paper], list[Problem]]:
    """Read every paper file of the site; return the usable papers and all problems.

    `read` replaces `read_paper_file` (`serve` passes one that reuses unchanged files).
    With `cache` (a file in `.sitegen-cache/`), a file whose stat did not change since it
    was last parsed is not read again (cache.py); `refresh` reads all and rewrites it.
    With `rules` (the build's), each paper comes with the tags it is shown with
    (`TagRules.tags`) instead of its stored ones: the cache keeps papers so tagged, so an
    unchanged paper is neither tagged nor copied again while the rules (their digest,
    `TagRules.source`) stay the same.
    `digests`, if given, receives each paper's `value_digest` (kept in the cache too), in
    the memo format of `PageCache`, so unchanged papers are not hashed again.
    `stats`, if given, are the papers folder's regular files (name -> stat following
    links) as the caller just listed them: the build's input check did, and a second
    `lstat` of 10,000 files is not needed.

    The garbage collector is paused meanwhile: loading makes no cycles, but many objects
    (the cache's papers), which each collection would scan again and again (at 10,000
    papers, more than the loading itself).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_papers(root, read, cache, refresh, digests, stats, rules)
    finally:
        if enabled:
            gc.enable()


def _load_papers(root: Path, read: Callable[[Path, Path], PaperFile] | None,
                 cache: Path | None, refresh: bool,
                 digests: dict[int, tuple[Any, bytes]] | None,
                 stats: Mapping[str, StatKey] | None, rules: TagRules | None
                 ) -> tuple[list[Paper], list[Problem]]:
    papers: list[Paper] = []
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    memo = FileMemo(cache, refresh, slim=True)
    folder = root / PAPERS_DIR
    base = os.fspath(folder) + os.sep
    rel_base = PAPERS_DIR.as_posix() + "/"
    source = rules.source if rules is not None else None
    hashed = cache is not None or digests is not None

    def fresh(name: str, key: StatKey | None, st: os.stat_result | None) -> MemoEntry:
        """The entry of a file not in the cache as it is now: read, or retagged."""
        path = base + name
        item = memo.old.get(name) if key is not None else None
        if item is not None and item[0] == key:  # in the cache, tagged otherwise
            entry = _retagged(item[1], rules, digests is not None or source is not None)
            if source:
                memo.put(name, key, entry)  # type: ignore[arg-type]
            else:
                memo.new[name] = item  # still used as it is
            return entry
        if st is None and key is not None:  # from `stats`: `_read` needs the lstat
            try:
                st = os.lstat(path)
            except OSError:
                st = None
        if read is not None:
            result = read(folder / name, root)
        else:
            result = _read(path, rel_base + name, st)
        entry = _entry(result, rules, hashed)
        if key is not None:
            memo.put(name, key, entry)
        return entry

    listing: list[tuple[str, StatKey | None]] | Iterable[tuple[str, StatKey | None]]
    if stats is not None:
        listing = [(name, stats[name]) for name in sorted(stats)
                   if name[-3:] == ".md" and name[0] != "."]
    else:
        listing = ((name, None) for name in _paper_names(folder))
    old, used = memo.old, memo.new
    # what a reusable entry was tagged by (rules without a digest: nothing is reusable)
    valid: object = source if source != b"" else object()
    for name, key in listing:
        st: os.stat_result | None = None
        if key is None:
            path = base + name
            try:
                st = os.lstat(path)
                key = stat_key(os.stat(path) if stat.S_ISLNK(st.st_mode) else st)
            except OSError:
                st = key = None
        item = old.get(name)
        # the cache's entry, for a file of the same stat, tagged by the same rules
        if item is not None and item[0] == key and (entry := item[1])[4] == valid:
            used[name] = item
        else:
            entry = fresh(name, key, st)
        paper = entry[0]
        if entry[2]:
            problems.extend(entry[2])
        if paper is None:
            continue
        arxiv_id = paper.arxiv_id
        if arxiv_id:
            if arxiv_id in seen_ids:
                problems.append(_problem(paper.path, f"duplicate id '{arxiv_id}', also in "
                                         f"{seen_ids[arxiv_id]}; this file is left out",
                                         "merge the two files into one"))
                continue
            seen_ids[arxiv_id] = paper.path
        if digests is not None:  # the entry starts (paper, digest): the memo's format
            digests[id(paper)] = entry if entry[1] is not None else (  # type: ignore[assignment]
                paper, paper_digest(paper))
        papers.append(paper)
    memo.save()
    return papers, problems


def paper_to_data(paper: Paper) -> dict[str, Any]:
    """The front-matter mapping of a paper, keys in `PAPER_KEYS` order, empty values left out."""
    raw: dict[str, Any] = {
        "id": paper.arxiv_id,
        "title": paper.title,
        "date": paper.date,
        "rank": paper.rank,
        "published": paper.published,
        "updated": paper.updated,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "tags": list(paper.tags),
        "links": list(paper.links),
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "github_stars": paper.github_stars,
        "ai_summary": paper.ai_summary,
        "ai_keywords": list(paper.ai_keywords),
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "thumbnail": paper.thumbnail,
        "source": paper.source,
    }
    return {key: raw[key] for key in PAPER_KEYS
            if key in ("title", "date") or raw[key] not in (None, "", [])}


def paper_to_text(paper: Paper) -> str:
    """The file text of a paper: front matter, a blank line, then the notes."""
    data = paper_to_data(paper)
    texts = [v for value in data.values() for v in (value if isinstance(value, list) else [value])
             if isinstance(v, str)]
    dumper = _CDumper if all(re.fullmatch(_C_SAFE_TEXT, t) for t in texts) else _Dumper
    front = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True,
                      width=1 << 30, default_flow_style=False)
    notes = paper.notes.strip("\n")
    return f"---\n{front}---\n" + (f"\n{notes}\n" if notes else "")


def paper_path(root: Path, slug: str) -> Path:
    """Where the paper with this slug is stored."""
    return root / PAPERS_DIR / f"{slug}.md"


def write_papers(root: Path, papers: Iterable[Paper]) -> list[Path]:
    """Write papers whose text changed, each atomically; return the files written."""
    changed: list[tuple[Path, bytes]] = []
    for paper in papers:
        file = paper_path(root, paper.slug)
        text = paper_to_text(paper)
        try:
            if file.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):  # missing, unreadable: (re)write it
            pass
        changed.append((file, text.encode("utf-8")))
    try:
        atomic_write_all(changed)
    except OSError as exc:
        where = exc.filename or str(root / PAPERS_DIR)
        raise OutputError(f"cannot write a paper file: {exc.strerror or exc}", str(where),
                          hint="check free disk space and permissions; every paper file is "
                          "whole, old or new") from None
    return [file for file, _ in changed]
