"""A lunr 2.3.9 index built directly in Python, split into term shards.

lunr.py builds the same index but takes about 2.3 ms a paper and sorts terms in Python
(code point) order, which lunr.js rejects for terms with emoji or other characters
beyond U+FFFF. This module reuses lunr.py's own pipeline functions (trimmer, stop
words, stemmer) and its BM25 formula, caches the pipeline per distinct token, orders
terms by UTF-16 code units (JavaScript's string order) and numbers them in that order,
so a contiguous term range is a shard whose vectors need no re-sorting when merged.

Documents are numbers (0, 1, ...) here; their lunr refs are short letter strings
(`ref_of`), never array-index-like, so JavaScript keeps posting keys in insertion order.
Scores are kept as their JSON text, computed once per (term, field, tf, field length):
most postings of a frequent term share one, and the shard JSON is written directly.

CJK runs (Han, kana, Hangul) become overlapping character bigrams; search.js splits
queries the same way (`CJK_RANGES` is mirrored there and checked by a test).
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain, repeat
from operator import add
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


#: One document's analysis: per field (terms, term frequencies, length in terms).
Analysis = tuple[tuple[tuple[str, ...], tuple[int, ...], int], ...]
#: Letters only: a ref is never an array index, which JavaScript objects would reorder.
REF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def ref_of(number: int) -> str:
    """The lunr ref of document `number`: base 52 in letters ("A", ..., "z", "BA", ...)."""
    digits = REF_ALPHABET[number % 52]
    number //= 52
    while number:
        digits = REF_ALPHABET[number % 52] + digits
        number //= 52
    return digits


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

    def __init__(self, tokens: dict[str, tuple[str, ...]] | None = None) -> None:
        """`tokens`: terms by token, as another `Analyzer` made them (`tokens`), taken
        over (and added to): the pipeline (the stemmer) is most of the cost of a paper."""
        self.pipeline = Pipeline()
        self.pipeline.add(trimmer, stop_word_filter, stemmer)
        self._cache: dict[str, tuple[str, ...]] = tokens if tokens is not None else {}
        self.used: set[str] = set()  # the tokens of the texts analysed (`counts`)

    @property
    def tokens(self) -> dict[str, tuple[str, ...]]:
        """Every token's terms made so far (or taken over), oldest first."""
        return self._cache

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
        self.used.update(tokens)
        for token in set(tokens).difference(cache):
            cache[token] = self._token(token) if token else ()
        tf = Counter(chain.from_iterable(map(cache.__getitem__, tokens)))
        return tf, sum(tf.values())

    def analyse(self, texts: Sequence[str]) -> Analysis:
        """Per field: (terms, their frequencies, the field's length in terms)."""
        out = []
        for text in texts:
            tf, length = self.counts(text)
            out.append((tuple(tf), tuple(tf.values()), length))
        return tuple(out)

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


#: One term's postings: per field (document numbers in order, "position,score" texts).
Posting = tuple[tuple[list[int], list[str]], ...]


@dataclass
class FullIndex:
    """Every term's postings and score, numbered in JavaScript order (global statistics)."""

    fields: tuple[str, ...]
    terms: list[str]  # sorted in JS order; a term's `_index` is its position here
    postings: list[Posting]  # by term position
    refs: list[str]  # lunr ref of each document number

    @cached_property
    def _ref_texts(self) -> tuple[list[str], list[list[str]]]:
        """Per document: its posting entry `"ref":{}`; per field: its vector key opening."""
        quoted = [json.dumps(ref, ensure_ascii=False) for ref in self.refs]
        return ([f"{ref}:{{}}" for ref in quoted],
                [[f'["{name}/{ref[1:]},[' for ref in quoted] for name in self.fields])

    def scores(self, position: int, field: int) -> list[tuple[int, float]]:
        """(document, score) of one term in one field (tests, tiers)."""
        docs, items = self.postings[position][field]
        value = {item: float(item.partition(",")[2]) for item in set(items)}
        return list(zip(docs, map(value.__getitem__, items), strict=True))


def build_full_index(fields: Sequence[Field], docs: Iterable[tuple[str, dict[str, str]]],
                     analyzer: Analyzer | None = None) -> FullIndex:
    """Score every (document, field, term) with lunr's BM25, exactly as lunr.py's Builder does.

    `docs` yields (ref, {field name: text}); refs are kept as given (tests compare with
    lunr.py). Scores are rounded to 3 decimals like lunr.
    """
    analyzer = analyzer or Analyzer()
    refs, analyses = [], []
    for ref, values in docs:
        refs.append(ref)
        analyses.append(analyzer.analyse([values.get(f.name, "") for f in fields]))
    return index_analyses(fields, analyses, refs)


