"""Work split over forked processes, for big builds: the search index (`fork_call`) and
the page workers (pages.py), and how many processes a build may use.

Fork only: a child inherits the work (the site, the Jinja environment, the page jobs) and
sends back only its results, so the output does not depend on the number of processes.
Used only where the `fork` start method exists and the process runs a single thread
(forking threads can deadlock, e.g. inside `serve`'s watcher): `can_fork`.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any


def worker_count(setting: int) -> int:
    """`[build] workers` (default 0): 0 means one per CPU this process may use (at most 8)."""
    if setting > 0:
        return setting
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


class Forked:
    """A function running in a forked child process; `result` waits for its return value."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    def result(self) -> Any | None:
        """The function's return value, or None if it raised or the child died."""
        try:
            with os.fdopen(self.fd, "rb") as handle:
                payload = handle.read()
        finally:
            self._reap()
        try:
            status, value = pickle.loads(payload)  # noqa: S301 (our own child, just forked)
        except Exception:
            return None
        return value if status == "ok" else None

    def cancel(self) -> None:
        """Stop the child (the parent failed): kill it, reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass
        self._reap()

    def _reap(self) -> None:
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0


def can_fork() -> bool:
    """Forking is safe here: the `fork` start method exists and only one thread runs."""
    # (`os.fork` exists where multiprocessing's "fork" start method does: this module
    # need not import multiprocessing, which costs a build a few ms)
    return threading.active_count() == 1 and hasattr(os, "fork")


def fork_call(func: Callable[[], Any]) -> Forked | None:
    """Run `func()` in a forked child; None where forking is not possible (then the caller
    does the work itself). The child dies with this process (`PR_SET_PDEATHSIG`), so a
    killed build leaves nothing running."""
    if not can_fork():
        return None
    parent = os.getpid()
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read)
            _die_with(parent)
            try:
                payload = pickle.dumps(("ok", func()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # the parent redoes the work and reports the error
                payload = pickle.dumps(("failed", None))
            with os.fdopen(write, "wb") as handle:
                handle.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return Forked(pid, read)


def _die_with(parent: int) -> None:
    """Linux: the kernel kills this child when its parent dies (e.g. `kill -9` of a build)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
