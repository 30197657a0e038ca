"""The staging tree beside the output folder: what it holds, and making room in it.

The writer keeps the previous site in `.<out>.new` after each swap and updates it in place
to the next site (writer.py). Nothing about that tree is trusted: every build lists it
with one walk (`os.scandir`: names, kinds and inode numbers, no `stat`), and every file
of the new site in it is either written anew or made a hard link to the current output's
file. Symlinks and other odd entries in it are never followed, only removed.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable

from sitegen.errors import OutputError


def walk(top: str) -> tuple[dict[str, int], set[str]]:
    """(non-folder entries -> inode, real folders) under `top`, as relative paths.

    Symlinks, even to folders, count as entries to remove, never as folders.
    """
    files: dict[str, int] = {}
    dirs: set[str] = {""}
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(top, rel) if rel else top) as entries:
                for entry in entries:
                    path = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        dirs.add(path)
                        stack.append(path)
                    else:
                        files[path] = entry.inode()
        except FileNotFoundError:
            continue
    return files, dirs


def ancestors(paths: Iterable[str]) -> set[str]:
    """Every folder that holds one of `paths` (relative), and "" for the top."""
    found: set[str] = {""}
    for path in paths:
        parent = path.rpartition("/")[0]
        while parent not in found:
            found.add(parent)
            parent = parent.rpartition("/")[0]
    return found


class Tree:
    """The staging tree as known to one process: its entries and folders, kept current
    as this process changes it."""

    def __init__(self, top: str, walked: tuple[dict[str, int], set[str]] | None = None
                 ) -> None:
        """`walked`: `walk(top)` as another process just made it (build.py), or None."""
        self.top = top
        self.base = top + os.sep
        self.files, self.dirs = walked if walked is not None else walk(top)

    def make_room(self, path: str, site_files: dict) -> None:
        """Remove whatever stands at `path` and make its folder, so a file can be created
        there. `site_files` (the new site's files so far) must not be touched: a clash
        with one of them is an error."""
        if path in self.files:
            try:
                os.unlink(self.base + path)
            except FileNotFoundError:
                pass
            del self.files[path]
        elif path in self.dirs:
            prefix = path + "/"
            if any(other.startswith(prefix) for other in site_files):
                raise OutputError(f"{path} is both a file and a folder of the site")
            self.remove_dir(path)
        parent = path.rpartition("/")[0]
        if parent not in self.dirs:
            self.make_dirs(parent, site_files)

    def clear(self, path: str, site_files: dict) -> None:
        """Remove an entry this process did not know of (made by another process of the
        build) from `path`."""
        full = self.base + path
        if stat.S_ISDIR(os.lstat(full).st_mode):
            self.dirs.add(path)
            self.make_room(path, site_files)
        else:
            os.unlink(full)

    def make_dirs(self, folder: str, site_files: dict) -> None:
        """Make `folder` and its parents as real folders (a file or symlink in the way is
        removed, unless it is a file of the new site)."""
        parts = folder.split("/")
        for end in range(1, len(parts) + 1):
            path = "/".join(parts[:end])
            if path in self.dirs:
                continue
            full = self.base + path
            try:
                os.mkdir(full)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(full).st_mode):
                    if path in site_files:
                        raise OutputError(f"{path} is both a file and a folder of the site"
                                          ) from None
                    os.unlink(full)
                    os.mkdir(full)
            self.files.pop(path, None)
            self.dirs.add(path)

    def remove_dir(self, folder: str) -> None:
        """Remove a folder of the tree and forget what was in it (another process of the
        build may have removed it already)."""
        try:
            shutil.rmtree(self.base + folder)
        except FileNotFoundError:
            pass
        prefix = folder + "/"
        for path in [p for p in self.files if p.startswith(prefix)]:
            del self.files[path]
        self.dirs -= {d for d in self.dirs if d == folder or d.startswith(prefix)}

    def prune(self, keep: dict, marker: str, needed: set[str]) -> None:
        """Remove every entry and folder that is not a file of `keep` (or `marker`) or a
        folder holding one (`needed`: `ancestors(keep)`)."""
        for folder in sorted(self.dirs - needed, key=len):
            if folder.rpartition("/")[0] in needed and folder in self.dirs:
                self.remove_dir(folder)
        for path in [p for p in self.files
                     if p not in keep and p != marker and p not in needed]:
            try:
                os.unlink(self.base + path)
            except FileNotFoundError:
                pass
            del self.files[path]
