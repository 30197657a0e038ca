"""Pausing the cyclic garbage collector while many long-lived objects are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No collections inside the block, the collector's state restored after it.

    Loading papers (parsed or unpickled) makes many objects and no cycles; each
    collection meanwhile would scan all of them again (docs/performance.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
