"""The cached runner's memory (incremental/pagecache.py): units kept whole, fingerprints,
settled sequences, what is saved for the next build."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from sitegen.incremental.pagecache import PageCache, UnitRecord
from sitegen.model import Day, Paper
from sitegen.render.units import Base

BASE = Base((), ())  # the code alone
DATE = dt.date(2025, 8, 11)


def paper(**changes) -> Paper:
    return replace(Paper(slug="s", title="T", date=DATE, abstract="A"), **changes)


def _again(state=None, intact=None) -> PageCache:
    cache = PageCache(None, state)
    if intact is not None:
        cache.verified(intact)
    return cache


def test_a_unit_is_kept_while_its_values_kind_and_files_are_as_last_time() -> None:
    a, b = paper(slug="a"), paper(slug="b")
    first = PageCache()
    base = first.base(BASE)
    key = first.unit_key(base, "paper.html", (a, b))
    fingerprint = first.fingerprint(base, "paper.html", "a.html", {"paper": a})
    first.record("day 1", key, ["a.html", "b.html"], [DATE, None])
    intact = {"a.html", "b.html"}
    state = first.saved()  # the unit's pages' fingerprints go with the unit, as plain data
    assert state["pages"] == {}
    assert state["units"] == {"day 1": (key, ("a.html", "b.html"), (DATE, None),
                                        (fingerprint, None))}
    assert type(state["units"]["day 1"]) is tuple
    again = _again(state, intact)
    kept = again.kept("day 1", again.unit_key(again.base(BASE), "paper.html",
                                              (paper(slug="a"), b)))
    assert kept == UnitRecord(key, ("a.html", "b.html"), (DATE, None), (fingerprint, None))
    assert kept.lastmods == (DATE, None)
    assert again.saved()["units"] == state["units"]  # for the next build, as it was
    # not kept: the fingerprints are the last build's, for the pages made again
    changed = _again(state, intact)
    assert changed.kept("day 1", changed.unit_key(base, "paper.html", (b, a))) is None
    assert changed.unchanged("a.html", fingerprint)
    broken = _again(state, {"b.html"})  # a.html changed on disk
    assert broken.kept("day 1", key) is None
    assert not broken.unchanged("a.html", fingerprint)
    unsettled = _again(state, intact)
    assert unsettled.kept("day 1", key, keep=False) is None
    assert unsettled.unchanged("a.html", fingerprint)
    # Another order, value or kind; a file not intact; another name: not kept.
    for values, kind in (((b, a), "paper.html"), ((a, paper(slug="b", title="U")), "paper.html"),
                         ((a, b), "other.html")):
        assert _again(state, intact).kept("day 1", PageCache().unit_key(
            base, kind, values)) is None
    assert _again(state, {"a.html"}).kept("day 1", key) is None
    assert _again(state, intact).kept("day 2", key) is None
    assert _again(state).kept("day 1", key) is None  # no file known intact


def test_the_base_covers_code_values_and_files(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("one", encoding="utf-8")
    cache = PageCache()
    first = cache.base(Base(({"site": "A"},), (tmp_path,)))
    assert first is not None
    assert PageCache().base(Base(({"site": "A"},), (tmp_path,))) == first
    assert PageCache().base(Base(({"site": "B"},), (tmp_path,))) != first
    assert PageCache().base(Base((), ())) != first
    (tmp_path / "t.html").write_text("two", encoding="utf-8")
    assert PageCache().base(Base(({"site": "A"},), (tmp_path,))) != first
    assert PageCache().base(Base((), None)) is None  # templates of unknown origin
    with open(tmp_path / "f", "w") as handle:
        assert PageCache().base(Base(({"file": handle},), ())) is None


def test_units_need_a_base_and_digestible_values(tmp_path: Path) -> None:
    cache = PageCache()
    assert cache.unit_key(None, "k", (paper(),)) is None
    with open(tmp_path / "f", "w") as handle:
        assert cache.unit_key(cache.base(BASE), "k", (handle,)) is None
    cache.record("g", None, ["a.html"], [None])
    assert cache.saved()["units"] == {}
    assert cache.fingerprint(None, "t", "a.html", {}) is None


def test_recorded_dates_are_shared_objects() -> None:
    """A unit's dates are saved as a date per output: equal dates as one object, so the
    state file holds each date once."""
    cache = PageCache()
    base = cache.base(BASE)
    dates = [dt.date(2025, 8, 11), dt.date(2025, 8, 11)]
    assert dates[0] is not dates[1]
    cache.record("u", cache.unit_key(base, "k", (1,)), ["a", "b"], dates)
    saved = cache.saved()["units"]["u"]
    assert saved[2] == (DATE, DATE) and saved[2][0] is saved[2][1]


def test_settled_counts_the_oldest_values_as_the_last_build_had_them(tmp_path: Path) -> None:
    days = [Day(dt.date(2025, 8, n), (paper(slug=f"p{n}"),)) for n in range(1, 6)]
    first = PageCache()
    assert first.settled("days", days) == 0  # no last build
    again = _again(first.saved())
    assert again.settled("days", [*days, Day(dt.date(2025, 8, 9), ())]) == 5  # one added
    edited = [*days[:2], replace(days[2], papers=(paper(slug="p3", title="U"),)), *days[3:]]
    for changed, settled in ((edited, 2), (days[:2] + days[3:], 2), (days[1:], 0),
                             (days[:4], 4), (days, 5)):
        cache = _again(first.saved())
        assert cache.settled("days", changed) == settled
        assert cache.settled("other", changed) == 0  # each sequence by its name
    with open(tmp_path / "f", "w") as handle:
        cache = _again({"sequences": {"days": (b"0" * 16,)}})
        assert cache.settled("days", [handle]) == 0 and "days" not in cache.sequences
