"""The Python-built lunr index: same scores as lunr.py, JavaScript term order, CJK bigrams."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lunr import lunr

from sitegen.importer import read_page, records_from_page
from sitegen.lunrindex import (
    CJK_RANGES,
    Analyzer,
    Field,
    build_full_index,
    cjk_bigrams,
    js_order,
    serialize,
    shard_ranges,
)
from sitegen.search import FIELDS, paper_fields

REPO = Path(__file__).resolve().parent.parent


def _normalised(index: dict) -> tuple[dict, dict]:
    """Postings by term and vectors by field ref as {term: score}: independent of numbering."""
    by_index = {posting["_index"]: term for term, posting in index["invertedIndex"]}
    postings = {term: {f: sorted(posting[f]) for f in index["fields"]}
                for term, posting in index["invertedIndex"]}
    vectors = {ref: {by_index[v[i]]: v[i + 1] for i in range(0, len(v), 2)}
               for ref, v in index["fieldVectors"]}
    return postings, vectors


def test_index_equals_lunr_py_on_the_sample_page(sample_page: Path) -> None:
    papers = records_from_page(read_page(sample_page, dt.date(2025, 8, 20), 2025))
    papers = [p.__class__(**{**p.__dict__, "authors": ("Ada Lovelace", "Alan Turing"),
                             "tags": ("llm", "vision")}) for p in papers]
    docs = [{"id": p.slug, **paper_fields(p)} for p in papers]
    expected = lunr("id", [{"field_name": f.name, "boost": f.boost} for f in FIELDS],
                    docs).serialize()
    mine = serialize(build_full_index(FIELDS, ((p.slug, paper_fields(p)) for p in papers)),
                     every_vector=True)
    assert len(mine["invertedIndex"]) > 1000
    assert _normalised(mine) == _normalised(expected)


def test_terms_are_numbered_in_javascript_string_order() -> None:
    # U+FF0C (full-width comma) sorts after the emoji in Python but before it in UTF-16.
    index = build_full_index([Field("title")], [("a", {"title": "rocket🚀 x，y 😀 ｚｚ"})])
    assert index.terms == sorted(index.terms, key=js_order)
    assert index.terms != sorted(index.terms)
    serialized = serialize(index)
    assert [p["_index"] for _, p in serialized["invertedIndex"]] == list(range(len(index.terms)))


def test_cjk_runs_become_bigrams_and_punctuation_is_dropped() -> None:
    terms = Analyzer().terms("基于注意力机制的模型，效果好 Transformers 한국어")
    assert terms[:3] == ["基于", "于注", "注意"]
    assert "，" not in terms and "模型" in terms and "效果" in terms
    assert "transform" in terms  # English words still go through lunr's stemmer
    assert "한국" in terms and "국어" in terms
    assert cjk_bigrams("字") == ["字"]


def test_shard_ranges_cover_every_term_once() -> None:
    index = build_full_index(FIELDS, [(f"p{i}", {"title": f"word{i} shared", "abstract": "x"})
                                      for i in range(50)])
    ranges = shard_ranges(index, 10)
    assert len(ranges) > 3
    assert ranges[0][0] == 0 and ranges[-1][1] == len(index.terms)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_search_js_mirrors_the_cjk_ranges() -> None:
    js = (REPO / "themes/default/static/js/search.js").read_text(encoding="utf-8")
    block = js[js.index("var CJK_RANGES"):js.index("];", js.index("var CJK_RANGES"))]
    pairs = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\[0x([0-9A-F]+), 0x([0-9A-F]+)\]",
                                                          block)]
    assert tuple(pairs) == CJK_RANGES


def test_frequent_terms_split_into_head_and_doubling_tiers() -> None:
    from sitegen.lunrindex import split_heads

    docs = [(f"p{i:02d}", {"title": "common" + " common" * (i % 3), "abstract": f"w{i}"})
            for i in range(20)]
    index = build_full_index([Field("title"), Field("abstract")], docs)
    heads, tails = split_heads(index, 3)
    assert [index.terms[t.position] for t in tails] == ["common"]
    tail = tails[0]
    position = tail.position
    head_refs = [ref for ref, _ in heads.postings[position]["title"]]
    tier_refs = [[ref for ref, _ in tier.postings[position]["title"]] for tier in tail.tiers]
    assert len(head_refs) == 3 and [len(r) for r in tier_refs] == [6, 11]  # 3, 6, 12...
    everything = sorted(head_refs + [r for refs in tier_refs for r in refs])
    assert everything == sorted(ref for ref, _ in index.postings[position]["title"])
    scores = dict(index.postings[position]["title"])
    assert min(scores[r] for r in head_refs) >= max(scores[r] for r in tier_refs[0])
    assert tail.bounds[0] == [max(scores[r] for r in tier_refs[0] + tier_refs[1]), 0]
    assert tail.bounds[1] == [max(scores[r] for r in tier_refs[1]), 0]
    assert all(refs == sorted(refs) for refs in tier_refs)  # document order kept
