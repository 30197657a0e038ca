"""Atomic file writes: a killed process leaves either the old file or the new one, whole."""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def current_umask() -> int:
    """The process's umask, read without changing it where Linux says it (`os.umask` can
    only be read by setting it, a moment in which another thread's files get other modes)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_temp(path: Path, data: bytes, sync: bool, mode: int | None = None) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None and hasattr(os, "fchmod"):  # mkstemp makes 0600 whatever the
            os.fchmod(fd, mode)  # umask (Windows has no fchmod before Python 3.13)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write() names no file: say which one
        raise
    return tmp


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def atomic_write_bytes(path: Path, data: bytes, sync: bool = True) -> None:
    """Write `data` to `path` through a temporary file in the same folder and `os.replace`.

    `sync=False` skips the fsync (caches: losing one on power loss only costs a rebuild).
    """
    tmp = _write_temp(path, data, sync)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_all(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write many files, each atomically, with one flush to disk for all of them.

    All temporary files are written, then `os.sync()` once, then each is renamed into
    place: as safe as `atomic_write_bytes` per file, without an fsync per file (which made
    importing 10,000 papers take seconds longer). The files get the mode a new file gets
    (0666 less the umask, as git and editors make them), not the temporary file's 0600:
    they are paper files, committed and shared.
    """
    temps: list[tuple[str, Path]] = []
    done = 0
    mode = 0o666 & ~current_umask()
    sync_all = getattr(os, "sync", None)  # not on Windows: there each file is flushed
    try:
        for path, data in files:
            temps.append((_write_temp(path, data, sync=sync_all is None, mode=mode), path))
        if temps and sync_all is not None:
            sync_all()
        for tmp, path in temps:
            os.replace(tmp, path)
            done += 1
    except BaseException:
        for tmp, _ in temps[done:]:
            _unlink(tmp)
        raise


def exchange_paths(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`).

    Returns False where the system or file system cannot (then the caller falls back to
    two renames, which leave a moment with no folder at `b`).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # no such C function here
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def remove_stale_temp_files(folder: Path) -> int:
    """Delete `.*.tmp` files a killed `atomic_write_bytes` left; call only under the lock."""
    removed = 0
    if folder.is_dir():
        for stale in folder.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def leaves(path: Path, root: Path) -> bool:
    """True if `path`, with its symlinks followed, is outside `root`.

    A symlink in a pull request (`static/key.txt -> ~/.ssh/id_rsa`) would otherwise be read
    by the build and published with the site.
    """
    return not path.resolve().is_relative_to(root.resolve())
