"""The analyser and the oracle index (tests/lunroracle.py): same scores as lunr.py,
JavaScript term order, CJK bigrams."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from lunr import lunr

from sitegen.commands.importer import read_page, records_from_page
from sitegen.search.analyser import CJK_RANGES, Analyzer, Field, cjk_bigrams, js_order
from sitegen.search.documents import FIELDS, paper_fields
from tests.lunroracle import build_full_index, serialize

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
    mine = json.loads(serialize(build_full_index(FIELDS, ((p.slug, paper_fields(p))
                                                          for p in papers))))
    assert len(mine["invertedIndex"]) > 1000
    assert _normalised(mine) == _normalised(expected)


def test_terms_are_numbered_in_javascript_string_order() -> None:
    # U+FF0C (full-width comma) sorts after the emoji in Python but before it in UTF-16.
    index = build_full_index([Field("title")], [("a", {"title": "rocket🚀 x，y 😀 ｚｚ"})])
    assert index.terms == sorted(index.terms, key=js_order)
    assert index.terms != sorted(index.terms)
    serialized = json.loads(serialize(index))
    assert [p["_index"] for _, p in serialized["invertedIndex"]] == list(range(len(index.terms)))


def test_cjk_runs_become_bigrams_and_punctuation_is_dropped() -> None:
    terms = Analyzer().terms("基于注意力机制的模型，效果好 Transformers 한국어")
    assert terms[:3] == ["基于", "于注", "注意"]
    assert "，" not in terms and "模型" in terms and "效果" in terms
    assert "transform" in terms  # English words still go through lunr's stemmer
    assert "한국" in terms and "국어" in terms
    assert cjk_bigrams("字") == ["字"]


def test_search_js_mirrors_the_cjk_ranges() -> None:
    js = (REPO / "themes/default/static/js/search-query.js").read_text(encoding="utf-8")
    block = js[js.index("var CJK_RANGES"):js.index("];", js.index("var CJK_RANGES"))]
    pairs = [(int(a, 16), int(b, 16)) for a, b in re.findall(r"\[0x([0-9A-F]+), 0x([0-9A-F]+)\]",
                                                          block)]
    assert tuple(pairs) == CJK_RANGES


def test_serialize_equals_json_dumps_of_the_same_structure() -> None:
    docs = [("a\"b", {"title": 'say "hi" \\ back', "abstract": "x y x"}),
            ("c", {"title": "rocket🚀 naïve", "abstract": ""})]
    index = build_full_index([Field("title", 10), Field("abstract")], docs)
    text = serialize(index)
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    assert [ref for ref, _ in data["fieldVectors"]][:2] == ['title/a"b', "title/c"]
    assert data["invertedIndex"][0][1]["title"] == {'a"b': {}}
