"""What feeds.py keeps between builds: each entry's Atom and RSS XML, and feed headers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .cache import code_digest, load_state, save_state

if TYPE_CHECKING:
    from .feeds import Entry


class FeedCache:
    """Entries (with their Atom and RSS XML) and feed headers from the last build.

    A new day changes most feeds (the site's and those of the tags its papers have), but
    only by its own entries: the others, keyed by a digest of their paper and of the URLs
    they were made with, and the headers, are taken from here. Kept in
    `.sitegen-cache/feeds.pickle` (the build passes the path; `refresh` starts empty);
    dropped whole when sitegen's code changes.
    """

    def __init__(self, path: Path | None, refresh: bool = False) -> None:
        self.path = path
        state = load_state(path) if path is not None and not refresh else None
        if state is None or state.get("code") != code_digest():
            state = {"entries": {}, "heads": {}}
        self.entries: dict[bytes, tuple[Entry, bytes, bytes]] = state["entries"]
        self.heads: dict[bytes, bytes] = state["heads"]

    def save(self, entries: dict[bytes, tuple[Entry, bytes, bytes]],
             heads: dict[bytes, bytes]) -> None:
        """Keep what this build used, when it is not what was read; never fails a build."""
        if self.path is None or entries.keys() == self.entries.keys() and \
                heads.keys() == self.heads.keys():
            return
        save_state(self.path, {"entries": entries, "heads": heads, "code": code_digest()})
