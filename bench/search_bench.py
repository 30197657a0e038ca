"""Search benchmark: payload of a first query and query latency at 1k, 10k and 50k papers.

    python bench/search_bench.py [--sizes 1000,10000,50000] [--queries 200] [--lunr-py]
    python bench/search_bench.py --site PATH   # a real site's papers instead (e.g. issue 7's)

Synthetic papers recombine the sentences and titles of tests/fixtures/daily-papers-aug11.txt;
each paper also gets a few invented words (model and dataset names) from a vocabulary that
grows with the archive, so the term count grows as in a real archive (Heaps' law) instead of
stopping at the sample's 2,000 words; 1% of papers carry Chinese sentences.

Reported per size: index build time; bytes of the whole index; the gzip bytes a reader
downloads for a first query (search page + CSS + lunr.js + search-*.js + manifest + the term
shards of the query + the doc-store buckets of the first 10 results); query latency in
node with lunr.js 2.3.9 (merging the query's shards and searching, shards already parsed),
p50/p95. Results go to bench/out/search-<size>/ and the table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.config import parse_config  # noqa: E402
from sitegen.model import Output, Paper, Site  # noqa: E402
from sitegen.render.templates import make_environment, render_template  # noqa: E402
from sitegen.search.documents import FIELDS, paper_fields  # noqa: E402
from sitegen.search.index import search_outputs  # noqa: E402
from sitegen.sources.dailytext import decode_page, parse_page  # noqa: E402
from sitegen.urls import Urls  # noqa: E402
from tests.lunroracle import full_index_json  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "daily-papers-aug11.txt"
OUT = REPO / "bench" / "out"
BASE = "https://example.org/repo/"
CHINESE = [
    "我们提出了一种基于注意力机制的新型视觉语言模型。",
    "实验结果表明该方法在多个基准数据集上取得了最优性能。",
    "大语言模型在数学推理任务中仍然存在明显的不足。",
    "本文研究了扩散模型在视频生成中的时间一致性问题。",
    "我们构建了一个包含十万条指令的中文多模态数据集。",
    "该框架能够有效降低推理成本并保持生成质量。",
]
TAGS = ["llm", "vision", "diffusion", "agents", "reasoning", "rl", "speech", "robotics",
        "retrieval", "multimodal", "efficiency", "safety", "3d", "video", "benchmark"]
SYLLABLES = ["ka", "lo", "mi", "ra", "zen", "tor", "vi", "qu", "ex", "nova", "sy", "pha",
             "gen", "dra", "lux", "mo", "tri", "bel", "cor", "den"]
FIRST = ["Wei", "Anna", "Jun", "Maria", "Ahmed", "Yuki", "Lars", "Priya", "Chen", "Omar",
         "Sofia", "Ivan", "Li", "Emma", "Kenji", "Noah", "Fatima", "Hao", "Lea", "Ravi"]
LAST = ["Zhang", "Smith", "Wang", "Garcia", "Kim", "Müller", "Rossi", "Tanaka", "Singh",
        "Nguyen", "Ivanova", "Li", "Chen", "Brown", "Silva", "Haddad", "Okafor", "Liu"]

NODE_SCRIPT = r"""
"use strict";
const fs = require("fs"), path = require("path");
const lunr = require(process.argv[4]);
const S = require(process.argv[5]);
const dir = process.argv[2], queries = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
const loaded = new Set();
const read = (p) => {
  loaded.add(p);
  return Promise.resolve(JSON.parse(fs.readFileSync(path.join(dir, p), "utf8")));
};
const out = [];
(async () => {
  for (const q of queries) {
    // A new searcher per query: nothing cached, as for a reader's first query.
    const searcher = new S.Searcher(manifest, read);
    loaded.clear();
    const c0 = process.hrtime.bigint();
    const found = await searcher.find(q, 10);  // what the page runs: typed prefix, retry
    const cold = Number(process.hrtime.bigint() - c0) / 1e6;
    const files = [...loaded];
    const top = found.results.slice(0, 10).map((r) => r.ref);
    await searcher.docs(top);
    const buckets = [...loaded].filter((p) => p.startsWith("d/"));
    const t0 = process.hrtime.bigint();
    await searcher.find(q, 10);  // the same query again: everything is loaded
    const t1 = process.hrtime.bigint();
    let overlap = 10, same = true;
    if (!found.exact) {  // how far is an unproved first page from lunr's? (every tier)
      const exact = (await searcher.find(q, 10, Infinity)).results.slice(0, 10);
      const approx = found.results.slice(0, 10).map((r) => r.ref);
      const want = exact.map((r) => r.ref);
      overlap = approx.filter((ref) => want.includes(ref)).length;
      same = approx.join() === want.join();
    }
    out.push({ q, overlap, same, files: files, buckets: buckets, hits: found.results.length,
               retried: Boolean(found.retry),
               complete: found.complete, exact: found.exact, ms: Number(t1 - t0) / 1e6,
               cold_ms: cold });
  }
  process.stdout.write(JSON.stringify(out));
})();

