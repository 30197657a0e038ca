"""The build cache's digests and file memo."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from sitegen.incremental.digests import Uncacheable, value_digest
from sitegen.incremental.filememo import FileMemo
from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.statefile import load_state, save_state
from sitegen.model import Day, Paper
from sitegen.render.units import Base


def paper(**changes) -> Paper:
    return replace(Paper(slug="s", title="T", date=dt.date(2025, 8, 11), abstract="A"), **changes)


@pytest.mark.parametrize("field,value", [
    ("title", "T2"), ("abstract", "A "), ("authors", ("X",)), ("rank", 1), ("notes", "n"),
    ("date", dt.date(2025, 8, 12)), ("path", "content/papers/s.md"), ("upvotes", 0),
])
def test_every_field_changes_the_digest(field: str, value: object) -> None:
    assert value_digest(paper(), {}) != value_digest(paper(**{field: value}), {})


def test_equal_values_give_equal_digests_across_objects() -> None:
    a = Day(dt.date(2025, 8, 11), (paper(), paper(slug="t")))
    b = Day(dt.date(2025, 8, 11), (paper(), paper(slug="t")))
    assert value_digest(a, {}) == value_digest(b, {})
    c = Day(dt.date(2025, 8, 11), (paper(), paper(slug="t", title="other")))
    assert value_digest(a, {}) != value_digest(c, {})


def test_nested_mappings_and_closures() -> None:
    assert value_digest(MappingProxyType({"a": MappingProxyType({"b": 1})}), {}) != \
        value_digest(MappingProxyType({"a": MappingProxyType({"b": 2})}), {})

    def make(n: int):
        return lambda: n

    assert value_digest(make(1), {}) != value_digest(make(2), {})


def test_unpicklable_values_are_uncacheable(tmp_path: Path) -> None:
    with open(tmp_path / "f", "w") as handle, pytest.raises(Uncacheable):
        value_digest(handle, {})
    cache = PageCache()
    base = cache.base(Base(({"x": 1},), ()))
    with open(tmp_path / "f", "w") as handle:
        assert cache.fingerprint(base, "t.html", "a.html", {"h": handle}) is None


def test_state_files_reject_garbage(tmp_path: Path) -> None:
    path = tmp_path / "state.pickle"
    assert load_state(path) is None
    path.write_bytes(b"garbage")
    assert load_state(path) is None
    save_state(path, {"x": 1})
    assert load_state(path)["x"] == 1


def _saved_memo(path: Path, files: int = 30) -> FileMemo:
    """A parse cache saved with `files` entries f0, f1, ... (stat (i, 0, 0, i)), read back."""
    memo = FileMemo(path)
    for i in range(files):
        memo.put(f"f{i}", ((i, 0, 0, i), f"value {i}"))
    memo.save()
    return FileMemo(path)


def test_file_memo_keeps_entries_through_base_and_delta(tmp_path: Path) -> None:
    path = tmp_path / "memo.pickle"
    memo = _saved_memo(path)
    assert memo.get("f3", (3, 0, 0, 3)) == ((3, 0, 0, 3), "value 3")
    assert memo.get("f3", (4, 0, 0, 3)) is None  # another stat: not reused
    for i in range(30):
        memo.get(f"f{i}", (i, 0, 0, i))
    memo.put("f3", ((4, 0, 0, 3), "changed"))
    memo.save()
    assert path.with_name("memo.pickle.delta").exists()
    memo = FileMemo(path)
    assert memo.get("f3", (4, 0, 0, 3)) == ((4, 0, 0, 3), "changed")
    assert memo.get("f4", (4, 0, 0, 4)) == ((4, 0, 0, 4), "value 4")


def test_tuples_of_memoized_objects_digest_as_item_by_item() -> None:
    papers = (paper(slug="a"), paper(slug="b"), "text", 3)
    memo: dict = {}
    for p in papers[:2]:
        value_digest(p, memo)  # now memo hits
    assert value_digest(papers, memo) == value_digest(papers, {})


def test_loading_a_state_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    import gc

    path = tmp_path / "state.pickle"
    save_state(path, {"x": [1, 2]})
    for bytes_ in (None, b"garbage"):
        if bytes_ is not None:
            path.write_bytes(bytes_)
        assert gc.isenabled()
        load_state(path)
        assert gc.isenabled()
        gc.disable()
        try:
            load_state(path)
            assert not gc.isenabled()
        finally:
            gc.enable()


def test_tuple_digest_is_value_digest() -> None:
    from sitegen.incremental.digests import tuple_digest

    papers = (paper(slug="a"), paper(slug="b"))
    memo: dict = {}
    for p in papers:
        value_digest(p, memo)
    for value in (papers, (), (dt.date(2025, 8, 11), dt.date(2025, 8, 12)), ("a", papers[0]),
                  (papers[0], "a"), (papers[0], paper(slug="not in the memo"))):
        assert tuple_digest(value, dict(memo)) == value_digest(value, dict(memo)), value
    mine = dict(memo)
    assert tuple_digest(papers, mine) == mine[id(papers)][1]  # memoized


def test_papers_pickled_slim_read_back_the_same(tmp_path: Path) -> None:
    """The parse cache pickles papers without their default fields (cache._slim_paper)."""
    from sitegen.site.tagging import with_tags

    papers = [paper(slug="a"), paper(slug="b", abstract="", rank=0, upvotes=0, tags=("x",),
                                     source="dailytext", notes="n", path="content/papers/b.md"),
              Paper(slug="c", title="", date=dt.date(2025, 1, 1), source="", comment="",
                    published=dt.date(2025, 1, 1), authors=("A",))]
    save_state(tmp_path / "slim.pickle", {"papers": papers}, slim=True)
    save_state(tmp_path / "full.pickle", {"papers": papers})
    assert (tmp_path / "slim.pickle").stat().st_size < (tmp_path / "full.pickle").stat().st_size
    back = load_state(tmp_path / "slim.pickle")["papers"]
    assert back == papers and [p.path for p in back] == [p.path for p in papers]
    assert len(back[0].__dict__) < len(papers[0].__dict__)
    for old, new in zip(papers, back, strict=True):
        assert type(new) is Paper and hash(new) == hash(old)
        assert dataclasses.astuple(new) == dataclasses.astuple(old)
        assert value_digest(new, {}) == value_digest(old, {})
        assert with_tags(new, ("t",)) == with_tags(old, ("t",))
        assert dataclasses.replace(new, title="T") == dataclasses.replace(old, title="T")
    assert back[1].rank == 0 and back[1].upvotes == 0 and back[2].source == ""


def test_file_memo_does_not_rewrite_a_delta_that_says_it_all(tmp_path: Path) -> None:
    path = tmp_path / "memo.pickle"
    memo = _saved_memo(path)
    for i in range(30):
        memo.get(f"f{i}", (i, 0, 0, i))
    memo.put("f3", ((4, 0, 0, 3), "changed"))
    memo.save()
    delta = path.with_name("memo.pickle.delta")
    written = delta.stat().st_mtime_ns, delta.stat().st_ino
    for _ in range(2):  # the same files: nothing new to say, nothing written
        memo = FileMemo(path)
        assert all(memo.get(f"f{i}", (4 if i == 3 else i, 0, 0, i)) for i in range(30))
        memo.save()
        assert (delta.stat().st_mtime_ns, delta.stat().st_ino) == written
    memo = FileMemo(path)  # one file gone: the delta says so
    for i in range(29):
        memo.get(f"f{i}", (4 if i == 3 else i, 0, 0, i))
    memo.save()
    assert FileMemo(path).old.keys() == {f"f{i}" for i in range(29)}


def test_file_memo_rounds_of_edits_read_back_as_made(tmp_path: Path) -> None:
    """Random rounds of files kept, changed, added and removed (through base and delta,
    folded in as the delta grows): each round reads back exactly what the last one used."""
    import random

    rng = random.Random(7)
    path = tmp_path / "memo.pickle"
    files = {f"f{i}": (i, 0, 0, i) for i in range(60)}
    serial = 100
    for _ in range(40):
        memo = FileMemo(path)
        expected = {}
        for name, key in sorted(files.items()):
            entry = memo.get(name, key)
            if entry is None:
                entry = (key, f"{name} {key}")
                memo.put(name, entry)
            assert entry == (key, f"{name} {key}")
            expected[name] = entry
        memo.save()
        assert FileMemo(path).old == expected
        for _ in range(rng.randrange(4)):  # this round's edits, for the next
            serial += 1
            choice = rng.random()
            if choice < 0.4 and files:
                name = rng.choice(sorted(files))
                files[name] = (serial, 0, 0, serial)
            elif choice < 0.7 and files:
                del files[rng.choice(sorted(files))]
            else:
                files[f"n{serial}"] = (serial, 0, 0, serial)


def test_paper_digest_is_the_value_digest_of_the_paper() -> None:
    from sitegen.incremental.digests import paper_digest

    full = paper(authors=("Ada", "Bob"), arxiv_id="2408.01234", rank=3, tags=("llm",),
                 published=dt.date(2025, 8, 9), links=("https://github.com/a/b",), upvotes=12,
                 ai_keywords=("k1",), categories=("cs.CL",), source="hf", notes="My *notes*.\n")
    for value in (full, paper(), replace(full, tags=("a", "b"), path="content/papers/x.md")):
        assert paper_digest(value) == value_digest(value, {})
    assert paper_digest(full) != paper_digest(replace(full, notes="Other notes.\n"))
