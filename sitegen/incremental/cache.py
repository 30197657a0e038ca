"""The build cache in `.sitegen-cache/`: what lets a rebuild skip work that cannot change.

These are kept, each a pickle of plain data but the last (deleting the folder is always safe;
`sitegen build --clean` ignores and replaces it):

- parsed papers, keyed by file path and its stat (size, mtime, ctime, inode);
- per output folder: the content hash and stat of every file written (the writer skips
  files whose bytes did not change without reading them back), the fingerprint of every
  page (template set + globals + code + a digest of the context it was rendered from),
  the key of every group of outputs made from a few values only (a day's paper pages and
  `.bib` files from its papers, a day's page from the day, a list page from its place:
  kept whole, unmade, while the key is the same; the fingerprints of a group's pages are
  kept in the group), the digests of the days, oldest first (`PageCache.settled`), and a
  digest of all the build's inputs (a build with no input changed does nothing);
- Jinja's compiled templates (`jinja-<code digest>-<key>.cache`, render.use_bytecode_cache);
- fragments of pages (a tag page's rows) and what each partial reads, `fragments.pickle`
  (render.FragmentStore).

Soundness rules: a fingerprint covers everything a page can read, or the page is not
cached; a stat is trusted only if it is older than the moment the cache was written
(git's "racily clean" rule), so an edit in the same clock tick is never missed.
"""

from __future__ import annotations

import copyreg
import dataclasses
import datetime as dt
import gc
import hashlib
import importlib.util
import io
import operator
import os
import pickle
import sys
import types
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sitegen.model import Paper
from sitegen.util.fileio import atomic_write_bytes

CACHE_DIR = ".sitegen-cache"
FORMAT = 2  # bump when the layout of a cache file changes
#: Third-party modules whose code shapes the output: an upgrade invalidates the cache.
OUTPUT_DEPENDENCIES = ("jinja2", "markupsafe", "markdown", "nh3", "latex2mathml", "yaml",
                       "feedgen", "lxml", "dateutil", "lunr")

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class Uncacheable(Exception):
    """A context value has no stable digest: the page is rendered every time."""


def cache_folder(root: Path) -> Path:
    """The site's cache folder."""
    return root / CACHE_DIR


def stat_key(st: os.stat_result) -> StatKey:
    """What identifies one version of a file without reading it."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def digest(data: bytes) -> bytes:
    """A short content hash (BLAKE2b, 128 bits)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def load_state(path: Path) -> Any | None:
    """A cache file's data, or None when missing, unreadable or from another format."""
    enabled = gc.isenabled()
    gc.disable()  # unpickling makes many objects and no cycles: no collections meanwhile
    try:
        with open(path, "rb") as handle:
            # Our own cache, written by this program into the site folder: as trusted as
            # the site's templates and config.
            data = pickle.load(handle)  # noqa: S301
    except Exception:  # a corrupt or foreign cache is never an error: rebuild instead
        return None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(data, dict) or data.get("format") != (FORMAT, sys.version_info[:2]):
        return None
    return data


def save_state(path: Path, data: dict[str, Any], slim: bool = False) -> None:
    """Write a cache file atomically; failing to write a cache never fails the build.

    `slim` pickles each `Paper` with only its fields that differ from their defaults
    (`_slim_paper`), which makes the parse cache quicker to read."""
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        if slim:
            pickler.dispatch_table = {**copyreg.dispatch_table, Paper: _slim_paper}
        pickler.dump({**data, "format": (FORMAT, sys.version_info[:2])})
        atomic_write_bytes(path, buffer.getvalue(), sync=False)
    except (OSError, pickle.PicklingError):
        pass


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Paper)
             if f.default is not dataclasses.MISSING}


def _slim_paper(paper: Paper) -> tuple[Any, ...]:
    """How `save_state(slim=True)` pickles a `Paper`: as `pickle` does (a new object whose
    `__dict__` is updated from a dict, all in C when read), but without the fields that
    hold their default object (None, "", (): dataclasses keep defaults as class attributes,
    which the paper then reads). Unpickling fills dicts of about 8 items instead of 25, in
    two thirds of the time; the paper reads, compares and digests the same
    (tests/test_cache.py). By identity only: a value merely equal to its default is kept."""
    get = _DEFAULTS.get
    slim = {name: value for name, value in paper.__dict__.items()
            if get(name, _DEFAULTS) is not value}
    return copyreg.__newobj__, (type(paper),), slim


