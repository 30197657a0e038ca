"""The cached runner: a render stage's units made or kept, by what the last build made.

A unit is kept whole, without making its jobs, when its key is the last build's, every
file it made is intact in the output folder, and the values of the sequence it shows
(`Settled`) are as the last build had them; else it is made, and each of its outputs is
kept by its fingerprint when that is the last build's (docs/incremental.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from sitegen.incremental.pagecache import PageCache
from sitegen.model import Kept, KeptMany, Output
from sitegen.render.units import RENDER_CHUNK, Job, Stage


class CachedRunner:
    """Runs stages with the build cache's `PageCache` (render/units.py, `Runner`)."""

    def __init__(self, cache: PageCache) -> None:
        self.cache = cache

    def run(self, stage: Stage, chunk: int = RENDER_CHUNK, batched: bool = False
            ) -> Iterator[Output | Kept | KeptMany]:
        cache = self.cache
        base = cache.base(stage.base)
        # every sequence, even one no unit needs now: the next build compares with it
        settled = {name: cache.settled(name, values) for name, values in stage.sequences.items()}
        todo: list[Job] = []
        for unit in stage.units:
            key = cache.unit_key(base, unit.kind, unit.values) if unit.values is not None else None
            need = unit.settled
            kept = cache.kept(unit.name, key, need is None
                              or settled.get(need.sequence, 0) >= need.count)
            if kept is not None:
                if todo:  # outputs in unit order
                    yield from self._made(stage, base, todo)
                    todo = []
                if batched:
                    yield KeptMany(kept.paths, kept.lastmods)
                else:
                    yield from map(Kept, kept.paths, kept.lastmods)
                continue
            jobs = unit.make()
            if unit.exact and cache.new_key(unit.name, key):
                jobs = [replace(job, cached=False) for job in jobs]  # changed: no fingerprint
            cache.record(unit.name, key, (job.path for job in jobs),
                         (job.lastmod for job in jobs))
            todo += jobs
            if len(todo) >= chunk:
                yield from self._made(stage, base, todo)
                todo = []
        yield from self._made(stage, base, todo)

    def _made(self, stage: Stage, base: bytes | None, jobs: Sequence[Job]
              ) -> Iterator[Output | Kept]:
        """`jobs` as outputs: `Kept` where the fingerprint is the last build's and the file
        intact, else rendered (lazily, in job order)."""
        cache = self.cache
        todo = [job for job in jobs if not job.cached or not cache.unchanged(
            job.path, cache.fingerprint(base, job.template, job.path, job.context))]
        rendered = iter(stage.render(todo))
        done = 0
        for job in jobs:
            if done < len(todo) and todo[done] is job:
                yield Output(job.path, next(rendered), job.lastmod)
                done += 1
            else:
                yield Kept(job.path, job.lastmod)

    def record(self, stage: Stage) -> None:
        """Record the stage's units as another process made them, without the cache (a
        forked child on a build from scratch), so that the next build keeps them."""
        cache = self.cache
        base = cache.base(stage.base)
        for unit in stage.units:
            if unit.values is not None:
                jobs = unit.make()
                cache.record(unit.name, cache.unit_key(base, unit.kind, unit.values),
                             (job.path for job in jobs), (job.lastmod for job in jobs))
