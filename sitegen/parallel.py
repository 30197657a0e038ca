"""Work split over forked processes, for big builds: parsing papers, rendering pages.

Fork only: the workers inherit the work (the page jobs, the Jinja environment, the file
list) and send back only their results, in order, so the output does not depend on the
number of workers. Used only where the `fork` start method exists and the process runs a
single thread (forking threads can deadlock, e.g. inside `serve`'s watcher).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def worker_count(setting: int) -> int:
    """`[build] workers`: 0 means one per CPU this process may use (at most 8)."""
    if setting > 0:
        return setting
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def _run_chunk(bounds: tuple[int, int]) -> list[Any] | None:
    assert _WORK is not None
    func, items = _WORK
    try:
        return [func(item) for item in items[bounds[0]:bounds[1]]]
    except Exception:  # the caller redoes the work in its own process and reports the error
        return None


def fork_map(func: Callable[[Any], Any], items: Sequence[Any], workers: int,
             min_items: int) -> list[Any] | None:
    """`[func(item) for item in items]` in forked workers, in order; None if not done that
    way (too few items, one worker, no fork, threads running, or a worker failed)."""
    global _WORK
    if (workers <= 1 or len(items) < min_items or threading.active_count() != 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return None
    size = max(50, len(items) // (workers * 8))
    chunks = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _WORK = (func, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_run_chunk, chunks, chunksize=1)
    except Exception:
        return None
    finally:
        _WORK = None
    if any(part is None for part in parts):
        return None
    return [result for part in parts for result in part]  # type: ignore[union-attr]