def fs_now(folder: Path) -> int:
    """The file system's clock now (ns): stats newer than this cannot be trusted yet."""
    os.makedirs(folder, exist_ok=True)
    stamp = folder / ".stamp"
    with open(stamp, "wb") as handle:
        handle.write(b"")
    return stamp.stat().st_ctime_ns


def trusted(entries: dict[str, Any], key_of, now_ns: int) -> dict[str, Any]:
    """The entries whose recorded stat is older than `now_ns` (the racily-clean rule)."""
    return {path: entry for path, entry in entries.items() if key_of(entry)[2] < now_ns}


# -- parsed papers ---------------------------------------------------------------------


class FileMemo:
    """Results computed from files, reused while a file's stat is unchanged.

    Stored as a base file plus a small delta of what changed since, so that adding a day's
    papers does not rewrite the whole cache; the delta is folded in when it grows.
    `slim`: the values hold papers, pickled without their default fields (`save_state`).
    """

    def __init__(self, path: Path | None, refresh: bool = False, slim: bool = False) -> None:
        self.path, self.slim = path, slim
        self.delta_path = path.with_name(path.name + ".delta") if path else None
        base = load_state(path) if path and not refresh else None
        if base is not None and base.get("code") != code_digest():  # the parser changed
            base = None
        delta = load_state(self.delta_path) if base and self.delta_path else None
        self.base: dict[str, tuple[StatKey, Any]] = base["entries"] if base else {}
        self.old = self.base  # never changed in place
        #: the delta as read: not written again if this run changed nothing more
        self.delta: tuple[dict[str, tuple[StatKey, Any]], list[str]] = ({}, [])
        if delta is not None and delta.get("base") == base.get("id"):  # type: ignore[union-attr]
            self.old = {**self.base, **delta["entries"]}
            for name in delta["removed"]:
                self.old.pop(name, None)
            self.delta = delta["entries"], delta["removed"]
        self.base_id = base.get("id") if base else None
        #: the entries this run used or made: what is saved
        self.new: dict[str, tuple[StatKey, Any]] = {}
        self.made: list[str] = []

    def get(self, name: str, key: StatKey) -> Any | None:
        entry = self.old.get(name)
        if entry is not None and entry[0] == key:
            self.new[name] = entry
            return entry[1]
        return None

    def put(self, name: str, key: StatKey, value: Any) -> None:
        self.new[name] = (key, value)
        self.made.append(name)

    def save(self) -> None:
        """Write what changed; a cache folder that cannot be written is no error."""
        try:
            self._save()
        except OSError:
            pass

    def _save(self) -> None:
        if self.path is None or self.delta_path is None:
            return
        entries = self.new
        if self.made:  # entries read from the cache were trusted when written
            now = fs_now(self.path.parent)
            racy = [name for name in self.made if entries[name][0][2] >= now]
            if racy:
                entries = dict(entries)
                for name in racy:
                    entries.pop(name, None)
        base = self.base
        # Only entries made now or read from the delta can differ from the base's (the
        # others are the base's own objects): no pass over every entry (50,000 at 50k).
        maybe = {*self.made, *self.delta[0]}
        changed = {k: entries[k] for k in maybe if k in entries and base.get(k) is not entries[k]}
        outside = sum(1 for k in maybe if k in entries and k not in base)
        removed = [] if len(entries) - outside == len(base) else [
            k for k in base if k not in entries]  # some names of the base are gone
        if not changed and not removed:
            try:
                self.delta_path.unlink(missing_ok=True)
            except OSError:
                pass
            return
        if self.base_id is not None and len(changed) + len(removed) < len(base) // 10:
            entries_read, removed_read = self.delta
            if removed == removed_read and changed.keys() == entries_read.keys() and all(
                    entry is entries_read[name] for name, entry in changed.items()):
                return  # the delta on disk says this already
            save_state(self.delta_path, {"base": self.base_id, "entries": changed,
                                         "removed": removed}, self.slim)
            return
        save_state(self.path, {"entries": entries, "id": os.urandom(8).hex(),
                               "code": code_digest()}, self.slim)
        try:
            self.delta_path.unlink(missing_ok=True)
        except OSError:
            pass


