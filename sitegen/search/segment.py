"""One segment of the search index (format 4): term shards of score inputs, not scores.

A segment is a run of consecutive papers (numbers [first, first + count)). Its shards hold,
for each term, field and paper, the term frequency and the paper's field length: BM25's
inputs besides the archive-wide figures (paper count, each term's document frequency,
average field lengths), which the manifest carries and search-core.js applies at query
time. So a segment's files depend on its own papers only, and the base segment's files
stay the same when a day is added (docs/search.md).

A term found in more than `head_docs` papers of the segment (the base only) is split: its
shard holds the papers where it weighs most (by the segment's own figures, fixed when the
segment is made), the rest go to tiers of doubling size, each described by the Pareto
frontier of its (tf, length) points per field, from which search-core.js bounds what a
tier not loaded can add under any later day's figures.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import chain, compress, repeat
from operator import add
from typing import Any, NamedTuple

from sitegen.search.analyser import Analysis, field_score, idf, js_order


class File(NamedTuple):
    """One file of a segment: its URL kind (a `urls.PAGE_KINDS` key), name and bytes."""

    kind: str
    name: str
    data: bytes


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _deltas(numbers: list[int], first: int) -> list[int]:
    return list(map(int.__sub__, numbers, [-first, *numbers[:-1]])) if numbers else []


def frontier(points: Sequence[tuple[int, int]]) -> list[int]:
    """The (tf, length) points no other point beats (a higher or equal tf with a smaller or
    equal length), flattened [tf, length, ...] by decreasing tf: a field score grows with tf
    and falls with length, so its largest value over the points is at one of these."""
    least: dict[int, int] = {}
    for tf, length in points:
        if least.get(tf, length + 1) > length:
            least[tf] = length
    out: list[int] = []
    best = None
    for tf in sorted(least, reverse=True):
        if best is None or least[tf] < best:
            best = least[tf]
            out += [tf, best]
    return out


class _Cutter:
    """Names a segment's shards as they are cut, and every `vocab_terms` terms writes a
    vocabulary file of the terms since the last one: the shards' first terms and the
    vocabulary files' first shards go to the segment's manifest entry."""

    def __init__(self, ident: str, vocab_terms: int) -> None:
        self.ident, self.vocab_terms = ident, vocab_terms
        self.shard_starts: list[str] = []
        self.vocab_starts: list[int] = []
        self.vocab: list[str] = []  # the terms of the shards since the last vocabulary file

    def shard(self, terms: list[str], data: bytes) -> Iterator[File]:
        """A shard of `terms` (its bytes `data`), after a vocabulary file if one is due."""
        if len(self.vocab) >= self.vocab_terms:
            yield from self.vocab_file()
            self.vocab.clear()
            self.vocab_starts.append(len(self.shard_starts))
        if not self.vocab_starts:
            self.vocab_starts.append(0)
        self.vocab.extend(terms)
        self.shard_starts.append(terms[0])
        yield File("search_shard", f"{self.ident}{len(self.shard_starts) - 1}", data)

    def vocab_file(self) -> Iterator[File]:
        """The vocabulary file of the terms since the last one (at the end: if any)."""
        if self.vocab_starts:
            yield File("search_vocab", f"{self.ident}{len(self.vocab_starts) - 1}",
                       _json(self.vocab))


class Segment:
    """The files of papers [first, first + len(analyses)): shards `t/<id><i>`, tiers
    `x/<id><i>-<j>`, membership files `m/<id><i>`, vocabulary files `v/<id><i>`.
    `files()` makes them one at a time; `manifest` (its entry in the manifest) is complete
    once they are all made."""

    def __init__(self, ident: str, first: int, analyses: Iterable[Analysis],
                 boosts: Sequence[float], shard_postings: int, head_docs: int | None,
                 vocab_terms: int) -> None:
        self.ident, self.first = ident, first
        self.boosts = list(boosts)
        self.shard_postings, self.head_docs, self.vocab_terms = (
            shard_postings, head_docs, vocab_terms)
        self.postings: Postings | None = Postings.of(analyses, len(boosts))
        self.count = self.postings.count
        self._weight: list[float] = [0.0] * self.count
        self._tier_of: list[int] = [0] * self.count
        self.manifest: dict[str, Any] = {}

    def files(self) -> Iterator[File]:
        postings = self.postings
        assert postings is not None, "files() runs once"
        self.postings = None  # its postings are dropped term by term below
        docs_of, tfs_of, lengths = postings.docs, postings.tfs, postings.lengths
        del postings
        terms = sorted(set().union(*docs_of), key=js_order)

        averages = [sum(n) / self.count if self.count else 0 for n in lengths]
        splits = 0
        cut = _Cutter(self.ident, self.vocab_terms)

        shard_terms: list[str] = []
        shard_entries: list[Any] = []
        size = 0
        for term in terms:
            per_field = [(_list(docs.pop(term, None)), _list(tfs.pop(term, None)))
                         for docs, tfs in zip(docs_of, tfs_of, strict=True)]
            split = None
            if self.head_docs is not None and sum(
                    len(d) for d, _ in per_field if d) > self.head_docs:
                split = self._split(per_field, lengths, averages, splits)
            if split is not None:
                entry, tiers, members = split
                for j, tier in enumerate(tiers):
                    yield File("search_tail", f"{self.ident}{splits}-{j}", _json(tier))
                yield File("search_members", f"{self.ident}{splits}", _json(members))
                splits += 1
            else:
                entry = [[_deltas(docs, self.first), tfs,
                          list(map(field_lengths.__getitem__, docs))] if docs else 0
                         for (docs, tfs), field_lengths in zip(per_field, lengths, strict=True)]
            shard_terms.append(term)
            shard_entries.append(entry)
            size += sum(len(f[0]) for f in entry[:len(lengths)] if f) + 1
            if size >= self.shard_postings:
                yield from cut.shard(shard_terms, _json({"t": shard_terms, "p": shard_entries}))
                shard_terms, shard_entries, size = [], [], 0
        if shard_terms:
            yield from cut.shard(shard_terms, _json({"t": shard_terms, "p": shard_entries}))
        yield from cut.vocab_file()
        self.manifest = {"id": self.ident, "first": self.first, "docs": self.count,
                         "shards": cut.shard_starts, "vocab": cut.vocab_starts,
                         # per field the sum of the papers' field lengths
                         "lengths": [sum(n) for n in lengths]}

    def _split(self, per_field: list[tuple[list[int] | None, list[int] | None]],
               lengths: list[list[int]], averages: list[float], ident: int
               ) -> tuple[list[Any], list[list[Any]], list[list[int]]] | None:
        """A frequent term's shard entry (its head and the description of its tail: `id`,
        `df`, `b` the bounds), its tiers and membership, or None when it is in at most
        `head_docs` distinct papers."""
        assert self.head_docs is not None
        seen = sorted(set(chain.from_iterable(d for d, _ in per_field if d)))
        if len(seen) <= self.head_docs:
            return None
        with_term = sum(len(d) for d, _ in per_field if d)
        term_idf = idf(self.count, with_term)
        # per paper (lists over the segment, reset after each term): C-level loops, as
        # most postings of a large base are postings of split terms
        weight, tier_of = self._weight, self._tier_of
        for fi, (docs, tfs) in enumerate(per_field):  # field by field, as lunr sums them
            if not docs:
                continue
            keys = list(zip(tfs or (), map(lengths[fi].__getitem__, docs), strict=True))
            value = {key: field_score(term_idf, key[0], key[1], averages[fi], self.boosts[fi])
                     for key in set(keys)}
            _drain(map(weight.__setitem__, docs, map(
                add, map(weight.__getitem__, docs), map(value.__getitem__, keys))))
        # strongest first, ties by paper number (a stable sort, reversed, keeps them):
        # fixed by the segment's own papers
        ranked = sorted(seen, key=weight.__getitem__, reverse=True)
        _drain(map(weight.__setitem__, seen, repeat(0.0)))
        start, size, tier = 0, self.head_docs, 0
        while start < len(ranked):
            _drain(map(tier_of.__setitem__, ranked[start:start + size], repeat(tier)))
            start, size, tier = start + size, size * 2, tier + 1
        parts: list[list[Any]] = [[] for _ in range(tier)]
        points: list[list[list[tuple[int, int]]]] = [[[] for _ in per_field]
                                                     for _ in range(tier)]
        members: list[list[int]] = []
        for fi, (docs, tfs) in enumerate(per_field):
            members.append(_deltas(docs or [], self.first))
            if not docs:
                for t in range(tier):
                    parts[t].append(0)
                continue
            assert tfs is not None
            field_lengths = list(map(lengths[fi].__getitem__, docs))
            tiers = list(map(tier_of.__getitem__, docs))
            for t in range(tier):
                mine = list(map(t.__eq__, tiers))
                part_docs = list(compress(docs, mine))
                if not part_docs:
                    parts[t].append(0)
                    continue
                part_tfs = list(compress(tfs, mine))
                part_lengths = list(compress(field_lengths, mine))
                parts[t].append([_deltas(part_docs, self.first), part_tfs, part_lengths])
                points[t][fi] = list(set(zip(part_tfs, part_lengths, strict=True)))
        # bounds[j]: per field the frontier of tiers j+1 and later (tier 0 is the head)
        bounds: list[list[list[int]]] = []
        later: list[list[tuple[int, int]]] = [[] for _ in per_field]
        for t in range(tier - 1, 0, -1):
            later = [frontier_pairs(a + b) for a, b in zip(later, points[t], strict=True)]
            bounds.append([[x for pair in pts for x in pair] for pts in later])
        bounds.reverse()
        return [*parts[0], {"id": ident, "df": with_term, "b": bounds}], parts[1:], members


def _drain(iterator: Iterator[Any]) -> None:
    deque(iterator, maxlen=0)


def _list(numbers: array[int] | None) -> list[int] | None:
    return numbers.tolist() if numbers is not None else None


class Postings:
    """Per field: term -> paper numbers (relative to the segment's first) and term -> their
    tfs, as arrays of 4-byte numbers (a third of the memory of lists of ints), and every
    paper's field lengths."""

    def __init__(self, fields: int) -> None:
        self.docs = [defaultdict(partial(array, "I")) for _ in range(fields)]
        self.tfs = [defaultdict(partial(array, "I")) for _ in range(fields)]
        self.lengths: list[list[int]] = [[] for _ in range(fields)]
        self.count = 0

    @classmethod
    def of(cls, analyses: Iterable[Analysis], fields: int) -> Postings:
        """The postings of `analyses`, consumed one at a time (a caller handing out its
        analyses as it drops them never holds both whole)."""
        out = cls(fields)
        for d, analysis in enumerate(analyses):
            for fi in range(fields):
                terms, freqs, length = analysis[fi]
                out.lengths[fi].append(length)
                # C-level loops (map over array.append): this touches every posting
                deque(map(array.append, map(out.docs[fi].__getitem__, terms), repeat(d)), 0)
                deque(map(array.append, map(out.tfs[fi].__getitem__, terms), freqs), 0)
            out.count = d + 1
        return out


def frontier_pairs(points: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """`frontier` as (tf, length) pairs."""
    flat = frontier(points)
    return list(zip(flat[::2], flat[1::2], strict=True))


_SLOT, _MASK = 32, (1 << 32) - 1


def _numbers(values: Iterable[int]) -> bytes:
    """Numbers as the inside of a JSON list: `1,2,3`."""
    return ",".join(map(str, values)).encode()


class Appendable:
    """A segment without split terms (the recent one), kept between builds as each term's
    shard entry in JSON: adding papers makes again only the entries of the terms those
    papers have (a day's papers have few of the segment's terms), and the files are cut
    from the entries' JSON. `files()` gives the bytes `Segment` (with `head_docs`
    None) gives for the same papers; `state()`/`resume` carry it to the next build."""

    def __init__(self, ident: str, first: int, fields: int, shard_postings: int,
                 vocab_terms: int) -> None:
        self.ident, self.first = ident, first
        self.fields, self.shard_postings, self.vocab_terms = fields, shard_postings, vocab_terms
        self.count = 0
        self.lengths = [0] * fields  # per field the sum of the papers' field lengths
        #: term -> (its entry's JSON, its postings + 1, per field the number of its last
        #: paper + 1 in bits [32 i, 32 i + 32)), in `js_order` but for `added`
        self.entries: dict[str, tuple[bytes, int, int]] = {}
        self.added: list[str] = []  # terms new since the entries were last ordered
        self.manifest: dict[str, Any] = {}

    def state(self) -> tuple[Any, ...]:
        """What `resume` needs (plain data, for the cache)."""
        self._order()
        return (self.ident, self.first, self.fields, self.count, self.lengths, self.entries)

    @classmethod
    def resume(cls, state: Any, shard_postings: int, vocab_terms: int) -> Appendable:
        ident, first, fields, count, lengths, entries = state
        out = cls(ident, first, fields, shard_postings, vocab_terms)
        out.count, out.lengths, out.entries = count, list(lengths), dict(entries)
        return out

    def add(self, analyses: Iterable[Analysis]) -> None:
        """Append papers (numbered after those added before). An entry that has postings
        already gets the new ones written into its JSON (no parsing: each field is `0` or
        three lists of numbers, `[[deltas],[tfs],[lengths]]`)."""
        new = Postings.of(analyses, self.fields)
        if not new.count:
            return
        start = self.first + self.count  # the absolute number of the first new paper
        entries = self.entries
        for fi in range(self.fields):
            self.lengths[fi] += sum(new.lengths[fi])
        docs_of, tfs_of, lengths_of = new.docs, new.tfs, new.lengths
        for term in set().union(*docs_of):
            old = entries.get(term)
            if old is None:
                self.added.append(term)
                text, size, lasts = b"[" + b",".join([b"0"] * self.fields) + b"]", 1, 0
            else:
                text, size, lasts = old
            parts: list[bytes] = []
            pos = 1  # after the entry's "["
            for fi in range(self.fields):
                if text[pos] == 0x30:  # "0": no posting in this field yet
                    ends = None
                    stop = pos + 1
                else:  # "[[d,...],[t,...],[l,...]]": where each list ends
                    e1 = text.index(b"]", pos + 2)
                    e2 = text.index(b"]", e1 + 3)
                    e3 = text.index(b"]", e2 + 3)
                    ends = (e1, e2, e3)
                    stop = e3 + 2
                docs = docs_of[fi].get(term)
                if docs is None:
                    parts.append(text[pos:stop])
                else:
                    numbers = [start + d for d in docs]
                    shift = _SLOT * fi
                    last = ((lasts >> shift) & _MASK) - 1  # -1: none yet
                    lasts += (numbers[-1] - last) << shift
                    added = [_numbers(_deltas(numbers, -last if ends else 0)),
                             _numbers(tfs_of[fi][term]),
                             _numbers(map(lengths_of[fi].__getitem__, docs))]
                    if ends is None:
                        parts.append(b"[[" + b"],[".join(added) + b"]]")
                    else:
                        e1, e2, e3 = ends
                        parts.append(b"".join([text[pos:e1], b",", added[0], text[e1:e2], b",",
                                               added[1], text[e2:e3], b",", added[2],
                                               text[e3:stop]]))
                    size += len(numbers)
                pos = stop + 1  # past the "," (or the final "]")
            entries[term] = (b"[" + b",".join(parts) + b"]", size, lasts)
        self.count += new.count

    def _order(self) -> None:
        """Put the `added` terms in their places (a bisection each: the other terms keep
        their order, and sorting them all again costs a key per term)."""
        if not self.added:
            return
        added = sorted(self.added, key=js_order)
        if len(added) * 4 > len(self.entries):
            terms = sorted(self.entries, key=js_order)
        else:
            new = set(added)
            terms = [t for t in self.entries if t not in new]
            for term in added:
                terms.insert(bisect_left(terms, js_order(term), key=js_order), term)
        self.entries = {t: self.entries[t] for t in terms}
        self.added = []

    def files(self) -> Iterator[File]:
        """The segment's shards and vocabulary files (as `Segment.files` cuts them)."""
        self._order()
        ident = self.ident
        cut = _Cutter(ident, self.vocab_terms)

        def shard(terms: list[str], parts: list[bytes]) -> Iterator[File]:
            return cut.shard(terms, b"".join(
                [b'{"t":', _json(terms), b',"p":[', b",".join(parts), b"]}"]))

        terms: list[str] = []
        parts: list[bytes] = []
        size = 0
        for term, (text, postings, _) in self.entries.items():
            terms.append(term)
            parts.append(text)
            size += postings
            if size >= self.shard_postings:
                yield from shard(terms, parts)
                terms, parts, size = [], [], 0
        if terms:
            yield from shard(terms, parts)
        yield from cut.vocab_file()
        self.manifest = {"id": ident, "first": self.first, "docs": self.count,
                         "shards": cut.shard_starts, "vocab": cut.vocab_starts,
                         "lengths": list(self.lengths)}
