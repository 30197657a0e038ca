"""Results computed from files, reused while a file's stat is unchanged (the parse cache's
store: incremental/papercache.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

from sitegen.incremental.digests import code_digest
from sitegen.incremental.statefile import load_state, save_state
from sitegen.util.fileid import StatKey, fs_now


class StatEntry(Protocol):
    """What a `FileMemo` keeps per file: a tuple whose first item is the file's stat."""

    def __getitem__(self, index: int) -> Any: ...


class FileMemo:
    """Results computed from files, reused while a file's stat is unchanged.

    Each entry is a tuple (or a tuple type with named fields) that starts with the stat of
    the file it was computed from: the entry is one object, compared and pickled in C.
    Stored as a base file plus a small delta of what changed since, so that adding a day's
    papers does not rewrite the whole cache; the delta is folded in when it grows.
    `slim`: the entries hold papers, pickled without their default fields (`save_state`).
    """

    def __init__(self, path: Path | None, refresh: bool = False, slim: bool = False) -> None:
        self.path, self.slim = path, slim
        self.delta_path = path.with_name(path.name + ".delta") if path else None
        base = load_state(path) if path and not refresh else None
        if base is not None and base.get("code") != code_digest():  # the parser changed
            base = None
        delta = load_state(self.delta_path) if base and self.delta_path else None
        self.base: dict[str, StatEntry] = base["entries"] if base else {}
        self.old = self.base  # never changed in place
        #: the delta as read: not written again if this run changed nothing more
        self.delta: tuple[dict[str, StatEntry], list[str]] = ({}, [])
        if delta is not None and delta.get("base") == base.get("id"):  # type: ignore[union-attr]
            self.old = {**self.base, **delta["entries"]}
            for name in delta["removed"]:
                self.old.pop(name, None)
            self.delta = delta["entries"], delta["removed"]
        self.base_id = base.get("id") if base else None
        #: the entries this run used or made: what is saved
        self.new: dict[str, StatEntry] = {}
        self.made: list[str] = []

    def get(self, name: str, key: StatKey) -> Any | None:
        """The entry of file `name` if it was made from the file as it is now (`key`)."""
        entry = self.old.get(name)
        if entry is not None and entry[0] == key:
            self.new[name] = entry
            return entry
        return None

    def keep(self, name: str, entry: StatEntry) -> None:
        """Keep an entry read from the cache (`old`), found still valid by the caller."""
        self.new[name] = entry

    def put(self, name: str, entry: StatEntry) -> None:
        """An entry made now (its first item the stat of the file it was made from)."""
        self.new[name] = entry
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
        # others are the base's own objects): no pass over every entry.
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
