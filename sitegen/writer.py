"""Outputs -> the output folder, atomically.

The new site is staged whole in a temporary folder beside the output, then swapped in with
one atomic exchange (Linux `renameat2`; two renames elsewhere), so a failed or killed build
leaves the previous output as it was and the output folder is always one whole site: the
old one or the new one, never a mix, never missing.

Files whose bytes did not change are hard-linked from the previous output into the staging
folder, not written: they keep their inode and mtime, so deploys and `rsync` stay small.
Which files are unchanged is found two ways:

- with a manifest from the last build (the content hash and stat of every file written,
  kept by the build cache): a file whose stat is as recorded and whose hash equals the new
  output's is linked without being read; `Kept` outputs (pages the build cache did not
  render again) are linked the same way;
- without one (first build, `--clean`, cache deleted): by reading the old file.

A staging folder left by a killed build is dropped by `recover` (the exchange is the one
commit point, so there is nothing to roll forward).
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
from .fileio import exchange_paths
from .model import Kept, Output
from .urls import checked_output_path

MARKER = ".sitegen-output"

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
    """Undo what a killed write left: restore a swapped-out output, drop a half-built one
    (or the previous site, exchanged out and not yet deleted)."""
    new, old = _staging_names(out_dir)
    for staged in (new, old):
        if staged.is_symlink():  # an output folder that was a symlink, swapped aside
            staged.unlink()
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

    `manifest` is what the last write returned (`WriteStats.manifest`): with it, unchanged
    files are found by their hash and never read. `Kept` outputs are files the build cache
    proved unchanged; they need a manifest. `intact` is `verified(out_dir, manifest)` if
    the caller has it already.
    """
    files = check_outputs(outputs)
    out_dir = out_dir.absolute()
    recover(out_dir)
    _guard(out_dir)
    if manifest is None or not (out_dir / MARKER).exists():
        if any(isinstance(data, Kept) for data in files.values()):
            raise OutputError("kept outputs need the manifest of the previous build")
        manifest = intact = None
    elif intact is None:
        intact = verified(out_dir, manifest)
    try:
        return _stage_and_swap(files, out_dir, manifest, intact)
    except OSError as exc:
        raise OutputError(f"cannot write the site: {exc.strerror or exc}",
                          exc.filename or str(out_dir),
                          hint="check free disk space and permissions") from None


def _stage_and_swap(files: dict[str, bytes | Kept], out_dir: Path, manifest: Manifest | None,
                    intact: Manifest | None) -> WriteStats:
    new, old = _staging_names(out_dir)
    written = 0
    result: Manifest = {}
    linked: list[tuple[str, bytes]] = []  # (path, hash): stats taken after the swap
    try:
        new.mkdir(parents=True)
        made: set[str] = set()
        had_output = out_dir.is_dir()  # if not, no file to compare with: skip the lookups
        base = str(out_dir) + os.sep
        for path, data in sorted(files.items()):
            target = os.path.join(new, path)
            _make_parent(new, path, made)
            if isinstance(data, Kept):
                if intact is None or path not in intact:
                    raise OutputError(f"{path}: kept by the build cache but changed on disk",
                                      str(out_dir / path))
                os.link(base + path, target)
                linked.append((path, intact[path][0]))
                continue
            hashed = digest(data)
            entry = intact.get(path) if intact is not None else None
            if entry is not None and entry[0] == hashed or (
                    entry is None and had_output and _same_bytes(base + path, data)):
                os.link(base + path, target)
                linked.append((path, hashed))
                continue
            with open(target, "wb", buffering=0) as handle:
                view = memoryview(data)  # unbuffered: all written before the fstat
                while view:
                    view = view[handle.write(view) or 0:]
                result[path] = (hashed, stat_key(os.fstat(handle.fileno())))
            written += 1
        (new / MARKER).write_bytes(b"")
        removed = _count_removed(out_dir, files, manifest)
        if not out_dir.exists():
            new.rename(out_dir)
        elif exchange_paths(new, out_dir):  # one step: no moment without a site
            # `new` is now the previous site: the new one is in place whatever happens
            # here, and `recover` drops what is left if we die or fail.
            shutil.rmtree(new, ignore_errors=True)
        else:
            out_dir.rename(old)
            new.rename(out_dir)
            shutil.rmtree(old)
    except BaseException:  # nothing swapped in yet (an exchange cannot fail after it happened)
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        raise
    # Linked files: stats after the swap (dropping the old folder changed their ctimes).
    base = str(out_dir) + os.sep
    for path, hashed in linked:
        result[path] = (hashed, _stat(base + path))
    return WriteStats(written, len(linked), removed, result)


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


def _stat(file: Path | str) -> StatKey | None:
    try:
        return stat_key(os.lstat(file))
    except OSError:
        return None


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        return Path(path).read_bytes() == data
    except OSError:
        return False


def _count_removed(out_dir: Path, files: Mapping[str, object], manifest: Manifest | None
                   ) -> int:
    if manifest is not None:  # what the last build wrote (hand-added files go uncounted)
        return len(manifest.keys() - files.keys())
    if not out_dir.is_dir():
        return 0
    old_files = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    return len(old_files - set(files) - {MARKER})
