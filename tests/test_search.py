"""Search outputs (format 4: base and recent segments, scores at query time): manifest,
term shards, doc store; under node, search-core.js must rank exactly as one lunr.js index."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import require_node, write_paper
from lunr import lunr

from sitegen.incremental import searchcache, searchstore
from sitegen.model import Day, Output, Paper, Site
from sitegen.search.documents import BUCKET_DOCS, FIELDS, bucket_count, paper_fields, paper_order
from sitegen.search.index import Params, search_outputs
from sitegen.site.assemble import assemble
from sitegen.urls import Urls
from tests.conftest import old_search_pack
from tests.lunroracle import full_index_json, ref_of

REPO = Path(__file__).resolve().parent.parent
CHECK = REPO / "tests" / "js" / "search_check.js"
BASE = "https://example.org/sub/"


def _paper(slug: str, title: str, abstract: str, **extra) -> Paper:
    return Paper(slug=slug, title=title, date=dt.date(2025, 8, 11), abstract=abstract, **extra)


PAPERS = [
    _paper("2408.00001", "Diffusion Transformers for Video", "We scale diffusion models for "
           "video generation with transformers.", authors=("Ada Lovelace",), tags=("video",)),
    _paper("2408.00002", "Reasoning Agents", "Language model agents plan and reason over "
           "tools; we evaluate reasoning in diffusion-free settings.", tags=("agents",)),
    _paper("2408.00003", "基于注意力机制的视觉语言模型", "我们提出了一种基于注意力机制的新型视觉"
           "语言模型，实验结果表明该方法在多个基准上取得了最优性能。", tags=("vision",)),
    _paper("2408.00004", "Rocket🚀 launch，ｆｕｌｌ-width 😀 terms", "Emoji 🚀 and full-width "
           "punctuation， in text ｗｉｄｅ words. <script>alert(1)</script> & \"quotes\"."),
    _paper("2408.00005", "Transformer Language Models", "Large language models transform "
           "reasoning. Transformers everywhere.", authors=("Alan Turing", "Ada Lovelace")),
]
QUERIES = ["diffusion", "transformer", "transform*", "title:reasoning", "+language -agents",
           "lovelace", "authors:turing", "reasonin~1", "注意力", "视觉 模型", "ｗｉｄｅ", "🚀",
           "rocket🚀", "video^10 language", "tags:agents", "-diffusion", "title:", "*former",
           "+language -diffusion", "-language reasoning", "+title:language transformer",
           "+language +model -tags:agents", "reason~1", "transformr~1 +language", "tranformer~2",
           "langauge~1 -agents"]


#: slug -> lunr ref (papers numbered oldest first, then by slug)
REF = {p.slug: ref_of(i) for i, p in enumerate(paper_order(PAPERS))}


def _site(papers: list[Paper]) -> Site:
    return Site(papers=tuple(papers), days=(), months=(), tags=(), updated=None)


def _write(tmp: Path, shard_postings: int, head_docs: int = 2000,
           segment: int = 1024) -> tuple[Path, Path]:
    outputs = search_outputs(_site(PAPERS), Urls(BASE), Params(shard_postings, head_docs,
                                                               segment))
    for out in outputs:
        path = tmp / out.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.data)
    full = tmp / "full.json"
    full.write_bytes(full_index_json(PAPERS))
    return tmp / "search", full


def _node(*args: str) -> str:
    node = require_node("lunr")
    proc = subprocess.run([node, *args], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_outputs_manifest_segments_shards_and_buckets() -> None:
    outputs = {o.path: o.data for o in search_outputs(_site(PAPERS), Urls(BASE),
                                                      Params(shard_postings=5, segment=3))}
    assert list(outputs)[-1] == "search/manifest.json"  # made last: it hashes the others
    manifest = json.loads(outputs["search/manifest.json"])
    assert manifest["format"] == 4
    assert manifest["fields"] == [f.name for f in FIELDS]
    assert manifest["boosts"] == [f.boost for f in FIELDS]
    assert manifest["docs"] == len(PAPERS) and manifest["segment"] == 3
    base, recent = manifest["segments"]
    assert (base["id"], base["first"], base["docs"]) == ("b", 0, 3)
    assert (recent["id"], recent["first"], recent["docs"]) == ("r", 3, 2)
    assert manifest["lengths"] == [a + b for a, b in zip(base["lengths"], recent["lengths"],
                                                         strict=True)]
    for seg in (base, recent):
        shards = seg["shards"]
        assert len(shards) > 3
        utf16 = [s.encode("utf-16-be") for s in shards]
        assert utf16 == sorted(utf16)
        assert all(f"search/t/{seg['id']}{i}.json" in outputs for i in range(len(shards)))
        assert f"search/v/{seg['id']}0.json" in outputs
    assert manifest["bucketDocs"] == BUCKET_DOCS
    for number, paper in enumerate(paper_order(PAPERS)):
        store = json.loads(outputs[f"search/d/{number // BUCKET_DOCS}.json"])
        record = store[number % BUCKET_DOCS]
        assert record["t"] == paper.title and record["u"] == f"papers/{paper.slug}.html"
        assert record["d"] == "2025-08-11"
    assert len([p for p in outputs if p.startswith("search/d/")]) == bucket_count(len(PAPERS))
    # shards hold term frequencies and field lengths, no slugs and no scores
    shard = json.loads(outputs["search/t/r0.json"])
    for path, data in outputs.items():
        if path.startswith("search/t/"):
            assert b"2408." not in data and b"." not in data.replace(b"..", b""), path
    assert set(shard) == {"t", "p"} and len(shard["t"]) == len(shard["p"])


def test_postings_hold_numbers_tfs_and_lengths() -> None:
    papers = [_paper(f"s{i}", "word " * (i + 1), "something else") for i in range(5)]
    outputs = {o.path: json.loads(o.data) for o in search_outputs(
        _site(papers), Urls(BASE), Params(segment=3))}
    base = outputs["search/t/b0.json"]
    entry = base["p"][base["t"].index("word")]
    # title: papers 0, 1, 2 (differences 0, 1, 1), tf 1, 2, 3, title length = tf
    assert entry[0] == [[0, 1, 1], [1, 2, 3], [1, 2, 3]] and entry[1:] == [0] * (len(FIELDS) - 1)
    recent = outputs["search/t/r0.json"]
    entry = recent["p"][recent["t"].index("word")]
    assert entry[0] == [[3, 1], [4, 5], [4, 5]]  # absolute paper numbers


def test_refs_are_paper_numbers_oldest_first_in_letters() -> None:
    assert [ref_of(n) for n in (0, 1, 25, 26, 51, 52, 53, 2703, 2704)] == [
        "A", "B", "Z", "a", "z", "BA", "BB", "zz", "BAA"]
    refs = [ref_of(n) for n in range(3000)]
    assert len(set(refs)) == 3000 and not any(r.isdigit() for r in refs)
    older = _paper("2408.99999", "Old", "Old paper.")
    older = Paper(**{**older.__dict__, "date": dt.date(2024, 1, 1)})
    assert paper_order([*PAPERS, older])[0] is older  # a slug later in order, but older


def test_paper_order_of_day_runs_equals_the_full_sort() -> None:
    """`Site.papers` (runs of one day, newest first) takes the per-day path; any other
    order the full sort: both give (date, slug) order, equal slugs kept as they came."""
    papers = _days(40)
    import random

    rng = random.Random(7)
    shuffled = papers[:]
    rng.shuffle(shuffled)
    expected = sorted(papers, key=lambda p: (p.date, p.slug))
    by_day = sorted(shuffled, key=lambda p: p.date, reverse=True)  # runs, slugs shuffled
    assert paper_order(by_day) == expected and paper_order(shuffled) == expected
    oldest_first = sorted(shuffled, key=lambda p: p.date)  # runs, but ascending: full sort
    assert paper_order(oldest_first) == expected
    twin = Paper(**{**papers[0].__dict__, "title": "Twin"})  # same date and slug
    assert paper_order([twin, papers[0]]) == [twin, papers[0]]
    assert paper_order([papers[1], twin, papers[0]]) == [twin, papers[0], papers[1]]
    assert paper_order([]) == []
    site = assemble(shuffled, lambda p: p.tags)
    assert paper_order(by_day, site.days) == expected  # not the days' papers: the runs
    import sitegen.search.documents as documents

    with pytest.MonkeyPatch.context() as patch:  # the days' path: no runs made
        patch.setattr(documents, "groupby", None)
        assert paper_order(site.papers, site.days) == expected
    wrong = [Day(day.date, tuple(reversed(day.papers))) for day in site.days]
    assert paper_order(site.papers, wrong) == expected


def test_cached_search_takes_paper_digests_from_the_build(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """The digests the build already has are the cache keys: a paper in `digests` is not
    hashed again, one missing is (with the same function, so the keys agree)."""
    import sitegen.incremental.digests as content

    papers = _days(20)
    memo = {id(p): (p, content.paper_digest(p)) for p in papers}
    hashed: list[str] = []
    real = content.paper_digest
    monkeypatch.setattr(content, "paper_digest", lambda p: hashed.append(p.slug) or real(p))
    fresh = list(search_outputs(_site(papers), Urls(BASE)))
    hashed.clear()
    first = list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path,
                                                   digests=memo))
    assert first == fresh and hashed == []
    del memo[id(papers[3])]
    analysed = _count_analyses(monkeypatch)
    again = list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path,
                                                   digests=memo))
    assert again == fresh and hashed == [papers[3].slug] and analysed == []


def test_search_js_refs_equal_python_refs() -> None:
    numbers = [0, 1, 25, 26, 51, 52, 53, 2703, 2704, 140_607, 140_608, 9_999_999]
    script = ("const S=require('./themes/default/static/js/search-core.js');"
              "const n=JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify([n.map(S.refOf), n.map(x=>S.refNumber(S.refOf(x)))]))")
    refs, back = json.loads(_node("-e", script, json.dumps(numbers)))
    assert refs == [ref_of(n) for n in numbers] and back == numbers


def test_a_new_day_leaves_old_doc_buckets_unchanged() -> None:
    days = [_paper(f"p{i:03d}", f"Paper {i}", "Text.") for i in range(20)]
    days = [Paper(**{**p.__dict__, "date": dt.date(2025, 1, 1) + dt.timedelta(days=i // 5)})
            for i, p in enumerate(days)]
    before = {o.path: o.data for o in search_outputs(_site(days[:13]), Urls(BASE))}
    after = {o.path: o.data for o in search_outputs(_site(days), Urls(BASE))}
    assert before["search/d/0.json"] == after["search/d/0.json"]
    assert before["search/d/1.json"] != after["search/d/1.json"]  # papers 13-15 join it
    assert "search/d/2.json" not in before and "search/d/2.json" in after


@pytest.mark.parametrize("segment", [3, 1024])
def test_build_deterministic(segment: int) -> None:
    one = list(search_outputs(_site(PAPERS), Urls(BASE), Params(6, 1, segment)))
    two = list(search_outputs(_site(list(reversed(PAPERS))), Urls(BASE), Params(6, 1, segment)))
    assert one == two


def _tail_id(folder: Path, term: str) -> int | None:
    """The split number of `term` in the base segment (from its shard entry), or None."""
    for path in (folder / "t").glob("b*.json"):
        shard = json.loads(path.read_text(encoding="utf-8"))
        if term in shard["t"]:
            entry = shard["p"][shard["t"].index(term)]
            return entry[len(FIELDS)]["id"] if len(entry) > len(FIELDS) else None
    return None


@pytest.mark.parametrize(("shard_postings", "head_docs", "segment"), [
    (1, 2000, 4), (6, 2000, 7), (10_000, 2000, 1024), (6, 1, 4), (1, 2, 4), (6, 1, 1024),
    (1, 1, 2), (6, 1, 5), (1, 1, 1)])
def test_sharded_segments_rank_like_one_lunr_js_index(tmp_path: Path, shard_postings: int,
                                                      head_docs: int, segment: int) -> None:
    folder, full = _write(tmp_path, shard_postings, head_docs, segment)
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(QUERIES, ensure_ascii=False), encoding="utf-8")
    report = json.loads(_node(str(CHECK), str(folder), str(full), str(queries)))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert report["shards"] == sum(len(seg["shards"]) for seg in manifest["segments"])
    assert [seg["docs"] for seg in manifest["segments"]] == [
        len(PAPERS) // segment * segment, len(PAPERS) % segment]
    rows = {row["query"]: row for row in report["results"]}
    for query in QUERIES:
        row = rows[query]
        if query in ("title:", "*former"):
            assert row["error"].startswith("QueryParseError"), row
        elif query == "-diffusion":
            assert row["sharded"] is None  # the page asks for a positive word instead
        else:
            assert "error" not in row, row
            assert row["sharded"] == row["full"], query
            if row["exact"]:  # proved: the first 3 are lunr's first 3
                assert row["top"] == row["fullTop"], query
            if row["headsExact"]:
                assert row["headsTop"] == row["fullTop"], query
    slug = {ref: s for s, ref in REF.items()}
    hits = {q: [slug[ref] for ref, _ in rows[q]["sharded"]] for q in QUERIES
            if rows[q].get("sharded") is not None}
    assert hits["diffusion"][0] == "2408.00001"
    assert hits["注意力"] == ["2408.00003"]
    assert "2408.00003" in hits["视觉 模型"]
    assert hits["ｗｉｄｅ"] == ["2408.00004"] and hits["🚀"] == ["2408.00004"]
    assert set(hits["lovelace"]) == {"2408.00001", "2408.00005"}
    assert "2408.00002" not in hits["+language -agents"]
    assert "2408.00005" in hits["transform*"]
    assert rows["diffusion"]["docs"][0]["t"] == "Diffusion Transformers for Video"
    tails = sorted(p.name for p in (folder / "x").glob("*.json")) if (folder / "x").is_dir() \
        else []
    if head_docs == 1 and segment < 1024:
        assert not any(p.startswith("r") for p in tails)  # only the base splits terms
    has_base = len(PAPERS) >= segment
    if head_docs == 1 and has_base:  # frequent terms are split
        assert tails and (folder / "x" / "b0-0.json").is_file()
    if not has_base:
        assert tails == []
    if head_docs == 1 and segment == len(PAPERS):  # some first pages are proved from heads
        assert any(row.get("complete") is False and row.get("exact") for row in rows.values())
    assert sum(bool(row.get("exact")) for row in rows.values()) >= len(QUERIES) - 6
    if head_docs == 1 and has_base:  # without any tier some first pages cannot be proved
        assert any(row.get("headsExact") is False for row in rows.values())
    if head_docs == 2000:
        assert tails == []
    # a fuzzy term fetches its prefix's vocabulary, then only the shards of its matches
    fuzzy = rows["reasonin~1"]
    assert any(p.startswith("v/") for p in fuzzy["loaded"])
    assert len([p for p in fuzzy["loaded"] if p.startswith("t/")]) <= 4  # two per segment
    assert hits["reason~1"] and hits["tranformer~2"] and hits["langauge~1 -agents"]
    language = _tail_id(folder, "languag")
    if head_docs == 1 and language is not None:  # +/- of a split term reads its membership
        # file, not every tier
        for query in ("+language -diffusion", "-language reasoning"):
            loaded = rows[query]["loaded"]
            assert any(p.startswith("m/") for p in loaded), (query, loaded)
        assert f"m/b{language}.json" in rows["-language reasoning"]["loaded"]
        assert not any(p.startswith(f"x/b{language}-")
                       for p in rows["-language reasoning"]["loaded"])
    if head_docs == 1 and segment == len(PAPERS):
        assert language is not None


@pytest.mark.parametrize("segment", [32, 1024])
def test_multi_letter_refs_merge_in_number_order(tmp_path: Path, segment: int) -> None:
    """120 papers: refs "A".."z" then "BA"..; heads and tiers of a frequent word mix both,
    and "z" sorts after "BA" as a string, so search-core.js must merge them by number."""
    words = ["alpha", "beta", "gamma", "delta", "omega"]
    papers = [Paper(slug=f"s{i:03d}", title=f"{words[i % 5]} {words[i % 3]} study {i}",
                    date=dt.date(2025, 1, 1) + dt.timedelta(days=i % 7),
                    abstract=" ".join(words[(i * k) % 5] for k in range(1, 2 + i % 4)),
                    tags=(words[i % 2],)) for i in range(120)]
    assert ref_of(119) == "CP"
    outputs = search_outputs(_site(papers), Urls(BASE), Params(shard_postings=40, head_docs=7,
                                                               segment=segment))
    for out in outputs:
        (tmp_path / out.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / out.path).write_bytes(out.data)
    (tmp_path / "full.json").write_bytes(full_index_json(papers))
    queries = ["alpha", "study", "alpha beta", "+gamma -delta", "-omega alpha", "tags:beta",
               "title:alpha^3 omega", "stud*", "gamm~1", "+study +alpha"]
    (tmp_path / "q.json").write_text(json.dumps(queries), encoding="utf-8")
    report = json.loads(_node(str(CHECK), str(tmp_path / "search"), str(tmp_path / "full.json"),
                              str(tmp_path / "q.json")))
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text())
    assert manifest["docs"] == 120
    if segment < 120:  # the base splits frequent words into a head and tiers
        assert list((tmp_path / "search" / "x").glob("b*-1.json"))
    for row in report["results"]:
        assert "error" not in row, row
        assert row["sharded"] == row["full"] and len(row["full"]) > 0, row["query"]
        if row["exact"]:
            assert row["top"] == row["fullTop"], row["query"]
    refs = {ref for row in report["results"] for ref, _ in row["full"]}
    assert "z" in refs and "BA" in refs
    # the doc store finds every ref's record
    number = {ref_of(i): p for i, p in enumerate(paper_order(papers))}
    for row in report["results"]:
        top = [ref for ref, _ in row["sharded"][:3]]
        assert [d["u"] for d in row["docs"]] == [f"papers/{number[r].slug}.html" for r in top]


def test_lunr_py_serialization_breaks_lunr_js_ours_does_not(tmp_path: Path) -> None:
    """Regression: lunr.py sorts terms in code point order; lunr.js needs UTF-16 order."""
    docs = [{"id": p.slug, **paper_fields(p)} for p in PAPERS]
    theirs = lunr("id", ["title", "abstract"], docs).serialize()
    (tmp_path / "theirs.json").write_text(json.dumps(theirs), encoding="utf-8")
    (tmp_path / "ours.json").write_bytes(full_index_json(PAPERS))
    script = ("const lunr=require('lunr');const fs=require('fs');"
              "for (const f of process.argv.slice(1)) { let r='ok'; try { lunr.Index.load("
              "JSON.parse(fs.readFileSync(f,'utf8'))) } catch (e) { r='error: '+e.message }"
              " console.log(r) }")
    out = _node("-e", script, str(tmp_path / "theirs.json"), str(tmp_path / "ours.json"))
    theirs_result, ours_result = out.strip().splitlines()
    assert theirs_result.startswith("error") and "Out of order" in theirs_result
    assert ours_result == "ok"


def test_query_cjk_split_matches_python(tmp_path: Path) -> None:
    from sitegen.search.analyser import Analyzer

    texts = ["注意力机制", "ひらがなカタカナ", "한국어", "𠀀𠀁𠀂", "字"]
    script = ("const S=require('./themes/default/static/js/search-core.js');"
              "console.log(JSON.stringify(process.argv.slice(1).map(t=>S.splitCjk(t, []))))")
    split = json.loads(_node("-e", script, *texts))
    analyzer = Analyzer()
    assert [s.split() for s in split] == [analyzer.terms(t) for t in texts]


def test_built_site_has_search_page_under_sub_path(site: Path, run_cli) -> None:
    write_paper(site, "2408.00001", "---\ntitle: Diffusion <b>Video</b>\ndate: 2025-08-11\n"
                "abstract: We scale diffusion.\n---\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    page = (site / "_site" / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-base="/sub/"' in page and 'data-index="/sub/search/"' in page
    assert 'src="/sub/static/vendor/lunr/lunr.min.js"' in page
    assert all(f'src="/sub/static/js/search-{part}.js"' in page
               for part in ("core", "worker", "page"))
    assert "search-nojs" in page and 'href="/sub/archive/"' in page
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page)  # no inline handlers either (CSP)
    assert (site / "_site" / "static" / "vendor" / "lunr" / "LICENSE").is_file()
    manifest = json.loads((site / "_site" / "search" / "manifest.json").read_text())
    assert manifest["docs"] == 1


def _count_analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets an item each time papers are analysed from now on."""
    from sitegen.search.analyser import Analyzer

    analysed: list[int] = []
    real = Analyzer.analyse_in_order

    def counting(self, texts):
        analysed.append(1)
        return real(self, texts)

    monkeypatch.setattr(Analyzer, "analyse_in_order", counting)
    return analysed


