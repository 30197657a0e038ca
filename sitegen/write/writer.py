"""Outputs -> the output folder, atomically, file by file as they are made.

The new site is made in a staging folder beside the output, `.<out>.new`, then swapped in
with one atomic exchange (Linux `renameat2`; two renames elsewhere), so a failed or killed
build leaves the previous output as it was and the output folder is always one whole site:
the old one or the new one, never a mix, never missing. The output folder itself is never
changed before the exchange.

The staging folder is kept after the exchange, holding the previous site, and the next
build updates it in place (double buffering): files whose bytes changed are written anew (a
file shared with another name is never written in place: its name is unlinked first; the
staging folder's own files, shared with nothing, are written over in place), unchanged
files are made hard links to the current output's file (most already are, from the build
before), files no longer in the site are removed. So a build costs in proportion to what
changed, not to the size of the site. Every build lists the staging folder with one walk
and trusts nothing else about it: a build killed while updating it leaves nothing the next
build relies on.

Files whose bytes did not change keep their inode and mtime (hard links), so deploys and
`rsync` stay small. Which files are unchanged is found two ways:

- with a manifest from the last build (the content hash and stat of every file written,
  kept by the build cache): a file whose stat is as recorded and whose hash equals the new
  output's is linked without being read; `Kept` outputs (pages the build cache did not
  render again) are linked the same way;
- without one (first build, `--clean`, cache deleted): by reading the old file.

The staging folder costs the disk its folders take and the previous version of each file
that changed in the last build (unchanged files are hard links, sharing their data): the
next build writes over those in place, which is much cheaper than freeing and allocating
blocks on some file systems (docs/performance.md).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.errors import OutputError
from sitegen.model import Kept, Output
from sitegen.urls import checked_output_path
from sitegen.util.fileid import INODE, digest, stat_key
from sitegen.util.fileio import exchange_paths
from sitegen.write.manifest import HASH, STAT, Manifest, ManifestEntry, file_stat, verified
from sitegen.write.staging import Tree, ancestors, walk

MARKER = ".sitegen-output"
GITIGNORE = ".gitignore"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class WriteStats:
    """How many files were written anew, kept unchanged, and left out of the new output."""

    written: int
    unchanged: int
    removed: int
    manifest: Manifest | None = field(default=None, compare=False, repr=False)


@dataclass
class Part:
    """What one process put into the staging folder: for `SiteWriter.merge`."""

    files: Manifest
    restat: list[str]
    wrote: list[str]


def check_outputs(outputs: Iterable[Output | Kept]) -> dict[str, bytes | Kept]:
    """Outputs by path; two outputs for one path, or a path leaving the folder, is an error."""
    files: dict[str, bytes | Kept] = {}
    for output in outputs:
        path = checked_output_path(output.path)
        if path in files:
            raise _twice(path)
        files[path] = output if isinstance(output, Kept) else output.data
    _check_folders(files)
    return files


def _twice(path: str) -> OutputError:
    return OutputError(f"two pages would be written to {path}",
                       hint="two papers or tags have the same slug")


def _check_folders(files: Iterable[str]) -> set[str]:
    """The folders of the site; a path that is a file and a folder is an error."""
    folders = ancestors(files)
    for path in files:
        if path in folders:
            raise OutputError(f"{path} is both a file and a folder of the site")
    return folders


def staging_names(out_dir: Path) -> tuple[Path, Path]:
    """The staging folder (kept between builds) and the fallback swap's temporary name."""
    return (out_dir.with_name(f".{out_dir.name}.new"), out_dir.with_name(f".{out_dir.name}.old"))


def recover(out_dir: Path) -> None:
    """Undo what a killed write left: restore a swapped-out output (two-rename fallback),
    drop anything at the staging names that is not a folder."""
    new, old = staging_names(out_dir)
    for staged in (new, old):
        if staged.is_symlink() or staged.exists() and not staged.is_dir():
            staged.unlink()  # e.g. an output folder that was a symlink, swapped aside
    if old.exists():
        if not out_dir.exists():
            old.rename(out_dir)
        elif not new.exists():
            old.rename(new)  # the previous site: the staging folder of the next build
        else:
            shutil.rmtree(old)