"""


def sample_corpus() -> tuple[list[str], list[str]]:
    """Titles and abstract sentences of the sample page."""
    text = decode_page(FIXTURE.read_bytes(), str(FIXTURE))
    page = parse_page(text, str(FIXTURE), dt.date(2025, 8, 20), 2025)
    titles = [p.title for p in page.papers]
    sentences = [s.strip() for p in page.papers for s in re.split(r"(?<=[.!?])\s+", p.abstract)
                 if len(s.strip()) > 20]
    return titles, sentences


def synthetic_papers(count: int, seed: int = 7) -> list[Paper]:
    """`count` papers over one year, recombined from the sample page (deterministic)."""
    rng = random.Random(seed)
    titles, sentences = sample_corpus()
    title_words = [w for t in titles for w in t.split()]
    vocab_size = max(2000, count * 2)
    zipf = [1 / (rank + 1) for rank in range(vocab_size)]
    invented = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        + (str(rng.randint(1, 9)) if rng.random() < 0.3 else "")
        for _ in range(vocab_size)]
    start = dt.date(2025, 1, 1)
    papers = []
    for i in range(count):
        day = start + dt.timedelta(days=i * 365 // count)
        names = rng.choices(invented, weights=zipf, k=rng.randint(2, 5))
        title = f"{names[0]}: " + " ".join(rng.sample(title_words, rng.randint(5, 10)))
        body = rng.sample(sentences, rng.randint(5, 9))
        body.insert(rng.randrange(len(body)), f"We release {' and '.join(names)}.")
        if rng.random() < 0.01:
            body += rng.sample(CHINESE, 2)
        authors = tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                        for _ in range(rng.randint(2, 8)))
        papers.append(Paper(
            slug=f"{day:%y%m}.{i:05d}", title=title, date=day, abstract=" ".join(body),
            authors=authors, tags=tuple(sorted(rng.sample(TAGS, rng.randint(1, 3)))),
            arxiv_id=f"{day:%y%m}.{i:05d}"))
    return papers


def queries_for(papers: list[Paper], count: int, seed: int = 11) -> dict[str, list[str]]:
    """Query groups: words and word pairs from titles, the most frequent words, syntax, CJK."""
    rng = random.Random(seed)
    words = [w.lower() for p in papers for w in re.findall(r"[A-Za-z]{4,}", p.title)]
    pool = [w for w in words if w not in {"with", "from", "that", "this", "your", "their"}]
    frequent = [w for w, _ in Counter(
        w.lower() for p in papers[:2000] for w in re.findall(r"[A-Za-z]{4,}", p.abstract)
    ).most_common(40) if w not in {"with", "from", "that", "this", "their", "which", "have",
                                    "these", "while", "such", "more", "than", "also"}][:10]
    def typo(word: str) -> str:  # one letter dropped or two swapped, as readers type
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1:] if rng.random() < 0.5 else \
            word[:i] + word[i + 1] + word[i] + word[i + 2:]

    titles = [re.findall(r"[A-Za-z]+", p.title) for p in papers]
    runs = [t[i:i + n] for t in titles for n in (2, 3) for i in range(len(t) - n + 1)]
    return {
        "title word": [rng.choice(pool) for _ in range(count)],
        "two words": [f"{rng.choice(pool)} {rng.choice(pool)}" for _ in range(count // 2)],
        "most frequent word": frequent,
        "typo (retried)": [typo(rng.choice([w for w in pool if len(w) >= 6]))
                           for _ in range(count // 4)],
        "quoted phrase": ['"' + " ".join(rng.choice(runs)) + '"' for _ in range(count // 4)],
        "word being typed": [rng.choice(pool)[:rng.randint(3, 6)] for _ in range(count // 4)],
        "syntax": ["title:diffusion", "+language -vision", "transform*", "reasonin~1",
                   "authors:zhang tags:llm"],
        "chinese": ["注意力机制", "扩散模型", "大语言模型 推理"],
    }


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6, mtime=0))


def page_bytes() -> int:
    """gzip bytes of the search page, its CSS, lunr.js and the search scripts."""
    config = parse_config(f'[site]\nbase_url = "{BASE}"\n')
    env = make_environment(config, Urls(BASE))
    html = render_template(env, "search.html", {"canonical": None, "output_path": "search/"})
    static = REPO / "themes" / "default" / "static"
    files = [static / "css" / "site.css", static / "vendor" / "lunr" / "lunr.min.js",
             *(static / "js" / f"search-{part}.js"
               for part in ("query", "core", "worker", "page", "shortcut"))]
    return gz(html) + sum(gz(f.read_bytes()) for f in files)


def write(outputs: list[Output], folder: Path) -> None:
    for out in outputs:
        path = folder / out.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.data)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def site_papers(root: Path) -> list[Paper]:
    """The papers of a site folder, with the tags its config's rules add (as a build)."""
    from sitegen.build.pipeline import assemble_site
    from sitegen.config import load_config
    from sitegen.store.papers import load_papers

    config = load_config(root)
    papers, _ = load_papers(root)
    return list(assemble_site(config, papers).papers)


