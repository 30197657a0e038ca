"""The query step of search-query.js and Searcher.find under node, on real search files:
the forgiving retry (words one edit away when nothing matches), quoted phrases (every
word required, papers holding the phrase first), the word being typed as a prefix, and
the `keywords` field; each search's results equal to one lunr.js index given the same
clauses."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from conftest import require_node

from sitegen.model import Paper, Site
from sitegen.search.analyser import Analyzer
from sitegen.search.documents import paper_fields, paper_order
from sitegen.search.index import Params, search_outputs
from sitegen.search.phrases import PairHasher, fingerprint, has_pair
from sitegen.urls import Urls
from tests.lunroracle import full_index_json, ref_of
from tests.test_search import _node

REPO = Path(__file__).resolve().parent.parent
CHECK = REPO / "tests" / "js" / "query_check.js"


def _paper(slug: str, title: str, abstract: str, **extra) -> Paper:
    return Paper(slug=slug, title=title, date=dt.date(2025, 8, 11), abstract=abstract, **extra)


PAPERS = [
    _paper("2408.00001", "Diffusion Models for Video", "We scale diffusion models to long "
           "video generation."),
    _paper("2408.00002", "Dense Retrieval at Scale", "Retrieval-augmented generation needs "
           "fast retrieval of passages."),
    _paper("2408.00003", "Large Language Models Are Few-Shot Reasoners", "Large language "
           "models reason step by step."),
    _paper("2408.00004", "Language Models and Large Corpora", "Models of language trained on "
           "large data sets."),
    _paper("2408.00005", "ParrotBench: Do Language Models Repeat What They Read?",
           "A benchmark of memorisation.", ai_keywords=("memorisation", "benchmark")),
    _paper("2408.00006", "Scaling Laws Revisited", "When models are large, language is "
           "still hard to model."),
    _paper("2408.00007", "Planning with Agents", "Agents plan over tools; we study planning.",
           ai_keywords=("reinforcement learning",), organization="Contoso Research",
           organization_handle="contoso-ai"),
    _paper("2408.00008", "基于注意力机制的视觉语言模型", "我们提出了一种基于注意力机制的视觉语言模型。"),
]
REF = {p.slug: ref_of(i) for i, p in enumerate(paper_order(PAPERS))}
SLUG = {ref: slug for slug, ref in REF.items()}
QUERIES = ["difusion", "retreival", "difusion~1", "zzzzzz qqqqq", "difu",
           '"large language models"', 'title:"language models"', '"the large language model"',
           "parrot", "parrot ", "diffusio", "keywords:memorisation", "keywords:reinforcement",
           "org:contoso", "contoso", "fabrikam contoso-ai", "org:research",
           '-"large model"', "rea", '"注意力机制"', '"large language', "benchmark"]


def _build(tmp: Path, params: Params) -> list[dict]:
    site = Site(papers=tuple(PAPERS), days=(), months=(), tags=(), updated=None)
    for out in search_outputs(site, Urls("https://example.org/sub/"), params):
        path = tmp / out.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.data)
    (tmp / "full.json").write_bytes(full_index_json(PAPERS))
    (tmp / "queries.json").write_text(json.dumps(QUERIES), encoding="utf-8")
    require_node("lunr")
    return json.loads(_node(str(CHECK), str(tmp / "search"), str(tmp / "full.json"),
                            str(tmp / "queries.json")))


def _holds(slug: str, terms: list[str]) -> bool:
    """Whether a field of the paper holds `terms` next to each other (the truth a pair
    filter approximates)."""
    paper = next(p for p in PAPERS if p.slug == slug)
    analyzer = Analyzer()
    for text in paper_fields(paper).values():
        seq = analyzer.terms(text)
        if any(seq[i:i + len(terms)] == terms for i in range(len(seq))):
            return True
    return False


@pytest.fixture(scope="module", params=[Params(), Params(shard_postings=6, head_docs=2,
                                                         segment=4)],
                ids=["one shard", "small shards, two segments, split terms"])
def report(request, tmp_path_factory) -> dict[str, dict]:
    rows = _build(tmp_path_factory.mktemp("q"), request.param)
    return {row["query"]: row for row in rows}


def _slugs(row: dict) -> list[str]:
    return [SLUG[ref] for ref, _ in row["results"]]


def test_every_search_equals_lunr_given_the_same_clauses(report) -> None:
    for query, row in report.items():
        if row.get("error"):
            continue
        assert row["ranked"] == row["oracle"], query  # refs, order and exact scores


def test_a_query_that_finds_nothing_is_retried_one_edit_away(report) -> None:
    row = report["difusion"]
    assert row["retry"] == "difusion~1"
    assert _slugs(row)[0] == "2408.00001"
    assert row["top"]["retry"] == "difusion~1" and row["top"]["total"] == 1
    assert _slugs(report["retreival"]) == ["2408.00002"]
    assert report["difusion~1"]["retry"] is None  # it found something as typed
    assert report["zzzzzz qqqqq"]["retry"] == "zzzzzz~1 qqqqq~1"
    assert report["zzzzzz qqqqq"]["results"] == []
    assert report["difu"]["retry"] is None and report["difu"]["results"] == []  # too short


def test_a_phrase_requires_its_words_and_ranks_the_papers_holding_it_first(report) -> None:
    row = report['"large language models"']
    terms = ["larg", "languag", "model"]
    assert row["phrases"] == [terms]
    assert all(c["presence"] == 2 for c in row["clauses"])  # lunr.Query.presence.REQUIRED
    slugs = _slugs(row)
    # every paper with all three words, and no other
    assert set(slugs) == {"2408.00003", "2408.00004", "2408.00006"}
    flags = [flag for _, flag in row["results"]]
    assert flags == [_holds(s, terms) for s in slugs] == [True, False, False]
    assert row["phrase"] == {"checked": 3, "holding": 1}
    # a field phrase: the words in that field; stop words are left out as the index does
    assert set(_slugs(report['title:"language models"'])) == {
        "2408.00003", "2408.00004", "2408.00005"}
    assert [flag for _, flag in report['title:"language models"']["results"]][:2] == [True,
                                                                                      True]
    assert report['"the large language model"']["phrases"] == [terms]
    # a phrase still being typed (no closing quote) is a phrase; CJK phrases are bigrams
    assert report['"large language']["phrases"] == [["larg", "languag"]]
    assert _slugs(report['"注意力机制"']) == ["2408.00008"]
    assert report['-"large model"']["error"].startswith("QueryParseError: a quoted phrase "
                                                        "cannot be excluded")


def test_the_word_being_typed_matches_as_a_prefix(report) -> None:
    row = report["parrot"]
    assert _slugs(row) == ["2408.00005"] and row["retry"] is None
    assert any(c["typed"] == "prefix" and c["terms"] == ["parrot*"] for c in row["clauses"])
    # a finished word (a space after it) is not a prefix: nothing, even one edit away
    assert report["parrot "]["results"] == [] and report["parrot "]["retry"] == "parrot~1 "
    # a word cut inside its suffix matches the word it starts with: "diffus", the stem
    assert _slugs(report["diffusio"]) == ["2408.00001"] and report["diffusio"]["retry"] is None
    assert "diffus" in report["diffusio"]["top"]["results"][0]["terms"]


def test_keywords_are_a_field(report) -> None:
    assert _slugs(report["keywords:memorisation"]) == ["2408.00005"]
    assert _slugs(report["keywords:reinforcement"]) == ["2408.00007"]
    assert _slugs(report["benchmark"]) == ["2408.00005"]


def test_organisations_are_indexed(report) -> None:
    """Hugging Face's organisation is a field, `org`, and plain words find it too."""
    for query in ("org:contoso", "contoso", "org:research"):
        assert _slugs(report[query]) == ["2408.00007"], query
    assert _slugs(report["fabrikam contoso-ai"]) == ["2408.00007"]  # the handle, too


