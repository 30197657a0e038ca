"""`sitegen hide ID...`: keep papers off the site for good, by writing `hidden: true` into
their files (`--undo` removes it).

A hidden paper stays in the store: a later fetch or import finds it there, updates its
counts and never shows it again, which deleting its file would not do (the next fetch of
its day would bring it back as new). Run under the store lock, each file written
atomically, like every other store write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sitegen.commands.add import parse_id
from sitegen.store.papers import PAPERS_DIR, load_papers, write_papers
from sitegen.util.fileio import remove_stale_temp_files
from sitegen.util.lock import locked, store_lock


@dataclass(frozen=True)
class HideReport:
    """The files changed, the papers already so, and what no stored paper matched."""

    written: tuple[Path, ...]
    unchanged: tuple[str, ...]
    missing: tuple[str, ...]


def hide_papers(root: Path, refs: list[str], hidden: bool = True) -> HideReport:
    """Set (or, with `hidden=False`, clear) `hidden` on the papers named by arXiv id (any
    form `sitegen add` reads) or by slug (the file name without `.md`)."""
    with locked(store_lock(root), "the content store"):
        remove_stale_temp_files(root / PAPERS_DIR)
        papers, _ = load_papers(root)
        by_id = {p.arxiv_id: p for p in papers if p.arxiv_id}
        by_slug = {p.slug: p for p in papers}
        changed, unchanged, missing = {}, [], []
        for ref in refs:
            paper = by_slug.get(ref.strip()) or by_id.get(parse_id(ref) or "")
            if paper is None:
                missing.append(ref)
            elif paper.hidden == hidden or paper.slug in changed:
                unchanged.append(ref)
            else:
                changed[paper.slug] = replace(paper, hidden=hidden)
        written = write_papers(root, changed.values())
    return HideReport(tuple(written), tuple(unchanged), tuple(missing))
