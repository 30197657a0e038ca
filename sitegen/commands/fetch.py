"""`sitegen fetch`: remote sources -> records -> merged into the content store, day by day.

Every day (or arXiv page) is fetched and fully parsed first, with the store untouched and
unlocked; a day whose answer is refused contributes nothing. Then, holding the store lock
(the one `import` takes), the days are merged and written, each file atomically, so an
interrupted fetch leaves every file whole. This module never imports httpx: the client comes
from `sources.http` (or from the caller, in tests).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sitegen.commands.admit import first_refusal, unwritable
from sitegen.errors import SourceError
from sitegen.model import Paper, Problem
from sitegen.sources import arxiv, hf
from sitegen.sources.http import CACHE_DIR, Fetcher, ResponseCache, make_client
from sitegen.store.merge import merge_records
from sitegen.store.papers import PAPERS_DIR, load_papers, paper_files, write_papers
from sitegen.util.fileio import remove_stale_temp_files
from sitegen.util.lock import locked, store_lock
from sitegen.util.progress import progress

tqdm.monitor_interval = 0  # no monitor thread (see progress.py)

HF_INTERVAL = 0.5  # seconds between HF requests: well under the Hub's 500 per 5 minutes
#: The most papers one run stores (366 real HF days hold about 20,000; arXiv's `--max` is
#: at most 30,000): the days past it are refused, so no answer can flood the store.
MAX_PAPERS_PER_RUN = 50_000
#: The most papers one day may hold, whatever the source (`hf.MAX_PAPERS_PER_DAY`).
MAX_PAPERS_PER_DAY = hf.MAX_PAPERS_PER_DAY


@dataclass(frozen=True)
class DaySummary:
    """What one fetched day contributed (or why it failed)."""

    label: str
    papers: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: SourceError | None = None
    note: str | None = None


@dataclass(frozen=True)
class FetchReport:
    """Per-day summaries, the files written and the store's own problems."""

    days: tuple[DaySummary, ...]
    written: tuple[Path, ...]
    problems: tuple[Problem, ...]
    requests: int = 0

    @property
    def failed(self) -> tuple[DaySummary, ...]:
        """The days whose answer was refused."""
        return tuple(d for d in self.days if d.error is not None)


@dataclass
class FetchOptions:
    """How to reach a source: the injected client (tests) or our own, cache and sleeping."""

    client: Any = None
    use_cache: bool = True
    max_age: float = 0.0
    sleep: Callable[[float], None] | None = None
    progress: bool = False


class _Store:
    """The store during one fetch: the papers so far, merged and written day by day."""

    def __init__(self, root: Path) -> None:
        self.root = root
        stored, problems = load_papers(root)
        self.papers = list(stored)
        self.problems = problems
        self.taken = {p.stem for p in paper_files(root)}
        self.written: list[Path] = []

    def listed_on(self, day: dt.date) -> list[Paper]:
        return [p for p in self.papers if p.date == day and p.source != "arxiv"]

    def merge(self, label: str, records: list[Paper], refresh_rank: bool,
              note: str | None = None, where: str | None = None) -> DaySummary:
        """Merge one day and write what changed, unless the day is refused: over the
        day's cap, or holding a paper `build` would refuse (nothing of it is then kept)."""
        if len(records) > MAX_PAPERS_PER_DAY:
            return DaySummary(label, error=SourceError(
                f"{len(records):,} papers for one day, more than {MAX_PAPERS_PER_DAY:,}; "
                "refused", where))
        result = merge_records(self.papers, records, self.taken, refresh_rank=refresh_rank)
        refusals = unwritable(result.changed, self.taken)
        if refusals:
            return DaySummary(label, error=SourceError(
                f"not stored: {first_refusal(refusals)}", where, hint=refusals[0].hint))
        self.papers = list(result.papers)
        self.taken |= {p.slug for p in self.papers}
        self.written += write_papers(self.root, result.changed)
        return DaySummary(label, len(records), result.new, result.updated, result.duplicates,
                          note=note)


@contextmanager
def _open_store(root: Path, writing: bool) -> Iterator[_Store]:
    """The store, locked (as `import` locks it) only when something may be written: a fetch
    that got nothing leaves the site folder exactly as it was, lock file included."""
    if not writing:
        yield _Store(root)
        return
    with locked(store_lock(root), "the content store"):
        remove_stale_temp_files(root / PAPERS_DIR)  # left by a killed fetch; we hold the lock
        yield _Store(root)