def test_a_prefix_spanning_many_shards_waits_for_more_letters(tmp_path: Path) -> None:
    rows = {r["query"]: r for r in _build(tmp_path, Params(shard_postings=1))}
    assert not any(c["typed"] for c in rows["rea"]["clauses"])  # read, reason: 3 shards
    assert any(c["typed"] == "prefix" for c in rows["parrot"]["clauses"])
    assert _slugs(rows["parrot"]) == ["2408.00005"]
    shards = [p for p in rows["parrot"]["loaded"] if p.startswith("t/")]
    assert len(shards) <= 4  # the word's shard, its prefix's range, the candidates'


def test_pair_fingerprints_agree_between_python_and_javascript() -> None:
    rng = random.Random(5)
    alphabet = "abcxyzé注意🚀"
    pairs = [["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
              for _ in range(2)] for _ in range(300)]
    encoded = PairHasher().encoded(pairs[:150])  # each pair as a two-term sequence
    script = ("const Q=require('./themes/default/static/js/search-query.js');"
              "const [pairs, enc]=JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify(pairs.map(([a,b])=>{const h=Q.pairHash(a,b);"
              "return [h, Q.hasPairs(enc,[h])];})))")
    require_node("lunr")
    got = json.loads(_node("-e", script, json.dumps([pairs, encoded])))
    assert [h for h, _ in got] == [fingerprint(a, b) for a, b in pairs]
    assert all(present for _, present in got[:150])  # never a false "absent"
    assert [present for _, present in got] == [has_pair(encoded, a, b) for a, b in pairs]
    assert sum(present for _, present in got[150:]) <= 3  # 150 of 65,536 fingerprints


def test_word_pairs_hold_each_fields_adjacent_terms() -> None:
    analyzer = Analyzer()
    seqs = [analyzer.terms("Large-language models"), analyzer.terms("of the state of the art")]
    encoded = PairHasher().encoded(seqs)
    assert has_pair(encoded, "larg", "languag") and has_pair(encoded, "languag", "model")
    assert has_pair(encoded, "state", "art")  # stop words are not in the index
    assert not has_pair(encoded, "model", "state")  # not across fields
    assert len(encoded) == 8  # three 16-bit fingerprints