def run_size(size: int, query_count: int, lunr_py: bool, site: Path | None = None) -> dict:
    papers = site_papers(site) if site else synthetic_papers(size)
    size = len(papers)
    site = Site(papers=tuple(papers), days=(), months=(), tags=(), updated=None)
    t0, c0 = time.perf_counter(), time.process_time()
    outputs = list(search_outputs(site, Urls(BASE)))
    build_s, build_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    folder = OUT / f"search-{size}"
    if folder.exists():
        for file in sorted(folder.rglob("*"), reverse=True):
            file.unlink() if file.is_file() else file.rmdir()
    write(outputs, folder)
    full = full_index_json(papers)
    row: dict = {"papers": size, "build_s": round(build_s, 2), "build_cpu_s": round(build_cpu_s, 2),
                 "files": len(outputs),
                 "output_mb": round(sum(len(o.data) for o in outputs) / 1e6, 1),
                 "output_mb_by_folder": {
                     d: round(sum(len(o.data) for o in outputs if f"/{d}/" in o.path) / 1e6, 1)
                     for d in ("t", "x", "m", "d", "p", "v")},
                 "shards": sum(1 for o in outputs if "/t/" in o.path),
                 "segments": {seg["id"]: seg["docs"] for seg in json.loads(
                     outputs[-1].data)["segments"]},
                 "full_index_gzip": gz(full)}
    if lunr_py:
        from lunr import lunr
        docs = [{"id": p.slug, **paper_fields(p)} for p in papers]
        t0, c0 = time.perf_counter(), time.process_time()
        lunr("id", [{"field_name": f.name, "boost": f.boost} for f in FIELDS], docs)
        row["lunr_py_s"] = round(time.perf_counter() - t0, 2)
        row["lunr_py_cpu_s"] = round(time.process_time() - c0, 2)
    groups = queries_for(papers, query_count)
    queries = [q for qs in groups.values() for q in qs]
    (folder / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
    (folder / "bench.js").write_text(NODE_SCRIPT)
    proc = subprocess.run(
        ["node", str(folder / "bench.js"), str(folder / "search"), str(folder / "queries.json"),
         str(REPO / "node_modules" / "lunr"),
         str(REPO / "themes" / "default" / "static" / "js" / "search-core.js")],
        check=True, capture_output=True, text=True)
    measured = json.loads(proc.stdout)
    sizes = {o.path: o.data for o in outputs}
    gz_cache: dict[str, int] = {}

    def gzip_of(path: str) -> int:
        if path not in gz_cache:
            gz_cache[path] = gz(sizes[path])
        return gz_cache[path]

    fixed = page_bytes() + gzip_of("search/manifest.json")
    row["page_and_manifest_gzip"] = fixed
    by_query = {}
    for m in measured:
        payload = fixed + sum(gzip_of(f"search/{p}") for p in m["files"] + m["buckets"])
        by_query[m["q"]] = (payload, m["ms"], m["complete"], m["hits"],
                            sum(p.startswith("x/") for p in m["files"]), m["cold_ms"],
                            m["exact"], m["overlap"], m["same"], m["retried"])
    row["worst"] = sorted(([q, v[0], round(v[1], 1)] for q, v in by_query.items()),
                          key=lambda x: -x[1])[:5]
    row["groups"] = {}
    for name, qs in groups.items():
        payloads = [by_query[q][0] for q in qs]
        times = [by_query[q][1] for q in qs]
        row["groups"][name] = {
            "queries": len(qs), "payload_p50": pct(payloads, 50),
            "payload_p95": pct(payloads, 95), "payload_max": max(payloads),
            "ms_p50": round(pct(times, 50), 2), "ms_p95": round(pct(times, 95), 2),
            "hits_min": min(by_query[q][3] for q in qs),
            "with_tails": sum(1 for q in qs if by_query[q][4]),
            "not_proved": sum(1 for q in qs if not by_query[q][6]),
            "retried": sum(1 for q in qs if by_query[q][9])}
    all_times = [v[1] for v in by_query.values()]
    row["ms_p50"] = round(statistics.median(all_times), 2)
    row["ms_p95"] = round(pct(all_times, 95), 2)
    row["cold_ms_p50"] = round(pct([v[5] for v in by_query.values()], 50), 2)
    row["cold_ms_p95"] = round(pct([v[5] for v in by_query.values()], 95), 2)
    unproved = [v for v in by_query.values() if not v[6]]
    row["first_pages_not_proved"] = f"{len(unproved)} of {len(by_query)} distinct queries"
    row["unproved_top10_overlap_mean"] = round(statistics.mean(v[7] for v in unproved), 2) \
        if unproved else None
    row["unproved_top10_same_order"] = sum(1 for v in unproved if v[8])
    row["queries_with_tails"] = sum(1 for v in by_query.values() if v[4])
    row["tails"] = sum(1 for o in outputs if "/x/" in o.path)
    row["payload_max"] = max(v[0] for v in by_query.values())
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--lunr-py", action="store_true", help="also time lunr.py's builder")
    parser.add_argument("--site", type=Path, help="index this site's papers (one run)")
    args = parser.parse_args()
    rows = []
    for size in ([0] if args.site else (int(s) for s in args.sizes.split(","))):
        row = run_size(size, args.queries, args.lunr_py, args.site)
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)
    print("\npapers  build_s  shards  full_gz_KB  first_query_gz_KB p50/p95/max  query_ms p50/p95")
    for row in rows:
        payloads = [g["payload_p50"] for g in row["groups"].values()]
        print(f"{row['papers']:>6}  {row['build_s']:>7}  {row['shards']:>6}  "
              f"{row['full_index_gzip'] / 1024:>10.0f}  "
              f"{statistics.median(payloads) / 1024:.0f}/"
              f"{max(g['payload_p95'] for g in row['groups'].values()) / 1024:.0f}/"
              f"{row['payload_max'] / 1024:.0f}  {row['ms_p50']}/{row['ms_p95']}")


if __name__ == "__main__":
    main()