@dataclass
class Inverted:
    """Per field: term -> documents and term -> their tfs, and each document's length:
    the index before scoring. Extending it with new documents (`invert(..., base)`) is
    what a rebuild after a new day does instead of inverting every document again."""

    docs: list[defaultdict[str, list[int]]]
    tfs: list[defaultdict[str, list[int]]]
    lengths: list[list[int]]
    count: int = 0

    @classmethod
    def empty(cls, fields: int) -> Inverted:
        return cls([defaultdict(list) for _ in range(fields)],
                   [defaultdict(list) for _ in range(fields)], [[] for _ in range(fields)])

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as flat arrays of numbers: 2.6 million small ints at 10,000 papers
        load in a tenth of the time this way."""
        fields = []
        for docs, tfs in zip(self.docs, self.tfs, strict=True):
            terms = list(docs)
            fields.append((terms, array("L", map(len, docs.values())),
                           array("L", chain.from_iterable(docs.values())),
                           array("L", chain.from_iterable(map(tfs.__getitem__, terms)))))
        return {"fields": fields, "lengths": [array("L", n) for n in self.lengths],
                "count": self.count}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.docs, self.tfs = [], []
        # one int object per paper number, shared by its postings (as when inverted): 36 MB
        # less at 10,000 papers than an int per posting
        numbers = list(range(state["count"]))
        for terms, sizes, docs, tfs in state["fields"]:
            ends = list(accumulate(sizes))
            cuts = list(map(slice, [0, *ends[:-1]], ends))
            shared = list(map(numbers.__getitem__, docs))
            for flat, into in ((shared, self.docs), (tfs.tolist(), self.tfs)):
                into.append(defaultdict(list, zip(terms, map(flat.__getitem__, cuts),
                                                  strict=True)))
        self.lengths = [n.tolist() for n in state["lengths"]]
        self.count = state["count"]


def invert(analyses: Sequence[Analysis], fields: int, base: Inverted | None = None
           ) -> Inverted:
    """The postings of `analyses` (document i is `analyses[i]`); with `base`, the first
    `base.count` documents are taken from it (it is extended in place)."""
    inverted = base or Inverted.empty(fields)
    new = analyses[inverted.count:]
    for fi in range(fields):
        docs, tfs, field_lengths = inverted.docs[fi], inverted.tfs[fi], inverted.lengths[fi]
        # C-level loops (map over list.append): this touches every posting
        for d, analysis in enumerate(new, inverted.count):
            terms, freqs, length = analysis[fi]
            field_lengths.append(length)
            _drain(map(list.append, map(docs.__getitem__, terms), repeat(d)))
            _drain(map(list.append, map(tfs.__getitem__, terms), freqs))
    inverted.count = len(analyses)
    return inverted


def index_analyses(fields: Sequence[Field], analyses: Sequence[Analysis],
                   refs: Sequence[str] | None = None) -> FullIndex:
    """The index of analysed documents (document i is `analyses[i]`, ref `refs[i]`,
    by default `ref_of(i)`)."""
    return index_inverted(fields, invert(analyses, len(fields)), refs)


def index_inverted(fields: Sequence[Field], inverted: Inverted,
                   refs: Sequence[str] | None = None) -> FullIndex:
    """Score the postings of `inverted` (left unchanged) with lunr's BM25."""
    names = tuple(f.name for f in fields)
    count = inverted.count
    docs_of, tfs_of, lengths = inverted.docs, inverted.tfs, inverted.lengths
    average = [sum(field) / count if count else 0 for field in lengths]
    ordered = sorted(set().union(*docs_of), key=js_order)
    postings: list[Posting] = []
    nothing: tuple[list[int], list[str]] = ([], [])
    for position, term in enumerate(ordered):
        entry = [(docs.get(term), tfs.get(term))
                 for docs, tfs in zip(docs_of, tfs_of, strict=True)]
        term_idf = idf(count, sum(len(docs) for docs, _ in entry if docs))
        prefix = f"{position},"
        posting = []
        for fi, (docs, tfs) in enumerate(entry):
            if not docs:
                posting.append(nothing)
                continue
            avg, boost = average[fi], fields[fi].boost
            # most postings of a term share (tf, field length), hence their score
            keys = list(zip(tfs, map(lengths[fi].__getitem__, docs), strict=True))
            text = {key: prefix + repr(field_score(term_idf, key[0], key[1], avg, boost))
                    for key in set(keys)}
            posting.append((docs, list(map(text.__getitem__, keys))))
        postings.append(tuple(posting))
    return FullIndex(names, ordered, postings,
                     list(refs) if refs is not None else [ref_of(d) for d in range(count)])


