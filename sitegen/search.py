"""The search index: term-sharded lunr indexes plus a numbered document store.

A reader's browser fetches `search/manifest.json` (the first term of every shard), then
only the shards holding its query's terms and the doc-store buckets of the results it
shows, so the first query stays small however large the archive grows. Every shard is
a complete lunr.js 2.3.9 index carrying the global term numbers and BM25 scores; a term
found in more than HEAD_DOCS papers keeps its strongest postings in its shard and the
rest in tiers (`search/x/`) that search.js fetches when its score bounds need them.
All of it together is exactly the one index lunr.js would load from a single file
(docs/search.md has the design, where results can differ, and the measured figures).

Papers are numbered oldest first (date, then slug) and their lunr refs are those numbers
in base 52 (`lunrindex.ref_of`): a new day's papers get new numbers and old papers keep
theirs, and a ref costs 3 bytes instead of a 60-character slug in every posting.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import math
import os
import pickle
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .cache import FORMAT as CACHE_FILE_FORMAT
from .cache import digest
from .lunrindex import (
    Analysis,
    Analyzer,
    Field,
    FullIndex,
    Inverted,
    index_analyses,
    index_inverted,
    invert,
    serialize,
    shard_ranges,
    split_heads,
)
from .model import Kept, Output, Paper, Site
from .textrender import preview
from .urls import Urls

#: Indexed fields and boosts: a word in the title outweighs the same word in the abstract.
FIELDS: tuple[Field, ...] = (
    Field("title", 10), Field("authors", 2), Field("tags", 3), Field("abstract", 1))
#: About this many postings per term shard (about 25 KB of gzip).
SHARD_POSTINGS = 4000
#: A term in more papers than this ships its strongest postings first, the rest on demand.
HEAD_DOCS = 2000
#: Papers per doc-store bucket: paper number n is entry n % BUCKET_DOCS of d/<n // BUCKET_DOCS>.
BUCKET_DOCS = 8
SNIPPET_CHARS = 240
#: About this many terms per vocabulary file (fuzzy terms are expanded against it).
VOCAB_TERMS = 4000
MANIFEST_FORMAT = 3
#: Bumped when the cache file's layout changes (its entries are also keyed by the code).
CACHE_FORMAT = 1


def bucket_count(papers: int) -> int:
    """How many doc-store buckets `papers` papers are spread over."""
    return max(1, math.ceil(papers / BUCKET_DOCS))


def paper_order(papers: Sequence[Paper]) -> list[Paper]:
    """Papers in search number order: oldest first, so a new day appends numbers."""
    return sorted(papers, key=lambda p: (p.date, p.slug))


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


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def build_index(papers: Sequence[Paper]) -> FullIndex:
    """One lunr index over all papers, numbered in `paper_order`."""
    analyzer = Analyzer()
    return index_analyses(FIELDS, [_analyse(analyzer, p) for p in paper_order(papers)])


def _analyse(analyzer: Analyzer, paper: Paper) -> Analysis:
    fields = paper_fields(paper)
    return analyzer.analyse([fields[f.name] for f in FIELDS])


class _Papers:
    """What the search files need of each paper (its analysis and doc record), reused
    from the cache for papers whose indexed text and record did not change."""

    def __init__(self, papers: Sequence[Paper], urls: Urls) -> None:
        self.papers = paper_order(papers)
        self.urls = urls
        #: per paper, a hash of everything its search data depends on
        self.keys: list[bytes] = []
        for paper in self.papers:
            self.keys.append(digest("\x1f".join([
                paper.slug, urls.rel("paper", paper), paper.date.isoformat(),
                "\x1e".join(paper.tags), *paper_fields(paper).values()]).encode(
                    "utf-8", "surrogatepass")))
        self.entries: dict[bytes, tuple[Analysis, str]] = {}

    def fill(self, cached: Mapping[bytes, tuple[Analysis, str]] | None = None) -> _Papers:
        """Each paper's analysis and record: from `cached`, or made (new or edited papers)."""
        cached = cached or {}
        analyzer: Analyzer | None = None
        for paper, key in zip(self.papers, self.keys, strict=True):
            if key in self.entries:
                continue
            entry = cached.get(key)
            if entry is None:
                analyzer = analyzer or Analyzer()
                entry = (_analyse(analyzer, paper), _text(doc_record(paper, self.urls)))
            self.entries[key] = entry
        return self

    def analyses(self) -> list[Analysis]:
        return [self.entries[key][0] for key in self.keys]

    def records(self) -> list[str]:
        return [self.entries[key][1] for key in self.keys]


