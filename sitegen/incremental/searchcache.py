"""The search index's cache files (`.sitegen-cache/search-*.bin`): pickles behind a
header, each a frame sealed with the user's key (util/sealed.py), written straight to disk
or a chunk at a time; a damaged, truncated, foreign (not sealed with this user's key) or
other-version file reads as nothing. `searchstore` says what each file holds."""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from sitegen.incremental.statefile import FORMAT as CACHE_FILE_FORMAT
from sitegen.search import index
from sitegen.util import sealed
from sitegen.util.fileid import digest

#: Bumped when the cache files' layout changes (their entries are also keyed by the code).
CACHE_FORMAT = 4
BASE_FILE = "search-base.bin"
BASE_PAPERS_FILE = "search-base-papers.bin"
RECENT_FILE = "search-recent.bin"
RECENT_PAPERS_FILE = "search-recent-papers.bin"


class CacheFiles(NamedTuple):
    """The four cache files in a cache folder (searchstore says what each holds)."""

    recent: Path
    recent_papers: Path
    base: Path
    base_papers: Path

    @classmethod
    def of(cls, folder: Path) -> CacheFiles:
        return cls(folder / RECENT_FILE, folder / RECENT_PAPERS_FILE, folder / BASE_FILE,
                   folder / BASE_PAPERS_FILE)


def header(path: Path, code: bytes) -> dict[str, Any]:
    """The header of a cache file (its key and output list), or {} when it is missing,
    damaged or from another code version."""
    head = unpickle(path, 0)
    if (isinstance(head, dict) and head.get("format") == file_format()
            and head.get("code") == code):
        return head
    return {}


def unpickle(path: Path, skip: int) -> Any:
    """The pickle after the first `skip` pickles of `path`, or None if unreadable."""
    try:
        with sealed.open_file(path) as handle:
            for _ in range(skip):
                sealed.load(handle)
            return sealed.load(handle)
    except Exception:  # a damaged, truncated or foreign cache: build without it
        return None


def entries(path: Path, header: Mapping[str, Any]) -> dict[bytes, Any]:
    """The papers' analyses and records kept in a cache file (its second pickle)."""
    return body(path, header)[0]


def body(path: Path, header: Mapping[str, Any]) -> tuple[dict[bytes, Any], Any]:
    """The second and third pickles of a cache file (with `header` read from it): the
    papers' analyses and records, and what follows; ({}, None) if either is unreadable."""
    if not header:
        return {}, None
    try:
        with sealed.open_file(path) as handle:
            sealed.load(handle)
            entries = sealed.load(handle)
            extra = sealed.load(handle)
            return (entries, extra) if isinstance(entries, dict) else ({}, None)
    except Exception:  # a damaged, truncated or foreign cache: build without it
        return {}, None


def code_key() -> bytes:
    """The version of the code the cache files were made by: the search stage's modules
    and this wing's (a change starts afresh)."""
    stage = sorted(Path(index.__file__).parent.glob("*.py"))
    parts = [*stage, Path(__file__), Path(__file__).with_name("searchstore.py")]
    return digest(b"".join(p.read_bytes() for p in parts) + str(CACHE_FORMAT).encode())


class AnalysesFile(NamedTuple):
    """The recent papers' analyses file as the last header describes it: its id and the
    length written (what a killed build appended after it is not read)."""

    ident: str
    length: int

    @classmethod
    def of(cls, header: Mapping[str, Any]) -> AnalysesFile | None:
        stored = header.get("analyses")
        return cls(stored["id"], stored["length"]) if isinstance(stored, dict) else None


@dataclass(frozen=True)
class LastRecent:
    """What `search-recent.bin` holds after its header: the recent papers' doc records by
    key, their keys in number order, the analyser's tokens, the recent segment's state."""

    records: dict[bytes, str]
    keys: list[bytes]
    tokens: dict[str, tuple[str, ...]]
    segment: Any

    @classmethod
    def read(cls, path: Path, header: Mapping[str, Any]) -> LastRecent:
        records, extra = body(path, header)
        if not isinstance(extra, dict):
            return cls(records, [], {}, None)
        tokens = extra.get("tokens")
        return cls(records, extra.get("keys") or [],
                   tokens if isinstance(tokens, dict) else {}, extra.get("segment"))