def test_cache_keeps_analyses_and_lists_outputs(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.model import Kept
    from sitegen.util.fileid import digest

    def cached(papers: list[Paper], intact=None) -> list:
        return list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path,
                                                      intact))

    first = cached(PAPERS)
    assert first == list(search_outputs(_site(PAPERS), Urls(BASE)))
    assert sorted(p.name for p in tmp_path.glob("search-*.bin")) == [
        "search-base-papers.bin", "search-base.bin", "search-recent-papers.bin",
        "search-recent.bin"]
    analysed = _count_analyses(monkeypatch)
    assert cached(PAPERS) == first and analysed == []  # made again from the cached analyses
    # the writer's manifest of intact files: every listed file there with its hash -> Kept
    intact = {o.path: (digest(o.data), None) for o in first}
    assert cached(PAPERS, intact) == [Kept(o.path) for o in first]
    stale = {**intact, first[0].path: (digest(b"other"), None)}
    assert cached(PAPERS, stale) == first
    del stale[first[0].path]
    assert cached(PAPERS, stale) == first
    edited = [*PAPERS[:-1], _paper("2408.00005", "Transformer Language Models", "Changed.")]
    second = cached(edited, intact)
    assert analysed == [1]  # only the edited paper
    assert second != first and second == list(search_outputs(_site(edited), Urls(BASE)))
    cache = tmp_path / "search-recent.bin"
    cache.write_bytes(cache.read_bytes()[:-10])  # a truncated cache is rebuilt, not trusted
    analysed.clear()
    assert cached(edited) == second and len(analysed) == len(PAPERS)
    cache.write_bytes(old_search_pack([Output("search/manifest.json", b"stale")]))  # old layout
    (tmp_path / "search-0123.bin").write_bytes(b"format 3")
    assert cached(edited, intact) == second
    assert not (tmp_path / "search-0123.bin").exists()  # an old layout's file is removed


