"""Segments of the search index: postings of score inputs, frequent terms split into a
head and tiers with bounds, and lunr.js's BM25 computed the same in Python and JavaScript."""

from __future__ import annotations

import json
import pickle
import random
import subprocess
from pathlib import Path

import pytest
from conftest import require_node

from sitegen.search.analyser import Analyzer, js_round3
from sitegen.search.segment import Appendable, Segment, field_score, frontier, idf

REPO = Path(__file__).resolve().parent.parent


def _files(segment: Segment) -> dict[str, object]:
    return {f"{kind}/{name}": json.loads(data) for kind, name, data in segment.files()}


def test_js_round3_rounds_half_up_like_math_round() -> None:
    assert js_round3(0.0005) == 0.001  # 0.5 after scaling: up (Python's round: 0.0)
    assert js_round3(1.2344999) == 1.234 and js_round3(2.0) == 2.0
    assert round(0.0625, 3) == 0.062 and js_round3(0.0625) == 0.063


def test_frontier_keeps_the_points_no_other_beats() -> None:
    points = [(1, 10), (1, 5), (2, 7), (3, 9), (2, 3), (1, 2), (4, 30)]
    # tf 4 (length 30), tf 3 (9), tf 2 (3), tf 1 (2): each smaller in length than every
    # point with a larger tf
    assert frontier(points) == [4, 30, 3, 9, 2, 3, 1, 2]
    assert frontier([(2, 5), (1, 6)]) == [2, 5]  # (1, 6) is beaten by (2, 5)
    assert frontier([]) == []


def test_a_frequent_term_splits_into_head_tiers_membership_and_bounds() -> None:
    analyzer = Analyzer()
    analyses = [analyzer.analyse(["common" + " common" * (i % 3) + " x" * (i % 5), f"w{i}"])
                for i in range(20)]
    segment = Segment("b", 0, analyses, [10, 1], shard_postings=1000, head_docs=3,
                      vocab_terms=100)
    files = _files(segment)
    shard = files["search_shard/b0"]
    entry = shard["p"][shard["t"].index("common")]
    head, info = entry[0], entry[2]
    assert entry[1] == 0 and info["id"] == 0 and info["df"] == 20
    tiers = [files[f"search_tail/b0-{j}"] for j in range(len(info["b"]))]
    assert [len(t[0][0]) for t in tiers] == [6, 11]  # tiers of 6 and 12 (11 left)
    docs = []
    for part in [head, *(t[0] for t in tiers)]:
        numbers, n = [], 0
        for step in part[0]:
            n += step
            numbers.append(n)
        assert numbers == sorted(numbers)  # paper order kept within each part
        docs.append(numbers)
    assert sorted(sum(docs, [])) == list(range(20))
    assert files["search_members/b0"][0] == [0] + [1] * 19 and files["search_members/b0"][1] == []
    # the head weighs most: scores by the segment's own figures
    average = sum(a[0][2] for a in analyses) / 20
    term_idf = idf(20, 20)

    def score(d: int) -> float:
        tf = dict(zip(analyses[d][0][0], analyses[d][0][1], strict=True))["common"]
        return field_score(term_idf, tf, analyses[d][0][2], average, 10)

    assert min(map(score, docs[0])) >= max(map(score, docs[1] + docs[2]))
    # bounds[j]: the frontier of tiers j and later, whose best point is the tier's best
    for j in range(2):
        points = info["b"][j][0]
        later = sum(docs[j + 1:], [])
        best = max(field_score(term_idf, points[i], points[i + 1], average, 10)
                   for i in range(0, len(points), 2))
        assert best == max(map(score, later))
        assert info["b"][j][1] == []
    assert segment.manifest["shards"] == [shard["t"][0]] and segment.manifest["docs"] == 20


