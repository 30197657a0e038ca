"""What feeds.py keeps between builds: each entry's Atom and RSS XML, and feed headers."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.incremental.digests import code_digest
from sitegen.incremental.statefile import load_state, save_state

if TYPE_CHECKING:
    from sitegen.render.feeds import Entry

#: The delta is folded into the base when it holds more than this share of the entries used.
FOLD_SHARE = 0.25


class FeedCache:
    """Entries (with their Atom and RSS XML) and feed headers from the last build.

    A new day changes most feeds (the site's and those of the tags its papers have), but
    only by its own entries: the others, keyed by a digest of their paper and of the URLs
    they were made with, and the headers, are taken from here. Kept in
    `.sitegen-cache/feeds.pickle` (the build passes the path; `refresh` starts empty) as a
    base file of entries plus a delta file (`feeds.pickle.delta`: the entries made since
    the base, and the headers), so that a day writes its own entries, not every entry of
    every feed again (4 MB at 10,000 papers); the delta is folded into a new base when it
    grows past `FOLD_SHARE` of the entries used or the base holds more unused entries than
    used ones. Dropped whole when sitegen's code changes.
    """

    def __init__(self, path: Path | None, refresh: bool = False) -> None:
        self.path = path
        self.delta_path = path.with_name(path.name + ".delta") if path is not None else None
        base = load_state(path) if path is not None and not refresh else None
        if base is None or base.get("code") != code_digest() or "id" not in base:
            base = None
        delta = load_state(self.delta_path) if base is not None and self.delta_path else None
        if delta is not None and delta.get("base") != base.get("id"):  # type: ignore[union-attr]
            delta = None
        self.base_id: str | None = base["id"] if base is not None else None
        self.base: dict[bytes, tuple[Entry, bytes, bytes]] = base["entries"] if base else {}
        self.entries: dict[bytes, tuple[Entry, bytes, bytes]] = (
            {**self.base, **delta["entries"]} if delta is not None else self.base)
        #: feed header by what it is made from but its date: (that date, header)
        self.heads: dict[bytes, tuple[dt.datetime, bytes]] = (
            delta["heads"] if delta is not None else base["heads"] if base else {})

    def save(self, entries: dict[bytes, tuple[Entry, bytes, bytes]],
             heads: dict[bytes, tuple[dt.datetime, bytes]]) -> None:
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

    def _save_base(self, entries: dict[bytes, Any], heads: dict[bytes, Any]) -> None:
        """A new base (the delta of the old one is dropped: its base id no longer holds)."""
        assert self.path is not None
        save_state(self.path, {"entries": entries, "heads": heads,
                               "id": os.urandom(8).hex(), "code": code_digest()})
        if self.delta_path is not None:
            with contextlib.suppress(OSError):
                self.delta_path.unlink(missing_ok=True)
