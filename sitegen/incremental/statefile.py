"""The build cache's state files in `.sitegen-cache/`: read and written whole, atomically.

A missing, unreadable or foreign file is never an error: the build that wanted it does the
work again. Deleting the folder is always safe; `sitegen build --clean` ignores it.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import pickle
import sys
from pathlib import Path
from typing import Any

from sitegen.model import Paper
from sitegen.util.fileio import atomic_write_bytes

CACHE_DIR = ".sitegen-cache"
FORMAT = 2  # bump when the layout of a cache file changes


def cache_folder(root: Path) -> Path:
    """The site's cache folder."""
    return root / CACHE_DIR


def load_state(path: Path) -> Any | None:
    """A cache file's data, or None when missing, unreadable or from another format."""
    enabled = gc.isenabled()
    gc.disable()  # unpickling makes many objects and no cycles: no collections meanwhile
    try:
        with open(path, "rb") as handle:
            # Our own cache, written by this program into the site folder: as trusted as
            # the site's templates and config.
            data = pickle.load(handle)  # noqa: S301
    except Exception:  # a corrupt or foreign cache is never an error: rebuild instead
        return None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(data, dict) or data.get("format") != (FORMAT, sys.version_info[:2]):
        return None
    return data


def save_state(path: Path, data: dict[str, Any], slim: bool = False) -> None:
    """Write a cache file atomically; failing to write a cache never fails the build.

    `slim` pickles each `Paper` with only its fields that differ from their defaults
    (`_slim_paper`), which makes the parse cache quicker to read."""
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        if slim:
            pickler.dispatch_table = {**copyreg.dispatch_table, Paper: _slim_paper}
        pickler.dump({**data, "format": (FORMAT, sys.version_info[:2])})
        atomic_write_bytes(path, buffer.getvalue(), sync=False)
    except (OSError, pickle.PicklingError):
        pass


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Paper)
             if f.default is not dataclasses.MISSING}


def _slim_paper(paper: Paper) -> tuple[Any, ...]:
    """How `save_state(slim=True)` pickles a `Paper`: as `pickle` does (a new object whose
    `__dict__` is updated from a dict, all in C when read), but without the fields that
    hold their default object (None, "", (): dataclasses keep defaults as class attributes,
    which the paper then reads). Unpickling fills a dict of the few fields a paper sets
    instead of all of them; the paper reads, compares and digests the same
    (tests/test_cache.py). By identity only: a value merely equal to its default is kept."""
    get = _DEFAULTS.get
    slim = {name: value for name, value in paper.__dict__.items()
            if get(name, _DEFAULTS) is not value}
    return copyreg.__newobj__, (type(paper),), slim
