"""The parse cache: each paper file read, tagged and judged by `[select]` once, then kept
while its stat and the rules stay the same (`.sitegen-cache/papers.pickle`, a `FileMemo`).

It wraps the store's per-file stage (`store.papers.read_paper`, then `TagRules.tags`): a
file whose stat is unchanged since it was read costs one dict lookup, not a read, a parse,
a tagging, a copy or a hash. Its entries keep the paper as the build shows it (tagged by
the `[tags]` rules whose digest they name), its digest (which fills the build's `Digests`,
so an unchanged paper is never hashed again) and the tags the file itself holds (so
`sitegen import`, which loads without rules, gets the stored paper back).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from sitegen.incremental.digests import Digests, Uncacheable, paper_digest, value_digest
from sitegen.incremental.filememo import FileMemo
from sitegen.model import Paper, Problem
from sitegen.site.select import Selector, compile_selector, curate
from sitegen.site.tagging import TagRules, compile_rules, with_tags
from sitegen.store.papers import PAPERS_DIR, PaperFile, keep_paper, paper_names, read_paper
from sitegen.util.fileid import StatKey, stat_key
from sitegen.util.gcpause import gc_paused

PAPERS_CACHE = "papers.pickle"


class ParsedFile(tuple):
    """One paper file as the parse cache keeps it. A tuple underneath (built, compared and
    unpickled in C: the whole cache is read on every build), its fields named:

    - `stat`: the file's `StatKey` when it was read (what the entry is valid for);
    - `paper`: the paper, tagged by the rules `tagged_by` names, or None if unusable;
    - `digest`: the paper's `paper_digest` (None if not made: a load without a cache or
      digests);
    - `problems`: what reading the file found;
    - `stored_tags`: the tags the file holds (the paper without the rules' tags);
    - `tagged_by`: the key of the tag rules (`Tagging.key`) that tagged `paper`, None if
      it has its stored tags;
    - `shown`: whether the site shows the paper: the `[select]` decision (and `hidden`,
      `draft`) of the rules `tagged_by` names, True for a load without them.
    """

    __slots__ = ()
    stat: StatKey = property(itemgetter(0))  # type: ignore[assignment]
    paper: Paper | None = property(itemgetter(1))  # type: ignore[assignment]
    digest: bytes | None = property(itemgetter(2))  # type: ignore[assignment]
    problems: tuple[Problem, ...] = property(itemgetter(3))  # type: ignore[assignment]
    stored_tags: tuple[str, ...] = property(itemgetter(4))  # type: ignore[assignment]
    tagged_by: bytes | None = property(itemgetter(5))  # type: ignore[assignment]
    shown: bool = property(itemgetter(6))  # type: ignore[assignment]

    @classmethod
    def of(cls, stat: StatKey | None, paper: Paper | None, digest: bytes | None,
           problems: tuple[Problem, ...], stored_tags: tuple[str, ...],
           tagged_by: bytes | None, shown: bool = True) -> ParsedFile:
        return cls((stat, paper, digest, problems, stored_tags, tagged_by, shown))


@dataclass(frozen=True)
class Tagging:
    """The build's tag rules, its `[select]` rules (None: every paper is shown) and their
    key: a digest of the sections they were compiled from, which the cache's tagged and
    judged papers are kept by."""

    rules: TagRules
    key: bytes
    selector: Selector | None = None


def tagging(section: Mapping[str, Any], select: Mapping[str, Any] | None = None) -> Tagging:
    """Compile a `[tags]` section, and a `[select]` one if given (config.py has checked
    both), with their key."""
    try:
        key = value_digest(dict(section) if select is None else
                           {"tags": dict(section), "select": dict(select)}, Digests())
    except Uncacheable:  # a key no entry has: every paper is tagged again
        key = os.urandom(16)
    rules = compile_rules(section)
    return Tagging(rules, key, compile_selector(select, rules) if select is not None else None)


def read_and_tag(path: str, rel: str, st: os.stat_result | None, key: StatKey | None,
                 tags: Tagging | None, hashed: bool) -> ParsedFile:
    """The stage, for one file: read it (`read_paper`), tag its paper by `tags` (if any)
    and, if `hashed`, digest it."""
    return _tagged(read_paper(path, rel, st), key, tags, hashed)


def _tagged(result: PaperFile, key: StatKey | None, tags: Tagging | None,
            hashed: bool) -> ParsedFile:
    paper = result.paper
    if paper is None:
        return ParsedFile.of(key, None, None, result.problems, (), None)
    stored = paper.tags
    shown = True
    if tags is not None and tags.selector is not None:
        paper, decision = curate(paper, tags.rules, tags.selector)
        shown = decision.kept
    elif tags is not None:
        tagged = tags.rules.tags(paper)
        paper = paper if tagged == stored else with_tags(paper, tagged)
    return ParsedFile.of(key, paper, paper_digest(paper) if hashed else None, result.problems,
                         stored, tags.key if tags is not None else None, shown)


def _retagged(entry: ParsedFile, tags: Tagging | None, hashed: bool) -> ParsedFile:
    """A kept entry for other rules (or none): its paper untagged, then tagged again."""
    paper = entry.paper
    if paper is None:
        return entry
    if entry.tagged_by is not None and paper.tags != entry.stored_tags:
        paper = with_tags(paper, entry.stored_tags)
    return _tagged(PaperFile(paper, entry.problems), entry.stat, tags, hashed)


def load_papers_cached(root: Path, cache: Path | None, *, refresh: bool = False,
                       tags: Tagging | None = None, digests: Digests | None = None,
                       stats: Mapping[str, StatKey] | None = None
                       ) -> tuple[list[Paper], list[Problem]]:
    """`store.papers.load_papers` through the parse cache in file `cache` (None: no cache).

    `refresh` reads every file and writes the cache anew. With `tags`, each paper comes
    with the tags the build shows it with (stored tags, mapped keywords, rule tags)
    instead of its stored ones, and with `tags.selector` only the papers the site shows
    come back (their problems do: a dropped paper's file is checked all the same); the
    decision is kept with the entry, so an unchanged paper is not judged again while the
    rules stay the same. `digests`, if given, receives each paper's digest.
    `stats`, if given, are the papers folder's regular files (name -> stat following
    links) as the caller just listed them (the build's input check, inputs.py): no
    second `lstat` of every file.
    """
    with gc_paused():  # many objects, no cycles: collections would only rescan them
        return _load(root, FileMemo(cache, refresh, slim=True), tags, digests, stats)


def _load(root: Path, memo: FileMemo, tags: Tagging | None, digests: Digests | None,
          stats: Mapping[str, StatKey] | None) -> tuple[list[Paper], list[Problem]]:
    papers: list[Paper] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    folder = root / PAPERS_DIR
    base = os.fspath(folder) + os.sep
    rel_base = PAPERS_DIR.as_posix() + "/"
    wanted = tags.key if tags is not None else None  # what a reusable entry is tagged by
    hashed = memo.path is not None or digests is not None

    def fresh(name: str, key: StatKey | None, st: os.stat_result | None) -> ParsedFile:
        """The entry of a file not in the cache as it is now: retagged, or read."""
        kept = memo.old.get(name) if key is not None else None
        if kept is not None and kept.stat == key:  # in the cache, tagged otherwise
            entry = _retagged(kept, tags, hashed)
            if tags is not None:
                memo.put(name, entry)
            else:
                memo.keep(name, kept)  # an untagged load leaves the build's entry as it is
            return entry
        if st is None and key is not None:  # from `stats`: `read_paper` needs the lstat
            try:
                st = os.lstat(base + name)
            except OSError:
                st = None
        entry = read_and_tag(base + name, rel_base + name, st, key, tags, hashed)
        if key is not None:
            memo.put(name, entry)
        return entry

    listing: Iterable[tuple[str, StatKey | None]]
    if stats is not None:
        listing = [(name, stats[name]) for name in sorted(stats)
                   if name[-3:] == ".md" and name[0] != "."]
    else:
        listing = ((name, None) for name in paper_names(folder))
    old, used = memo.old, memo.new
    dropped: list[Paper] = []  # papers not shown: kept out of the result
    for name, key in listing:
        st: os.stat_result | None = None
        if key is None:
            try:
                st = os.lstat(base + name)
                key = stat_key(os.stat(base + name) if stat.S_ISLNK(st.st_mode) else st)
            except OSError:
                st = key = None
        entry = old.get(name)
        # the cache's entry, for a file of the same stat, tagged by the same rules
        if entry is not None and entry[0] == key and entry.tagged_by == wanted:
            used[name] = entry  # `memo.keep`, without a call per paper
        else:
            entry = fresh(name, key, st)
        if entry.problems:
            problems.extend(entry.problems)
        # a paper `[select]` drops (or a hidden one) still claims its arXiv id
        shown = entry[6]
        paper = keep_paper(entry.paper, seen, papers if shown else dropped, problems)
        if paper is not None and shown and digests is not None:
            digests[id(paper)] = (paper, entry.digest or paper_digest(paper))
    memo.save()
    return papers, problems
