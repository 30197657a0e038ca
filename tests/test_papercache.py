"""The parse cache (incremental/papercache.py): paper files read and tagged once, kept while
their stat and the tag rules are unchanged; it gives what the plain load gives."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from sitegen.config import parse_config
from sitegen.incremental.digests import Digests, value_digest
from sitegen.incremental.filememo import FileMemo
from sitegen.incremental.papercache import (
    ParsedFile,
    Tagging,
    load_papers_cached,
    tagging,
)
from sitegen.model import Paper
from sitegen.site.tagging import TagRules
from sitegen.store.papers import load_papers
from tests.conftest import papers_with_links, write_paper


def rules(toml: str = "", defaults: bool = False) -> Tagging:
    config = parse_config(f"[tags]\ndefault_rules = {'true' if defaults else 'false'}\n{toml}")
    return tagging(config.tags)


def fill(site: Path) -> None:
    for i in range(60):
        write_paper(site, f"p{i}", f"---\ntitle: 'Paper {i}'\ndate: 2025-08-{i % 28 + 1:02d}\n"
                    f"abstract: 'Text {i}.'\n" + ("colour: red\n" if i == 7 else "") + "---\n")
    write_paper(site, "broken", "---\ntitle: [unclosed\n---\n")


def test_cached_loads_equal_a_plain_load(site: Path) -> None:
    fill(site)
    plain = load_papers(site)
    cache = site / ".sitegen-cache" / "papers.pickle"
    assert load_papers_cached(site, cache) == plain  # parsed, cache written
    assert cache.exists()
    assert load_papers_cached(site, cache) == plain  # from the cache
    assert load_papers_cached(site, cache, refresh=True) == plain
    assert load_papers_cached(site, None) == plain  # no cache at all
    assert len(plain[0]) == 60 and len(plain[1]) == 2  # a warning and an error


def test_cache_notices_an_edit(site: Path) -> None:
    fill(site)
    cache = site / ".sitegen-cache" / "papers.pickle"
    load_papers_cached(site, cache)
    write_paper(site, "p3", "---\ntitle: 'Edited'\ndate: 2025-08-04\n---\n")
    papers, _ = load_papers_cached(site, cache)
    assert "Edited" in {p.title for p in papers}


def test_duplicate_ids_are_reported_from_the_cache_too(site: Path) -> None:
    for slug in ("one", "two"):
        write_paper(site, slug, f"---\nid: '2408.01234'\ntitle: {slug}\ndate: 2025-01-01\n---\n")
    cache = site / ".sitegen-cache" / "papers.pickle"
    plain = load_papers(site)
    for _ in range(2):
        _settle(site)
        papers, problems = load_papers_cached(site, cache, tags=rules(), digests=Digests())
        assert [p.slug for p in papers] == ["one"] == [p.slug for p in plain[0]]
        assert problems == plain[1] and "duplicate id" in problems[0].message


def test_entries_are_named_and_read_back_as_written(site: Path) -> None:
    """An entry is a `ParsedFile` (a tuple with named fields) starting with the file's stat,
    kept in the cache file as it is."""
    fill(site)
    _settle(site)
    cache = site / ".sitegen-cache" / "papers.pickle"
    compiled = rules(defaults=True)
    load_papers_cached(site, cache, tags=compiled)
    entries = FileMemo(cache).old
    entry = entries["p1.md"]
    assert type(entry) is ParsedFile and entry[0] == entry.stat
    st = os.stat(site / "content" / "papers" / "p1.md")
    assert entry.stat == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    assert entry.paper is not None and entry.paper.title == "Paper 1"
    assert entry.digest == value_digest(entry.paper, {})
    assert entry.problems == () and entry.stored_tags == () and entry.tagged_by == compiled.key
    broken = entries["broken.md"]
    assert broken.paper is None and broken.digest is None and len(broken.problems) == 1


def test_papers_loaded_from_the_build_listing_are_those_of_a_scan(site, tmp_path):
    """The build lists the content folder once (`inputs_digest`) and hands the papers
    folder's stats to the parse cache: the same papers and problems, links and odd entries
    treated alike, the parse cache used the same way."""
    from sitegen.config import load_config
    from sitegen.incremental.inputs import inputs_digest

    write_paper(site, "real", "---\ntitle: Real\ndate: 2025-08-11\n---\n")
    write_paper(site, "bad", "---\ntitle: [\n---\n")
    folder = papers_with_links(site)
    (folder / "dir.md").mkdir()
    os.mkfifo(folder / "pipe.md")  # never opened: reading it would wait forever
    (folder / ".hidden.md").write_text("---\ntitle: Hidden\ndate: 2025-08-11\n---\n")
    listed: dict = {}
    inputs_digest(load_config(site), site / "_site", listed)
    stats = listed[str(site / "content" / "papers")]
    cache = tmp_path / "papers.pickle"
    plain = load_papers(site)
    for _ in range(2):  # parsed, then from the cache
        scanned = load_papers_cached(site, cache)
        given_stats = load_papers_cached(site, cache, stats=stats)
        assert given_stats == scanned == plain
        assert sorted(p.slug for p in given_stats[0]) == ["alias", "real"]
        assert {p.path for p in given_stats[1]} == {"content/papers/bad.md",
                                                   "content/papers/out.md"}


def test_loading_leaves_the_garbage_collector_as_it_was(site: Path) -> None:
    import gc

    fill(site)
    cache = site / ".sitegen-cache" / "papers.pickle"
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            load_papers_cached(site, cache)
            assert gc.isenabled() is enabled
            load_papers(site)
            assert gc.isenabled() is enabled
    finally:
        gc.enable()


# -- tagged papers kept in the parse cache ---------------------------------------------

def _settle(root: Path) -> None:
    """Wait until the file system's clock is past the papers' stats, which the cache trusts
    only then (racily clean files are parsed again)."""
    from sitegen.util.fileid import fs_now

    newest = max(f.stat().st_ctime_ns for f in (root / "content" / "papers").iterdir())
    while fs_now(root / ".sitegen-cache") <= newest:
        time.sleep(0.002)


def _loaded(root: Path, compiled: Tagging | None = None, refresh: bool = False
            ) -> tuple[list[Paper], Digests]:
    _settle(root)
    digests = Digests()
    cache = root / ".sitegen-cache" / "papers.pickle"
    papers, _ = load_papers_cached(root, cache, digests=digests, tags=compiled, refresh=refresh)
    return papers, digests


def _memo_site(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "papers"
    folder.mkdir(parents=True)
    for index, text in enumerate(["Agents that plan", "Diffusion models for video",
                                  "Nothing to see"]):
        (folder / f"p{index}.md").write_text(
            f"---\ntitle: {text}\ndate: 2025-08-1{index}\ntags:\n- Own Tag\n---\n",
            encoding="utf-8")
    return tmp_path


def test_tagged_loads_give_the_rules_tags_and_reuse_them(tmp_path, monkeypatch):
    root = _memo_site(tmp_path)
    compiled = rules(defaults=True)
    plain, _ = load_papers(root)
    first, digests = _loaded(root, compiled)
    assert [p.tags for p in first] == [compiled.rules.tags(p) for p in plain]
    assert first[0].tags == ("agents", "own tag")
    for copy in first:  # the digests of the tagged papers are known, and right
        assert digests[id(copy)] == (copy, value_digest(copy, {}))
    # The next build tags nothing: every paper is unchanged.
    monkeypatch.setattr(TagRules, "tags", lambda self, p: pytest.fail("tagged again"))
    again, digests = _loaded(root, compiled)
    assert again == first and all(digests[id(p)][1] == value_digest(p, {}) for p in again)
    monkeypatch.undo()
    # A changed paper is tagged again, the others are not.
    (root / "content" / "papers" / "p2.md").write_text(
        "---\ntitle: Nothing but agents\ndate: 2025-08-12\n---\n", encoding="utf-8")
    calls = []
    original = TagRules.tags
    monkeypatch.setattr(TagRules, "tags", lambda self, p: calls.append(p.slug) or original(self, p))
    changed, digests = _loaded(root, compiled)
    assert calls == ["p2"] and changed[2].tags == ("agents",)
    assert digests[id(changed[2])][1] == value_digest(changed[2], {})


def test_tagged_papers_follow_a_change_of_the_rules(tmp_path):
    root = _memo_site(tmp_path)
    assert _loaded(root, rules(defaults=True))[0][2].tags == ("own tag",)
    narrow = rules('rules = { seen = ["nothing"] }\naliases = { "own tag" = "mine" }')
    papers, digests = _loaded(root, narrow)
    assert [p.tags for p in papers] == [("mine",), ("mine",), ("mine", "seen")]
    assert all(digests[id(p)][1] == value_digest(p, {}) for p in papers)
    # and back: the cache now holds the narrow rules' tags
    assert [p.tags for p in _loaded(root, rules(defaults=True))[0]][0] == ("agents", "own tag")
    assert [p.tags for p in _loaded(root, rules(defaults=True), refresh=True)[0]][0] == (
        "agents", "own tag")


def test_loads_without_rules_give_the_stored_tags_from_a_tagged_cache(tmp_path):
    """`sitegen import` reads the cache the build wrote, and writes papers back: never
    with the rule tags."""
    root = _memo_site(tmp_path)
    plain = load_papers(root)
    _loaded(root, rules(defaults=True))
    cache = root / ".sitegen-cache" / "papers.pickle"
    assert load_papers_cached(root, cache) == plain
    assert [p.tags for p in load_papers_cached(root, cache)[0]] == [("Own Tag",)] * 3
    digests = Digests()
    papers, _ = load_papers_cached(root, cache, digests=digests)
    assert all(digests[id(p)][1] == value_digest(p, {}) for p in papers)
    # and the build still finds its tagged papers (the untagged load wrote nothing over them)
    assert _loaded(root, rules(defaults=True))[0][0].tags == ("agents", "own tag")


def test_rules_without_a_digest_tag_every_time(tmp_path, monkeypatch):
    from sitegen.incremental import papercache
    from sitegen.incremental.digests import Uncacheable

    def uncacheable(value, memo):
        raise Uncacheable("no digest")

    root = _memo_site(tmp_path)
    monkeypatch.setattr(papercache, "value_digest", uncacheable)
    first, _ = _loaded(root, rules(defaults=True))
    calls = []
    original = TagRules.tags
    monkeypatch.setattr(TagRules, "tags", lambda self, p: calls.append(p.slug) or original(self, p))
    assert _loaded(root, rules(defaults=True))[0] == first and calls == ["p0", "p1", "p2"]


def test_the_tagging_key_is_the_sections_content(tmp_path):
    assert rules(defaults=True).key == rules(defaults=True).key
    assert rules(defaults=True).key != rules().key
    assert dataclasses.is_dataclass(rules())


# -- [select] decisions kept with the parsed papers (issue 16) ----------------------------

def judging(toml: str) -> Tagging:
    config = parse_config(f"[tags]\ndefault_rules = false\n{toml}")
    return tagging(config.tags, config.select)


def test_a_build_load_gives_only_the_papers_the_site_shows(tmp_path):
    root = _memo_site(tmp_path)
    (root / "content" / "papers" / "p3.md").write_text(
        "---\ntitle: Agents, hidden\ndate: 2025-08-13\nhidden: true\n---\n", "utf-8")
    (root / "content" / "papers" / "p4.md").write_text(
        "---\ntitle: [broken\n---\n", "utf-8")
    compiled = judging('[select]\ninclude = ["agents"]\n')
    cache = root / ".sitegen-cache" / "papers.pickle"
    _settle(root)
    papers, problems = load_papers_cached(root, cache, tags=compiled)
    assert [p.slug for p in papers] == ["p0"]  # p2: no match, p3: hidden
    assert any("p4.md" in p.path for p in problems)  # every file is still checked
    # an untagged load (import) still gets every paper, hidden ones included
    assert [p.slug for p in load_papers_cached(root, cache)[0]] == ["p0", "p1", "p2", "p3"]


def test_decisions_are_kept_and_made_again_only_for_changed_papers_or_rules(tmp_path,
                                                                              monkeypatch):
    from sitegen.site.select import Selector

    root = _memo_site(tmp_path)
    compiled = judging('[select]\ninclude = ["agents"]\n')
    assert [p.slug for p in _loaded(root, compiled)[0]] == ["p0"]
    monkeypatch.setattr(Selector, "judge", lambda self, p, text=None: pytest.fail("judged again"))
    assert [p.slug for p in _loaded(root, compiled)[0]] == ["p0"]  # nothing judged
    monkeypatch.undo()
    calls = []
    original = Selector.judge
    monkeypatch.setattr(Selector, "judge",
                        lambda self, p, text=None: calls.append(p.slug) or original(self, p, text))
    (root / "content" / "papers" / "p2.md").write_text(
        "---\ntitle: Nothing but agents\ndate: 2025-08-12\n---\n", encoding="utf-8")
    assert [p.slug for p in _loaded(root, compiled)[0]] == ["p0", "p2"] and calls == ["p2"]
    # another [select] section: every paper is judged again, no file read again
    calls.clear()
    wider = judging('[select]\ninclude = ["agents", "video"]\n')
    assert wider.key != compiled.key
    assert [p.slug for p in _loaded(root, wider)[0]] == ["p0", "p1", "p2"]
    assert sorted(calls) == ["p0", "p1", "p2"]
