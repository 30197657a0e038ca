"""The build cache's state files in `.sitegen-cache/`: read and written whole, atomically.

A missing, unreadable or foreign file is never an error: the build that wanted it does the
work again. Deleting the folder is always safe; `sitegen build --clean` ignores it.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

from sitegen.model import Paper, Problem
from sitegen.util.fileid import owned_by_me
from sitegen.util.sealed import key_folder, load_pickle, write_sealed

CACHE_DIR = ".sitegen-cache"
FORMAT = 3  # bump when the layout of a cache file changes


def cache_folder(root: Path) -> Path:
    """The site's cache folder (`usable_cache_folder` says whether it may be used)."""
    return root / CACHE_DIR


def usable_cache_folder(root: Path) -> tuple[Path | None, Problem | None]:
    """The site's cache folder if sitegen may use it: missing (made when first written) or
    a real folder of this user's. Otherwise (a symlink, a file, another user's folder, or
    the cache key kept inside the site) no cache at all, and a warning that names it and
    the fix: a pull request can commit any of those."""
    folder = root / CACHE_DIR
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return None, _refused(f"cannot be read ({exc.strerror})")
    if st is not None and stat.S_ISLNK(st.st_mode):
        return None, _refused("is a symbolic link, not a folder sitegen made")
    if st is not None and not stat.S_ISDIR(st.st_mode):
        return None, _refused("is not a folder")
    if st is not None and not owned_by_me(st):
        return None, _refused("belongs to another user")
    keys = key_folder()
    if keys is not None and keys.absolute().is_relative_to(root.absolute()):
        return None, Problem(str(keys), "the build cache's key is kept inside the site, where "
                             "a repository could hold it; the build cache is not used",
                             hint="set XDG_CACHE_HOME to a folder outside the site",
                             severity="warning")
    return folder, None


def _refused(what: str) -> Problem:
    return Problem(CACHE_DIR, f"{what}; the build cache is not used, the site is built "
                   "without it", hint=f"delete it (rm -r {CACHE_DIR}) and keep it out of git: "
                   f"/{CACHE_DIR} in .gitignore", severity="warning")


def load_state(path: Path) -> Any | None:
    """A cache file's data, or None when missing, unreadable, not sealed with this user's
    key (`sealed.py`: a file sitegen did not write is never unpickled) or from another
    format."""
    data = load_pickle(path, by_stat=True)  # written whole by `save_state` alone
    if not isinstance(data, dict) or data.get("format") != (FORMAT, sys.version_info[:2]):
        return None
    return data


def save_state(path: Path, data: dict[str, Any], slim: bool = False) -> None:
    """Write a cache file atomically, sealed with this user's key; failing to write a cache
    never fails the build.

    `slim` pickles each `Paper` with only its fields that differ from their defaults
    (`_slim_paper`), which makes the parse cache quicker to read."""
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        if slim:
            pickler.dispatch_table = {**copyreg.dispatch_table, Paper: _slim_paper}
        pickler.dump({**data, "format": (FORMAT, sys.version_info[:2])})
        path.parent.mkdir(parents=True, exist_ok=True)
        write_sealed(path, buffer.getbuffer(), by_stat=True)
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