def idf(documents: int, with_term: int) -> float:
    """lunr.idf: `with_term` is the sum over fields of the papers holding the term there."""
    x = (documents - with_term + 0.5) / (with_term + 0.5)
    return math.log(1 + abs(x))


def field_score(term_idf: float, tf: int, length: int, average: float, boost: float) -> float:
    """lunr.js 2.3.9's field score (createFieldVectors), in its operation order, rounded as
    it rounds: the one formula of the one-file index and of the segments' bounds."""
    score = term_idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / average)) + tf)
    score *= boost
    return js_round3(score)


def js_round3(score: float) -> float:
    """`Math.round(score * 1000) / 1000` as lunr.js rounds (half up of the product; Python's
    `round(score, 3)`, lunr.py's, rounds the exact value half to even: they can differ)."""
    scaled = score * 1000
    whole = math.floor(scaled)
    if scaled - whole >= 0.5:
        whole += 1
    return whole / 1000


def _drain(iterator: Iterator[Any]) -> None:
    deque(iterator, maxlen=0)


def _term_json(term: str) -> str:
    return json.dumps(term, ensure_ascii=False)


def serialize(index: FullIndex, start: int = 0, stop: int | None = None,
              every_vector: bool = False, postings: Sequence[Posting] | None = None) -> bytes:
    """The lunr.js 2.3.9 JSON of the terms in [start, stop): a complete index on its own.

    Field vectors hold only the shard's terms; `_index` stays global, so shards fetched
    together merge into the index lunr.js would have loaded from one file. `every_vector`
    adds the empty vectors lunr.py writes for fields without terms (the one-file index).
    `postings` replaces the index's postings of [start, stop) (a tier of a split term).
    The text is built directly: the same JSON `json.dumps` would give, several times faster.
    """
    stop = len(index.terms) if stop is None else stop
    postings = index.postings[start:stop] if postings is None else postings
    refs = index.refs
    entries, keys = index._ref_texts
    names = index.fields
    inverted = []
    heads = [f',"{name}":{{' for name in names]
    for position, posting in zip(range(start, stop), postings, strict=True):
        parts = [f'[{_term_json(index.terms[position])},{{"_index":{position}']
        for fi, (docs, _) in enumerate(posting):
            parts.append(heads[fi])
            parts.append(",".join(map(entries.__getitem__, docs)))
            parts.append("}")
        parts.append("}]")
        inverted.append("".join(parts))
    vector_texts = [_vectors(keys[fi], [posting[fi] for posting in postings],
                             len(refs) if every_vector else 0) for fi in range(len(names))]
    fields_json = ",".join(f'"{name}"' for name in names)
    return (f'{{"version":"{LUNR_VERSION}","fields":[{fields_json}],"fieldVectors":['
            + ",".join(filter(None, vector_texts)) + '],"invertedIndex":[' + ",".join(inverted)
            + '],"pipeline":["stemmer"]}').encode("utf-8")


def _vectors(keys: list[str], postings: Sequence[tuple[list[int], list[str]]],
             every: int) -> str:
    """The field vectors of one field, `["field/ref",[position,score,...]]` joined by commas:
    the postings' entries grouped by document, in term order (a stable sort by document),
    each group opened by its key and closed by "]]". With `every` (a document count),
    documents without terms get an empty vector too."""
    docs: list[int] = []
    items: list[str] = []
    for field_docs, field_items in postings:
        docs += field_docs
        items += field_items
    if every:
        docs += range(every)
        items += [""] * every
    if not docs:
        return ""
    if not every and len(set(docs)) == len(docs):  # one entry per document (the shards
        # of frequent terms, which hold most postings): no grouping needed
        return ",".join(map(add, map(keys.__getitem__, docs), map(add, items, repeat("]]"))))
    order = sorted(range(len(docs)), key=docs.__getitem__)
    docs = list(map(docs.__getitem__, order))
    items = list(map(items.__getitem__, order))
    if every:  # the empty placeholder sorts last in its group: drop it where it has company
        keep = [i for i, item in enumerate(items)
                if item or i == 0 or docs[i - 1] != docs[i]]
        docs = list(map(docs.__getitem__, keep))
        items = list(map(items.__getitem__, keep))
    before = [-1, *docs[:-1]]
    after = [*docs[1:], -1]
    return ",".join([(keys[d] if d != p else "") + item + ("]]" if d != n else "")
                     for d, p, n, item in zip(docs, before, after, items, strict=True)])