# -- fingerprints of pages -------------------------------------------------------------

_PLAIN = (str, bytes, int, float, bool, type(None))
_SIMPLE = (*_PLAIN, dt.date)


def value_digest(value: Any, memo: dict[int, tuple[Any, bytes]]) -> bytes:
    """A digest of a render-context value that changes whenever its content does.

    Dataclasses (model.py) are digested field by field, plain data (str, numbers, dates,
    tuples and dicts of them) is pickled, which keeps all of it. Functions and classes
    count by name (their code is in `code_digest`), closures by their captured values.
    Anything else that does not pickle raises `Uncacheable`. `memo` (by object id, the
    object kept alive in it) makes shared objects, such as a day's papers, cost once.
    """
    if isinstance(value, _PLAIN):
        return digest(repr((type(value).__name__, value)).encode("utf-8", "surrogatepass"))
    hit = memo.get(id(value))
    if hit is not None:
        return hit[1]
    if isinstance(value, types.MethodType):
        result = digest(value_digest(value.__self__, memo) + _name(value).encode())
    elif isinstance(value, types.FunctionType):  # code by name; closures and defaults by value
        cells = tuple(cell.cell_contents for cell in value.__closure__ or ())
        result = digest(_name(value).encode() + value_digest((cells, value.__defaults__), memo))
    elif isinstance(value, type | types.BuiltinFunctionType | types.ModuleType):
        result = digest(_name(value).encode())
    elif isinstance(value, Mapping) and not isinstance(value, dict):
        result = mapping_digest(value, memo)  # MappingProxyType (the config) and kin
    elif isinstance(value, Path):
        result = digest(b"path:" + str(value).encode("utf-8", "surrogatepass"))
    elif type(value) in _FIELDS or dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = _dataclass_digest(value, memo)
    elif type(value) is tuple and not all(_simple(v) for v in value):
        result = digest(b"tuple" + items_digest(value, memo))
    else:
        try:
            result = digest(_pickle(value))
        except Exception as exc:  # pickling can fail in many ways; try part by part
            result = _parts_digest(value, memo, exc)
    memo[id(value)] = (value, result)
    return result


_FIELDS: dict[type, tuple[str, ...]] = {}


def items_digest(values: Iterable[Any], memo: dict[int, tuple[Any, bytes]]) -> bytes:
    """The digests of `values` joined: `value_digest` of each, with memo hits (a tag's or
    a day's papers, seen before) looked up here without a call per item."""
    get = memo.get
    parts = []
    for value in values:
        hit = get(id(value))  # an object in the memo is kept alive: its id is its own
        parts.append(hit[1] if hit is not None else value_digest(value, memo))
    return b"".join(parts)


def each_digest(values: Iterable[Any], memo: dict[int, tuple[Any, bytes]]) -> Iterator[bytes]:
    """`value_digest` of each value (memo hits without a call; tuples `tuple_digest`)."""
    get = memo.get
    for value in values:
        hit = get(id(value))
        if hit is not None:
            yield hit[1]
        else:
            yield (tuple_digest(value, memo) if type(value) is tuple
                   else value_digest(value, memo))


_second = operator.itemgetter(1)