def _days(count: int) -> list[Paper]:
    """`count` papers, 3 a day, with frequent words (split with small heads)."""
    words = ["diffusion", "video", "language", "model", "agent"]
    return [Paper(slug=f"p{i:03d}", title=f"Paper {i} on {words[i % 5]} diffusion",
                  abstract=f"Text {i % 4} about {words[i % 3]} and {words[i % 5]} model.",
                  tags=(words[i % 2],), date=dt.date(2025, 1, 1) + dt.timedelta(days=i // 3))
            for i in range(count)]


def _is_base(path: str, base: int) -> bool:
    if path.startswith(("search/d/", "search/p/")):
        return int(path.split("/")[-1].split(".")[0]) < base // BUCKET_DOCS
    parts = path.split("/")
    return len(parts) > 2 and parts[2].startswith("b")


def test_a_day_that_leaves_base_keeps_every_base_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.model import Kept
    from sitegen.util.fileid import digest

    params = Params(shard_postings=6, head_docs=2, segment=16)
    monkeypatch.setattr(searchstore, "CHUNK_PAPERS", 5)  # the base's analyses: chunks of 5

    def fresh(papers: list[Paper]) -> list[Output]:
        return list(search_outputs(_site(papers), Urls(BASE), Params(6, 2, 16)))

    def cached(papers: list[Paper], intact=None) -> list:
        return list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path,
                                                      intact, params))

    papers = _days(40)  # base 32, recent 8
    first = cached(papers[:35])
    assert first == fresh(papers[:35])
    base_files = {o.path: o.data for o in first if _is_base(o.path, 32)}
    assert any("/x/b" in p for p in base_files) and any("/m/b" in p for p in base_files)
    assert any("/d/" in p for p in base_files) and any("/v/b" in p for p in base_files)
    assert any("/p/" in p for p in base_files)
    # a new day without moving BASE: every base file is byte-identical...
    later = fresh(papers[:38])
    assert {o.path: o.data for o in later if _is_base(o.path, 32)} == base_files
    assert [o.path for o in later if _is_base(o.path, 32)] == list(base_files)
    # ... and the cached build yields them Kept, analysing only the new papers
    analysed = _count_analyses(monkeypatch)
    intact = {o.path: (digest(o.data), None) for o in first}
    second = cached(papers[:38], intact)
    assert len(analysed) == 3
    assert {k.path for k in second if isinstance(k, Kept)} == set(base_files)
    data = {**base_files, **{o.path: o.data for o in second if isinstance(o, Output)}}
    assert [(o.path, o.data) for o in later] == [(k.path, data[k.path]) for k in second]
    # without `intact` the base is made again from the cached analyses: the same files
    analysed.clear()
    assert cached(papers[:38]) == later and analysed == []
    # BASE moves (50 papers: base 48): the base is made again, equal to a fresh build
    more = _days(50)
    intact = {o.path: (digest(o.data), None) for o in later}
    moved = cached(more, intact)
    assert len(analysed) == 12  # the new papers only: the others are in the cache files
    assert not any(isinstance(o, Kept) for o in moved) and moved == fresh(more)
    # an edited base paper or an older paper (renumbering) rebuilds the base, as fresh
    edited = [*more[:5], Paper(**{**more[5].__dict__, "title": "Edited"}), *more[6:]]
    assert cached(edited, intact) == fresh(edited)
    older = Paper(slug="p999", title="Older", abstract="Text.", date=dt.date(2024, 1, 1))
    analysed.clear()
    renumbered = cached([*more, older])
    assert len(analysed) <= 10  # every paper moves up one: found in the chunks read ahead
    assert renumbered == fresh([*more, older])


