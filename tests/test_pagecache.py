"""The page cache (pagecache.py): groups kept whole, settled days."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from sitegen.incremental.pagecache import PageCache
from sitegen.model import Day, Paper


def paper(**changes) -> Paper:
    return replace(Paper(slug="s", title="T", date=dt.date(2025, 8, 11), abstract="A"), **changes)


def _based(previous=None, groups=None, intact=None) -> PageCache:
    cache = PageCache(previous, None, groups, intact)
    cache.set_base(b"code and templates")
    return cache


def test_a_group_is_kept_while_its_values_kind_and_files_are_as_last_time() -> None:
    a, b = paper(slug="a"), paper(slug="b")
    first = _based()
    key = first.group_key("paper.html", (a, b))
    first.fingerprint("paper.html", "a.html", {"paper": a})
    first.record_group("day 1", key, ["a.html", "b.html"], dt.date(2025, 8, 11))
    intact = {"a.html", "b.html"}
    state = first.saved()  # the group's pages' fingerprints go with the group
    fingerprint = first.fingerprints["a.html"]
    assert state == {"pages": {}, "groups": {"day 1": (
        key, ("a.html", "b.html"), dt.date(2025, 8, 11), (fingerprint, None))}}
    again = _based(state["pages"], state["groups"], intact)
    kept = again.kept_group("day 1", again.group_key("paper.html", (paper(slug="a"), b)))
    assert kept == state["groups"]["day 1"]
    assert again.saved() == state  # recorded for the next build, fingerprints carried over
    # not kept: the fingerprints are the last build's, for the pages made again
    changed = _based(state["pages"], state["groups"], intact)
    assert changed.kept_group("day 1", changed.group_key("paper.html", (b, a))) is None
    assert changed.unchanged("a.html", fingerprint)
    broken = _based(state["pages"], state["groups"], {"b.html"})  # a.html changed on disk
    assert broken.kept_group("day 1", key) is None
    assert not broken.unchanged("a.html", fingerprint)
    unsettled = _based(state["pages"], state["groups"], intact)
    assert unsettled.kept_group("day 1", key, keep=False) is None
    assert unsettled.unchanged("a.html", fingerprint)
    # Another order, value, kind or base; a file not intact; another name: not kept.
    for values, kind in (((b, a), "paper.html"), ((a, paper(slug="b", title="U")), "paper.html"),
                         ((a, b), "other.html")):
        assert _based(None, first.groups, intact).kept_group(
            "day 1", _based().group_key(kind, values)) is None
    other_base = PageCache(None, None, first.groups, intact)
    other_base.set_base(b"new templates")
    assert other_base.kept_group("day 1", other_base.group_key("paper.html", (a, b))) is None
    assert _based(None, first.groups, {"a.html"}).kept_group("day 1", key) is None
    assert _based(None, first.groups, intact).kept_group("day 2", key) is None


def test_groups_need_a_base_and_digestible_values(tmp_path: Path) -> None:
    assert PageCache().group_key("k", (paper(),)) is None
    with open(tmp_path / "f", "w") as handle:
        assert _based().group_key("k", (handle,)) is None
    cache = _based()
    cache.record_group("g", None, ["a.html"])
    assert cache.groups == {}


def test_settled_counts_the_oldest_values_as_the_last_build_had_them(tmp_path: Path) -> None:
    days = [Day(dt.date(2025, 8, n), (paper(slug=f"p{n}"),)) for n in range(1, 6)]
    first = PageCache()
    assert first.settled("days", days) == 0  # no last build
    again = PageCache()
    again.previous_sequences = first.sequences
    assert again.settled("days", [*days, Day(dt.date(2025, 8, 9), ())]) == 5  # one added
    edited = [*days[:2], replace(days[2], papers=(paper(slug="p3", title="U"),)), *days[3:]]
    for changed, settled in ((edited, 2), (days[:2] + days[3:], 2), (days[1:], 0),
                             (days[:4], 4), (days, 5)):
        cache = PageCache()
        cache.previous_sequences = first.sequences
        assert cache.settled("days", changed) == settled
        assert cache.settled("other", changed) == 0  # each sequence by its name
    with open(tmp_path / "f", "w") as handle:
        cache = PageCache()
        cache.previous_sequences = {"days": (b"0" * 16,)}
        assert cache.settled("days", [handle]) == 0 and "days" not in cache.sequences