def search_outputs(site: Site, urls: Urls, shard_postings: int = SHARD_POSTINGS,
                   head_docs: int = HEAD_DOCS) -> Iterator[Output]:
    """The term shards, the tails, the doc-store buckets, the membership and vocabulary
    files and, last, the manifest, in a stable order, made one at a time."""
    return _outputs(_Papers(site.papers, urls).fill(), urls, shard_postings, head_docs)


def _outputs(papers: _Papers, urls: Urls, shard_postings: int = SHARD_POSTINGS,
             head_docs: int = HEAD_DOCS, inverted: Inverted | None = None
             ) -> Iterator[Output]:
    # The cyclic garbage collector is paused while the index is built: it is millions of
    # small acyclic lists and strings, and the collector's passes over them cost seconds.
    enabled = gc.isenabled()
    gc.disable()
    try:
        inverted = invert(papers.analyses(), len(FIELDS), inverted)
        full = index_inverted(FIELDS, inverted)
        index, tails = split_heads(full, head_docs)
    finally:
        if enabled:
            gc.enable()
    ranges = shard_ranges(index, shard_postings)
    version = hashlib.sha256()

    def output(kind: str, name: str, data: bytes) -> Output:
        version.update(digest(data))
        return Output(urls.output_path(kind, name), data)

    for i, (start, stop) in enumerate(ranges):
        yield output("search_shard", str(i), serialize(index, start, stop))
    for i, tail in enumerate(tails):
        for j, tier in enumerate(tail.tiers):
            yield output("search_tail", f"{i}-{j}",
                         serialize(index, tail.position, tail.position + 1, postings=[tier]))
    records = papers.records()
    for i in range(bucket_count(len(records))):
        chunk = records[i * BUCKET_DOCS:(i + 1) * BUCKET_DOCS]
        yield output("search_docs", str(i), ("[" + ",".join(chunk) + "]").encode("utf-8"))
    # every paper holding a split term, by field: a +required or -excluded clause needs the
    # set, not the scores, so it reads this instead of every tier. Paper numbers ascend;
    # each is stored as the difference from the previous one.
    for i, tail in enumerate(tails):
        members = {}
        for name, (docs, _) in zip(full.fields, full.postings[tail.position], strict=True):
            members[name] = [b - a for a, b in zip([0] + docs, docs, strict=False)]
        yield output("search_members", str(i), _json(members))
    vocab_starts = vocab_chunks(ranges, VOCAB_TERMS)
    for i, (a, b) in enumerate(zip(vocab_starts, vocab_starts[1:] + [len(ranges)],
                                   strict=True)):
        yield output("search_vocab", str(i), _json(index.terms[ranges[a][0]:ranges[b - 1][1]]))
    manifest = {
        "format": MANIFEST_FORMAT,
        "lunr": "2.3.9",
        "version": version.hexdigest()[:12],
        "fields": [f.name for f in FIELDS],
        "docs": len(records),
        "bucketDocs": BUCKET_DOCS,
        "shards": [index.terms[start] if start < len(index.terms) else ""
                   for start, _ in ranges],
        # [term, bounds] of every split term i; its tier j is x/<i>-<j>.json, and bounds[j]
        # is the largest score per field in tiers j and later
        "tails": [[index.terms[t.position], t.bounds] for t in tails],
        # the first shard of every vocabulary file v/<i>.json (the terms of its shards)
        "vocab": vocab_starts,
    }
    yield Output(urls.output_path("search_manifest"), _json(manifest))


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


def _code_key() -> bytes:
    parts = [Path(__file__), Path(__file__).with_name("lunrindex.py")]
    return digest(b"".join(p.read_bytes() for p in parts) + str(CACHE_FORMAT).encode())


def _load_cache(cache_dir: Path, code: bytes) -> tuple[dict[str, Any], Path | None]:
    """The header of the last build's cache file (its key and output list) and the file,
    or ({}, None) when it is missing, damaged or from another code version."""
    try:
        paths = sorted(cache_dir.glob("search-*.bin"))
    except OSError:
        return {}, None
    for path in paths:
        header = _unpickle(path, 0)
        if (isinstance(header, dict) and header.get("format") == _file_format()
                and header.get("code") == code):
            return header, path
    return {}, None