def test_the_recent_segment_goes_on_from_the_last_builds(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A day added: the recent segment is the cached one plus the day's papers (only they
    are added); an edited or renumbered recent paper makes it anew. Always as fresh."""
    from sitegen.search.segment import Appendable

    params = Params(shard_postings=6, head_docs=2, segment=16)
    added: list[tuple[int, int]] = []  # (papers before, papers added) per `add`
    real = Appendable.add

    def add(self, analyses):
        before = self.count
        real(self, analyses)
        added.append((before, self.count - before))

    monkeypatch.setattr(Appendable, "add", add)

    def check(papers: list[Paper]) -> None:
        added.clear()
        cached = list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path,
                                                        None, params))
        assert cached == list(search_outputs(_site(papers), Urls(BASE), Params(6, 2, 16)))

    papers = _days(45)  # base 32
    check(papers[:36])
    check(papers[:39])
    assert added[0] == (4, 3)  # the last build's 4 recent papers, then the day's 3
    check(papers[:39])
    assert added[0] == (7, 0)
    edited = [*papers[:33], Paper(**{**papers[33].__dict__, "title": "Edited"}),
              *papers[34:42]]
    check(edited)
    assert added[0] == (0, 10)  # an edited recent paper: made anew
    older = Paper(slug="p999", title="Older", abstract="Text.", date=dt.date(2024, 1, 1))
    check([*edited, older])
    assert added[0] == (0, 11)  # every number moves up one (the base too)
    check([*edited, older, *papers[42:45]])
    assert added[0] == (11, 3)
    (tmp_path / "search-recent.bin").write_bytes(b"damaged")
    check(papers[:45])
    assert added[0] == (0, 13)


def test_day_orders_are_kept_between_builds_and_give_paper_order(tmp_path: Path) -> None:
    """With the site's days, papers are numbered day by day; each day's order by slug is
    kept by a digest of its papers and taken as it is the next time (not sorted again)."""
    from sitegen.incremental.digests import paper_digest

    papers = _days(40)
    site = assemble(papers[:30], lambda p: p.tags)
    ordered, keys, orders = searchstore.day_orders(site.days, {}, {})
    assert ordered == paper_order(papers[:30]) and keys == [paper_digest(p) for p in ordered]
    assert searchstore.day_orders(site.days, {}, orders) == (ordered, keys, orders)
    backwards = {key: tuple(reversed(order)) for key, order in orders.items()}
    assert searchstore.day_orders(site.days, {}, backwards)[0] != ordered  # taken as it is
    params = Params(shard_postings=6, head_docs=2, segment=16)
    for count in (30, 33, 36, 40):  # days added: as fresh, with the orders in the cache
        site = assemble(papers[:count], lambda p: p.tags)
        cached = list(searchstore.cached_search_outputs(site, Urls(BASE), tmp_path, None,
                                                        params))
        assert cached == list(search_outputs(site, Urls(BASE), Params(6, 2, 16)))
    header = searchcache.header(tmp_path / searchcache.RECENT_FILE, searchcache.code_key())
    assert len(header["orders"]) == len(site.days)


def test_tokens_are_kept_for_the_next_builds_new_papers(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A new paper's words known from the last build are not run through lunr's pipeline
    again; the cache keeps the last `TOKENS_KEPT` tokens; the files are as fresh."""
    from sitegen.search.analyser import Analyzer

    piped: list[str] = []
    real = Analyzer._token
    monkeypatch.setattr(Analyzer, "_token", lambda self, t: piped.append(t) or real(self, t))

    def cached(papers: list[Paper]) -> list[str]:
        piped.clear()
        out = list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path))
        made = list(piped)
        assert out == list(search_outputs(_site(papers), Urls(BASE)))
        return made

    papers = _days(10)
    assert "diffusion" in cached(papers)
    known = _paper("2408.00097", "Paper 1 on video diffusion", "Text 1 about video and "
                   "agent model.")
    assert cached([*papers, known]) == []  # every word known from the last build
    new = _paper("2408.00099", "Unheard Words", "Zyxwv qwerty diffusion.")
    assert sorted(cached([*papers, known, new])) == ["diffusion.", "qwerty", "unheard", "words",
                                                     "zyxwv"]
    monkeypatch.setattr(searchstore, "TOKENS_KEPT", 3)
    made = cached([*papers, known, new, _paper("2408.00098", "Other Yet", "Texts.")])
    path = tmp_path / searchcache.RECENT_FILE
    kept = searchcache.body(path, searchcache.header(path, searchcache.code_key()))[1]["tokens"]
    assert len(kept) == 3 and set(kept) == set(made)  # the last made


