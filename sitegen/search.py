"""The search index: term-sharded lunr indexes plus a bucketed document store.

A reader's browser fetches `search/manifest.json` (the first term of every shard), then
only the shards holding its query's terms and the doc-store buckets of the results it
shows, so the first query stays small however large the archive grows. Every shard is
a complete lunr.js 2.3.9 index carrying the global term numbers and BM25 scores; a term
found in more than HEAD_DOCS papers keeps its strongest postings in its shard and the
rest in tiers (`search/x/`) that search.js fetches when its score bounds need them.
All of it together is exactly the one index lunr.js would load from a single file
(docs/search.md has the design, where results can differ, and the measured figures).
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .fileio import atomic_write_bytes
from .lunrindex import (
    Field,
    FullIndex,
    build_full_index,
    serialize,
    shard_ranges,
    split_heads,
)
from .model import Output, Paper, Site
from .textrender import preview
from .urls import Urls

#: Indexed fields and boosts: a word in the title outweighs the same word in the abstract.
FIELDS: tuple[Field, ...] = (
    Field("title", 10), Field("authors", 2), Field("tags", 3), Field("abstract", 1))
#: About this many postings per term shard (about 25 KB of gzip).
SHARD_POSTINGS = 4000
#: A term in more papers than this ships its strongest postings first, the rest on demand.
HEAD_DOCS = 2000
#: About this many papers per doc-store bucket.
BUCKET_DOCS = 8
SNIPPET_CHARS = 240
#: About this many terms per vocabulary file (fuzzy terms are expanded against it).
VOCAB_TERMS = 4000
MANIFEST_FORMAT = 2


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes; search.js computes the same to find a bucket."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def bucket_count(papers: int) -> int:
    """How many doc-store buckets `papers` papers are spread over."""
    return max(1, math.ceil(papers / BUCKET_DOCS))


def paper_fields(paper: Paper) -> dict[str, str]:
    """The text lunr indexes for one paper, by field."""
    return {
        "title": paper.title,
        "authors": " ".join(paper.authors),
        "tags": " ".join(paper.tags),
        "abstract": paper.abstract,
    }


def doc_record(paper: Paper, urls: Urls) -> dict[str, Any]:
    """What the results list shows: title, URL (relative to the base), day, tags, snippet."""
    snippet = preview(" ".join(paper.abstract.split()), SNIPPET_CHARS)
    return {"t": paper.title, "u": urls.rel("paper", paper), "d": paper.date.isoformat(),
            "g": list(paper.tags), "s": snippet}


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_index(papers: Sequence[Paper]) -> FullIndex:
    """One lunr index over all papers (refs are the paper slugs)."""
    return build_full_index(FIELDS, ((p.slug, paper_fields(p)) for p in papers))


def search_outputs(site: Site, urls: Urls, shard_postings: int = SHARD_POSTINGS,
                   head_docs: int = HEAD_DOCS) -> list[Output]:
    """The manifest, the term shards, the tails and the doc-store buckets, in a stable order.

    The cyclic garbage collector is paused meanwhile: the index is millions of small
    acyclic tuples, lists and dicts, and its passes over them doubled the build time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _search_outputs(site, urls, shard_postings, head_docs)
    finally:
        if enabled:
            gc.enable()


