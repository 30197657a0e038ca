"""The search index (format 4): two segments of term shards plus a numbered doc store.

A reader's browser fetches `search/manifest.json` (the archive-wide figures BM25 needs and
the first term of every shard of each segment), then only the shards holding its query's
terms and the doc-store buckets of the results it shows. Shards hold BM25's inputs (term
frequency, field length), not scores: search.js scores at query time exactly as lunr.js
2.3.9 would score one index of every paper. Papers [0, BASE) form the base segment, BASE
= (papers // SEGMENT) * SEGMENT, the rest the recent segment: a new day changes the recent
segment, a few doc-store buckets and the manifest, and the base's files only when BASE
moves (docs/search.md has the design, the bounds, and the measured figures).

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
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, groupby, islice, pairwise
from operator import attrgetter
from pathlib import Path
from typing import Any

from sitegen.incremental import searchcache
from sitegen.model import Day, Kept, Output, Paper, Site
from sitegen.render.textrender import preview
from sitegen.search.analyser import Analysis, Analyzer, Field, FullIndex, index_analyses, serialize
from sitegen.search.segment import Appendable, Segment
from sitegen.urls import Urls
from sitegen.util.fileid import digest

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
#: Papers [0, BASE) form the base segment, BASE the largest multiple of SEGMENT not above
#: the paper count: it moves (and the base's files change) once every SEGMENT papers.
SEGMENT = 1024
MANIFEST_FORMAT = 4
#: Papers per pickle of the base's analyses in the cache (read and written a chunk at a time)
CHUNK_PAPERS = 1024
#: Tokens whose terms the cache keeps for the next build's new papers (the last used:
#: about those of the last 800 papers of the benchmark's corpus)
TOKENS_KEPT = 6000


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a segment is millions of small acyclic lists,
    and the collector's passes over them (and over every loaded paper) cost seconds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def bucket_count(papers: int) -> int:
    """How many doc-store buckets `papers` papers are spread over."""
    return max(1, math.ceil(papers / BUCKET_DOCS))


def paper_order(papers: Sequence[Paper], days: Sequence[Day] = ()) -> list[Paper]:
    """Papers in search number order: oldest first, so a new day appends numbers.

    `days`: the site's days (newest first), used when they hold `papers` (`days_hold`):
    each day's papers sorted by slug, the days reversed."""
    by_slug = attrgetter("slug")
    if days_hold(papers, days):
        return [p for day in reversed(days) for p in sorted(day.papers, key=by_slug)]
    # Otherwise runs of one day, newest day first: the order is the runs reversed, each
    # sorted by slug (a sort of 30 papers a day, no key built per paper)
    runs = [list(run) for _, run in groupby(papers, key=attrgetter("date"))]
    if all(a[0].date > b[0].date for a, b in pairwise(runs)):
        return [p for run in reversed(runs) for p in sorted(run, key=by_slug)]
    # any other order: one string per paper (ISO dates sort as dates, all 10 characters
    # long): comparing (date, slug) tuples took 0.17 s for 50,000 papers, these a fifth
    keys = [f"{p.date.isoformat()}\x00{p.slug}" for p in papers]
    return [papers[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]


def days_hold(papers: Sequence[Paper], days: Sequence[Day]) -> bool:
    """Whether `days` (newest first) hold exactly `papers` in that order, as `Site.days`
    and `Site.papers` do. A day's papers are those of its date (`assemble`): their dates
    are not read (in a forked child each object read costs a page copy)."""
    return bool(days) and len(papers) == sum(len(day.papers) for day in days) \
        and all(a.date > b.date for a, b in pairwise(days)) \
        and tuple(chain.from_iterable(day.papers for day in days)) == tuple(papers)


def day_orders(days: Sequence[Day], digests: Mapping[int, tuple[Any, bytes]],
               known: Mapping[bytes, tuple[int, ...]]
               ) -> tuple[list[Paper], list[bytes], dict[bytes, tuple[int, ...]]]:
    """Papers and their keys (`paper_keys`) in search number order, from the site's days,
    and each day's order by slug (its papers' positions) by a digest of its papers' keys.
    A day whose order is `known` (the last build's) is not sorted: its papers' slugs are
    not read."""
    papers: list[Paper] = []
    keys: list[bytes] = []
    orders: dict[bytes, tuple[int, ...]] = {}
    for day in reversed(days):
        found = day.papers
        found_keys = paper_keys(found, digests)
        day_key = digest(b"".join(found_keys))
        order = known.get(day_key)
        if order is None or len(order) != len(found):
            order = tuple(sorted(range(len(found)), key=lambda i: found[i].slug))
        orders[day_key] = order
        papers += map(found.__getitem__, order)
        keys += map(found_keys.__getitem__, order)
    return papers, keys, orders


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


def paper_keys(papers: Iterable[Paper], digests: Mapping[int, tuple[Any, bytes]]
               ) -> list[bytes]:
    """Each paper's `content.paper_digest`: from `digests` (by object id, the object kept
    in it) where it is there, else computed."""
    from sitegen.incremental.digests import paper_digest

    get = digests.get
    keys = []
    for paper in papers:
        hit = get(id(paper))
        keys.append(hit[1] if hit is not None and hit[0] is paper else paper_digest(paper))
    return keys


def _analyse(analyzer: Analyzer, paper: Paper) -> Analysis:
    fields = paper_fields(paper)
    return analyzer.analyse([fields[f.name] for f in FIELDS])


class _Papers:
    """What the search files need of each paper (its analysis and doc record), reused
    from the cache for papers whose indexed text and record did not change."""

    def __init__(self, papers: Sequence[Paper], urls: Urls,
                 digests: Mapping[int, tuple[Any, bytes]] | None = None,
                 days: Sequence[Day] = (),
                 orders: Mapping[bytes, tuple[int, ...]] | None = None) -> None:
        """`days`: the site's (`paper_order`); `orders`: each day's order by slug as the
        last build found it (`day_orders`)."""
        self.urls = urls
        #: per paper, a digest of the whole paper (everything its search data depends on
        #: and more; its URL is made from its slug, the base URL is part of the cache
        #: keys): the one the build already has (`digests`, the page cache's memo of
        #: `content.paper_digest`s), so that an unchanged paper costs a lookup, not a hash
        self.keys: list[bytes]
        #: each day's order by slug, for the next build
        self.orders: dict[bytes, tuple[int, ...]] = {}
        if days_hold(papers, days):
            self.papers, self.keys, self.orders = day_orders(days, digests or {},
                                                             orders or {})
        else:
            self.papers = paper_order(papers)
            self.keys = paper_keys(self.papers, digests or {})
        self.entries: dict[bytes, tuple[Analysis | None, str]] = {}
        #: the base's analyses, one at a time (`stream`), when not taken from `entries`
        self.base: Iterator[Analysis] | None = None
        #: the recent segment as the last build left it (`recent_segment` goes on from
        #: it when its papers are the first of this build's recent ones), then this one's
        self.recent: dict[str, Any] = {}
        self.recent_made: Appendable | None = None
        self.resumed: int | None = None  # the papers of the last recent segment gone on from
        #: the recent papers' analyses file: (path, code key, its id, its length known)
        self.analyses_file: tuple[Path, bytes, str, int] | None = None
        self.stored: dict[bytes, Analysis] | None = None  # what `read_analyses` read
        #: terms by token (`Analyzer`), as the last builds made them (`TOKENS_KEPT`)
        self.tokens: dict[str, tuple[str, ...]] = {}
        self._analyzer: Analyzer | None = None

    def analyzer(self) -> Analyzer:
        """The analyzer of new or edited papers, with the tokens known (made on first use:
        a build with no new paper does not import lunr's pipeline)."""
        if self._analyzer is None:
            self._analyzer = Analyzer(self.tokens)
        return self._analyzer

    def kept_tokens(self) -> dict[str, tuple[str, ...]]:
        """The tokens to keep for the next build: the `TOKENS_KEPT` used last (those of
        this build's new papers last; the words of every day stay)."""
        tokens = self.tokens
        used = self._analyzer.used if self._analyzer is not None else set()
        if used:
            kept = {t: terms for t, terms in tokens.items() if t not in used}
            kept.update((t, terms) for t, terms in tokens.items() if t in used)
            tokens = kept
        if len(tokens) <= TOKENS_KEPT:
            return tokens
        return dict(islice(tokens.items(), len(tokens) - TOKENS_KEPT, None))

    def fill(self, records: Mapping[bytes, str] | None = None, start: int = 0) -> _Papers:
        """The record of each paper from number `start` on, from `records` (its analysis
        then read when needed: `analyses`), or the analysis and record made (new or
        edited papers)."""
        records = records or {}
        for paper, key in zip(self.papers[start:], self.keys[start:], strict=True):
            if key in self.entries:
                continue
            record = records.get(key)
            self.entries[key] = (None, record) if record is not None else self._make(paper)
        return self

    def _make(self, paper: Paper) -> tuple[Analysis, str]:
        return _analyse(self.analyzer(), paper), _text(doc_record(paper, self.urls))

    def read_analyses(self) -> dict[bytes, Analysis]:
        """The analyses in the recent papers' cache file (read once, when first needed:
        a day that goes on from the last recent segment needs none of them)."""
        if self.stored is None:
            self.stored = {}
            if self.analyses_file is not None:
                path, code, ident, length = self.analyses_file
                for chunk in searchcache.read_chunks(path, code, ident, length):
                    self.stored.update(chunk)
        return self.stored

    def cached_entries(self, records: Mapping[bytes, str]) -> dict[bytes, tuple[Analysis, str]]:
        """The last recent papers' cached analyses with their `records` (for `stream`)."""
        stored = self.read_analyses()
        return {key: (stored[key], record) for key, record in records.items() if key in stored}

    def stream(self, stop: int, old: Iterable[dict[bytes, Any]],
               cached: Mapping[bytes, tuple[Analysis, str]],
               save: Callable[[dict[bytes, Any]], None] | None = None) -> Iterator[Analysis]:
        """The analyses of papers [0, stop), one at a time, each from `old` (the last
        base's entries in chunks of paper-number order, read as the numbers advance),
        `cached`, or made; only the records are kept, and `save` gets the entries in
        chunks of CHUNK_PAPERS. So the base is inverted without holding every analysis."""
        window: deque[dict[bytes, Any]] = deque(maxlen=3)
        chunks, covered = iter(old), 0
        out: dict[bytes, Any] = {}
        for i, (paper, key) in enumerate(zip(self.papers[:stop], self.keys[:stop],
                                             strict=True)):
            while chunks is not None and covered <= i + CHUNK_PAPERS:  # read ahead
                chunk = next(chunks, None)
                if chunk is None:
                    chunks = None
                else:
                    window.append(chunk)
                    covered += len(chunk)
            entry = cached.get(key) or next((w[key] for w in window if key in w), None)
            if entry is None:
                entry = (_analyse(self.analyzer(), paper), _text(doc_record(paper, self.urls)))
            self.entries[key] = (None, entry[1])
            if save is not None:
                out[key] = entry
                if len(out) >= CHUNK_PAPERS:
                    save(out)
                    out = {}
            yield entry[0]
        if save is not None and out:
            save(out)

    def recent_segment(self, start: int, stop: int, params: Params) -> Appendable:
        """The recent segment, papers [start, stop): the last build's with the papers
        added since, when its papers are this one's first ones, else made anew."""
        segment = None
        if self.recent:
            with contextlib.suppress(Exception):  # a cache of another shape: made anew
                keys = self.recent["keys"]
                resumed = Appendable.resume(self.recent["segment"], params.shard_postings,
                                            VOCAB_TERMS)
                if resumed.first == start and resumed.ident == "r" \
                        and resumed.fields == len(FIELDS) and resumed.count == len(keys) \
                        and self.keys[start:start + len(keys)] == keys:
                    segment = resumed
        if segment is None:
            segment = Appendable("r", start, len(FIELDS), params.shard_postings, VOCAB_TERMS)
        else:
            self.resumed = segment.count
        segment.add(self.analyses(start + segment.count, stop))
        self.recent_made = segment
        return segment

    def analyses(self, start: int, stop: int) -> Iterator[Analysis]:
        """The analyses of papers [start, stop) (filled): kept, read from the cache, or
        made (a paper whose analysis the cache lost)."""
        for paper, key in zip(self.papers[start:stop], self.keys[start:stop], strict=True):
            analysis, record = self.entries[key]
            if analysis is None:
                analysis = self.read_analyses().get(key)
                if analysis is None:
                    analysis = _analyse(self.analyzer(), paper)
                self.entries[key] = (analysis, record)
            yield analysis

    def records(self, start: int, stop: int) -> list[str]:
        return [self.entries[key][1] for key in self.keys[start:stop]]


@dataclass(frozen=True)
class Params:
    """How the index is cut (tests use small values)."""

    shard_postings: int = SHARD_POSTINGS
    head_docs: int = HEAD_DOCS
    segment: int = SEGMENT

    def base(self, papers: int) -> int:
        """The number of papers in the base segment."""
        return papers // self.segment * self.segment


def search_outputs(site: Site, urls: Urls, shard_postings: int = SHARD_POSTINGS,
                   head_docs: int = HEAD_DOCS, segment: int = SEGMENT) -> Iterator[Output]:
    """The base segment's files and doc-store buckets, the recent segment's, and, last,
    the manifest, in a stable order, made one at a time."""
    params = Params(shard_postings, head_docs, segment)
    papers = _Papers(site.papers, urls, None, site.days)
    base = params.base(len(papers.keys))
    papers.fill(start=base)
    papers.base = papers.stream(base, (), {})
    out = _outputs(papers, urls, params, None, {})
    return (o for o in out if isinstance(o, Output))


def _outputs(papers: _Papers, urls: Urls, params: Params, kept: Mapping[str, Any] | None,
             record: dict[str, Any]) -> Iterator[Output | Kept]:
    """Every search file; the base's as `Kept` when `kept` (the base's cache header: its
    files and manifest entry) is given. Fills `record` with the base's header and every
    file's (path, content hash)."""
    count = len(papers.keys)
    base = params.base(count)
    made: list[tuple[str, bytes]] = []

    def output(kind: str, name: str, data: bytes) -> Output:
        out = Output(urls.output_path(kind, name), data)
        made.append((out.path, digest(data)))
        return out

    if kept is not None:
        made.extend(kept["outputs"])
        yield from (Kept(path) for path, _ in kept["outputs"])
        base_entry = kept["manifest"]
    else:
        base_entry = yield from _segment(output, "b", papers, 0, base, params.head_docs,
                                         params)
        base_entry["v"] = _version(made)
        record["base"] = {"outputs": list(made), "manifest": base_entry}
    start = len(made)
    recent_entry = yield from _segment(output, "r", papers, base, count, None, params)
    recent_entry["v"] = _version(made[start:])
    lengths = [a + b for a, b in zip(base_entry["lengths"], recent_entry["lengths"],
                                     strict=True)]
    manifest = {
        "format": MANIFEST_FORMAT,
        "lunr": "2.3.9",
        "version": _version(made),
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
    }
    yield output("search_manifest", "", _json(manifest))
    record["outputs"] = made


def _segment(output: Any, ident: str, papers: _Papers, start: int, stop: int,
             head_docs: int | None, params: Params
             ) -> Generator[Output, None, dict[str, Any]]:
    """The files of segment `ident` (papers [start, stop)) and its doc-store buckets (the
    base's: those wholly below `stop`; the recent's: the rest); returns its manifest entry."""
    with _paused_gc():
        segment: Segment | Appendable
        if ident == "r":  # no split terms: kept between builds, term by term
            segment = papers.recent_segment(start, stop, params)
        else:
            analyses = papers.base if papers.base is not None else \
                papers.analyses(start, stop)
            segment = Segment(ident, start, analyses,
                              [f.boost for f in FIELDS], params.shard_postings, head_docs,
                              VOCAB_TERMS)
        for kind, name, data in segment.files():
            yield output(kind, name, data)
    first = start // BUCKET_DOCS
    last = stop // BUCKET_DOCS if ident == "b" else bucket_count(stop)
    for i in range(first, last):
        chunk = papers.records(i * BUCKET_DOCS, min(stop, (i + 1) * BUCKET_DOCS))
        yield output("search_docs", str(i), ("[" + ",".join(chunk) + "]").encode("utf-8"))
    return segment.manifest


def _version(made: Sequence[tuple[str, bytes]]) -> str:
    return hashlib.sha256(b"".join(h for _, h in made)).hexdigest()[:12]


def _code_key() -> bytes:
    parts = [Path(__file__), *(Path(__file__).with_name(name) for name in (
        "analyser.py", "segment.py")), Path(searchcache.__file__)]
    return digest(b"".join(p.read_bytes() for p in parts)
                  + str(searchcache.CACHE_FORMAT).encode())


def cached_search_outputs(site: Site, urls: Urls, cache_dir: Path,
                          intact: Mapping[str, tuple[bytes, Any]] | None = None,
                          params: Params | None = None,
                          digests: Mapping[int, tuple[Any, bytes]] | None = None
                          ) -> Iterator[Output | Kept]:
    """`search_outputs`, made from what `cache_dir` remembers of the last builds.

    Two cache files, each two pickles: a header (a key, the code's hash, the files made
    with their content hashes), then the analyses and doc records of papers by a hash of
    their text, so only new or edited papers are analysed again. `search-base.bin` is the
    base segment's (keyed by its papers): when its key holds and `intact` (the writer's
    manifest of files verified in the output folder: path -> (content hash, stat)) holds
    every listed file with the same hash, the base's files come back as `Kept` and only
    the recent segment is made. `search-recent.bin` is the last build's (keyed by every
    paper): when it holds and every file is intact, everything is `Kept`. A broken or
    unwritable cache is ignored. `digests`: the papers' digests the build already has
    (`PageCache.memo`); a paper not in it is hashed here.
    """
    # the collector paused throughout: a collection while the caches are unpickled scans
    # every loaded paper (0.1-0.3 s at 50,000 papers, measured)
    with _paused_gc():
        yield from _cached_outputs(site, urls, cache_dir, intact, params or Params(),
                                   digests)


def _cached_outputs(site: Site, urls: Urls, cache_dir: Path,
                    intact: Mapping[str, tuple[bytes, Any]] | None, params: Params,
                    digests: Mapping[int, tuple[Any, bytes]] | None
                    ) -> Iterator[Output | Kept]:
    code = _code_key()
    recent_path, base_path = (cache_dir / searchcache.RECENT_FILE,
                              cache_dir / searchcache.BASE_FILE)
    header = searchcache.header(recent_path, code)
    orders = header.get("orders")
    papers = _Papers(site.papers, urls, digests, site.days,
                     orders if isinstance(orders, dict) else None)
    count = len(papers.keys)
    base = params.base(count)
    salt = b"\x1f".join([urls.base_url.encode(), repr(params).encode()])
    key = digest(b"".join([*papers.keys, salt])).hex()
    base_key = digest(b"".join([*papers.keys[:base], salt])).hex()

    def all_intact(listing: Sequence[tuple[str, bytes]]) -> bool:
        return intact is not None and all(
            path in intact and intact[path][0] == hashed for path, hashed in listing)

    body_path = cache_dir / searchcache.BASE_PAPERS_FILE
    analyses_path = cache_dir / searchcache.RECENT_PAPERS_FILE
    fmt = {"format": searchcache.file_format(), "code": code}
    if header.get("key") == key and all_intact(header["outputs"]):
        yield from (Kept(path) for path, _ in header["outputs"])
        return
    base_header = searchcache.header(base_path, code)
    keep = base_header.get("key") == base_key and all_intact(base_header["outputs"])
    recent, extra = searchcache.body(recent_path, header)
    if isinstance(extra, dict):
        papers.recent = extra
        tokens = extra.get("tokens")
        papers.tokens = tokens if isinstance(tokens, dict) else {}
    stored = header.get("analyses")
    if isinstance(stored, dict):
        papers.analyses_file = (analyses_path, code, stored["id"], stored["length"])
    writer = None
    if keep:  # the recent papers, and those of the recent's first doc-store bucket
        papers.fill(recent, base // BUCKET_DOCS * BUCKET_DOCS)
    else:  # the recent papers, then the base's streamed: from the last base's entries
        # (read a chunk at a time), the recent's, or analysed; written as they come
        papers.fill(recent, base)
        writer = searchcache.Chunks(body_path, fmt)
        papers.base = papers.stream(base, searchcache.read_chunks(body_path, code),
                                    papers.cached_entries(recent), writer.add)
    del recent
    record: dict[str, Any] = {}
    yield from _outputs(papers, urls, params, base_header if keep else None, record)
    if writer is not None:
        writer.close()
        searchcache.save(base_path, {**fmt, "key": base_key, **record["base"]})
    made = papers.recent_made
    searchcache.save(recent_path, {**fmt, "key": key, "outputs": record["outputs"],
                                   "orders": papers.orders,
                                   "analyses": _save_analyses(papers, base, analyses_path,
                                                              fmt)},
                     {k: papers.entries[k][1] for k in papers.keys[base:]},
                     {"keys": papers.keys[base:], "tokens": papers.kept_tokens(),
                      "segment": made.state() if made is not None else None})


def _save_analyses(papers: _Papers, base: int, path: Path, fmt: dict[str, Any]
                   ) -> dict[str, Any] | None:
    """Keep the recent papers' analyses (for a build that cannot go on from this recent
    segment, or moves BASE): a day that went on from the last recent segment adds its new
    papers' analyses to the file; otherwise the file is written anew. What the header
    records of it (its id and length), or None if it could not be written."""
    keys = papers.keys[base:]
    if papers.resumed is not None and papers.analyses_file is not None:
        _, code, ident, length = papers.analyses_file
        new = {k: a for k in keys[papers.resumed:]
               if (a := papers.entries[k][0]) is not None}
        written = searchcache.append(path, code, ident, length, new)
        if written is not None:
            return {"id": ident, "length": written}
    ident = os.urandom(8).hex()  # the header names the file it describes
    every = dict(zip(keys, papers.analyses(base, base + len(keys)), strict=True))
    writer = searchcache.Chunks(path, {**fmt, "id": ident})
    writer.add(every)
    writer.close()
    try:
        return {"id": ident, "length": path.stat().st_size}
    except OSError:
        return None


def full_index_json(papers: Sequence[Paper]) -> bytes:
    """The whole index as one lunr.js file (tests and the benchmark compare shards to it)."""
    return serialize(build_index(papers), every_vector=True)