def test_shards_and_vocabulary_files_cover_every_term_once() -> None:
    analyzer = Analyzer()
    analyses = [analyzer.analyse([f"word{i} shared", "x"]) for i in range(50)]
    segment = Segment("r", 100, analyses, [1, 1], shard_postings=10, head_docs=None,
                      vocab_terms=12)
    files = _files(segment)
    shards = [files[f"search_shard/r{i}"] for i in range(len(segment.manifest["shards"]))]
    assert len(shards) > 3
    terms = [t for s in shards for t in s["t"]]
    assert terms == sorted(set(terms), key=lambda t: t.encode("utf-16-be"))
    assert segment.manifest["shards"] == [s["t"][0] for s in shards]
    starts = segment.manifest["vocab"]
    assert starts[0] == 0 and len(starts) > 1
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else len(shards)
        assert files[f"search_vocab/r{i}"] == [t for s in shards[start:stop] for t in s["t"]]
    entry = shards[0]["p"][0]
    assert entry[0][0][0] >= 100  # paper numbers start at the segment's first


def test_scores_equal_javascript_bit_for_bit(tmp_path: Path) -> None:
    """Python's field_score (the oracle index's) and search-core.js's, on many inputs."""
    node = require_node("lunr")
    rng = random.Random(5)
    cases = []
    for _ in range(3000):
        n = rng.choice([3, 50, 1000, 10_030, 50_000])
        df = rng.randint(1, 4 * n)
        cases.append([n, df, rng.randint(1, 9), rng.randint(0, 400), rng.uniform(1, 300),
                      rng.choice([1, 2, 3, 10])])
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    script = ("const S=require('./themes/default/static/js/search-core.js');"
              "const c=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'));"
              "console.log(JSON.stringify(c.map(([n,df,tf,len,avg,boost])=>"
              "S.fieldScore(S.idf(df,n),tf,len,avg,boost))))")
    proc = subprocess.run([node, "-e", script, str(tmp_path / "cases.json")],
                          capture_output=True, text=True, cwd=REPO, timeout=60, check=True)
    js = json.loads(proc.stdout)
    python = [field_score(idf(n, df), tf, length, avg, boost)
              for n, df, tf, length, avg, boost in cases]
    assert js == python


def _random_analyses(count: int, seed: int) -> list:
    """Papers of random words (some rare, some everywhere, CJK and astral ones), with
    fields left empty now and then."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(60)] + ["注意力机制", "😀x", "ｗｉｄｅ", "common"]
    analyzer = Analyzer()

    def text() -> str:
        if rng.random() < 0.15:
            return ""
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) + " common"

    return [analyzer.analyse([text(), text(), text()]) for _ in range(count)]


def _appendable(first: int) -> Appendable:
    return Appendable("r", first, 3, shard_postings=25, vocab_terms=40)


@pytest.mark.parametrize("seed", range(6))
def test_appendable_segment_equals_a_segment_of_the_same_papers(seed: int) -> None:
    """Made at once or paper by paper (resumed from its pickled state between steps), the
    appendable segment's files and manifest are byte for byte `Segment`'s."""
    rng = random.Random(seed)
    analyses = _random_analyses(rng.randint(0, 90), seed)
    first = rng.choice([0, 8, 1024])

    def segment_files(papers: list) -> tuple[list, dict]:
        segment = Segment("r", first, papers, [10, 2, 1], shard_postings=25, head_docs=None,
                          vocab_terms=40)
        return list(segment.files()), segment.manifest

    whole = _appendable(first)
    whole.add(analyses)
    assert (list(whole.files()), whole.manifest) == segment_files(analyses)
    stepped = _appendable(first)
    done = 0
    while done < len(analyses) or done == 0:
        step = rng.choice([0, 1, 3, 30])
        stepped = Appendable.resume(pickle.loads(pickle.dumps(stepped.state())), 25, 40)
        stepped.add(analyses[done:done + step])
        done = min(len(analyses), done + step)
        assert (list(stepped.files()), stepped.manifest) == segment_files(analyses[:done])
        if not analyses:
            break
