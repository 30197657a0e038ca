"""Units and their runners: the plain one (render/units.py) makes every output; the cached
one (incremental/units.py) keeps what the last build made while what a unit declares is
unchanged, and gives the same outputs otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from functools import partial

from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.units import CachedRunner
from sitegen.model import Kept, KeptMany, Output
from sitegen.render.units import Job, Settled, Stage, Unit, run_units

DAY = dt.date(2025, 8, 11)


class Pages:
    """A stage of small units: name -> [(path, text)], each output dated DAY; what was
    rendered is recorded."""

    def __init__(self) -> None:
        self.rendered: list[str] = []

    def render(self, jobs: Sequence[Job]) -> Iterator[bytes]:
        for job in jobs:
            self.rendered.append(job.path)
            yield job.context["text"].encode()

    def stage(self, units: dict[str, list[tuple[str, str]]], sequence: tuple[int, ...] = (),
              settled: dict[str, int] | None = None, exact: frozenset[str] = frozenset(),
              keyless: frozenset[str] = frozenset()) -> Stage:
        def jobs(outputs: list[tuple[str, str]]) -> list[Job]:
            return [Job("t", path, {"text": text}, DAY) for path, text in outputs]

        made = [Unit(name, "kind", None if name in keyless else (tuple(outputs),),
                     partial(jobs, outputs),
                     Settled("seq", settled[name]) if settled and name in settled else None,
                     exact=name in exact, size=len(outputs))
                for name, outputs in units.items()]
        return Stage(made, self.render, {"seq": sequence})


def _run(pages: Pages, stage: Stage, state=None, batched: bool = False,
         chunk: int = 1000) -> tuple[list, dict]:
    """One build: (outputs, state saved), every file of the last build intact."""
    cache = PageCache(None, state)
    if state is not None:
        cache.verified({path for record in state["units"].values() for path in record[1]}
                       | set(state["pages"]))
    pages.rendered.clear()
    outputs = list(CachedRunner(cache).run(stage, chunk, batched))
    return outputs, cache.saved()


SITE = {"day 1": [("a", "A"), ("b", "B")], "day 2": [("c", "C")], "list": [("l", "L")]}


def test_the_plain_runner_makes_every_output_lazily_in_order() -> None:
    pages = Pages()
    stage = pages.stage(SITE)
    assert stage.size == 4
    outputs = run_units(stage, chunk=2)
    first = next(outputs)
    assert first == Output("a", b"A", DAY) and pages.rendered == ["a"]
    rest = list(outputs)
    assert [o.path for o in rest] == ["b", "c", "l"]
    assert all(type(o) is Output and o.lastmod == DAY for o in rest)


def test_unchanged_units_are_kept_whole_with_their_dates() -> None:
    pages = Pages()
    made, state = _run(pages, pages.stage(SITE))
    assert made == list(run_units(pages.stage(SITE)))  # the same outputs as the plain runner
    kept, again = _run(pages, pages.stage(SITE), state, batched=True)
    assert pages.rendered == []
    assert kept == [KeptMany(("a", "b"), (DAY, DAY)), KeptMany(("c",), (DAY,)),
                    KeptMany(("l",), (DAY,))]
    assert again == state
    each, _ = _run(pages, pages.stage(SITE), state)
    assert each == [Kept("a", DAY), Kept("b", DAY), Kept("c", DAY), Kept("l", DAY)]
    changed = {**SITE, "day 2": [("c", "C2")]}
    outputs, _ = _run(pages, pages.stage(changed), state)
    assert pages.rendered == ["c"]
    assert outputs == [Kept("a", DAY), Kept("b", DAY), Output("c", b"C2", DAY), Kept("l", DAY)]


def test_a_unit_made_again_keeps_the_outputs_whose_fingerprint_is_the_same() -> None:
    pages = Pages()
    _, state = _run(pages, pages.stage(SITE))
    changed = {**SITE, "day 1": [("a", "A"), ("b", "B2")]}
    outputs, state = _run(pages, pages.stage(changed), state)
    assert pages.rendered == ["b"] and outputs[0] == Kept("a", DAY)
    # exact: a new key means every output changed, no fingerprint is made or compared
    outputs, _ = _run(pages, pages.stage({**changed, "day 1": [("a", "A"), ("b", "B3")]},
                                         exact=frozenset({"day 1"})), state)
    assert pages.rendered == ["a", "b"]


def test_a_unit_showing_a_sequence_is_kept_while_what_it_shows_is_settled() -> None:
    """The key of a list page says where it stands, not what it shows (here: the first two
    values of a sequence): it is kept only while those are the last build's."""
    pages = Pages()

    def stage(sequence: tuple[int, ...]) -> Stage:
        shown = ",".join(map(str, sequence[:2]))
        return Stage([Unit("list", "kind", ("page 1",), lambda: [
            Job("t", "l", {"text": shown}, DAY)], Settled("seq", 2))], pages.render,
            {"seq": sequence})

    _, state = _run(pages, stage((1, 2, 3)))
    outputs, state = _run(pages, stage((1, 2, 3, 4)), state, batched=True)  # one added
    assert pages.rendered == [] and outputs == [KeptMany(("l",), (DAY,))]
    for sequence in ((1, 5, 3), (0, 1, 2, 3), (2, 3)):  # one shown changed, moved, removed
        outputs, _ = _run(pages, stage(sequence), state)
        assert pages.rendered == ["l"]
        assert outputs == [Output("l", ",".join(map(str, sequence[:2])).encode(), DAY)]
    outputs, _ = _run(pages, stage((1, 2, 5)), state)  # a value not shown changed
    assert pages.rendered == [] and outputs == [Kept("l", DAY)]


def test_keyless_units_are_made_every_time_and_kept_by_fingerprint() -> None:
    pages = Pages()
    stage = pages.stage(SITE, keyless=frozenset({"list"}))
    _, state = _run(pages, stage)
    assert "list" not in state["units"] and "l" in state["pages"]
    outputs, _ = _run(pages, stage, state, batched=True)
    assert outputs[-1] == Kept("l", DAY) and pages.rendered == []


def test_units_made_elsewhere_are_recorded_and_kept_next_time() -> None:
    """A forked child makes a stage plain; the parent records its units for the next
    build, which keeps them while their files are intact."""
    pages = Pages()
    list(run_units(pages.stage(SITE)))  # in the child
    cache = PageCache()
    CachedRunner(cache).record(pages.stage(SITE))
    outputs, _ = _run(pages, pages.stage(SITE), cache.saved(), batched=True)
    assert pages.rendered == [] and [type(o) for o in outputs] == [KeptMany] * 3


def test_outputs_come_in_unit_order_across_chunks() -> None:
    pages = Pages()
    _, state = _run(pages, pages.stage(SITE))
    changed = {**SITE, "day 1": [("a", "A2"), ("b", "B2")], "list": [("l", "L2")]}
    outputs, _ = _run(pages, pages.stage(changed), state, chunk=1)
    assert [o.path for o in outputs] == ["a", "b", "c", "l"]
    assert [type(o) for o in outputs] == [Output, Output, Kept, Output]