def _unpickle(path: Path, skip: int) -> Any:
    """The pickle after the first `skip` pickles of `path`, or None if unreadable."""
    try:
        with open(path, "rb") as handle:
            # our own cache, written by this program into the site folder: as trusted
            # as the site's templates and config (as cache.load_state says)
            for _ in range(skip):
                pickle.load(handle)  # noqa: S301
            return pickle.load(handle)  # noqa: S301
    except Exception:  # a damaged, truncated or foreign cache: build without it
        return None


def _load_body(path: Path | None) -> dict[str, Any]:
    """The second part of the cache file: the papers' analyses and the postings."""
    body = _unpickle(path, 1) if path is not None else None
    return body if isinstance(body, dict) else {}


def _file_format() -> tuple[object, ...]:
    return (CACHE_FILE_FORMAT, CACHE_FORMAT, sys.version_info[:2])


def cached_search_outputs(site: Site, urls: Urls, cache_dir: Path,
                          intact: Mapping[str, tuple[bytes, Any]] | None = None
                          ) -> Iterator[Output | Kept]:
    """`search_outputs`, made from what `cache_dir` remembers of the last build.

    The cache file (`search-<key>.bin`) holds two pickles: a header (a hash of every
    paper's search data and the code, and the list of the last outputs with their
    content hashes), then each paper's analysis (terms, counts, lengths) and doc record
    by a hash of its text, so only new or edited papers are analysed again, and the
    postings before scoring, extended when a day is added. When no paper changed and
    `intact` (the writer's manifest of files verified in the output folder: path ->
    (content hash, stat)) holds every listed file with the same hash, the files come back
    as `Kept` and only the header is read. A broken or unwritable cache is ignored.
    """
    code = _code_key()
    header, path = _load_cache(cache_dir, code)
    papers = _Papers(site.papers, urls)
    key = digest(b"".join(papers.keys) + urls.base_url.encode()).hex()
    listing = header.get("outputs") if header.get("key") == key else None
    if listing and intact is not None and all(
            path in intact and intact[path][0] == hashed for path, hashed in listing):
        yield from (Kept(path) for path, _ in listing)
        return
    body = _load_body(path)
    papers.fill(body.get("papers"))
    # the postings of the last build's papers, when they are the first papers now (a new
    # day appends paper numbers): only the new papers are inverted
    inverted = body.get("inverted")
    if not isinstance(inverted, Inverted) or body.get("inverted_keys") != papers.keys[
            :inverted.count]:
        inverted = Inverted.empty(len(FIELDS))
    del body
    made = []
    for out in _outputs(papers, urls, inverted=inverted):  # extends `inverted` in place
        made.append((out.path, digest(out.data)))
        yield out
    _save(cache_dir, key, {"format": _file_format(), "code": code, "key": key,
                           "outputs": made},
          {"papers": papers.entries, "inverted": inverted, "inverted_keys": papers.keys})


def _save(cache_dir: Path, key: str, header: dict[str, Any], body: dict[str, Any]) -> None:
    """Replace the cache file, pickled straight to disk (`cache.save_state` would hold the
    20 MB pickle in memory as well, at the build's end); failing never fails the build."""
    path = cache_dir / f"search-{key[:24]}.bin"
    tmp = cache_dir / f".search-{key[:24]}.tmp"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in [*cache_dir.glob("search-*.bin"), *cache_dir.glob(".search-*.tmp")]:
            old.unlink()  # the last file, and any a killed build left half written
        with open(tmp, "wb") as handle:
            pickle.dump(header, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(body, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            tmp.unlink()


def _pack(outputs: Sequence[Output]) -> bytes:
    """The cache layout before format 1 (a zlib pack of every output); tests write it to
    check an old or foreign cache file is ignored."""
    header = _json([[o.path, len(o.data)] for o in outputs])
    return zlib.compress(header + b"\n" + b"".join(o.data for o in outputs), 1)


def full_index_json(papers: Sequence[Paper]) -> bytes:
    """The whole index as one lunr.js file (tests and the benchmark compare shards to it)."""
    return serialize(build_index(papers), every_vector=True)
