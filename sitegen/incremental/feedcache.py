"""The feeds' cache: an `EntryStore` that keeps entries (with their Atom and RSS XML) and
feed headers between builds."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sitegen.incremental.digests import Digests, code_digest, value_digest
from sitegen.incremental.statefile import load_state, save_state
from sitegen.model import Paper
from sitegen.render.feeds import Entry, EntryStore, EntryXml, Header, HeaderSource
from sitegen.util.fileid import digest

#: The delta is folded into the base when it holds more than this share of the entries used.
FOLD_SHARE = 0.25
#: Where the build keeps it, in the cache folder.
FEEDS_FILE = "feeds.pickle"
#: The light entries of the authors' and organisations' feeds (render/peoplefeeds.py).
PEOPLE_FEEDS_FILE = "people-feeds.pickle"

#: As kept: an entry and its Atom and RSS XML; a header's date and bytes.
KeptEntry = tuple[Entry, bytes, bytes]
KeptHeader = tuple[dt.datetime, bytes]


class FeedCache(EntryStore):
    """Entries and feed headers from the last build, by a digest of what they are made of.

    A new day changes most feeds (the site's and those of the tags its papers have), but
    only by its own entries: the others, keyed by a digest of their paper and of what they
    were made with (the ids' base and the site's address), and the headers, keyed by a
    digest of their `HeaderSource`, are taken from here. Kept at `path` (`refresh`: start
    empty) as a base file of entries plus a delta file (`<path>.delta`: the entries made
    since the base, and the headers), so that a day writes its own entries, not every
    entry of every feed again; the delta is folded into a new base when it grows past
    `FOLD_SHARE` of the entries used or the base holds more unused entries than used ones.
    Dropped whole when sitegen's code changes. `memo`: the build's digests (a paper
    digested when loaded is not hashed again).
    """

    def __init__(self, path: Path | None, refresh: bool = False,
                 memo: Digests | None = None) -> None:
        self.path = path
        self.delta_path = path.with_name(path.name + ".delta") if path is not None else None
        self.memo = memo if memo is not None else Digests()
        self._keys: dict[int, bytes] = {}  # by id of a paper asked for: its entry's key
        base = load_state(path) if path is not None and not refresh else None
        if base is None or base.get("code") != code_digest() or "id" not in base:
            base = None
        delta = load_state(self.delta_path) if base is not None and self.delta_path else None
        if delta is not None and delta.get("base") != base.get("id"):  # type: ignore[union-attr]
            delta = None
        self.base_id: str | None = base["id"] if base is not None else None
        self.base: dict[bytes, KeptEntry] = base["entries"] if base else {}
        self.entries: dict[bytes, KeptEntry] = (
            {**self.base, **delta["entries"]} if delta is not None else self.base)
        #: feed header by what it is made from but its date: (that date, header)
        self.heads: dict[bytes, KeptHeader] = (
            delta["heads"] if delta is not None else base["heads"] if base else {})

    def entry(self, paper: Paper, made_with: str) -> EntryXml | None:
        key = digest(value_digest(paper, self.memo)
                     + made_with.encode("utf-8", "surrogatepass"))
        self._keys[id(paper)] = key
        hit = self.entries.get(key)
        return EntryXml(*hit) if hit is not None else None

    def header(self, source: HeaderSource) -> Header | None:
        hit = self.heads.get(value_digest(source, self.memo))
        return Header(*hit) if hit is not None else None

    def keep(self, entries: Sequence[tuple[Paper, EntryXml]],
             headers: Sequence[tuple[HeaderSource, Header]]) -> None:
        self.save({self._keys[id(paper)]: (made.entry, made.atom, made.rss)
                   for paper, made in entries},
                  {value_digest(source, self.memo): (head.updated, head.data)
                   for source, head in headers})

    def save(self, entries: Mapping[bytes, KeptEntry], heads: Mapping[bytes, KeptHeader]
             ) -> None:
        """Keep what this build used, when it is not what was read; never fails a build."""
        if self.path is None or entries.keys() == self.entries.keys() and \
                heads == self.heads:
            return
        new = {key: entry for key, entry in entries.items() if key not in self.base}
        unused = len(self.base) - (len(entries) - len(new))
        if self.base_id is None or self.delta_path is None \
                or len(new) > FOLD_SHARE * len(entries) or unused > len(entries):
            self._save_base(entries, heads)
        else:
            save_state(self.delta_path, {"base": self.base_id, "entries": new,
                                         "heads": heads})

    def _save_base(self, entries: Mapping[bytes, Any], heads: Mapping[bytes, Any]) -> None:
        """A new base (the delta of the old one is dropped: its base id no longer holds)."""
        assert self.path is not None
        save_state(self.path, {"entries": dict(entries), "heads": dict(heads),
                               "id": os.urandom(8).hex(), "code": code_digest()})
        if self.delta_path is not None:
            with contextlib.suppress(OSError):
                self.delta_path.unlink(missing_ok=True)
