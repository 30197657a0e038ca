"""Outputs -> the output folder, atomically.

Two ways, one guarantee (a failed or killed build leaves the previous output as it was,
or, once committed, the new one; never a mix after `recover`):

- swap (first build, `--clean`, or no manifest): the new site is staged in a temporary
  folder beside the output and swapped in with two renames. Files whose bytes did not
  change are hard-linked from the previous output (compared by reading them).
- update (a manifest from the last build exists): only changed files are staged; a journal
  listing them is written last (the commit point), then they are renamed into place and
  the files no longer built are removed. `recover` rolls a committed journal forward.
  Unchanged files are found by their content hash in the manifest, never read back.

Either way, unchanged files are not rewritten: their mtimes stay, so deploys stay small.
"""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .cache import StatKey, digest, stat_key
from .errors import OutputError
from .fileio import atomic_write_bytes
from .model import Kept, Output
from .urls import checked_output_path

MARKER = ".sitegen-output"
JOURNAL = ".sitegen-journal"

#: output path -> (content hash, stat of the file as written): what the writer remembers.
Manifest = dict[str, tuple[bytes, StatKey | None]]


@dataclass(frozen=True)
class WriteStats:
    """How many files were written anew, kept unchanged, and left out of the new output."""

    written: int
    unchanged: int
    removed: int
    manifest: Manifest | None = field(default=None, compare=False, repr=False)


def check_outputs(outputs: Iterable[Output | Kept]) -> dict[str, bytes | Kept]:
    """Outputs by path; two outputs for one path, or a path leaving the folder, is an error."""
    files: dict[str, bytes | Kept] = {}
    for output in outputs:
        path = checked_output_path(output.path)
        if path in files:
            raise OutputError(f"two pages would be written to {path}",
                              hint="two papers or tags have the same slug")
        files[path] = output if isinstance(output, Kept) else output.data
    dirs = {p.rpartition("/")[0] for p in files}
    for path in files:
        if path in dirs:
            raise OutputError(f"{path} is both a file and a folder of the site")
    return files


def _staging_names(out_dir: Path) -> tuple[Path, Path]:
    return (out_dir.with_name(f".{out_dir.name}.new"), out_dir.with_name(f".{out_dir.name}.old"))


def recover(out_dir: Path) -> None:
    """Undo what a killed write left: restore a swapped-out output, drop a half-built one,
    finish a committed update."""
    new, old = _staging_names(out_dir)
    if (new / JOURNAL).exists() and out_dir.is_dir():
        _apply_journal(new, out_dir)
    if old.exists():
        if out_dir.exists():
            shutil.rmtree(old)
        else:
            old.rename(out_dir)
    if new.exists():
        shutil.rmtree(new)