def file_format() -> tuple[object, ...]:
    return (CACHE_FILE_FORMAT, CACHE_FORMAT, sys.version_info[:2])


class Chunks:
    """A cache file written a pickle at a time: a header, then chunks of entries; replaces
    `path` on `close`. Failing to write never fails the build (the file is dropped)."""

    def __init__(self, path: Path, header: Any) -> None:
        self.path, self.tmp = path, path.with_name(f".{path.stem}.tmp")
        self.handle: Any = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sealed.check_folder(path.parent)  # never writes or removes through a link
        except OSError:
            return
        try:
            self.handle = sealed.open_file(self.tmp, "wb")
            sealed.dump(header, self.handle)
        except OSError:
            self._drop()

    def add(self, chunk: dict[bytes, Any]) -> None:
        if self.handle is not None:
            try:
                sealed.dump(chunk, self.handle)
            except (OSError, pickle.PicklingError):
                self._drop()

    def close(self) -> None:
        if self.handle is not None:
            try:
                self.handle.close()
                os.replace(self.tmp, self.path)
            except OSError:
                self._drop()

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            if self.handle is not None:
                self.handle.close()
            self.tmp.unlink()
        self.handle = None


def read_chunks(path: Path, code: bytes, ident: str | None = None,
                length: int | None = None) -> Iterator[dict[bytes, Any]]:
    """The chunks of entries of a `Chunks` file of this code version (and `ident`, when
    given: the "id" of its header), one at a time, up to byte `length` when given (none
    when it is missing, damaged or foreign: what was read before stays usable)."""
    try:
        with sealed.open_file(path) as handle:
            header = sealed.load(handle)
            if not _ours(header, code, ident):
                return
            while length is None or handle.tell() < length:
                try:
                    chunk = sealed.load(handle)
                except EOFError:
                    return
                if not isinstance(chunk, dict):
                    return
                yield chunk
    except Exception:  # a damaged, truncated or foreign cache: the rest is analysed
        return


def _ours(header: Any, code: bytes, ident: str | None) -> bool:
    return (isinstance(header, dict) and header.get("format") == file_format()
            and header.get("code") == code and (ident is None or header.get("id") == ident))


def append(path: Path, code: bytes, ident: str, length: int, chunk: dict[bytes, Any]
           ) -> int | None:
    """Add a chunk to a `Chunks` file of this code version and `ident` whose first
    `length` bytes are what the caller knows of (what a killed build appended after them is
    cut off); the file's new length, or None when it is not that file or cannot be
    written (then it is left for `read_chunks` to read up to `length`)."""
    try:
        with sealed.open_file(path, "r+b") as handle:
            if not _ours(sealed.load(handle), code, ident):
                return None
            if handle.seek(0, os.SEEK_END) < length:
                return None
            handle.seek(length)
            handle.truncate()
            sealed.dump(chunk, handle)
            return handle.tell()
    except Exception:  # missing, damaged, foreign or unwritable: the caller rewrites it
        return None


def save(path: Path, *pickles: Any) -> None:
    """Replace a cache file (`pickles` one after the other, straight to disk); failing
    never fails the build. Other `search-*.bin` files (an older layout's) are removed, and
    any half-written file a killed build left."""
    tmp = path.with_name(f".{path.stem}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sealed.check_folder(path.parent)  # never writes or removes files through a link
    except OSError:
        return
    try:
        for old in [*path.parent.glob("search-*.bin"), *path.parent.glob(".search-*.tmp")]:
            if old.name not in (BASE_FILE, BASE_PAPERS_FILE, RECENT_FILE, RECENT_PAPERS_FILE,
                                tmp.name):
                old.unlink()
        with sealed.open_file(tmp, "wb") as handle:
            for value in pickles:
                sealed.dump(value, handle)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            tmp.unlink()
