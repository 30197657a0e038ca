"""Links in the curator's notes that lead nowhere, found by `build` as `check` finds them.

A build knows every file it has just written (its manifest), so a note's link to a page
that does not exist is reported there, as a warning (the site is still whole), at the
paper file's line: `content/papers/x.md:12: warning: in the notes: broken link ...`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from sitegen.model import Paper, Problem
from sitegen.urls import Urls


class OutputFolder(Mapping[str, bytes]):
    """The files of a written output folder, by relative path, read only when asked for
    (the link check reads a page only for an anchor on it)."""

    def __init__(self, folder: Path, paths: Iterable[str]) -> None:
        self.folder = folder
        self.paths = frozenset(paths)

    def __getitem__(self, path: str) -> bytes:
        if path not in self.paths:
            raise KeyError(path)
        return (self.folder / path).read_bytes()

    def __contains__(self, path: object) -> bool:
        return path in self.paths

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.paths))

    def __len__(self) -> int:
        return len(self.paths)


def may_link(notes: str, base_url: str) -> bool:
    """Whether notes may hold a link that leads inside the site: a Markdown link or
    reference, HTML, or the site's own address (a bare external URL never breaks here)."""
    return "](" in notes or "]:" in notes or "<" in notes or base_url in notes


def note_link_warnings(root: Path, papers: Iterable[Paper], urls: Urls, base_url: str,
                       folder: Path, paths: Iterable[str]) -> list[Problem]:
    """`check`'s problems with links in notes, for the site just written to `folder`."""
    from sitegen.commands.check import Resolver, check_notes

    linking = [p for p in papers if p.notes and may_link(p.notes, base_url)]
    if not linking:
        return []
    files = OutputFolder(folder, paths)
    found, _ = check_notes(linking, root, urls, Resolver(urls, files))
    return [dataclasses.replace(p, severity="warning") for p in found]