def test_kept_tokens_are_the_last_used() -> None:
    from sitegen.search.analyser import Analyzer

    analyzer = Analyzer({"old": ("old",), "common": ("common",), "rare": ("rare",)})
    analyzer.counts("common words")  # "words" made, "common" used again
    kept = searchstore.kept_tokens
    assert list(kept(analyzer.tokens, analyzer.used, 3)) == ["rare", "common", "words"]
    assert list(kept(analyzer.tokens, analyzer.used, 10)) == ["old", "rare", "common", "words"]


def test_recent_analyses_are_appended_and_read_only_when_needed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day that goes on from the last recent segment adds its papers' analyses to the
    recent analyses file (same id, longer) and reads none; a build that cannot go on
    reads them; bytes a killed build appended past the recorded length are cut off."""

    params = Params(shard_postings=6, head_docs=2, segment=16)
    path = tmp_path / searchcache.RECENT_PAPERS_FILE
    from sitegen.model import Kept
    from sitegen.util.fileid import digest

    reads: list[int] = []
    real = searchcache.read_chunks
    monkeypatch.setattr(searchcache, "read_chunks",
                        lambda p, *a: reads.append(p == path) or real(p, *a))

    intact: dict = {}  # the files of the last build, as the writer verified them

    def cached(papers: list[Paper]) -> tuple[dict, list[int]]:
        reads.clear()
        analysed = _count_analyses(monkeypatch)
        out = list(searchstore.cached_search_outputs(_site(papers), Urls(BASE), tmp_path,
                                                     intact, params))
        made, read = len(analysed), sum(reads)
        fresh = list(search_outputs(_site(papers), Urls(BASE), Params(6, 2, 16)))
        data = {o.path: o.data for o in fresh}
        assert [o.path for o in out] == list(data)
        assert all(isinstance(o, Kept) or o.data == data[o.path] for o in out)
        intact.clear()
        intact.update({name: (digest(blob), None) for name, blob in data.items()})
        monkeypatch.undo()
        monkeypatch.setattr(searchcache, "read_chunks",
                            lambda p, *a: reads.append(p == path) or real(p, *a))
        header = searchcache.header(tmp_path / searchcache.RECENT_FILE, searchcache.code_key())
        return header["analyses"], [made, read]

    papers = _days(47)  # base 32
    first, counts = cached(papers[:36])
    assert counts == [36, 0] and first["length"] == path.stat().st_size
    second, counts = cached(papers[:39])
    assert counts == [3, 0]  # the day's papers analysed, no analysis read
    assert second["id"] == first["id"] and second["length"] > first["length"]
    with open(path, "ab") as handle:  # a killed build's append, never recorded
        handle.write(b"partial chunk")
    third, counts = cached(papers[:42])
    assert counts == [3, 0] and third["length"] == path.stat().st_size
    edited = [*papers[:33], Paper(**{**papers[33].__dict__, "title": "Edited"}),
              *papers[34:42]]
    fourth, counts = cached(edited)  # cannot go on: every recent analysis read, one made
    assert counts == [1, 1] and fourth["id"] != third["id"]
    path.write_bytes(path.read_bytes()[:-40])  # damaged: what it lacks is analysed again
    _, counts = cached([*edited[:33], papers[33], *edited[34:]])
    assert counts[0] > 1
    _, counts = cached([*edited[:33], papers[33], *edited[34:], *papers[42:47]])
    assert counts == [5, 0]


def test_empty_site_still_has_a_loadable_index(tmp_path: Path) -> None:
    outputs = {o.path: o.data for o in search_outputs(_site([]), Urls(BASE))}
    manifest = json.loads(outputs["search/manifest.json"])
    assert manifest["docs"] == 0
    assert [seg["shards"] for seg in manifest["segments"]] == [[], []]
    assert json.loads(outputs["search/d/0.json"]) == []
    for path, data in outputs.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    script = ("const S=require('./themes/default/static/js/search-core.js');const fs=require('fs');"
              "const dir=process.argv[1];const m=JSON.parse(fs.readFileSync(dir+'/manifest.json'));"
              "new S.Searcher(m,p=>Promise.resolve(JSON.parse(fs.readFileSync(dir+'/'+p))))"
              ".search('anything',10).then(f=>console.log(f.results.length))")
    assert _node("-e", script, str(tmp_path / "search")).strip() == "0"


def test_vendored_lunr_is_the_unmodified_npm_file() -> None:
    require_node("lunr")
    package = REPO / "node_modules" / "lunr"
    vendor = REPO / "themes" / "default" / "static" / "vendor" / "lunr"
    assert (vendor / "lunr.min.js").read_bytes() == (package / "lunr.min.js").read_bytes()
    assert (vendor / "LICENSE").read_bytes() == (package / "LICENSE").read_bytes()
    assert json.loads((package / "package.json").read_text())["version"] == "2.3.9"
