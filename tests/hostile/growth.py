"""Growth bounds instead of timed tests: how much more CPU an input of size 2N costs than
one of size N. Linear work doubles (a ratio near 2); quadratic work quadruples. A noise
floor keeps times too small to measure from deciding anything: below it, both count as
the floor (the ratio is then 1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: CPU seconds below which a measurement is noise (the machine is shared).
FLOOR = 0.01
#: The largest ratio allowed for size 2N over size N: linear is 2, quadratic 4.
LINEAR = 3.0


def cpu_seconds(work: Callable[[], Any], repeat: int = 3) -> float:
    """The least CPU time (this process) of `repeat` runs of `work`."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def growth(run: Callable[[Any], Any], make: Callable[[int], Any], n: int,
           repeat: int = 3) -> tuple[float, float, float]:
    """(ratio, seconds at N, seconds at 2N) for `run(make(size))`; inputs are made
    before timing."""
    small, large = make(n), make(2 * n)
    at_n = cpu_seconds(lambda: run(small), repeat)
    at_2n = cpu_seconds(lambda: run(large), repeat)
    return max(at_2n, FLOOR) / max(at_n, FLOOR), at_n, at_2n
