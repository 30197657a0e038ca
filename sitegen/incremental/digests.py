"""Digests of values, code and file trees: what the build cache keys everything by.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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
from operator import attrgetter
from pathlib import Path
from typing import Any

from sitegen.model import Paper
from sitegen.util.fileid import StatKey, digest, stat_key

#: Third-party modules whose code shapes the output: an upgrade invalidates the cache.
OUTPUT_DEPENDENCIES = ("jinja2", "markupsafe", "markdown", "nh3", "latex2mathml", "yaml",
                       "feedgen", "lxml", "dateutil", "lunr")


class Uncacheable(Exception):
    """A context value has no stable digest: the page is rendered every time."""


class Digests(dict[int, tuple[Any, bytes]]):
    """The digests of the values a build has seen, by object id, each entry holding its
    value (kept alive, so its id stays its own): a paper digested once when loaded serves
    the page fingerprints, group keys, search keys and feed keys. A plain dict underneath,
    so lookups stay in C (`tuple_digest`, `items_digest`)."""


_PLAIN = (str, bytes, int, float, bool, type(None))
_SIMPLE = (*_PLAIN, dt.date)


def value_digest(value: Any, memo: Digests) -> bytes:
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


def items_digest(values: Iterable[Any], memo: Digests) -> bytes:
    """The digests of `values` joined: `value_digest` of each, with memo hits (a tag's or
    a day's papers, seen before) looked up here without a call per item."""
    get = memo.get
    parts = []
    for value in values:
        hit = get(id(value))  # an object in the memo is kept alive: its id is its own
        parts.append(hit[1] if hit is not None else value_digest(value, memo))
    return b"".join(parts)


def each_digest(values: Iterable[Any], memo: Digests) -> Iterator[bytes]:
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


def tuple_digest(value: tuple, memo: Digests) -> bytes:
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


def _dataclass_digest(value: Any, memo: Digests) -> bytes:
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


_PAPER_FIELDS = attrgetter(*(f.name for f in dataclasses.fields(Paper)))
_PAPER_NAME = f"{Paper.__module__}:{Paper.__qualname__}".encode()


def paper_digest(paper: Paper) -> bytes:
    """`value_digest(paper, {})` made faster, for a paper read from a file.

    Such a paper holds only text, numbers, dates and tuples of text, which `value_digest`
    checks field by field before pickling them together; here they are pickled at once.
    (tests/test_cache.py checks the two agree.)
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump((list(_PAPER_FIELDS(paper)), []))
    return digest(_PAPER_NAME + buffer.getvalue())


def _name(value: Any) -> str:
    module = getattr(value, "__module__", None) or ""
    return f"{module}:{getattr(value, '__qualname__', getattr(value, '__name__', '?'))}"


def _parts_digest(value: Any, memo: Digests, exc: Exception) -> bytes:
    if isinstance(value, Mapping):
        return mapping_digest(value, memo)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return digest(type(value).__name__.encode() + b"".join(value_digest(v, memo)
                                                                for v in items))
    raise Uncacheable(f"{type(value).__name__}: {exc}")


def mapping_digest(values: Mapping[str, Any], memo: Digests) -> bytes:
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
