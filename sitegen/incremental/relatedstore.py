"""The related lists' cache: a `RelatedStore` that keeps every day's related lists and the
archive's statistics after the last day between builds (site/related.py, docs/related.md).

A paper's list depends on the papers of its day and older only, so a new day is folded
into the kept archive and only its own papers are listed: the cost of a day, not of the
archive. A day is known by a digest of what its lists and the archive depend on (each
paper's slug, title, abstract, keywords and tags, in order; made only for a day whose
papers' digests, known from loading, are not those of a kept day): when every kept day is still
the same, in order, the build goes on from the kept archive; when an older day changed,
the lists of the days before it are kept and the archive is folded again from the first
day (cheaper than listing), listing that day and the later ones anew.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

from sitegen.incremental.digests import Digests, code_digest, paper_digest
from sitegen.incremental.statefile import load_state, save_state
from sitegen.model import Day
from sitegen.site.related import Archive, KeptDay, RelatedStore, Resume, Stems, related_text
from sitegen.util.fileid import digest

#: Where the build keeps it, in the cache folder.
RELATED_FILE = "related.pickle"


def day_key(day: Day) -> bytes:
    """A digest of what a day's lists, and the archive after it, are made of."""
    return digest(pickle.dumps([related_text(paper) for paper in day.papers],
                               protocol=pickle.HIGHEST_PROTOCOL))


def papers_key(day: Day, memo: Digests) -> bytes:
    """A digest of the day's papers, whole (their digests from loading: lookups)."""
    found = memo.get
    return digest(b"".join(hit[1] if (hit := found(id(paper))) is not None
                           else paper_digest(paper) for paper in day.papers))


class CachedRelatedStore(RelatedStore):
    """Keeps the lists and the archive at `path` (`refresh`: reads nothing, as `--clean`).
    Dropped whole when sitegen's code changes."""

    def __init__(self, path: Path, refresh: bool = False, memo: Digests | None = None
                 ) -> None:
        self.path = path
        self.memo = memo if memo is not None else Digests()
        state = None if refresh else load_state(path)
        self.state = state if state is not None and state.get("code") == code_digest() \
            else None
        self.keys: list[bytes] = []
        self.fast: list[bytes] = []

    def resume(self, days: Sequence[Day]) -> Resume:
        # a day whose papers are the same, whole, has the same texts: its key is not made
        fast = self.fast = [papers_key(day, self.memo) for day in days]
        state = self.state
        known = dict(zip(state["fast"], state["keys"], strict=True)) if state else {}
        keys = self.keys = [known.get(quick) or day_key(day)
                            for quick, day in zip(fast, days, strict=True)]
        if state is None:
            return Resume(0, [], None)
        kept: list[bytes] = state["keys"]
        same = 0
        for new, old in zip(keys, kept, strict=False):
            if new != old:
                break
            same += 1
        lists = [KeptDay(*day) for day in state["lists"][:same]]
        if same < len(kept):  # an older day changed or went: fold again, list from there
            return Resume(same, lists, None)
        archive = Archive(state["papers"], state["df"], state["postings"], state["slugs"])
        return Resume(same, lists, archive, state["stems"])

    def keep(self, days: Sequence[Day], lists: Sequence[KeptDay], archive: Archive,
             stems: Stems) -> None:
        if self.state is not None and self.state["keys"] == self.keys \
                and self.state["fast"] == self.fast:
            return  # the same days: what is kept holds
        save_state(self.path, {
            "code": code_digest(), "keys": self.keys, "fast": self.fast,
            "lists": [tuple(day) for day in lists],
            "papers": archive.papers, "df": archive.df, "postings": archive.encoded(),
            "slugs": archive.slugs, "stems": stems})
