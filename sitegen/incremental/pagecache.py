"""What the last build made of the render stages' units, and what this build makes: the
memory of the cached runner (units.py).

Per unit: its key, its outputs' paths, their sitemap dates and, as saved, their
fingerprints; per output: its fingerprint; per declared sequence: its values' digests.
What it keeps between builds goes into the build's state file (docs/incremental.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sitegen.incremental.digests import (
    Digests,
    Uncacheable,
    code_digest,
    each_digest,
    items_digest,
    mapping_digest,
    tree_digest,
    value_digest,
)
from sitegen.render.units import Base
from sitegen.util.fileid import digest


class UnitRecord(NamedTuple):
    """A unit as a build made it: its key, its outputs' paths and sitemap dates (as many),
    and their fingerprints (None for an output made without; the field None when none had
    one, or until the build saves them). Saved as a plain tuple: the state file is read by
    every build, and plain tuples unpickle fastest."""

    key: bytes
    paths: tuple[str, ...]
    lastmods: tuple[dt.date | None, ...]
    fingerprints: tuple[bytes | None, ...] | None = None


class PageCache:
    """Which outputs of the last build can be kept: its units by name (a unit whose key is
    the same and whose files are intact is kept whole, without making its outputs'
    contexts or fingerprints: a build costs in proportion to what changed), fingerprints
    per output path, and the digests of the sequences the units show (`settled`).

    `state` is what `saved` gave the last build; its fingerprints and units count only for
    the files found intact in the output folder (`verified`)."""

    def __init__(self, memo: Digests | None = None, state: Mapping[str, Any] | None = None
                 ) -> None:
        state = state or {}
        self.memo: Digests = memo if memo is not None else Digests()
        self._saved_fingerprints: Mapping[str, bytes] = state.get("pages") or {}
        self.previous_units: Mapping[str, tuple[Any, ...]] = state.get("units") or {}
        #: the digests of the sequences, oldest first: the last build's and this build's
        self.previous_sequences: Mapping[str, tuple[bytes, ...]] = state.get("sequences") or {}
        self.sequences: dict[str, tuple[bytes, ...]] = {}
        #: the last build's fingerprints of intact files, and the intact files
        self.previous: dict[str, bytes] = {}
        self.intact: Container[str] = self.previous
        self.fingerprints: dict[str, bytes] = {}
        self.units: dict[str, UnitRecord] = {}
        self._made: set[str] = set()  # units made by this build: fingerprints to gather
        self._bases: dict[int, tuple[Base, bytes | None]] = {}
        self._dates: dict[dt.date | None, dt.date | None] = {}

    def verified(self, intact: Container[str]) -> None:
        """The output files found as the last build wrote them: only theirs are kept."""
        self.previous = {path: key for path, key in self._saved_fingerprints.items()
                         if path in intact}
        self.intact = intact

    def base(self, base: Base) -> bytes | None:
        """The digest of what every output of a stage depends on: sitegen's code and
        `base` (once per `Base` object); None if any of it has no digest: nothing kept."""
        hit = self._bases.get(id(base))
        if hit is not None:
            return hit[1]
        result: bytes | None = None
        if base.folders is not None:
            memo = self.memo
            try:
                parts = [mapping_digest(value, memo) if isinstance(value, Mapping)
                         else value_digest(value, memo) for value in base.values]
            except Uncacheable:
                parts = None
            if parts is not None:
                result = digest(code_digest() + b"".join(parts) + tree_digest(base.folders))
        self._bases[id(base)] = (base, result)
        return result

    def settled(self, name: str, values: Sequence[Any]) -> int:
        """How many of the first `values` (oldest first: the archive's days) the last build
        had, the same, first in its sequence `name`: outputs made from those only are as
        the last build made them (given the same base and key). The values are digested
        (into the memo, where fingerprints and keys find them); 0 if uncacheable."""
        try:
            digests = tuple(each_digest(values, self.memo))
        except Uncacheable:
            self.sequences.pop(name, None)
            return 0
        self.sequences[name] = digests
        count = 0
        for mine, theirs in zip(digests, self.previous_sequences.get(name, ()), strict=False):
            if mine != theirs:
                break
            count += 1
        return count

    def unit_key(self, base: bytes | None, kind: str, values: Iterable[Any]) -> bytes | None:
        """The key of a unit made from `values` only (and from `base`): `kind` names how,
        and must change with anything else its outputs show. None if uncacheable."""
        if base is None:
            return None
        try:
            return digest(base + kind.encode("utf-8", "surrogatepass")
                          + items_digest(values, self.memo))
        except Uncacheable:
            return None

    def kept(self, name: str, key: bytes | None, keep: bool = True) -> UnitRecord | None:
        """The last build's unit `name` if it had this `key` and all its files are intact
        (then it is this build's too, with its fingerprints), else None: then its outputs'
        fingerprints are `previous` ones, for those made again (`keep` False: what the
        unit showed may have changed though its key did not)."""
        old = self.previous_units.get(name)
        if old is None:
            return None
        record = UnitRecord._make(old)
        if keep and key is not None and record.key == key and all(
                map(self.intact.__contains__, record.paths)):  # a C loop: 20,000 paths a build
            self.units[name] = record
            return record
        if record.fingerprints is not None:
            intact = self.intact if self.intact is not self.previous else None
            self.previous.update({path: found for path, found in zip(
                record.paths, record.fingerprints, strict=True)
                if found is not None and (intact is None or path in intact)})
        return None

    def new_key(self, name: str, key: bytes | None) -> bool:
        """Whether the last build had no unit `name` with this key."""
        old = self.previous_units.get(name)
        return key is None or old is None or old[0] != key

    def record(self, name: str, key: bytes | None, paths: Iterable[str],
               lastmods: Iterable[dt.date | None]) -> None:
        """Record a unit made by this build (its outputs all put into the site)."""
        if key is not None:
            dates = self._dates  # one object per date: the state holds each once
            self.units[name] = UnitRecord(key, tuple(paths), tuple(
                dates.setdefault(date, date) for date in lastmods))
            self._made.add(name)

    def fingerprint(self, base: bytes | None, template: str, path: str,
                    context: Mapping[str, Any]) -> bytes | None:
        """An output's fingerprint (recorded for the next build), or None if uncacheable."""
        if base is None:
            return None
        try:
            key = digest(base + f"{template}\0{path}".encode("utf-8", "surrogatepass")
                         + mapping_digest(context, self.memo))
        except Uncacheable:
            return None
        self.fingerprints[path] = key
        return key

    def unchanged(self, path: str, key: bytes | None) -> bool:
        """True if the output was made from the same fingerprint and its file is intact."""
        return key is not None and self.previous.get(path) == key

    def saved(self) -> dict[str, Any]:
        """What the next build reads: fingerprints, units (a unit's outputs' fingerprints in
        the unit: a kept unit costs no fingerprint per file) and sequences."""
        fingerprints = dict(self.fingerprints)
        units: dict[str, tuple[Any, ...]] = {}
        for name, record in self.units.items():
            if name in self._made:
                found = tuple(fingerprints.pop(path, None) for path in record.paths)
                record = record._replace(fingerprints=found if any(found) else None)
            units[name] = tuple(record)
        return {"pages": fingerprints, "units": units, "sequences": self.sequences}
