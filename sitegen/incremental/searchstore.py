"""The search index's cache: a `SearchStore` that keeps its parts between builds.

`cached_search_outputs` is `search.index.search_outputs` with a `CachedSearchStore`, which
answers the stage from four files in `.sitegen-cache/` (searchcache; docs/incremental.md):

- `search-recent.bin`: a header (the whole index's key, its files with their digests, each
  day's order, where the recent analyses file ends), the recent papers' doc records, then
  the recent segment as the last build left it and the analyser's tokens;
- `search-recent-papers.bin`: the recent papers' analyses, a chunk per build;
- `search-base.bin`: the base's key, its files with their digests and its manifest entry;
- `search-base-papers.bin`: the base papers' analyses and records, in chunks.

A paper's key is a digest of the whole paper: the one the build has already (`Digests`,
from loading), so an unchanged paper costs a lookup. Files come back `Kept` only when the
writer found every one intact in the output folder with the digest recorded here.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from sitegen.incremental import searchcache
from sitegen.incremental.digests import Digests
from sitegen.model import Day, Kept, Output, Paper, Site
from sitegen.search.analyser import Analysis
from sitegen.search.documents import FIELDS, Maker, days_hold, paper_order, slug_order
from sitegen.search.index import VOCAB_TERMS, Params, search_outputs
from sitegen.search.segment import Appendable
from sitegen.search.store import FileHash, MadeIndex, SegmentFiles
from sitegen.urls import Urls
from sitegen.util.fileid import digest
from sitegen.util.gcpause import gc_paused

#: Papers per chunk of the base's analyses (read and written a chunk at a time).
CHUNK_PAPERS = 1024
#: Tokens whose terms are kept for the next build's new papers (the last used).
TOKENS_KEPT = 6000


def cached_search_outputs(site: Site, urls: Urls, cache_dir: Path,
                          intact: Mapping[str, tuple[bytes, Any]] | None = None,
                          params: Params | None = None, digests: Digests | None = None
                          ) -> Iterator[Output | Kept]:
    """`search_outputs`, with what `cache_dir` keeps of the last builds. `intact`: the
    writer's files verified in the output folder (path -> (digest, stat)); `digests`:
    the papers' digests the build has (a paper missing from them is hashed here)."""
    params = params or Params()
    # the collector paused throughout: its passes over every loaded paper while the
    # cache files are unpickled would cost more than the unpickling
    with gc_paused():
        store = CachedSearchStore(urls, cache_dir, intact, params, digests)
        yield from search_outputs(site, urls, params, store)


class Numbering(NamedTuple):
    """The papers in number order, each one's key, and each day's order by slug (the
    papers' positions) by a digest of its papers' keys."""

    papers: list[Paper]
    keys: list[bytes]
    orders: dict[bytes, tuple[int, ...]]


def number_papers(site: Site, digests: Mapping[int, tuple[Any, bytes]],
                  known: Mapping[bytes, tuple[int, ...]]) -> Numbering:
    """The site's papers in number order, with their keys (`paper_keys`); by day when the
    site's days hold its papers (`day_orders`)."""
    if days_hold(site.papers, site.days):
        return day_orders(site.days, digests, known)
    papers = paper_order(site.papers)
    return Numbering(papers, paper_keys(papers, digests), {})


def day_orders(days: Sequence[Day], digests: Mapping[int, tuple[Any, bytes]],
               known: Mapping[bytes, tuple[int, ...]]) -> Numbering:
    """The papers of `days` (newest first) in number order, from each day's order by slug.
    A day whose order is `known` (the last build's) is not sorted again: its papers' slugs
    are not read (in a forked child each object read costs a page copy)."""
    papers: list[Paper] = []
    keys: list[bytes] = []
    orders: dict[bytes, tuple[int, ...]] = {}
    for day in reversed(days):
        found = day.papers
        found_keys = paper_keys(found, digests)
        day_key = digest(b"".join(found_keys))
        order = known.get(day_key)
        if order is None or len(order) != len(found):
            order = slug_order(found)
        orders[day_key] = order
        papers += map(found.__getitem__, order)
        keys += map(found_keys.__getitem__, order)
    return Numbering(papers, keys, orders)


def paper_keys(papers: Iterable[Paper], digests: Mapping[int, tuple[Any, bytes]]
               ) -> list[bytes]:
    """Each paper's `paper_digest`: from `digests` (by object id, the object kept in it)
    where it is there, else computed."""
    from sitegen.incremental.digests import paper_digest

    get = digests.get
    keys = []
    for paper in papers:
        hit = get(id(paper))
        keys.append(hit[1] if hit is not None and hit[0] is paper else paper_digest(paper))
    return keys


