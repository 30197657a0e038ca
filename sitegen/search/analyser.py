"""Text -> index terms, and lunr.js 2.3.9's BM25, as the search engine computes them.

The analyser is lunr.py's default pipeline (trimmer, stop words, Porter stemmer: lunr.py's
own functions, run once per distinct token) plus CJK bigrams: runs of Han, kana and Hangul
become overlapping character bigrams, never stemmed; search-core.js splits queries the
same way (`CJK_RANGES` is mirrored there and checked by a test). Terms sort in
JavaScript's string order (UTF-16 code units, `js_order`), which lunr.js needs.

`field_score` is the score the engine computes at query time, with the same operations in
the same order and rounded as JavaScript rounds: the segments use it to rank a frequent
term's postings and to bound what its tiers can add.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from lunr.pipeline import Pipeline
from lunr.stemmer import stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

#: BM25's parameters in lunr 2.3.9 (`Builder`: _k1, _b)
K1 = 1.2
B = 0.75

#: Code point ranges treated as CJK: split into bigrams, never stemmed (search-core.js too).
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

    def analyse_in_order(self, texts: Sequence[str]) -> tuple[Analysis, list[list[str]]]:
        """`analyse`, and each field's terms in order (`terms`), from one pass over the
        text."""
        cache = self._cache
        out = []
        sequences = []
        for text in texts:
            tokens = SEPARATORS.split(text.lower())
            self.used.update(tokens)
            for token in set(tokens).difference(cache):
                cache[token] = self._token(token) if token else ()
            terms = list(chain.from_iterable(map(cache.__getitem__, tokens)))
            tf = Counter(terms)
            out.append((tuple(tf), tuple(tf.values()), len(terms)))
            sequences.append(terms)
        return tuple(out), sequences

    def terms(self, text: str) -> list[str]:
        """The index terms of `text` in order (a term repeats as often as it occurs)."""
        tokens = SEPARATORS.split(text.lower())
        cache = self._cache
        for token in set(tokens).difference(cache):
            cache[token] = self._token(token) if token else ()
        return list(chain.from_iterable(map(cache.__getitem__, tokens)))


@dataclass(frozen=True)
class Field:
    """An indexed field and its lunr boost."""

    name: str
    boost: float = 1


def idf(documents: int, with_term: int) -> float:
    """lunr.idf: `with_term` is the sum over fields of the papers holding the term there."""
    x = (documents - with_term + 0.5) / (with_term + 0.5)
    return math.log(1 + abs(x))


def field_score(term_idf: float, tf: int, length: int, average: float, boost: float) -> float:
    """lunr.js 2.3.9's field score (`Builder.createFieldVectors`), in its operation order,
    rounded as it rounds: what search-core.js's `fieldScore` computes at query time."""
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
