"""Word pairs for quoted phrases: per paper, the fingerprints of its adjacent index terms.

A quoted phrase ("large language models") requires each of its words, and the papers
holding the words next to each other rank first. Word positions are not in the index
(they would about double the term shards, which every query loads); instead each paper
has the set of 16-bit fingerprints of the pairs of index terms that follow each other in
one of its fields (after the analyser: stop words gone, words stemmed, so "large-language
model" holds the pairs of "large language models"). Those of doc-store bucket N are
`search/p/N.json`, which only a phrase query fetches, and only for its strongest matches
(docs/search.md).

search-core.js (`hasPairs`) computes the same fingerprints: CRC-32 of each term's UTF-8
bytes, and a pair's fingerprint the bits 16 to 31 of (crc(a) * 0x9E3779B1) xor crc(b); a
paper's fingerprints sorted, as 16-bit little-endian numbers in base64. A pair that is
not there reads as present with the odds of its fingerprint being among the paper's
(about 0.2% for an abstract's 130 pairs).
"""

from __future__ import annotations

import base64
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import islice, repeat
from operator import rshift, xor

_GOLDEN = 0x9E3779B1
_LOW = 0xFFFF


class PairHasher:
    """Fingerprints of term pairs, each term's CRC-32 computed once (a build meets the
    same terms in many papers)."""

    def __init__(self) -> None:
        self._crc: dict[str, int] = {}

    def pairs(self, sequences: Iterable[Sequence[str]]) -> set[int]:
        """The fingerprints of the adjacent pairs of each sequence (a field's terms in
        order), in C-level loops: this runs over every pair of every paper."""
        crc = self._crc
        out: set[int] = set()
        for terms in sequences:
            for term in set(terms).difference(crc):
                crc[term] = zlib.crc32(term.encode("utf-8", "surrogatepass"))
            hashes = list(map(crc.__getitem__, terms))
            # ((a * GOLDEN) xor b) >> 16, its low 16 bits
            out.update(map(_LOW.__and__, map(rshift, map(xor, map(_GOLDEN.__mul__, hashes),
                                                          islice(hashes, 1, None)),
                                             repeat(16))))
        return out

    def encoded(self, sequences: Iterable[Sequence[str]]) -> str:
        """The sorted fingerprints of `sequences`' pairs, in base64 (`p/N.json`'s form)."""
        numbers = array("H", sorted(self.pairs(sequences)))
        if sys.byteorder == "big":
            numbers.byteswap()
        return base64.b64encode(numbers.tobytes()).decode("ascii")


def fingerprint(first: str, second: str) -> int:
    """The fingerprint of one pair of terms."""
    (value,) = PairHasher().pairs([[first, second]])
    return value


def has_pair(encoded: str, first: str, second: str) -> bool:
    """Whether a paper's encoded fingerprints hold the pair (first, second)."""
    numbers = array("H", base64.b64decode(encoded))
    if sys.byteorder == "big":
        numbers.byteswap()
    value = fingerprint(first, second)
    at = bisect_left(numbers, value)
    return at < len(numbers) and numbers[at] == value