def kept_tokens(tokens: dict[str, tuple[str, ...]], used: set[str], limit: int
                ) -> dict[str, tuple[str, ...]]:
    """The `limit` tokens used last: those of this build's papers last (the words of every
    day stay), from the analyzer's `tokens` (oldest first) and its `used`."""
    if used:
        kept = {t: terms for t, terms in tokens.items() if t not in used}
        kept.update((t, terms) for t, terms in tokens.items() if t in used)
        tokens = kept
    if len(tokens) <= limit:
        return tokens
    return dict(islice(tokens.items(), len(tokens) - limit, None))


class CachedSearchStore:
    """The parts of the index from the cache files where they hold, made where not; told
    what the build made (`finish`), it writes the files for the next build. A damaged,
    foreign or unwritable cache file is never an error: what it held is made again."""

    def __init__(self, urls: Urls, folder: Path, intact: Mapping[str, tuple[bytes, Any]] | None,
                 params: Params, digests: Mapping[int, tuple[Any, bytes]] | None = None) -> None:
        self.urls, self.params, self.intact = urls, params, intact
        self.digests = digests if digests is not None else {}
        self.code = searchcache.code_key()
        self.files = searchcache.CacheFiles.of(folder)
        self.format = {"format": searchcache.file_format(), "code": self.code}
        self.header = searchcache.header(self.files.recent, self.code)
        self.numbering = Numbering([], [], {})  # `numbered`
        self.base = 0
        self.key = self.base_key = ""  # the whole index's and the base's
        #: what this build knows of each paper, by key: its record, and its analysis if
        #: it may be needed again (the recent papers')
        self._records: dict[bytes, str] = {}
        self._held: dict[bytes, Analysis] = {}
        self.resumed: int | None = None  # the papers of the last recent segment gone on from
        self._last: searchcache.LastRecent | None = None
        self._stored: dict[bytes, Analysis] | None = None
        self._maker: Maker | None = None
        self._base_chunks: searchcache.Chunks | None = None

    def numbered(self, site: Site) -> Sequence[Paper]:
        orders = self.header.get("orders")
        self.numbering = number_papers(site, self.digests,
                                       orders if isinstance(orders, dict) else {})
        keys = self.numbering.keys
        self.base = self.params.base(len(keys))
        # the records hold URLs relative to the base URL; the cut is in the files
        salt = b"\x1f".join([self.urls.base_url.encode(), repr(self.params).encode()])
        self.key = digest(b"".join([*keys, salt])).hex()
        self.base_key = digest(b"".join([*keys[:self.base], salt])).hex()
        return self.numbering.papers

    def kept_index(self) -> Sequence[str] | None:
        header = self.header
        if header.get("key") == self.key and self._intact(header["outputs"]):
            return [path for path, _ in header["outputs"]]
        return None

    def kept_base(self, stop: int) -> SegmentFiles | None:
        header = searchcache.header(self.files.base, self.code)
        if header.get("key") == self.base_key and self._intact(header["outputs"]):
            return SegmentFiles(tuple(FileHash(*f) for f in header["outputs"]),
                                header["manifest"])
        return None

    def analyses(self, start: int, stop: int) -> Iterator[Analysis]:
        if start < self.base:  # asked only to make the base
            return self._base_analyses(stop)
        return self._recent_analyses(start, stop)

    def records(self, start: int, stop: int) -> list[str]:
        out = []
        last = self.last().records
        for paper, key in zip(self.numbering.papers[start:stop], self.numbering.keys[start:stop],
                              strict=True):
            record = self._records.get(key) or last.get(key)
            if record is None:
                record = self.maker().record(paper)
            self._records[key] = record
            out.append(record)
        return out

    def recent(self, start: int) -> Appendable | None:
        last = self.last()
        if last.segment is None:
            return None
        with contextlib.suppress(Exception):  # a state of another shape: made anew
            segment = Appendable.resume(last.segment, self.params.shard_postings, VOCAB_TERMS)
            if segment.first == start and segment.ident == "r" \
                    and segment.fields == len(FIELDS) and segment.count == len(last.keys) \
                    and self.numbering.keys[start:start + len(last.keys)] == last.keys:
                self.resumed = segment.count
                return segment
        return None

    def finish(self, made: MadeIndex) -> None:
        if made.base is not None:
            chunks = self._base_chunks or searchcache.Chunks(
                self.files.base_papers, self.format)  # an empty base
            chunks.close()
            searchcache.save(self.files.base, {
                **self.format, "key": self.base_key, "outputs": _plain(made.base.files),
                "manifest": made.base.entry})
        keys = self.numbering.keys[self.base:]
        analyzer = self._maker.analyzer if self._maker is not None else None
        searchcache.save(self.files.recent,
                         {**self.format, "key": self.key, "outputs": _plain(made.files),
                          "orders": self.numbering.orders,
                          "analyses": self._save_analyses(keys)},
                         {k: self._records[k] for k in keys},
                         {"keys": keys, "segment": made.recent.state(),
                          "tokens": kept_tokens(self.last().tokens,
                                                analyzer.used if analyzer else set(),
                                                TOKENS_KEPT)})

    def last(self) -> searchcache.LastRecent:
        """What the last build kept of its recent papers (read when first needed)."""
        if self._last is None:
            self._last = searchcache.LastRecent.read(self.files.recent,
                                                     self.header)
        return self._last

    def maker(self) -> Maker:
        """The maker of new or edited papers' parts, with the tokens the last build knew."""
        if self._maker is None:
            self._maker = Maker(self.urls, self.last().tokens)
        return self._maker

    def _intact(self, listing: Iterable[tuple[str, bytes]]) -> bool:
        intact = self.intact
        return intact is not None and all(
            path in intact and intact[path][0] == hashed for path, hashed in listing)

    def _stored_analyses(self) -> dict[bytes, Analysis]:
        """The analyses in the recent papers' file (read once, when first needed: a day
        that goes on from the last recent segment needs none of them)."""
        if self._stored is None:
            self._stored = {}
            known = searchcache.AnalysesFile.of(self.header)
            if known is not None:
                for chunk in searchcache.read_chunks(
                        self.files.recent_papers, self.code, known.ident,
                        known.length):
                    self._stored.update(chunk)
        return self._stored

    def _recent_analyses(self, start: int, stop: int) -> Iterator[Analysis]:
        """Held, read from the recent papers' file (a paper the last build had), or made
        (with its record: a new or edited paper)."""
        last = self.last().records
        for paper, key in zip(self.numbering.papers[start:stop], self.numbering.keys[start:stop],
                              strict=True):
            analysis = self._held.get(key)
            if analysis is None:
                known = key in self._records or key in last
                analysis = self._stored_analyses().get(key) if known else None
                if analysis is None:
                    analysis = self.maker().analysis(paper)
                    if not known:
                        self._records[key] = self.maker().record(paper)
                self._held[key] = analysis
            yield analysis

    def _base_analyses(self, stop: int) -> Iterator[Analysis]:
        """The analyses of papers [0, stop), one at a time: from the last base's chunks
        (read a chunk ahead of the paper numbers, so papers that moved up a few numbers
        are found), from the recent papers' file, or made; only their records are kept,
        and every (analysis, record) goes to the new base's file a chunk at a time. So the
        base is made without holding every analysis."""
        path = self.files.base_papers
        old = searchcache.read_chunks(path, self.code)
        self._base_chunks = out = searchcache.Chunks(path, self.format)
        last = self.last().records
        window: deque[dict[bytes, Any]] = deque(maxlen=3)
        chunks: Iterator[dict[bytes, Any]] | None = iter(old)
        covered = 0
        chunk: dict[bytes, tuple[Analysis, str]] = {}
        for i, (paper, key) in enumerate(zip(self.numbering.papers[:stop],
                                             self.numbering.keys[:stop], strict=True)):
            while chunks is not None and covered <= i + CHUNK_PAPERS:  # read ahead
                found = next(chunks, None)
                if found is None:
                    chunks = None
                else:
                    window.append(found)
                    covered += len(found)
            entry = next((w[key] for w in window if key in w), None)
            if entry is None:
                record = last.get(key)
                analysis = self._stored_analyses().get(key) if record is not None else None
                if record is None or analysis is None:
                    analysis, record = self.maker().analysis(paper), self.maker().record(paper)
                entry = (analysis, record)
            self._records[key] = entry[1]
            chunk[key] = entry
            if len(chunk) >= CHUNK_PAPERS:
                out.add(chunk)
                chunk = {}
            yield entry[0]
        if chunk:
            out.add(chunk)

    def _save_analyses(self, keys: list[bytes]) -> dict[str, Any] | None:
        """Keep the recent papers' analyses (for a build that cannot go on from this recent
        segment, or moves BASE): a day that went on from the last recent segment appends
        its new papers' analyses to the file; otherwise the file is written anew. What
        the header records of it (its id and length), or None if it could not be written."""
        path = self.files.recent_papers
        known = searchcache.AnalysesFile.of(self.header)
        if self.resumed is not None and known is not None:
            new = {k: self._held[k] for k in keys[self.resumed:] if k in self._held}
            written = searchcache.append(path, self.code, known.ident, known.length, new)
            if written is not None:
                return {"id": known.ident, "length": written}
        ident = os.urandom(8).hex()  # the header names the file it describes
        every = dict(zip(keys, self.analyses(self.base, self.base + len(keys)), strict=True))
        writer = searchcache.Chunks(path, {**self.format, "id": ident})
        writer.add(every)
        writer.close()
        try:
            return {"id": ident, "length": path.stat().st_size}
        except OSError:
            return None


def _plain(files: Iterable[FileHash]) -> list[tuple[str, bytes]]:
    """Files as the cache keeps them: plain (path, digest) pairs."""
    return [(f.path, f.digest) for f in files]
