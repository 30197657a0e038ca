"""Where the HTML of reused includes is kept beyond one build: the interface the template
environment takes (render/templates.py, `make_environment`), and the store that keeps
nothing. The build cache's store, kept across builds, is incremental/fragments.py.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, MutableMapping
from typing import Any, Protocol


class FragmentStore(Protocol):
    """Where the HTML of reused includes is kept beyond one build (`SiteEnvironment`):
    `NoFragments` keeps nothing (tests, `serve`, `check`); the build cache's keeps them
    across builds (incremental/fragments.py)."""

    def reads(self) -> MutableMapping[str, tuple[str, ...] | None]:
        """What each template source reads (None: it includes, extends or imports others),
        by source: parsing is dear (docs/performance.md)."""
        ...

    def key(self, name: str, values: Mapping[str, Any]) -> Hashable | None:
        """The key of partial `name` made from `values`; None: not kept."""
        ...

    def get(self, key: Hashable) -> str | None:
        """The HTML kept under `key`, or None."""
        ...

    def put(self, key: Hashable, html: str) -> None:
        """Keep `html` under `key`."""
        ...


class NoFragments:
    """The `FragmentStore` that keeps no HTML (what templates read, for this build only)."""

    def __init__(self) -> None:
        self._reads: dict[str, tuple[str, ...] | None] = {}

    def reads(self) -> MutableMapping[str, tuple[str, ...] | None]:
        return self._reads

    def key(self, name: str, values: Mapping[str, Any]) -> Hashable | None:
        return None

    def get(self, key: Hashable) -> str | None:
        return None

    def put(self, key: Hashable, html: str) -> None:
        pass
