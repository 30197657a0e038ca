"""Which pages of the last build can be kept (the page cache of `build.SiteBuild`).

Fingerprints per page, and groups of pages made from a few values only, kept whole while
their key is the same (docs/internals.md, "Keeping pages"). The digests it is made of are
cache.py's; what it keeps between builds goes into the build's state file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any

from sitegen.incremental.digests import (
    Digests,
    Uncacheable,
    code_digest,
    each_digest,
    items_digest,
    mapping_digest,
    sized,
    value_digest,
)
from sitegen.util.fileid import digest

#: A group of outputs as recorded: its key, its paths, what the build needs to know of
#: them without making them (the sitemap's dates of its pages) and, as saved, their
#: fingerprints (None where an output had none).
Group = tuple  # (bytes, tuple[str, ...], Any[, tuple[bytes | None, ...] | None])


class PageCache:
    """Which pages of the last build can be kept: fingerprints per output path, and per
    group of outputs made only from some values (a day's paper pages from its papers), so
    that a group whose values did not change is kept whole, without making its pages'
    contexts or fingerprints: a build then costs in proportion to what changed."""

    def __init__(self, previous: Mapping[str, bytes] | None = None,
                 memo: Digests | None = None,
                 groups: Mapping[str, Group] | None = None,
                 intact: Container[str] | None = None) -> None:
        self.previous = dict(previous or {})
        self.fingerprints: dict[str, bytes] = {}
        self.memo: Digests = memo if memo is not None else Digests()
        self.base: bytes | None = None
        # the last build's groups, and the files found as it wrote them (without these,
        # its fingerprints: each was recorded only for a file in that build's manifest)
        self.previous_groups = dict(groups or {})
        self.intact: Container[str] = intact if intact is not None else self.previous
        self.groups: dict[str, Group] = {}
        #: what the last build's pages said of themselves (their sitemap dates), by path:
        #: the same for a page kept by its fingerprint
        self.previous_dates: Mapping[str, Any] = {}
        #: the digests of sequences of values, oldest first (`settled`): the last build's
        #: and this build's, by name
        self.previous_sequences: Mapping[str, tuple[bytes, ...]] = {}
        self.sequences: dict[str, tuple[bytes, ...]] = {}

    def settled(self, name: str, values: Sequence[Any]) -> int:
        """How many of the first `values` (oldest first: the archive's days) the last build
        had, the same, first in its sequence `name`: pages made from those only are as the
        last build made them (given the same base and group key). The values are digested
        (into the memo, where fingerprints and group keys find them); 0 if uncacheable."""
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

    def group_key(self, kind: str, values: Iterable[Any]) -> bytes | None:
        """The fingerprint of a group of outputs made from `values` only (and from what
        every page depends on, the base): `kind` names how, and must change with anything
        else the outputs show. None if uncacheable."""
        if self.base is None:
            return None
        try:
            return digest(self.base + kind.encode("utf-8", "surrogatepass")
                          + items_digest(values, self.memo))
        except Uncacheable:
            return None

    def kept_group(self, name: str, key: bytes | None, keep: bool = True) -> Group | None:
        """The last build's group `name` if it had this `key` and all its files are intact
        (then it is this build's too, with the fingerprints its outputs had), else None:
        then the fingerprints its outputs had are `previous` ones, for those made again
        (`keep` False: the caller cannot tell from the key alone)."""
        old = self.previous_groups.get(name)
        if old is None:
            return None
        paths = old[1]
        if keep and key is not None and old[0] == key and all(
                map(self.intact.__contains__, paths)):  # in C: 20,000 paths a build
            self.groups[name] = old
            return old
        if len(old) > 3 and old[3] is not None:
            intact = self.intact if self.intact is not self.previous else None
            self.previous.update({path: found for path, found in zip(paths, old[3], strict=True)
                                  if found is not None and (intact is None or path in intact)})
        return None

    def saved(self) -> dict[str, Any]:
        """This build's fingerprints and groups, as the next build reads them (a group's
        outputs' fingerprints in the group: a kept group costs no fingerprint per file)."""
        fingerprints = dict(self.fingerprints)
        groups: dict[str, Group] = {}
        for name, group in self.groups.items():
            if len(group) == 3:  # made by this build (a kept one is saved as it was read)
                found = tuple(fingerprints.pop(path, None) for path in group[1])
                group = (*group, found if any(found) else None)
            groups[name] = group
        return {"pages": fingerprints, "groups": groups}

    def new_key(self, name: str, key: bytes | None) -> bool:
        """Whether the last build had no group `name` with this key."""
        old = self.previous_groups.get(name)
        return key is None or old is None or old[0] != key

    def record_group(self, name: str, key: bytes | None, paths: Iterable[str],
                     extra: Any = None) -> None:
        """Record a group made by this build (its outputs all put into the site)."""
        if key is not None:
            self.groups[name] = (key, tuple(paths), extra)

    def set_base(self, *parts: Mapping[str, Any] | bytes) -> None:
        """What every page depends on: code, templates, the environment's globals and
        filters. If any of it has no digest, no page is cached."""
        h = hashlib.blake2b(code_digest(), digest_size=16)
        try:
            for part in parts:
                h.update(part if isinstance(part, bytes) else mapping_digest(part, self.memo))
        except Uncacheable:
            self.base = None
            return
        self.base = h.digest()

    def fingerprint(self, template: str, path: str, context: Mapping[str, Any]) -> bytes | None:
        """The page's fingerprint (recorded for the next build), or None if uncacheable."""
        if self.base is None:
            return None
        try:
            key = digest(self.base + f"{template}\0{path}".encode("utf-8", "surrogatepass")
                         + mapping_digest(context, self.memo))
        except Uncacheable:
            return None
        self.fingerprints[path] = key
        return key

    def digest_of(self, kind: str, values: Mapping[str, Any]) -> bytes | None:
        """A digest of `values` made for `kind` (a fragment's name), under the base: what
        any output made from them only may be kept by; None if uncacheable."""
        if self.base is None:
            return None
        memo = self.memo
        parts = [self.base, sized(kind)]
        try:
            for name, value in values.items():  # each value's digest is 16 bytes
                hit = memo.get(id(value))
                parts += (sized(name), hit[1] if hit is not None else value_digest(value, memo))
        except Uncacheable:
            return None
        return digest(b"".join(parts))

    def unchanged(self, path: str, key: bytes | None) -> bool:
        """True if the page was built from the same fingerprint and its file is intact."""
        return key is not None and self.previous.get(path) == key