def _guard(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("the output path exists and is not a folder", str(out_dir))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise OutputError("the output folder holds files sitegen did not write; not replacing it",
                          str(out_dir), hint="choose an empty or new folder with --out")


def write_outputs(outputs: Iterable[Output | Kept], out_dir: Path,
                  manifest: Manifest | None = None, intact: Manifest | None = None
                  ) -> WriteStats:
    """Write the whole site to `out_dir`, replacing what was there, atomically.

    `manifest` is what the last write returned (`WriteStats.manifest`): with it, only
    changed files are written and unchanged ones are never read. `Kept` outputs are files
    the build cache proved unchanged; they need a manifest. `intact` is `verified(out_dir,
    manifest)` if the caller has it already.
    """
    files = check_outputs(outputs)
    out_dir = out_dir.absolute()
    recover(out_dir)
    _guard(out_dir)
    if manifest is None or not (out_dir / MARKER).exists():
        if any(isinstance(data, Kept) for data in files.values()):
            raise OutputError("kept outputs need the manifest of the previous build")
        return _swap(files, out_dir)  # type: ignore[arg-type]
    return _update(files, out_dir, manifest, intact)


def _swap(files: dict[str, bytes], out_dir: Path) -> WriteStats:
    new, old = _staging_names(out_dir)
    written = unchanged = 0
    manifest: Manifest = {}
    linked: list[str] = []
    try:
        new.mkdir(parents=True)
        made: set[str] = set()
        had_output = out_dir.is_dir()  # if not, no file to compare with: skip the lookups
        for path, data in sorted(files.items()):
            target = os.path.join(new, path)
            _make_parent(new, path, made)
            previous = out_dir / path
            if had_output and _same_bytes(previous, data):
                os.link(previous, target)
                linked.append(path)
                unchanged += 1
            else:
                with open(target, "wb", buffering=0) as handle:
                    view = memoryview(data)  # unbuffered: all written before the fstat
                    while view:
                        view = view[handle.write(view) or 0:]
                    manifest[path] = (digest(data), stat_key(os.fstat(handle.fileno())))
                written += 1
        (new / MARKER).write_bytes(b"")
        removed = _count_removed(out_dir, files)
        if out_dir.exists():
            out_dir.rename(old)
        new.rename(out_dir)
        if old.exists():
            shutil.rmtree(old)
    except OSError as exc:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        raise _write_error(exc, out_dir) from None
    # Linked files: stats after the swap (dropping the old folder changed their ctimes).
    for path in linked:
        manifest[path] = (digest(files[path]), _stat(out_dir / path))
    return WriteStats(written, unchanged, removed, manifest)


def _update(files: dict[str, bytes | Kept], out_dir: Path, manifest: Manifest,
            intact: Manifest | None) -> WriteStats:
    new, _ = _staging_names(out_dir)
    if intact is None:
        intact = verified(out_dir, manifest)
    result: Manifest = {}
    changed: list[str] = []
    unchanged = 0
    try:
        new.mkdir(parents=True)
        made: set[str] = set()
        for path, data in sorted(files.items()):
            if isinstance(data, Kept):
                if path not in intact:
                    raise OutputError(f"{path}: kept by the build cache but changed on disk")
                result[path] = manifest[path]
                unchanged += 1
                continue
            hashed = digest(data)
            entry = intact.get(path)
            if entry is not None and entry[0] == hashed:
                result[path] = entry
                unchanged += 1
                continue
            if entry is None and _same_bytes(out_dir / path, data):
                result[path] = (hashed, _stat(out_dir / path))
                unchanged += 1
                continue
            _make_parent(new, path, made)
            with open(new / path, "wb") as handle:
                handle.write(data)
            changed.append(path)
        removed = sorted(set(manifest) - set(files))
        journal = "\n".join(["sitegen-journal 1", *(f"w {p}" for p in changed),
                             *(f"r {p}" for p in removed)]) + "\n"
        atomic_write_bytes(new / JOURNAL, journal.encode("utf-8"))  # the commit point
        _apply_journal(new, out_dir)
        for path in changed:
            result[path] = (digest(files[path]), _stat(out_dir / path))  # type: ignore[arg-type]
    except OSError as exc:
        if new.exists() and not (new / JOURNAL).exists():
            shutil.rmtree(new, ignore_errors=True)
        raise _write_error(exc, out_dir) from None
    return WriteStats(len(changed), unchanged, len(removed), result)


def _apply_journal(new: Path, out_dir: Path) -> None:
    """Carry out a committed journal: removals first (a file may become a folder), then
    renames. Safe to run again after a kill: steps already done are skipped."""
    lines = (new / JOURNAL).read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        if line.startswith("r "):
            target = out_dir / checked_output_path(line[2:])
            if target.is_file() or target.is_symlink():
                target.unlink()
            _prune_dirs(target.parent, out_dir)
    for line in lines:
        if line.startswith("w "):
            path = checked_output_path(line[2:])
            staged = new / path
            if staged.exists():
                (out_dir / path).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, out_dir / path)
    (out_dir / MARKER).touch()
    shutil.rmtree(new)


def _prune_dirs(folder: Path, out_dir: Path) -> None:
    while folder != out_dir and folder.is_relative_to(out_dir):
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone): stop here
            return
        folder = folder.parent


def _make_parent(root: Path, path: str, made: set[str]) -> None:
    parent = path.rpartition("/")[0]
    if parent and parent not in made:
        os.makedirs(os.path.join(root, parent), exist_ok=True)
        made.add(parent)


def verified(out_dir: Path, manifest: Manifest) -> Manifest:
    """The manifest entries whose file is still exactly as written (same stat)."""
    intact: Manifest = {}
    base = str(out_dir) + os.sep
    lstat = os.lstat
    for path, entry in manifest.items():
        if entry[1] is None:
            continue
        try:
            st = lstat(base + path)
        except OSError:
            continue
        if (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == entry[1]:
            intact[path] = entry
    return intact


def trusted_manifest(manifest: Manifest, out_dir: Path, now: Callable[[], int]) -> Manifest:
    """The manifest with only stats that are safe to trust next time.

    A stat as new as the file system's clock could hide an edit made in the same clock
    tick (git's "racily clean" problem). Such files (the last ones written) are checked
    once the clock has moved on: read back and compared with the hash; if that fails, the
    stat is blanked and the next build compares the file by reading it.
    """
    stamp = now()
    racy = [path for path, (_, key) in manifest.items() if key is not None and key[2] >= stamp]
    if not racy:
        return manifest
    for _ in range(100):  # the clock ticks every few milliseconds
        if now() > stamp:
            break
        time.sleep(0.002)
    result = dict(manifest)
    settled = now()
    for path in racy:
        hashed, key = manifest[path]
        before = _stat(out_dir / path)
        try:
            same = digest((out_dir / path).read_bytes()) == hashed
        except OSError:
            same = False
        ok = same and before is not None and before == _stat(out_dir / path) \
            and before[2] < settled
        result[path] = (hashed, before if ok else None)
    return result


def _stat(file: Path) -> StatKey | None:
    try:
        return stat_key(os.lstat(file))
    except OSError:
        return None


def _write_error(exc: OSError, out_dir: Path) -> OutputError:
    return OutputError(f"cannot write the site: {exc.strerror or exc}",
                       exc.filename or str(out_dir), hint="check free disk space and permissions")


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _count_removed(out_dir: Path, files: Mapping[str, object]) -> int:
    if not out_dir.is_dir():
        return 0
    old_files = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    return len(old_files - set(files) - {MARKER})