def _guard(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("the output path exists and is not a folder", str(out_dir))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OutputError("the output folder holds files sitegen did not write; not replacing it",
                          str(out_dir), hint="choose an empty or new folder with --out")


def _os_error(exc: OSError, out_dir: Path) -> OutputError:
    return OutputError(f"cannot write the site: {exc.strerror or exc}",
                       exc.filename or str(out_dir), hint="check free disk space and permissions")


class SiteWriter:
    """Writes one new site into the staging folder as its files come, then swaps it in.

    `put` each output (in any order), then `commit`. Until `commit`'s exchange the output
    folder is untouched; a `SiteWriter` dropped without `commit` (an error, a kill) leaves
    a staging folder the next build lists and fixes. `part`/`merge` let a forked process
    put some of the outputs (it inherits this object) and hand back only what it wrote.
    """

    def __init__(self, out_dir: Path, manifest: Manifest | None = None,
                 intact: Manifest | None = None,
                 staged: tuple[dict[str, int], set[str]] | None = None) -> None:
        out_dir = out_dir.absolute()
        self.out_dir = out_dir
        self.stage, self.old = staging_names(out_dir)
        try:
            recover(out_dir)
            _guard(out_dir)
            if manifest is None or not (out_dir / MARKER).exists():
                manifest = intact = None
            elif intact is None:
                intact = verified(out_dir, manifest)
            self.had_output = out_dir.is_dir()
            self.stage.mkdir(parents=True, exist_ok=True)
            self.tree = Tree(str(self.stage), staged)
        except OSError as exc:
            raise _os_error(exc, out_dir) from None
        self.manifest, self.intact = manifest, intact
        self.base = str(out_dir) + os.sep
        self.files: Manifest = {}
        self.restat: list[str] = []  # linked files: their stats are taken after the swap
        self.wrote: list[str] = []  # files written anew

    # -- putting files ---------------------------------------------------------------

    def put_all(self, outputs: Iterable[Output | Kept]) -> None:
        """`put` every output."""
        for output in outputs:
            self.put(output)

    def put_kept(self, paths: Iterable[str]) -> None:
        """`put(Kept(path))` for each of `paths`, in one loop: a rebuild keeps 10,000s of
        files, most of them the staging folder's already (the fast path of `put`)."""
        files, intact, staged = self.files, self.intact, self.tree.files
        for path in paths:
            if intact is not None and path not in files:
                entry = intact.get(path)
                if entry is not None and staged.get(path) == entry[STAT][INODE]:  # type: ignore[index]
                    files[path] = entry
                    continue
            self.put(Kept(path))

    def put(self, output: Output | Kept) -> None:
        """Put one file of the new site into the staging folder (bytes are not kept)."""
        path = output.path
        if type(output) is Kept and self.intact is not None and path not in self.files:
            # The common case of a rebuild, made cheap: a kept file of the last site (its
            # path was checked when it was written) already in the staging folder.
            entry = self.intact.get(path)
            if entry is not None and self.tree.files.get(path) == entry[STAT][INODE]:  # type: ignore[index]
                self.files[path] = entry
                return
        path = checked_output_path(path)
        if path in self.files:
            raise _twice(path)
        try:
            self.files[path] = self._put(path, output)
        except OSError as exc:
            self._drop_on_disk_error()
            raise _os_error(exc, self.out_dir) from None

    def _put(self, path: str, output: Output | Kept) -> ManifestEntry:
        entry = self.intact.get(path) if self.intact is not None else None
        if isinstance(output, Kept):
            if entry is None:
                if self.intact is None:
                    raise OutputError("kept outputs need the manifest of the previous build")
                raise OutputError(f"{path}: kept by the build cache but changed on disk",
                                  self.base + path)
            return self._link(path, entry, entry[STAT][INODE])  # type: ignore[index]
        data = output.data
        hashed = digest(data)
        if entry is not None and entry[HASH] == hashed:
            return self._link(path, entry, entry[STAT][INODE])  # type: ignore[index]
        if entry is None and self.had_output:
            inode = _same_bytes(self.base + path, data)
            if inode is not None:
                return self._link(path, (hashed, None), inode)
        return self._write(path, data, hashed)

    def _link(self, path: str, entry: ManifestEntry, inode: int) -> ManifestEntry:
        if self.tree.files.get(path) == inode and entry[STAT] is not None:
            return entry  # already the output's file: nothing to do, its stat is as verified
        if self.tree.files.get(path) != inode:
            self.tree.make_room(path, self.files)
            try:
                os.link(self.base + path, self.tree.base + path)
            except FileExistsError:  # put there by a forked part that then failed
                self.tree.clear(path, self.files)
                os.link(self.base + path, self.tree.base + path)
            self.tree.files[path] = inode
        self.restat.append(path)
        return (entry[HASH], None)

    def _write(self, path: str, data: bytes, hashed: bytes) -> ManifestEntry:
        fd = self._reusable(path)
        if fd is None:
            self.tree.make_room(path, self.files)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
            try:
                fd = os.open(self.tree.base + path, flags, 0o666)
            except FileExistsError:  # put there by a forked part that then failed
                self.tree.clear(path, self.files)
                fd = os.open(self.tree.base + path, flags, 0o666)
        with open(fd, "wb", buffering=0) as handle:  # unbuffered: all written before fstat
            view = memoryview(data)
            while view:
                view = view[handle.write(view) or 0:]
            if handle.tell() != os.fstat(fd).st_size:
                handle.truncate()  # a reused file that was longer
            st = os.fstat(fd)
        self.tree.files[path] = st.st_ino
        self.wrote.append(path)
        return (hashed, stat_key(st))

    def _reusable(self, path: str) -> int | None:
        """A descriptor for writing over the staging folder's own file at `path`, if there
        is one that no other name shares (one link: not the output's, not a deploy copy's).

        Writing over it costs far less than unlinking it and writing a new file where
        freeing a file's blocks is slow (a file system mounted with `discard`)."""
        inode = self.tree.files.get(path)
        if inode is None:
            return None
        full = self.tree.base + path
        try:
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_ino != inode:
                return None
            fd = os.open(full, os.O_WRONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        opened = os.fstat(fd)
        if opened.st_ino != st.st_ino or opened.st_nlink != 1 or not stat.S_ISREG(opened.st_mode):
            os.close(fd)
            return None
        return fd

    def _drop_on_disk_error(self) -> None:
        """A disk error (full, read-only): free what the staging folder holds."""
        shutil.rmtree(self.stage, ignore_errors=True)

    # -- forked parts ------------------------------------------------------------------

    def part(self) -> None:
        """In a forked process: start a part (its own files, on the inherited state)."""
        self.files, self.restat, self.wrote = {}, [], []

    def part_result(self) -> Part:
        """In a forked process: what this part put, for the parent's `merge`."""
        return Part(self.files, self.restat, self.wrote)

    def merge(self, part: Part) -> None:
        """Take over the files a forked process put into the staging folder."""
        for path, entry in part.files.items():
            if path in self.files:
                raise _twice(path)
            self.files[path] = entry
        self.restat += part.restat
        self.wrote += part.wrote

    # -- the swap ------------------------------------------------------------------------

    def commit(self) -> WriteStats:
        """Finish the staging folder (remove what is not in the site), swap it in."""
        folders = _check_folders(self.files)
        try:
            removed = self._count_removed()
            self.tree.prune(self.files, MARKER, folders)
            if MARKER not in self.tree.files:
                with open(self.tree.base + MARKER, "wb"):
                    pass
            self._swap()
        except OSError as exc:
            self._drop_on_disk_error()
            raise _os_error(exc, self.out_dir) from None
        self._after_swap()
        result = self.files
        base = self.base
        for path in self.restat:  # after the swap: linking changed their ctimes
            result[path] = (result[path][HASH], file_stat(base + path))
        written = len(self.wrote)
        return WriteStats(written, len(result) - written, removed, result)

    def _swap(self) -> None:
        out_dir, stage = self.out_dir, self.stage
        if not out_dir.exists():
            stage.rename(out_dir)
        elif not exchange_paths(stage, out_dir):  # else one step: no moment without a site
            out_dir.rename(self.old)
            stage.rename(out_dir)
            self.old.rename(stage)

    def _after_swap(self) -> None:
        """The staging folder now holds the previous site. Its files that the new site does
        not share (changed ones) stay: the next build writes over them in place, which is
        cheaper than freeing and allocating (`_reusable`). It gets a `.gitignore` of `*`
        (not part of any site: the next build removes it), so that a kept folder beside an
        output inside a repository (`--out docs`) is never committed. An output folder that
        was a symlink, exchanged aside, is not kept."""
        stage = self.stage
        if stage.is_symlink():
            stage.unlink()
            return
        if GITIGNORE in self.files or not stage.is_dir():
            return
        try:
            temp = stage / f"{GITIGNORE}.tmp"
            temp.unlink(missing_ok=True)
            temp.write_bytes(b"# sitegen's staging folder: the previous site, kept for the "
                             b"next build\n*\n")
            temp.replace(stage / GITIGNORE)  # replaces a name, never writes a shared file
        except OSError:
            pass

    def _count_removed(self) -> int:
        if self.manifest is not None:  # what the last build wrote (hand-added files uncounted)
            return sum(1 for path in self.manifest if path not in self.files)
        if not self.had_output:
            return 0
        old_files, _ = walk(str(self.out_dir))
        return sum(1 for path in old_files if path not in self.files and path != MARKER)


def write_outputs(outputs: Iterable[Output | Kept], out_dir: Path,
                  manifest: Manifest | None = None, intact: Manifest | None = None
                  ) -> WriteStats:
    """Write the whole site to `out_dir`, replacing what was there, atomically.

    `manifest` is what the last write returned (`WriteStats.manifest`): with it, unchanged
    files are found by their hash and never read. `Kept` outputs are files the build cache
    proved unchanged; they need a manifest. `intact` is `verified(out_dir, manifest)` if
    the caller has it already.
    """
    writer = SiteWriter(out_dir, manifest, intact)
    writer.put_all(outputs)
    return writer.commit()


def _same_bytes(path: str, data: bytes) -> int | None:
    """The inode of the file at `path` if it holds exactly `data`, else None."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return None
        with open(path, "rb") as handle:
            return st.st_ino if handle.read() == data else None
    except OSError:
        return None


__all__ = ["MARKER", "Manifest", "Part", "SiteWriter", "WriteStats", "check_outputs", "recover",
           "staging_names", "verified", "write_outputs"]
