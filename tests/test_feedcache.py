"""The feed cache: a base file of entries plus a small delta of the entries made since."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sitegen.incremental.feedcache import FeedCache

WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _entries(numbers) -> dict:
    return {bytes([n]): (f"entry {n}", b"atom", b"rss") for n in numbers}


def test_a_day_writes_a_delta_and_the_base_is_folded_when_it_grows(tmp_path: Path) -> None:
    path = tmp_path / "feeds.pickle"
    delta = tmp_path / "feeds.pickle.delta"
    heads = {b"h": (WHEN, b"<head>")}
    FeedCache(path).save(_entries(range(40)), heads)  # first build: a base, no delta
    assert path.exists() and not delta.exists()
    base = path.stat()
    cache = FeedCache(path)
    assert cache.entries == _entries(range(40)) and cache.heads == heads
    cache.save(_entries(range(3, 45)), heads)  # a day: 5 new entries, 3 dropped
    assert path.stat().st_ino == base.st_ino and delta.exists()  # the base not written
    cache = FeedCache(path)
    assert cache.entries.keys() >= _entries(range(3, 45)).keys()
    assert all(cache.entries[k] == v for k, v in _entries(range(3, 45)).items())
    cache.save(_entries(range(3, 45)), heads)  # nothing new: nothing written
    later = {b"h": (WHEN + dt.timedelta(days=1), b"<head 2>")}
    cache.save(_entries(range(3, 45)), later)  # a header changed: in the delta
    assert path.stat().st_ino == base.st_ino and FeedCache(path).heads == later
    FeedCache(path).save(_entries(range(6, 60)), later)  # 20 new of 54: folded
    assert path.stat().st_ino != base.st_ino and not delta.exists()
    assert FeedCache(path).entries == _entries(range(6, 60))


def test_a_delta_of_another_base_or_a_refresh_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "feeds.pickle"
    FeedCache(path).save(_entries(range(40)), {})
    FeedCache(path).save(_entries(range(42)), {})  # a delta
    delta = (tmp_path / "feeds.pickle.delta").read_bytes()
    FeedCache(path, refresh=True).save(_entries(range(50, 90)), {})  # a new base
    (tmp_path / "feeds.pickle.delta").write_bytes(delta)  # the old base's delta back
    assert FeedCache(path).entries == _entries(range(50, 90))
    assert FeedCache(path, refresh=True).entries == {}
    (tmp_path / "feeds.pickle").write_bytes(b"damaged")
    assert FeedCache(path).entries == {} and FeedCache(path).heads == {}