def _fetcher(root: Path, options: FetchOptions, client: Any, min_interval: float) -> Fetcher:
    cache = ResponseCache(root / CACHE_DIR / "http") if options.use_cache else None
    return Fetcher(client, min_interval=min_interval, cache=cache, max_age=options.max_age,
                   sleep=options.sleep)


def _bar(options: FetchOptions, total: int, label: str) -> Any:
    return tqdm(total=total, desc=label, disable=not (options.progress and sys.stderr.isatty()),
                delay=1.0, leave=False, dynamic_ncols=True, unit="paper")


def merge_day(store: _Store, day: dt.date, records: list[Paper],
              where: str | None = None) -> DaySummary:
    """Merge one HF day; an answer smaller than the day already stored counts as partial:
    its papers are added and their counts refreshed, but the stored order is kept."""
    listed = store.listed_on(day)
    if len(records) >= len(listed):
        return store.merge(day.isoformat(), records, refresh_rank=True, where=where)
    top = max((p.rank or 0 for p in listed), default=0)
    shifted = [replace(r, rank=top + (r.rank or 0)) for r in records]
    note = (f"partial answer: {len(records)} paper(s), the store holds {len(listed)} for this "
            "day; kept them and their order")
    return store.merge(day.isoformat(), shifted, refresh_rank=False, note=note, where=where)


def fetch_hf(root: Path, days: list[dt.date], api_url: str,
             options: FetchOptions | None = None) -> FetchReport:
    """Fetch HF Daily Papers for each day, then merge them into the store at `root`."""
    options = options or FetchOptions()
    answers: list[tuple[dt.date, list[Paper] | SourceError]] = []
    client = options.client or make_client()
    fetcher = _fetcher(root, options, client, HF_INTERVAL)
    total = 0
    try:
        for day in progress(days, "hf days", options.progress):
            try:
                records = hf.fetch_day(fetcher, api_url, day)
            except SourceError as exc:
                answers.append((day, exc))
                continue
            total += len(records)
            if total > MAX_PAPERS_PER_RUN:
                answers.append((day, SourceError(
                    f"not stored: the run would hold more than {MAX_PAPERS_PER_RUN:,} papers",
                    hf.day_url(api_url, day), hint="fetch the rest in another run")))
                total -= len(records)
                continue
            answers.append((day, records))
    finally:
        if options.client is None:
            client.close()
    writing = any(isinstance(result, list) and result for _, result in answers)
    with _open_store(root, writing) as store:
        summaries = [DaySummary(day.isoformat(), error=result)
                     if isinstance(result, SourceError)
                     else merge_day(store, day, result, hf.day_url(api_url, day))
                     for day, result in answers]
    return FetchReport(tuple(summaries), tuple(store.written), tuple(store.problems),
                       fetcher.requests)


def fetch_arxiv(root: Path, query: str, max_results: int, api_url: str,
                options: FetchOptions | None = None) -> FetchReport:
    """Fetch an arXiv query and merge the results into the store, grouped by day."""
    options = options or FetchOptions()
    client = options.client or make_client()
    fetcher = _fetcher(root, options, client, arxiv.MIN_INTERVAL)
    try:
        with _bar(options, max_results, "arxiv") as bar:
            records, error = arxiv.fetch_query(fetcher, api_url, query, max_results, bar.update)
    finally:
        if options.client is None:
            client.close()
    by_day: dict[dt.date, list[Paper]] = {}
    for record in records:
        by_day.setdefault(record.date, []).append(record)
    with _open_store(root, bool(records)) as store:
        where = arxiv.query_url(api_url, query)
        summaries = [store.merge(day.isoformat(), by_day[day], refresh_rank=False, where=where)
                     for day in sorted(by_day)]
    if error is not None:
        summaries.append(DaySummary(f"query {query!r}", error=error))
    return FetchReport(tuple(summaries), tuple(store.written), tuple(store.problems),
                       fetcher.requests)


def day_range(start: dt.date, end: dt.date, limit: int = 366) -> list[dt.date]:
    """The days from `start` to `end`, both included; `SourceError` for a reversed/huge range."""
    if end < start:
        raise SourceError(f"--from {start} is after --to {end}", hint="swap the two dates")
    count = (end - start).days + 1
    if count > limit:
        raise SourceError(f"{count} days asked, at most {limit} per run",
                          hint="fetch a long range in several runs")
    return [start + dt.timedelta(days=n) for n in range(count)]