def sized(text: str) -> bytes:
    """`text` encoded after its length: joined with others, never ambiguous."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(4, "big") + data


def tuple_digest(value: tuple, memo: dict[int, tuple[Any, bytes]]) -> bytes:
    """`value_digest(value, memo)` of a tuple, the same digest, made in C loops when its
    items are objects in the memo (a day's papers: the whole archive's every build)."""
    hit = memo.get(id(value))
    if hit is not None:
        return hit[1]
    if not value or isinstance(value[0], _SIMPLE):  # pickled whole, or mixed
        return value_digest(value, memo)
    try:
        parts = b"".join(map(_second, map(memo.__getitem__, map(id, value))))
    except KeyError:  # an item not digested yet
        return value_digest(value, memo)
    result = digest(b"tuple" + parts)
    memo[id(value)] = (value, result)
    return result


def _simple(value: Any) -> bool:
    """Plain data that pickles fast and whole: str, numbers, dates, tuples of them."""
    return isinstance(value, _SIMPLE) or type(value) is tuple and all(
        isinstance(v, _PLAIN) for v in value)


def _pickle(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes, shared or not
    pickler.dump(value)
    return buffer.getvalue()


def _dataclass_digest(value: Any, memo: dict[int, tuple[Any, bytes]]) -> bytes:
    """Plain fields pickled together; nested objects (a day's papers) by their own
    memoized digests, so a paper shown on five pages is hashed once."""
    names = _FIELDS.get(type(value))
    if names is None:
        names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    simple: list[Any] = []
    nested: list[bytes] = []
    where: list[int] = []
    for index, name in enumerate(names):
        field_value = getattr(value, name)
        if _simple(field_value):
            simple.append(field_value)
        else:
            simple.append(None)
            where.append(index)
            nested.append(value_digest(field_value, memo))
    try:
        plain = _pickle((simple, where))
    except Exception as exc:
        raise Uncacheable(f"{type(value).__name__}: {exc}") from None
    return digest(_name(type(value)).encode() + plain + b"".join(nested))


def _name(value: Any) -> str:
    module = getattr(value, "__module__", None) or ""
    return f"{module}:{getattr(value, '__qualname__', getattr(value, '__name__', '?'))}"


def _parts_digest(value: Any, memo: dict[int, tuple[Any, bytes]], exc: Exception) -> bytes:
    if isinstance(value, Mapping):
        return mapping_digest(value, memo)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return digest(type(value).__name__.encode() + b"".join(value_digest(v, memo)
                                                                for v in items))
    raise Uncacheable(f"{type(value).__name__}: {exc}")


def mapping_digest(values: Mapping[str, Any], memo: dict[int, tuple[Any, bytes]]) -> bytes:
    """A digest of a context or globals mapping, key by key (order kept: templates see it)."""
    h = hashlib.blake2b(digest_size=16)
    for key, value in values.items():
        h.update(repr(key).encode("utf-8", "surrogatepass"))
        h.update(value_digest(value, memo))
    return h.digest()


def tree_digest(folders: Iterable[Path]) -> bytes:
    """A digest of the files (names and bytes) under some folders: templates, a theme."""
    h = hashlib.blake2b(digest_size=16)
    for folder in folders:
        h.update(str(folder).encode("utf-8", "surrogatepass") + b"\0")
        if not folder.is_dir():
            continue
        for file in sorted(p for p in folder.rglob("*") if p.is_file()
                           and "__pycache__" not in p.parts and not p.name.startswith(".")):
            h.update(file.relative_to(folder).as_posix().encode("utf-8", "surrogatepass"))
            h.update(b"\0" + digest(file.read_bytes()))
    return h.digest()


@lru_cache(maxsize=1)
def code_digest() -> bytes:
    """sitegen's own code and the versions of the libraries that shape the output."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())
    package = Path(__file__).parent.parent
    h.update(tree_digest([package]))
    for name in OUTPUT_DEPENDENCIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec and spec.origin else ""
        h.update(f"{name}={origin}".encode("utf-8", "surrogatepass"))
        if origin and os.path.exists(origin):
            h.update(repr(stat_key(os.stat(origin))[:2]).encode())
    return h.digest()


def stats_digest(stats: Iterable[tuple[str, Mapping[str, StatKey]]]) -> bytes:
    """A digest of folders' file stats (folder, {name: stat}): the inputs as seen by the
    no-op check. In the order the folders list their files, not sorted (a third of the
    time): the same folder lists the same way, and another order could only cost a build
    that finds nothing changed, never miss a change."""
    return digest(_pickle(list(stats)))
