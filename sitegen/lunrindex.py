"""A lunr 2.3.9 index built directly in Python, split into term shards.

lunr.py builds the same index but takes about 2.3 ms a paper and sorts terms in Python
(code point) order, which lunr.js rejects for terms with emoji or other characters
beyond U+FFFF. This module reuses lunr.py's own pipeline functions (trimmer, stop
words, stemmer) and its BM25 formula, caches the pipeline per distinct token, orders
terms by UTF-16 code units (JavaScript's string order) and numbers them in that order,
so a contiguous term range is a shard whose vectors need no re-sorting when merged.

CJK runs (Han, kana, Hangul) become overlapping character bigrams; search.js splits
queries the same way (`CJK_RANGES` is mirrored there and checked by a test).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

LUNR_VERSION = "2.3.9"
K1 = 1.2
B = 0.75

#: Code point ranges treated as CJK: split into bigrams, never stemmed. Mirrored in search.js.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3040, 0x309F),  # Hiragana
    (0x30A0, 0x30FF),  # Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, 0x3134F),  # CJK extensions B-G and compatibility supplement
)
_CJK_CLASS = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in CJK_RANGES)
_CJK_RUN = re.compile(f"([{_CJK_CLASS}]+)")
_WORD = re.compile(r"\w")
SEPARATORS = re.compile("[ \t\n\r\f\v\xa0-]+")  # lunr's tokenizer separator


def js_order(term: str) -> bytes:
    """Sort key giving JavaScript's string order (UTF-16 code units), which lunr.js needs."""
    return term.encode("utf-16-be", "surrogatepass")


def cjk_bigrams(run: str) -> list[str]:
    """Overlapping bigrams of a CJK run ("注意力" -> "注意", "意力"); one character stays."""
    if len(run) < 2:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


class Analyzer:
    """Text -> index terms, the way lunr.py's default pipeline does, plus CJK bigrams."""

    def __init__(self) -> None:
        self.pipeline = Pipeline()
        self.pipeline.add(trimmer, stop_word_filter, stemmer)
        self._cache: dict[str, tuple[str, ...]] = {}

    def _token(self, token: str) -> tuple[str, ...]:
        if not _CJK_RUN.search(token):
            return tuple(str(t) for t in self.pipeline.run([Token(token)]))
        out: list[str] = []
        for i, piece in enumerate(_CJK_RUN.split(token)):
            if i % 2:
                out.extend(cjk_bigrams(piece))
            elif _WORD.search(piece):
                out.extend(str(t) for t in self.pipeline.run([Token(piece)]))
        return tuple(out)

    def counts(self, text: str) -> tuple[Counter[str], int]:
        """Term frequencies of `text` and its length in terms (C-speed loops, cached tokens)."""
        tokens = SEPARATORS.split(text.lower())
        cache = self._cache
        for token in set(tokens).difference(cache):
            cache[token] = self._token(token) if token else ()
        tf = Counter(chain.from_iterable(map(cache.__getitem__, tokens)))
        return tf, sum(tf.values())

    def terms(self, text: str) -> list[str]:
        """The index terms of `text` in order (a term repeats as often as it occurs)."""
        out: list[str] = []
        cache = self._cache
        for token in SEPARATORS.split(text.lower()):
            if token:
                terms = cache.get(token)
                if terms is None:
                    terms = cache[token] = self._token(token)
                out.extend(terms)
        return out


@dataclass(frozen=True)
class Field:
    """An indexed field and its lunr boost."""

    name: str
    boost: float = 1


@dataclass
class FullIndex:
    """Every term's postings and score, numbered in JavaScript order (global statistics)."""

    fields: tuple[str, ...]
    terms: list[str]  # sorted in JS order; a term's `_index` is its position here
    #: term position -> field -> [(ref, score)], refs in document order
    postings: list[dict[str, list[tuple[str, float]]]]
    refs: list[str]


def build_full_index(fields: Sequence[Field], docs: Iterable[tuple[str, dict[str, str]]],
                     analyzer: Analyzer | None = None) -> FullIndex:
    """Score every (document, field, term) with lunr's BM25, exactly as lunr.py's Builder does.

    `docs` yields (ref, {field name: text}). Scores are rounded to 3 decimals like lunr.
    """
    analyzer = analyzer or Analyzer()
    names = [f.name for f in fields]
    refs: list[str] = []
    # term -> field -> {ref: tf}
    inverted: dict[str, dict[str, dict[str, int]]] = {}
    lengths: dict[str, list[int]] = {name: [] for name in names}
    for ref, values in docs:
        refs.append(ref)
        for name in names:
            counts, length = analyzer.counts(values.get(name, ""))
            lengths[name].append(length)
            for term, tf in counts.items():
                posting = inverted.get(term)
                if posting is None:
                    posting = inverted[term] = {n: {} for n in names}
                posting[name][ref] = tf
    count = len(refs)
    average = {name: (sum(lengths[name]) / count if count else 0) for name in names}
    # lunr's length normalisation K1 * (1 - B + B * len/avg), computed in lunr.py's order
    norms = {name: {ref: K1 * (1 - B + B * (length / average[name]))
                    for ref, length in zip(refs, lengths[name], strict=True)}
             for name in names if average[name]}  # a field no document uses has no terms
    boosts = {f.name: f.boost for f in fields}
    ordered = sorted(inverted, key=js_order)
    postings: list[dict[str, list[tuple[str, float]]]] = []
    for term in ordered:
        posting = inverted[term]
        with_term = sum(len(by_ref) for by_ref in posting.values())
        x = (count - with_term + 0.5) / (with_term + 0.5)
        idf = math.log(1 + abs(x))
        scored: dict[str, list[tuple[str, float]]] = {}
        for name in names:
            if not posting[name]:
                scored[name] = []
                continue
            norm, boost = norms[name], boosts[name]
            scored[name] = [
                (ref, round(idf * ((K1 + 1) * tf) / (norm[ref] + tf) * boost, 3))
                for ref, tf in posting[name].items()]  # refs in document order
        postings.append(scored)
    return FullIndex(tuple(names), ordered, postings, refs)


