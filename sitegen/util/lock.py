"""Advisory locks, so two builds (or two imports) never write the same folder at once.

The second process waits for the first (saying so once), up to a limit, then gives up with a
clear message. Locks are `fcntl.flock` locks: the kernel drops them when a process dies, even
by `kill -9`, so a stale lock file never blocks anyone.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitegen.errors import SitegenError

WAIT_SECONDS = 600.0
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@contextmanager
def locked(lock_file: Path, what: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` while the block runs."""
    fd = _open_lock(lock_file, what)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SitegenError(f"another sitegen process is still writing {what}",
                                       str(lock_file),
                                       hint="wait for it to finish, then run again") from None
                if not told:
                    print(f"sitegen: waiting for another sitegen process writing {what}...",
                          file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _open_lock(lock_file: Path, what: str) -> int:
    """The lock file, opened (made if missing) without following a link: a lock file that
    is a symlink (a pull request can commit one) would make sitegen create or open a file
    wherever it points. Anything but a regular file is refused, naming it and the fix."""
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | _NOFOLLOW | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or lock_file.is_symlink():
            raise _refused(lock_file, what, "a symbolic link") from None
        raise SitegenError(f"cannot create the lock file for {what}: {exc.strerror or exc}",
                           str(exc.filename or lock_file),
                           hint="check that the folders on the path are folders and writable"
                           ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refused(lock_file, what, "not a regular file")
    os.set_blocking(fd, True)
    return fd


def _refused(lock_file: Path, what: str, kind: str) -> SitegenError:
    return SitegenError(f"the lock file for {what} is {kind}; sitegen makes its lock files "
                        "itself and never follows a link", str(lock_file),
                        hint=f"delete it (rm '{lock_file}') and run again; it is not "
                        "meant to be in git (see .gitignore)")


def output_lock(out_dir: Path) -> Path:
    """The lock file of an output folder: beside it, so `--out` folders each have their own."""
    out_dir = out_dir.absolute()
    return out_dir.with_name(f".{out_dir.name}.lock")


def store_lock(root: Path) -> Path:
    """The lock file of a site's content store."""
    return root / ".sitegen.lock"
