"""Units: what a render stage makes, described so that a runner can make it, or keep it.

A stage (pages, `.bib` files) declares every output it makes as part of one `Unit`: the
values its outputs are made from (its key) and, for list pages with stable pagination,
how many of the oldest entries of a sequence they show (`Settled`). The stage also
declares those sequences, what every output depends on (`Base`) and how jobs become bytes
(`Stage.render`). It says nothing of caches: `run_units` (here) makes every unit, as
tests, `serve` and `check` need; the build cache's runner (incremental/units.py) keeps a
unit whole, without making its jobs, while what it declares is as the last build had it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sitegen.model import Kept, KeptMany, Output

#: Jobs rendered at a time: bounds the bytes held at once.
RENDER_CHUNK = 1000


@dataclass(frozen=True)
class Job:
    """One output to make: what makes it (`template`: a template's name for a page), its
    path, the context it is made from (all it shows: a page whose context is unchanged
    is unchanged) and its sitemap date. Cheap to make, rendered later. `cached` False: made
    without a fingerprint (one that would cost more than the output)."""

    template: str
    path: str
    context: dict[str, Any]
    lastmod: dt.date | None = None
    cached: bool = True


@dataclass(frozen=True)
class Settled:
    """What a unit's outputs show of a sequence the stage declares (`Stage.sequences`,
    oldest first): only its first `count` values. With its key, they are as the last
    build made them while those values are as the last build had them (and no other
    value shows: its place is in the key)."""

    sequence: str
    count: int


@dataclass(frozen=True)
class Unit:
    """Outputs made together from `values` only (besides the stage's `Base`): a day's
    paper pages from its papers, a tag's numbered page from its place. `name` is unique
    in the site; `kind` says how the outputs are made from the values (it changes with
    anything else they show: the base URL, the page size). `values` None: no key, the
    outputs are made every build (each may still be kept by its fingerprint).

    `settled`: the outputs show the first values of a sequence (list pages with stable
    pagination: the key says where a page stands, not which entries it shows). `exact`:
    every output's context changes with the key (a day's page, a list page's place), so
    that when the key is new, fingerprints would only cost. `size`: the number of
    outputs (a progress bar's steps)."""

    name: str
    kind: str
    values: tuple[Any, ...] | None
    make: Callable[[], list[Job]]
    settled: Settled | None = None
    exact: bool = False
    size: int = 1


@dataclass(frozen=True)
class Base:
    """What every output of a stage depends on besides sitegen's code: `values` (the
    template environment's globals and filters) and the files under `folders` (the
    templates); `folders` None: files of unknown origin, so nothing can be kept."""

    values: tuple[Any, ...] = ()
    folders: tuple[Path, ...] | None = ()


@dataclass(frozen=True)
class Stage:
    """A render stage as a runner sees it: its units in output order, how jobs become
    bytes (in job order, lazily), the sequences its units' `Settled` refer to (by name,
    oldest first) and its `Base`."""

    units: Sequence[Unit]
    render: Callable[[Sequence[Job]], Iterable[bytes]]
    sequences: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    base: Base = Base()

    @property
    def size(self) -> int:
        """The number of outputs."""
        return sum(unit.size for unit in self.units)


class Runner(Protocol):
    """Makes a stage's outputs: `run_units` (every output made) or the build cache's."""

    def run(self, stage: Stage, chunk: int = RENDER_CHUNK, batched: bool = False
            ) -> Iterator[Output | Kept | KeptMany]:
        """The stage's outputs in order, rendered `chunk` jobs at a time; `batched`: a
        unit kept whole as one `KeptMany`, else a `Kept` per output."""
        ...

    def record(self, stage: Stage) -> None:
        """Learn the stage's units as made elsewhere (a forked child running it plain)."""
        ...


def run_units(stage: Stage, chunk: int = RENDER_CHUNK) -> Iterator[Output]:
    """Every output of the stage, made, in order, `chunk` jobs rendered at a time (the
    caller can write each output and drop it: the stage's bytes are never all held)."""
    todo: list[Job] = []
    for unit in stage.units:
        todo += unit.make()
        if len(todo) >= chunk:
            yield from made(stage, todo)
            todo = []
    yield from made(stage, todo)


def made(stage: Stage, jobs: Sequence[Job]) -> Iterator[Output]:
    """`jobs` rendered, as outputs with their dates."""
    for job, data in zip(jobs, stage.render(jobs), strict=True):
        yield Output(job.path, data, job.lastmod)


class PlainRunner:
    """The runner without a cache: every output is made (`run_units`)."""

    def run(self, stage: Stage, chunk: int = RENDER_CHUNK, batched: bool = False
            ) -> Iterator[Output | Kept | KeptMany]:
        return run_units(stage, chunk)

    def record(self, stage: Stage) -> None:
        """Nothing to learn."""
