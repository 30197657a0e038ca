"""Search outputs: manifest, term shards, doc store; round-trips in real lunr.js under node."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import write_paper
from lunr import lunr

from sitegen.lunrindex import ref_of
from sitegen.model import Output, Paper, Site
from sitegen.search import (
    BUCKET_DOCS,
    FIELDS,
    bucket_count,
    full_index_json,
    paper_fields,
    paper_order,
    search_outputs,
)
from sitegen.urls import Urls

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


def _write(tmp: Path, shard_postings: int, head_docs: int = 2000) -> tuple[Path, Path]:
    outputs = search_outputs(_site(PAPERS), Urls(BASE), shard_postings=shard_postings,
                             head_docs=head_docs)
    for out in outputs:
        path = tmp / out.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.data)
    full = tmp / "full.json"
    full.write_bytes(full_index_json(PAPERS))
    return tmp / "search", full


def _node(*args: str) -> str:
    if shutil.which("node") is None or not (REPO / "node_modules" / "lunr").is_dir():
        pytest.skip("node or node_modules/lunr missing (run npm ci)")
    proc = subprocess.run(["node", *args], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_outputs_manifest_shards_and_buckets() -> None:
    outputs = {o.path: o.data for o in search_outputs(_site(PAPERS), Urls(BASE),
                                                      shard_postings=5)}
    assert list(outputs)[-1] == "search/manifest.json"  # made last: it hashes the others
    manifest = json.loads(outputs["search/manifest.json"])
    assert manifest["fields"] == [f.name for f in FIELDS]
    assert manifest["docs"] == len(PAPERS)
    shards = manifest["shards"]
    assert len(shards) > 3
    utf16 = [s.encode("utf-16-be") for s in shards]
    assert utf16 == sorted(utf16)
    assert all(f"search/t/{i}.json" in outputs for i in range(len(shards)))
    assert manifest["bucketDocs"] == BUCKET_DOCS
    for number, paper in enumerate(paper_order(PAPERS)):
        store = json.loads(outputs[f"search/d/{number // BUCKET_DOCS}.json"])
        record = store[number % BUCKET_DOCS]
        assert record["t"] == paper.title and record["u"] == f"papers/{paper.slug}.html"
        assert record["d"] == "2025-08-11"
    assert len([p for p in outputs if p.startswith("search/d/")]) == bucket_count(len(PAPERS))
    # refs are short: no slug appears in the index files
    for path, data in outputs.items():
        if path.startswith("search/t/"):
            assert b"2408." not in data, path


def test_refs_are_paper_numbers_oldest_first_in_letters() -> None:
    assert [ref_of(n) for n in (0, 1, 25, 26, 51, 52, 53, 2703, 2704)] == [
        "A", "B", "Z", "a", "z", "BA", "BB", "zz", "BAA"]
    refs = [ref_of(n) for n in range(3000)]
    assert len(set(refs)) == 3000 and not any(r.isdigit() for r in refs)
    older = _paper("2408.99999", "Old", "Old paper.")
    older = Paper(**{**older.__dict__, "date": dt.date(2024, 1, 1)})
    assert paper_order([*PAPERS, older])[0] is older  # a slug later in order, but older


def test_search_js_refs_equal_python_refs() -> None:
    numbers = [0, 1, 25, 26, 51, 52, 53, 2703, 2704, 140_607, 140_608, 9_999_999]
    script = ("const S=require('./themes/default/static/js/search.js');"
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


def test_build_deterministic() -> None:
    one = list(search_outputs(_site(PAPERS), Urls(BASE)))
    two = list(search_outputs(_site(list(reversed(PAPERS))), Urls(BASE)))
    assert one == two


@pytest.mark.parametrize(("shard_postings", "head_docs"), [(1, 2000), (6, 2000), (10_000, 2000),
                                                           (6, 1), (1, 2)])
def test_shards_load_in_lunr_js_and_rank_like_one_index(tmp_path: Path, shard_postings: int,
                                                        head_docs: int) -> None:
    folder, full = _write(tmp_path, shard_postings, head_docs)
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps(QUERIES, ensure_ascii=False), encoding="utf-8")
    report = json.loads(_node(str(CHECK), str(folder), str(full), str(queries)))
    assert report["shards"] == len(json.loads((folder / "manifest.json").read_text())["shards"])
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
    tails = json.loads((folder / "manifest.json").read_text())["tails"]
    if head_docs == 1:  # frequent terms are split: some first pages are proved from heads
        assert tails and (folder / "x" / "0-0.json").is_file()
        assert any(row.get("complete") is False and row.get("exact") for row in rows.values())
    assert sum(bool(row.get("exact")) for row in rows.values()) >= len(QUERIES) - 6
    if head_docs == 1:  # without any tier some first pages cannot be proved
        assert any(row.get("headsExact") is False for row in rows.values())
    if head_docs == 2000:
        assert tails == []
    # a fuzzy term fetches its prefix's vocabulary, then only the shards of its matches
    fuzzy = rows["reasonin~1"]
    assert any(p.startswith("v/") for p in fuzzy["loaded"])
    assert len([p for p in fuzzy["loaded"] if p.startswith("t/")]) <= 2
    assert hits["reason~1"] and hits["tranformer~2"] and hits["langauge~1 -agents"]
    if head_docs == 1:  # +/- of a split term reads its membership file, not every tier
        for query in ("+language -diffusion", "-language reasoning"):
            loaded = rows[query]["loaded"]
            assert any(p.startswith("m/") for p in loaded), (query, loaded)
        language = [t[0] for t in tails].index("languag")
        assert f"m/{language}.json" in rows["-language reasoning"]["loaded"]
        assert not any(p.startswith(f"x/{language}-") for p in rows["-language reasoning"]["loaded"])


def test_multi_letter_refs_merge_in_number_order(tmp_path: Path) -> None:
    """120 papers: refs "A".."z" then "BA"..; heads and tiers of a frequent word mix both,
    and "z" sorts after "BA" as a string, so search.js must merge them by number."""
    words = ["alpha", "beta", "gamma", "delta", "omega"]
    papers = [Paper(slug=f"s{i:03d}", title=f"{words[i % 5]} {words[i % 3]} study {i}",
                    date=dt.date(2025, 1, 1) + dt.timedelta(days=i % 7),
                    abstract=" ".join(words[(i * k) % 5] for k in range(1, 2 + i % 4)),
                    tags=(words[i % 2],)) for i in range(120)]
    assert ref_of(119) == "CP"
    outputs = search_outputs(_site(papers), Urls(BASE), shard_postings=40, head_docs=7)
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
    assert manifest["tails"] and manifest["docs"] == 120
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
    from sitegen.lunrindex import Analyzer

    texts = ["注意力机制", "ひらがなカタカナ", "한국어", "𠀀𠀁𠀂", "字"]
    script = ("const S=require('./themes/default/static/js/search.js');"
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
    assert 'src="/sub/static/vendor/lunr/lunr.js"' in page
    assert 'src="/sub/static/js/search.js"' in page
    assert "search-nojs" in page and 'href="/sub/archive/"' in page
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page)  # no inline handlers either (CSP)
    assert (site / "_site" / "static" / "vendor" / "lunr" / "LICENSE").is_file()
    manifest = json.loads((site / "_site" / "search" / "manifest.json").read_text())
    assert manifest["docs"] == 1


def test_cache_keeps_analyses_and_lists_outputs(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import sitegen.search as search
    from sitegen.cache import digest
    from sitegen.lunrindex import Analyzer
    from sitegen.model import Kept

    def cached(papers: list[Paper], intact=None) -> list:
        return list(search.cached_search_outputs(_site(papers), Urls(BASE), tmp_path, intact))

    first = cached(PAPERS)
    assert first == list(search_outputs(_site(PAPERS), Urls(BASE)))
    assert len(list(tmp_path.glob("search-*.bin"))) == 1
    analysed: list[int] = []
    real = Analyzer.analyse

    def counting(self, texts):
        analysed.append(1)
        return real(self, texts)

    monkeypatch.setattr(Analyzer, "analyse", counting)
    assert cached(PAPERS) == first and analysed == []  # made again from the cached analyses
    # the writer's manifest of intact files: every listed file there with its hash -> Kept
    intact = {o.path: (digest(o.data), None) for o in first}
    assert cached(PAPERS, intact) == [Kept(o.path) for o in first]
    stale = {**intact, "search/t/0.json": (digest(b"other"), None)}
    assert cached(PAPERS, stale) == first
    del stale["search/t/0.json"]
    assert cached(PAPERS, stale) == first
    edited = [*PAPERS[:-1], _paper("2408.00005", "Transformer Language Models", "Changed.")]
    second = cached(edited, intact)
    assert analysed == [1]  # only the edited paper
    assert second != first and second == list(search_outputs(_site(edited), Urls(BASE)))
    cache = next(tmp_path.glob("search-*.bin"))  # the old entry is gone
    cache.write_bytes(cache.read_bytes()[:-10])  # a truncated cache is rebuilt, not trusted
    analysed.clear()
    assert cached(edited) == second and len(analysed) == len(PAPERS)
    cache = next(tmp_path.glob("search-*.bin"))
    cache.write_bytes(search._pack([Output("search/manifest.json", b"stale")]))  # old layout
    assert cached(edited, intact) == second


def test_cache_extends_the_last_postings_when_a_day_is_added(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sitegen.search as search

    days = [Paper(slug=f"p{i:03d}", title=f"Paper {i} on diffusion", abstract=f"Text {i % 4}.",
                  date=dt.date(2025, 1, 1) + dt.timedelta(days=i // 5)) for i in range(20)]
    based: list[int] = []
    real = search.invert

    def recording(analyses, fields, base=None):
        based.append(base.count if base else None)
        return real(analyses, fields, base)

    monkeypatch.setattr(search, "invert", recording)

    def cached(papers: list[Paper]) -> list:
        return list(search.cached_search_outputs(_site(papers), Urls(BASE), tmp_path))

    def fresh(papers: list[Paper]) -> list:
        return list(search_outputs(_site(papers), Urls(BASE)))

    cached(days[:13])
    assert based == [0]
    assert cached(days) == fresh(days) and based[1] == 13  # 7 papers inverted, 13 reused
    older = Paper(slug="p999", title="Older", abstract="Text.", date=dt.date(2024, 1, 1))
    assert cached([*days, older]) == fresh([*days, older]) and based[3] == 0  # renumbered
    edited = [*days[:5], Paper(**{**days[5].__dict__, "title": "Edited"}), *days[6:]]
    assert cached(edited) == fresh(edited) and based[5] == 0


def test_empty_site_still_has_a_loadable_index(tmp_path: Path) -> None:
    outputs = {o.path: o.data for o in search_outputs(_site([]), Urls(BASE))}
    manifest = json.loads(outputs["search/manifest.json"])
    assert manifest["docs"] == 0 and manifest["shards"] == [""]
    shard = json.loads(outputs["search/t/0.json"])
    assert shard["invertedIndex"] == [] and shard["version"] == "2.3.9"
    (tmp_path / "search" / "t").mkdir(parents=True)
    for path, data in outputs.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    script = ("const S=require('./themes/default/static/js/search.js');const fs=require('fs');"
              "const dir=process.argv[1];const m=JSON.parse(fs.readFileSync(dir+'/manifest.json'));"
              "new S.Searcher(m,p=>Promise.resolve(JSON.parse(fs.readFileSync(dir+'/'+p))))"
              ".search('anything',10).then(f=>console.log(f.results.length))")
    assert _node("-e", script, str(tmp_path / "search")).strip() == "0"


def test_vendored_lunr_is_the_unmodified_npm_file() -> None:
    package = REPO / "node_modules" / "lunr"
    if not package.is_dir():
        pytest.skip("node_modules/lunr missing (run npm ci)")
    vendor = REPO / "themes" / "default" / "static" / "vendor" / "lunr"
    assert (vendor / "lunr.js").read_bytes() == (package / "lunr.js").read_bytes()
    assert (vendor / "LICENSE").read_bytes() == (package / "LICENSE").read_bytes()
    assert json.loads((package / "package.json").read_text())["version"] == "2.3.9"
