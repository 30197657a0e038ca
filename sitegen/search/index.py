"""The search files (format 4): Site -> manifest, term shards of two segments, doc store.

A reader's browser fetches `search/manifest.json` (the archive-wide figures BM25 needs and
the first term of every shard of each segment), then only the shards holding its query's
terms and the doc-store buckets of the results it shows. Shards hold BM25's inputs (term
frequency, field length), not scores: search-core.js scores at query time exactly as
lunr.js 2.3.9 would score one index of every paper. Papers [0, BASE) form the base
segment, BASE = (papers // SEGMENT) * SEGMENT, the rest the recent segment: a new day
changes the recent segment, a few doc-store buckets and the manifest, and the base's files
only when BASE moves (docs/search.md).

The parts come from a `store.SearchStore`: without one every part is made here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

from sitegen.model import Kept, Output, Site
from sitegen.search.documents import BUCKET_DOCS, FIELDS, bucket_count, json_text, split_record
from sitegen.search.segment import Appendable, Segment
from sitegen.search.store import FileHash, MadeIndex, PlainStore, SearchStore, SegmentFiles
from sitegen.urls import Urls
from sitegen.util.fileid import digest
from sitegen.util.gcpause import gc_paused

#: About this many postings per term shard.
SHARD_POSTINGS = 4000
#: A term in more papers than this ships its strongest postings first, the rest on demand.
HEAD_DOCS = 2000
#: About this many terms per vocabulary file (fuzzy terms are expanded against it).
VOCAB_TERMS = 4000
#: Papers [0, BASE) form the base segment, BASE the largest multiple of SEGMENT not above
#: the paper count: it moves (and the base's files change) once every SEGMENT papers.
SEGMENT = 1024
MANIFEST_FORMAT = 4


@dataclass(frozen=True)
class Params:
    """How the index is cut (tests use small values)."""

    shard_postings: int = SHARD_POSTINGS
    head_docs: int = HEAD_DOCS
    segment: int = SEGMENT

    def base(self, papers: int) -> int:
        """The number of papers in the base segment."""
        return papers // self.segment * self.segment


def search_outputs(site: Site, urls: Urls, params: Params | None = None,
                   store: SearchStore | None = None) -> Iterator[Output | Kept]:
    """The base segment's files and doc-store buckets, the recent segment's, and, last,
    the manifest, in a stable order, made one at a time. Files the `store` says are as
    the last build left them come back as `Kept` (never without a store)."""
    params = params or Params()
    store = store if store is not None else PlainStore(urls)
    count = len(store.numbered(site))
    kept = store.kept_index()
    if kept is not None:
        yield from map(Kept, kept)
        return
    base = params.base(count)
    files: list[FileHash] = []

    def output(kind: str, name: str, data: bytes) -> Output:
        out = Output(urls.output_path(kind, name), data)
        files.append(FileHash(out.path, digest(data)))
        return out

    base_files = store.kept_base(base)
    made_base = None
    if base_files is not None:
        files.extend(base_files.files)
        yield from (Kept(f.path) for f in base_files.files)
    else:
        with gc_paused():
            segment = Segment("b", 0, store.analyses(0, base), [f.boost for f in FIELDS],
                              params.shard_postings, params.head_docs, VOCAB_TERMS)
        yield from _segment_files(output, segment, store, 0, base // BUCKET_DOCS, base)
        base_files = made_base = SegmentFiles(tuple(files),
                                              {**segment.manifest, "v": _version(files)})
    start = len(files)
    with gc_paused():
        recent = store.recent(base) or Appendable("r", base, len(FIELDS),
                                                  params.shard_postings, VOCAB_TERMS)
        recent.add(store.analyses(base + recent.count, count))
    yield from _segment_files(output, recent, store, base // BUCKET_DOCS, bucket_count(count),
                              count)
    recent_entry = {**recent.manifest, "v": _version(files[start:])}
    yield output("search_manifest", "", _manifest(base_files.entry, recent_entry, count, base,
                                                  params, files).encode("utf-8"))
    store.finish(MadeIndex(tuple(files), made_base, recent))


def _segment_files(output: Callable[[str, str, bytes], Output], segment: Segment | Appendable,
                   store: SearchStore, first_bucket: int, stop_bucket: int, stop: int
                   ) -> Generator[Output, None, None]:
    """A segment's files, then its doc-store buckets [first_bucket, stop_bucket) (the
    papers of the last one up to `stop`), and beside each its papers' word pairs (which
    only phrase queries fetch)."""
    with gc_paused():
        for file in segment.files():
            yield output(file.kind, file.name, file.data)
    for i in range(first_bucket, stop_bucket):
        records = store.records(i * BUCKET_DOCS, min(stop, (i + 1) * BUCKET_DOCS))
        docs, pairs = zip(*map(split_record, records), strict=True) if records else ((), ())
        yield output("search_docs", str(i), ("[" + ",".join(docs) + "]").encode("utf-8"))
        yield output("search_pairs", str(i), json_text(pairs).encode("utf-8"))


def _manifest(base_entry: dict, recent_entry: dict, count: int, base: int, params: Params,
              files: Sequence[FileHash]) -> str:
    """The manifest: archive-wide figures, how the index is cut, each segment's entry."""
    lengths = [a + b for a, b in zip(base_entry["lengths"], recent_entry["lengths"],
                                     strict=True)]
    return json_text({
        "format": MANIFEST_FORMAT,
        "lunr": "2.3.9",
        "version": _version(files),
        "fields": [f.name for f in FIELDS],
        "boosts": [f.boost for f in FIELDS],
        "docs": count,
        # per field the sum of every paper's field length: lunr's average is this / docs
        "lengths": lengths,
        "bucketDocs": BUCKET_DOCS,
        # doc-store buckets below this are the base's (fetched with its version)
        "baseBuckets": base // BUCKET_DOCS,
        "segment": params.segment,
        "segments": [base_entry, recent_entry],
    })


def _version(files: Sequence[FileHash]) -> str:
    return hashlib.sha256(b"".join(f.digest for f in files)).hexdigest()[:12]
