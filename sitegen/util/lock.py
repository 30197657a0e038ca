"""Advisory locks, so two builds (or two imports) never write the same folder at once.

The second process waits for the first (saying so once), up to a limit, then gives up with a
clear message. Where the system has one, the lock is a kernel lock on the lock file
(`fcntl.flock` on Linux and macOS, `msvcrt.locking` on Windows): the kernel drops it when a
process dies, even by `kill -9`, so a stale lock file never blocks anyone. Elsewhere (no such
module) the lock file itself is the lock: created exclusively (`O_EXCL`) holding the owner's
pid and host, removed when done; one whose owner is no longer running on this host (or that
holds no owner: left by the kernel-lock kind) is taken over.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitegen.errors import SitegenError

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # not Windows
    msvcrt = None  # type: ignore[assignment]

WAIT_SECONDS = 600.0
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: After this, an O_EXCL lock file holding no owner line is taken to be stale.
OWNERLESS_SECONDS = 10.0


def lock_kind() -> str:
    """Which lock this system gives: "flock", "msvcrt" or "file" (O_EXCL, portable)."""
    return "flock" if fcntl is not None else "msvcrt" if msvcrt is not None else "file"


def _cannot_create(exc: OSError, what: str, lock_file: Path) -> SitegenError:
    return SitegenError(f"cannot create the lock file for {what}: {exc.strerror or exc}",
                        str(exc.filename or lock_file),
                        hint="check that the folders on the path are folders and writable")


def _kernel_lock(fd: int) -> bool:
    """Try the kernel lock once; False if another process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # Windows: lock the first byte (a range past the end of a file is allowed)
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except BlockingIOError:
        return False
    except OSError as exc:  # msvcrt says "held" with EACCES or EDEADLOCK
        if fcntl is None and exc.errno in (errno.EACCES, errno.EDEADLK):
            return False
        raise
    return True


def _owner_is_gone(lock_file: Path) -> bool:
    """An O_EXCL lock file whose owner cannot be running: a pid of this host that no
    process has, or no owner line at all (an empty file of the kernel-lock kind)."""
    try:
        owner = lock_file.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return False  # released meanwhile: just try again
    except (OSError, ValueError):
        return True
    if len(owner) != 2 or not owner[0].isdigit():
        # An owner writes its line right after creating the file: a file without one that
        # is older than that moment is of the kernel-lock kind, or left half-made.
        try:
            return time.time() - lock_file.stat().st_mtime > OWNERLESS_SECONDS
        except OSError:
            return False
    pid, host = int(owner[0]), owner[1]
    if host != socket.gethostname() or os.name != "posix":
        return False  # cannot tell from here: wait, and the message names the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def _file_lock(lock_file: Path, what: str) -> int | None:
    """Try the O_EXCL lock once: the new file's descriptor, or None if it is held."""
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)  # never via a link
    except FileExistsError:
        try:
            mode = os.lstat(lock_file).st_mode
        except FileNotFoundError:  # released meanwhile
            return None
        if stat.S_ISLNK(mode):
            raise _refused(lock_file, what, "a symbolic link") from None
        if not stat.S_ISREG(mode):
            raise _refused(lock_file, what, "not a regular file") from None
        if _owner_is_gone(lock_file):
            try:
                os.unlink(lock_file)
            except FileNotFoundError:
                pass
        return None
    os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
    return fd


@contextmanager
def locked(lock_file: Path, what: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` while the block runs."""
    kernel = lock_kind() != "file"
    fd: int | None = _open_lock(lock_file, what) if kernel else None
    if not kernel:
        try:
            lock_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_create(exc, what, lock_file) from None
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                if kernel and _kernel_lock(fd):  # type: ignore[arg-type]
                    break
                if not kernel:
                    fd = _file_lock(lock_file, what)
                    if fd is not None:
                        break
            except OSError as exc:
                raise _cannot_create(exc, what, lock_file) from None
            if time.monotonic() >= deadline:
                hint = "wait for it to finish, then run again"
                if not kernel:
                    hint += f" (if no sitegen process is running, delete {lock_file})"
                raise SitegenError(f"another sitegen process is still writing {what}",
                                   str(lock_file), hint=hint) from None
            if not told:
                print(f"sitegen: waiting for another sitegen process writing {what}...",
                      file=sys.stderr, flush=True)
                told = True
            time.sleep(0.1)
        yield
    finally:
        if fd is not None:
            os.close(fd)  # closing the descriptor releases a kernel lock
            if not kernel:
                try:
                    os.unlink(lock_file)
                except FileNotFoundError:
                    pass


def _open_lock(lock_file: Path, what: str) -> int:
    """The lock file, opened (made if missing) without following a link: a lock file that
    is a symlink (a pull request can commit one) would make sitegen create or open a file
    wherever it points. Anything but a regular file is refused, naming it and the fix."""
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0),
                     0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or lock_file.is_symlink():
            raise _refused(lock_file, what, "a symbolic link") from None
        raise _cannot_create(exc, what, lock_file) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refused(lock_file, what, "not a regular file")
    if hasattr(os, "set_blocking"):
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