def _search_outputs(site: Site, urls: Urls, shard_postings: int, head_docs: int
                    ) -> list[Output]:
    papers = sorted(site.papers, key=lambda p: p.slug)
    full = build_index(papers)
    index, tails = split_heads(full, head_docs)
    ranges = shard_ranges(index, shard_postings)
    shards = [_json(serialize(index, start, stop)) for start, stop in ranges]
    tail_files = [[_json(serialize(tier, t.position, t.position + 1)) for tier in t.tiers]
                  for t in tails]
    # every paper holding a split term, by field: a +required or -excluded clause needs the
    # set, not the scores, so it reads this instead of every tier
    members = [_json({name: [ref for ref, _ in full.postings[t.position][name]]
                      for name in full.fields}) for t in tails]
    vocab_starts = vocab_chunks(ranges, VOCAB_TERMS)
    vocab = [_json(index.terms[ranges[a][0]:ranges[b - 1][1]])
             for a, b in zip(vocab_starts, vocab_starts[1:] + [len(ranges)], strict=True)]
    buckets: list[dict[str, Any]] = [{} for _ in range(bucket_count(len(papers)))]
    for paper in papers:
        buckets[fnv1a(paper.slug) % len(buckets)][paper.slug] = doc_record(paper, urls)
    stores = [_json(bucket) for bucket in buckets]
    digest = hashlib.sha256()
    for blob in shards + [b for tiers in tail_files for b in tiers] + stores + members + vocab:
        digest.update(hashlib.sha256(blob).digest())
    manifest = {
        "format": MANIFEST_FORMAT,
        "lunr": "2.3.9",
        "version": digest.hexdigest()[:12],
        "fields": [f.name for f in FIELDS],
        "docs": len(papers),
        "buckets": len(buckets),
        "shards": [index.terms[start] if start < len(index.terms) else ""
                   for start, _ in ranges],
        # [term, bounds] of every split term i; its tier j is x/<i>-<j>.json, and bounds[j]
        # is the largest score per field in tiers j and later
        "tails": [[index.terms[t.position], t.bounds] for t in tails],
        # the first shard of every vocabulary file v/<i>.json (the terms of its shards)
        "vocab": vocab_starts,
    }
    outputs = [Output(urls.output_path("search_manifest"), _json(manifest))]
    outputs += [Output(urls.output_path("search_shard", str(i)), blob)
                for i, blob in enumerate(shards)]
    outputs += [Output(urls.output_path("search_tail", f"{i}-{j}"), blob)
                for i, tiers in enumerate(tail_files) for j, blob in enumerate(tiers)]
    outputs += [Output(urls.output_path("search_docs", str(i)), blob)
                for i, blob in enumerate(stores)]
    outputs += [Output(urls.output_path("search_members", str(i)), blob)
                for i, blob in enumerate(members)]
    outputs += [Output(urls.output_path("search_vocab", str(i)), blob)
                for i, blob in enumerate(vocab)]
    return outputs


def vocab_chunks(ranges: Sequence[tuple[int, int]], target_terms: int) -> list[int]:
    """The first shard of each vocabulary file: runs of whole shards of about
    `target_terms` terms, so a term prefix's shards are covered by one or two files."""
    starts, size = [0], 0
    for shard, (start, stop) in enumerate(ranges):
        if size >= target_terms:
            starts.append(shard)
            size = 0
        size += stop - start
    return starts


def cache_key(papers: Sequence[Paper], urls: Urls) -> str:
    """A hash of everything the search files depend on: the papers' indexed text and
    doc records, and the code that turns them into files."""
    digest = hashlib.sha256()
    for module in (Path(__file__), Path(__file__).with_name("lunrindex.py")):
        digest.update(module.read_bytes())
    for paper in sorted(papers, key=lambda p: p.slug):
        digest.update(_json([paper.slug, paper_fields(paper), doc_record(paper, urls)]))
    return digest.hexdigest()[:24]


def _pack(outputs: Sequence[Output]) -> bytes:
    header = _json([[o.path, len(o.data)] for o in outputs])
    return zlib.compress(header + b"\n" + b"".join(o.data for o in outputs), 1)


def _unpack(blob: bytes) -> list[Output]:
    try:
        blob = zlib.decompress(blob)
    except zlib.error as exc:
        raise ValueError("damaged search cache") from exc
    header, _, body = blob.partition(b"\n")
    outputs, offset = [], 0
    for path, length in json.loads(header):
        outputs.append(Output(path, body[offset:offset + length]))
        offset += length
    if offset != len(body):
        raise ValueError("truncated search cache")
    return outputs


def cached_search_outputs(site: Site, urls: Urls, cache_dir: Path) -> list[Output]:
    """`search_outputs`, reused from `cache_dir` when no indexed text changed.

    Any new or edited paper changes every shard (idf and average lengths are global), so
    the cache serves rebuilds that change templates, notes or config: `sitegen serve`
    after a template edit skips the index. A broken or unwritable cache is ignored.
    """
    path = cache_dir / f"search-{cache_key(site.papers, urls)}.bin"
    try:
        return _unpack(path.read_bytes())
    except (OSError, ValueError):
        pass
    outputs = search_outputs(site, urls)
    try:
        for old in cache_dir.glob("search-*.bin"):
            old.unlink()
        atomic_write_bytes(path, _pack(outputs))
    except OSError:
        pass
    return outputs


def full_index_json(papers: Sequence[Paper]) -> bytes:
    """The whole index as one lunr.js file (tests and the benchmark compare shards to it)."""
    return _json(serialize(build_index(sorted(papers, key=lambda p: p.slug)), every_vector=True))
