"""Progress bars on a terminal only: tqdm, hidden when stderr is not a TTY (CI) or with -q,
and shown only for steps that take more than a second."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], label: str, enabled: bool, total: int | None = None
             ) -> Iterator[T]:
    """Iterate `items`, with a bar labelled `label` when enabled and on a terminal."""
    show = enabled and sys.stderr.isatty()
    if not show:
        yield from items
        return
    from tqdm import tqdm  # here: only a terminal shows a bar, and importing it costs

    # No monitor thread: tqdm starts one with its first bar (even a disabled one), and a
    # process with a second thread must not fork (parallel.py), so builds would lose theirs.
    tqdm.monitor_interval = 0
    yield from tqdm(items, desc=label, total=total, disable=not show, delay=1.0, leave=False,
                    unit="", dynamic_ncols=True)
