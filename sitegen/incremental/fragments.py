"""Reused includes kept across builds: the build cache's fragment store.

The template environment reuses an include whose partial reads only globals and values
passed to it (render/templates.py, `SiteEnvironment`); this store keeps its HTML for later
builds, by a digest of the page stage's base (code, templates, globals, filters), the
partial's name and the values' digests. A tag's main page shows its newest 100-199 papers
as rows: a day adds a few rows, the others come from here instead of being rendered again.
It also keeps what each partial's source reads (parsing a template is dear).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from sitegen.incremental.digests import Digests, Uncacheable, code_digest, sized, value_digest
from sitegen.incremental.statefile import load_state, save_state
from sitegen.util.fileid import digest


class KeptFragments:
    """Fragments kept across builds in `path` (a `render.fragments.FragmentStore`), read
    when first needed. `save` writes the
    fragments this build used (and those it read, while they are not many more: the file
    does not grow without end), or none if it used more than `LIMIT`.

    `base` is the digest of what every page depends on (set by the build once the
    environment's globals are; None: nothing is kept)."""

    SPARE = 2000  # fragments of former builds kept beside this build's
    #: a build that used more made (nearly) every page: its fragments are not kept (10,000s
    #: of rows, most never needed again; the next build keeps those it uses)
    LIMIT = 10_000

    def __init__(self, path: Path, memo: Digests) -> None:
        self.path, self.memo = path, memo
        self.base: bytes | None = None
        self.old: dict[bytes, str] | None = None
        self.used: dict[bytes, str] = {}
        self.full = False  # more than LIMIT used: none kept
        self.free_names: dict[str, tuple[str, ...] | None] | None = None
        self.loaded_names: set[str] = set()

    def _load(self) -> None:
        state = load_state(self.path)
        if state is None or state.get("code") != code_digest():
            state = {}
        fragments, names = state.get("fragments"), state.get("names")
        self.old = fragments if isinstance(fragments, dict) else {}
        self.free_names = names if isinstance(names, dict) else {}
        self.loaded_names = set(self.free_names)

    def reads(self) -> MutableMapping[str, tuple[str, ...] | None]:
        """What each template source reads, by source (kept with the fragments)."""
        if self.free_names is None:
            self._load()
        assert self.free_names is not None
        return self.free_names

    def key(self, name: str, values: Mapping[str, Any]) -> bytes | None:
        """A digest of `values` for partial `name`, under the base; None if uncacheable."""
        if self.base is None:
            return None
        memo = self.memo
        parts = [self.base, sized("fragment\0" + name)]
        try:
            for value_name, value in values.items():  # each value's digest is 16 bytes
                hit = memo.get(id(value))
                parts += (sized(value_name),
                          hit[1] if hit is not None else value_digest(value, memo))
        except Uncacheable:
            return None
        return digest(b"".join(parts))

    def get(self, key: Any) -> str | None:
        """A fragment kept by a former build, or None."""
        if self.old is None:
            self._load()
            assert self.old is not None
        html = self.old.get(key)
        if html is not None and not self.full:
            self.used[key] = html
        return html

    def put(self, key: Any, html: str) -> None:
        """A fragment made by this build."""
        if self.full:
            return
        self.used[key] = str(html)
        if len(self.used) > self.LIMIT:  # not kept (`save`): no memory held for them
            self.used.clear()
            self.full = True

    def save(self) -> None:
        """Write the fragments (nothing when none was needed and no template is new)."""
        if self.old is None and self.free_names is None:
            return
        old, used, names = self.old or {}, self.used, self.free_names or {}
        if all(key in old for key in used) and names.keys() == self.loaded_names:
            return
        kept = {**old, **used} if not used or len(old) <= len(used) + self.SPARE else used
        save_state(self.path, {"fragments": kept, "names": names, "code": code_digest()})
