"""Outputs -> the output folder, atomically.

The new site is staged in a temporary folder beside the output, then swapped in with one
atomic exchange (Linux `renameat2`; two renames elsewhere), so a failed or killed build
leaves the previous output as it was and the output folder is always one whole site.
Files whose bytes did not change are hard-linked from the previous output: their mtimes
stay, so deploys and `rsync` stay small.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError
from .fileio import exchange_paths
from .model import Output
from .urls import checked_output_path

MARKER = ".sitegen-output"


@dataclass(frozen=True)
class WriteStats:
    """How many files were written anew, kept unchanged, and left out of the new output."""

    written: int
    unchanged: int
    removed: int


def check_outputs(outputs: Iterable[Output]) -> dict[str, bytes]:
    """Outputs by path; two outputs for one path, or a path leaving the folder, is an error."""
    files: dict[str, bytes] = {}
    for output in outputs:
        path = checked_output_path(output.path)
        if path in files:
            raise OutputError(f"two pages would be written to {path}",
                              hint="two papers or tags have the same slug")
        files[path] = output.data
    dirs = {str(Path(p).parent) for p in files}
    for path in files:
        if path in dirs:
            raise OutputError(f"{path} is both a file and a folder of the site")
    return files


def _staging_names(out_dir: Path) -> tuple[Path, Path]:
    return (out_dir.with_name(f".{out_dir.name}.new"), out_dir.with_name(f".{out_dir.name}.old"))


def recover(out_dir: Path) -> None:
    """Undo what a killed write left: restore a swapped-out output, drop a half-built one."""
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


def write_outputs(outputs: Iterable[Output], out_dir: Path) -> WriteStats:
    """Write the whole site to `out_dir`, replacing what was there, atomically."""
    files = check_outputs(outputs)
    out_dir = out_dir.absolute()
    recover(out_dir)
    _guard(out_dir)
    new, old = _staging_names(out_dir)
    written = unchanged = 0
    try:
        new.mkdir(parents=True)
        for path, data in sorted(files.items()):
            target = new / path
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = out_dir / path
            if _same_bytes(previous, data):
                os.link(previous, target)
                unchanged += 1
            else:
                with open(target, "wb") as handle:
                    handle.write(data)
                written += 1
        (new / MARKER).write_bytes(b"")
        removed = _count_removed(out_dir, files)
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
    except OSError as exc:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        raise OutputError(f"cannot write the site: {exc.strerror or exc}",
                          exc.filename or str(out_dir),
                          hint="check free disk space and permissions") from None
    return WriteStats(written, unchanged, removed)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _count_removed(out_dir: Path, files: dict[str, bytes]) -> int:
    if not out_dir.is_dir():
        return 0
    old_files = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    return len(old_files - set(files) - {MARKER})