def serialize(index: FullIndex, start: int = 0, stop: int | None = None,
              every_vector: bool = False) -> dict[str, Any]:
    """The lunr.js 2.3.9 JSON of the terms in [start, stop): a complete index on its own.

    Field vectors hold only the shard's terms; `_index` stays global, so shards fetched
    together merge into the index lunr.js would have loaded from one file. `every_vector`
    adds the empty vectors lunr.py writes for fields without terms (the one-file index).
    """
    stop = len(index.terms) if stop is None else stop
    vectors: dict[str, list[float]] = defaultdict(list)
    if every_vector:
        for ref in index.refs:
            for name in index.fields:
                vectors[f"{name}/{ref}"] = []
    inverted = []
    empty: dict[str, Any] = {}  # lunr's per-posting metadata: none (no metadataWhitelist)
    for position in range(start, stop):
        posting: dict[str, Any] = {"_index": position}
        for name in index.fields:
            entries = index.postings[position][name]
            posting[name] = dict.fromkeys([ref for ref, _ in entries], empty)
            prefix = name + "/"
            for ref, score in entries:
                vector = vectors[prefix + ref]
                vector.append(position)
                vector.append(score)
        inverted.append([index.terms[position], posting])
    return {
        "version": LUNR_VERSION,
        "fields": list(index.fields),
        "fieldVectors": [[key, vector] for key, vector in vectors.items()],
        "invertedIndex": inverted,
        "pipeline": ["stemmer"],
    }


def shard_ranges(index: FullIndex, target_postings: int) -> list[tuple[int, int]]:
    """Cut the sorted terms into contiguous ranges of about `target_postings` postings each."""
    ranges: list[tuple[int, int]] = []
    start, size = 0, 0
    for position, posting in enumerate(index.postings):
        size += sum(len(entries) for entries in posting.values()) + 1
        if size >= target_postings:
            ranges.append((start, position + 1))
            start, size = position + 1, 0
    if start < len(index.terms) or not ranges:
        ranges.append((start, len(index.terms)))
    return ranges


@dataclass
class Tail:
    """The postings of a frequent term beyond its head, in tiers of decreasing weight."""

    position: int
    tiers: list[FullIndex]  # same terms and numbering; postings only at `position`
    #: per tier: the largest score per field in this tier and all later ones
    bounds: list[list[float]]


def split_heads(index: FullIndex, head_docs: int) -> tuple[FullIndex, list[Tail]]:
    """Keep, for a term found in more than `head_docs` papers, only the papers where it
    weighs most (sum of its field scores); the rest become a `Tail` of tiers twice, four
    times... the head's size, fetched one at a time when needed.

    A term's contribution to any paper's score is at most its field scores, so the
    largest scores of the tiers not loaded bound what is missing (search.js uses the bound
    to prove the top results exact, or fetches the next tier).
    """
    heads = list(index.postings)
    tails: list[Tail] = []
    empty: dict[str, list[tuple[str, float]]] = {f: [] for f in index.fields}
    for position, posting in enumerate(index.postings):
        totals: dict[str, float] = {}
        for entries in posting.values():
            for ref, score in entries:
                totals[ref] = totals.get(ref, 0) + score
        if len(totals) <= head_docs:
            continue
        order = {ref: i for i, ref in enumerate(totals)}
        ranked = sorted(totals, key=lambda r: (-totals[r], order[r]))
        tier_of: dict[str, int] = {}
        start, size, tier = 0, head_docs, 0
        while start < len(ranked):
            for ref in ranked[start:start + size]:
                tier_of[ref] = tier
            start, size, tier = start + size, size * 2, tier + 1
        split = [{f: [e for e in entries if tier_of[e[0]] == t] for f, entries in posting.items()}
                 for t in range(tier)]
        heads[position] = split[0]
        tiers, maxima = [], []
        for part in split[1:]:
            tier_postings = [empty] * len(index.terms)
            tier_postings[position] = part
            tiers.append(FullIndex(index.fields, index.terms, tier_postings, index.refs))
            maxima.append([max((s for _, s in part[f]), default=0) for f in index.fields])
        bounds = [list(m) for m in maxima]
        for t in range(len(bounds) - 2, -1, -1):
            bounds[t] = [max(a, b) for a, b in zip(bounds[t], bounds[t + 1], strict=True)]
        tails.append(Tail(position, tiers, bounds))
    return FullIndex(index.fields, index.terms, heads, index.refs), tails
