"""The oracle: one lunr.js 2.3.9 index of every paper, in a single file.

The build never writes this index; the tests (and bench/search_bench.py) load it with
real lunr.js (`lunr.Index.load`) and require format 4's segmented search to give the
same results, in the same order, with exactly the same scores. It is built here in
Python with sitegen's analyser (lunr.py's pipeline plus CJK bigrams) and lunr's BM25
(`analyser.field_score`), its terms numbered in JavaScript's string order (lunr.py's own
serialization sorts by code point, which lunr.js rejects for some terms), its refs the
papers' numbers in letters (`ref_of`), as search-core.js writes them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sitegen.model import Paper
from sitegen.search.analyser import Analysis, Analyzer, Field, field_score, idf, js_order
from sitegen.search.documents import FIELDS, Maker, paper_order
from sitegen.urls import Urls

LUNR_VERSION = "2.3.9"
#: Letters only: a ref is never an array index, which JavaScript objects would reorder.
REF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

#: One term's postings: per field (document numbers in order, "position,score" texts).
Posting = tuple[tuple[list[int], list[str]], ...]


def ref_of(number: int) -> str:
    """The lunr ref of paper `number`: base 52 in letters ("A", ..., "z", "BA", ...)."""
    digits = REF_ALPHABET[number % 52]
    number //= 52
    while number:
        digits = REF_ALPHABET[number % 52] + digits
        number //= 52
    return digits


@dataclass
class FullIndex:
    """Every term's postings and scores, terms numbered in JavaScript order."""

    fields: tuple[str, ...]
    terms: list[str]  # sorted in JS order; a term's `_index` is its position here
    postings: list[Posting]  # by term position
    refs: list[str]  # lunr ref of each document number


def full_index_json(papers: Sequence[Paper]) -> bytes:
    """The lunr.js index of `papers`, numbered as the search files number them."""
    maker = Maker(Urls("https://example.org/"))
    return serialize(index_analyses(FIELDS, [maker.analysis(p) for p in paper_order(papers)]))


def build_full_index(fields: Sequence[Field], docs: Iterable[tuple[str, dict[str, str]]]
                     ) -> FullIndex:
    """The index of `docs`, (ref, {field name: text}) each, refs kept as given (to compare
    with lunr.py's own index of the same documents)."""
    analyzer = Analyzer()
    refs, analyses = [], []
    for ref, values in docs:
        refs.append(ref)
        analyses.append(analyzer.analyse([values.get(f.name, "") for f in fields]))
    return index_analyses(fields, analyses, refs)


def index_analyses(fields: Sequence[Field], analyses: Sequence[Analysis],
                   refs: Sequence[str] | None = None) -> FullIndex:
    """Score every (document, field, term) with lunr's BM25 (document i is `analyses[i]`,
    its ref `refs[i]`, by default `ref_of(i)`)."""
    docs_of: list[defaultdict[str, list[int]]] = [defaultdict(list) for _ in fields]
    tfs_of: list[defaultdict[str, list[int]]] = [defaultdict(list) for _ in fields]
    lengths: list[list[int]] = [[] for _ in fields]
    for d, analysis in enumerate(analyses):
        for fi, (terms, freqs, length) in enumerate(analysis):
            lengths[fi].append(length)
            for term, tf in zip(terms, freqs, strict=True):
                docs_of[fi][term].append(d)
                tfs_of[fi][term].append(tf)
    count = len(analyses)
    average = [sum(field) / count if count else 0 for field in lengths]
    ordered = sorted(set().union(*docs_of), key=js_order)
    postings: list[Posting] = []
    for position, term in enumerate(ordered):
        entry = [(docs.get(term, []), tfs.get(term, []))
                 for docs, tfs in zip(docs_of, tfs_of, strict=True)]
        term_idf = idf(count, sum(len(docs) for docs, _ in entry))
        posting = []
        for fi, (docs, tfs) in enumerate(entry):
            scores = [field_score(term_idf, tf, lengths[fi][d], average[fi], fields[fi].boost)
                      for d, tf in zip(docs, tfs, strict=True)]
            posting.append((docs, [f"{position},{score!r}" for score in scores]))
        postings.append(tuple(posting))
    return FullIndex(tuple(f.name for f in fields), ordered, postings,
                     list(refs) if refs is not None else [ref_of(d) for d in range(count)])


def serialize(index: FullIndex) -> bytes:
    """The lunr.js 2.3.9 JSON of the index, written directly (the JSON `json.dumps` would
    give of the same structure, as lunr.py writes it: every document has a vector in every
    field, an empty one where the field has no term)."""
    quoted = [json.dumps(ref, ensure_ascii=False) for ref in index.refs]
    entries = [f"{ref}:{{}}" for ref in quoted]
    inverted = []
    for position, (term, posting) in enumerate(zip(index.terms, index.postings, strict=True)):
        parts = [f'[{json.dumps(term, ensure_ascii=False)},{{"_index":{position}']
        for name, (docs, _) in zip(index.fields, posting, strict=True):
            parts.append(f',"{name}":{{' + ",".join(map(entries.__getitem__, docs)) + "}")
        inverted.append("".join(parts) + "}]")
    vectors = [_vectors([f'["{name}/{ref[1:]},[' for ref in quoted],
                        [posting[fi] for posting in index.postings], len(index.refs))
               for fi, name in enumerate(index.fields)]
    fields_json = ",".join(f'"{name}"' for name in index.fields)
    return (f'{{"version":"{LUNR_VERSION}","fields":[{fields_json}],"fieldVectors":['
            + ",".join(filter(None, vectors)) + '],"invertedIndex":[' + ",".join(inverted)
            + '],"pipeline":["stemmer"]}').encode("utf-8")


def _vectors(keys: list[str], postings: Sequence[tuple[list[int], list[str]]],
             documents: int) -> str:
    """The field vectors of one field, `["field/ref",[position,score,...]]` joined by commas:
    the postings' entries grouped by document, in term order (a stable sort by document),
    each group opened by its key and closed by "]]"; a document without terms gets an
    empty vector."""
    docs: list[int] = []
    items: list[str] = []
    for field_docs, field_items in postings:
        docs += field_docs
        items += field_items
    docs += range(documents)  # the empty placeholder of each document, last in its group
    items += [""] * documents
    if not docs:
        return ""
    order = sorted(range(len(docs)), key=docs.__getitem__)
    docs = list(map(docs.__getitem__, order))
    items = list(map(items.__getitem__, order))
    keep = [i for i, item in enumerate(items) if item or i == 0 or docs[i - 1] != docs[i]]
    docs = list(map(docs.__getitem__, keep))
    items = list(map(items.__getitem__, keep))
    before = [-1, *docs[:-1]]
    after = [*docs[1:], -1]
    return ",".join([(keys[d] if d != p else "") + item + ("]]" if d != n else "")
                     for d, p, n, item in zip(docs, before, after, items, strict=True)])

