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
from sitegen.commands.arxivdata import fill_from_arxiv
from sitegen.commands.choosing import Choice, Chooser, Tally, keep_all
from sitegen.errors import SourceError
from sitegen.incremental.statefile import usable_cache_folder
from sitegen.model import Paper, Problem
from sitegen.sources import arxiv, hf
from sitegen.sources.http import Fetcher, ResponseCache, make_client
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
class DaySummary(Tally):
    """What one fetched day contributed (or why it failed)."""

    label: str
    papers: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: SourceError | None = None
    note: str | None = None
    choices: tuple[Choice, ...] = ()  # each paper's `[select]` decision


@dataclass(frozen=True)
class FetchReport:
    """Per-day summaries, the files written and the store's own problems."""

    days: tuple[DaySummary, ...]
    written: tuple[Path, ...]
    problems: tuple[Problem, ...]
    requests: int = 0
    #: what the run missed though no day failed (papers left without arXiv data, results
    #: cut by `--max`): printed; one of severity "error" makes the exit status 1
    missed: tuple[Problem, ...] = ()

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
    #: the site's `[tags]` and `[select]` rules (None: keep and store every paper)
    chooser: Chooser | None = None
    #: fetch, merge and judge, but write nothing: no paper, no lock, no response cache
    dry_run: bool = False
    #: `fetch hf --with-arxiv`: the arXiv API's URL to fill the papers' arXiv data from
    with_arxiv: str | None = None


#: Sources whose papers make a day's list (Daily Papers): an HF answer is judged partial
#: against these only.
DAILY_LISTS = ("hf", "dailytext")


class _Store:
    """The store during one fetch: the papers so far, merged, judged by `[select]` and
    written day by day (or, in a dry run, only merged and judged)."""

    def __init__(self, root: Path, chooser: Chooser, dry_run: bool = False) -> None:
        self.root = root
        stored, problems = load_papers(root)
        self.papers = list(stored)
        self.problems = problems
        self.taken = {p.stem for p in paper_files(root)}
        self.written: list[Path] = []
        self.chooser = chooser
        self.dry_run = dry_run

    def listed_on(self, day: dt.date) -> list[Paper]:
        return [p for p in self.papers if p.date == day and p.source in DAILY_LISTS]

    def merge(self, label: str, records: list[Paper], refresh_rank: bool,
              note: str | None = None, where: str | None = None) -> DaySummary:
        """Merge one day, judge its papers by `[select]` and write what changed and is to
        be stored, unless the day is refused: over the day's cap, or holding a paper
        `build` would refuse (nothing of it is then kept)."""
        if len(records) > MAX_PAPERS_PER_DAY:
            return DaySummary(label, error=SourceError(
                f"{len(records):,} papers for one day, more than {MAX_PAPERS_PER_DAY:,}; "
                "refused", where))
        before = {p.slug for p in self.papers}
        result = merge_records(self.papers, records, self.taken, refresh_rank=refresh_rank)
        merged = {p.slug: p for p in result.papers}
        chosen = self.chooser.choose([merged[s] for s in dict.fromkeys(result.slugs)],
                                     result.changed, before)
        refusals = unwritable(chosen.to_write, self.taken)
        if refusals:
            return DaySummary(label, error=SourceError(
                f"not stored: {first_refusal(refusals)}", where, hint=refusals[0].hint))
        left_out = chosen.left_out
        self.papers = [p for p in result.papers if p.slug not in left_out]
        self.taken |= {p.slug for p in self.papers}
        if not self.dry_run:
            self.written += write_papers(self.root, chosen.to_write)
        return DaySummary(label, len(records), result.new, result.updated, result.duplicates,
                          note=note, choices=chosen.choices)


@contextmanager
def open_store(root: Path, writing: bool, options: FetchOptions | None = None
                ) -> Iterator[_Store]:
    """The store, locked (as `import` locks it) only when something may be written: a fetch
    that got nothing, or a dry run, leaves the site folder exactly as it was, lock file
    included."""
    options = options or FetchOptions()
    chooser = options.chooser or keep_all()
    if not writing or options.dry_run:
        yield _Store(root, chooser, dry_run=options.dry_run)
        return
    with locked(store_lock(root), "the content store"):
        remove_stale_temp_files(root / PAPERS_DIR)  # left by a killed fetch; we hold the lock
        yield _Store(root, chooser)


def make_fetcher(root: Path, options: FetchOptions, client: Any, min_interval: float) -> Fetcher:
    folder, _ = usable_cache_folder(root)  # none in a linked or foreign `.sitegen-cache`
    cache = ResponseCache(folder / "http", writable=not options.dry_run) \
        if options.use_cache and folder else None
    return Fetcher(client, min_interval=min_interval, cache=cache, max_age=options.max_age,
                   sleep=options.sleep,
                   notify=retry_notice if options.progress and sys.stderr.isatty() else None)


def retry_notice(message: str) -> None:
    """A retry, said on the terminal (above a progress bar, if one is showing)."""
    tqdm.write(f"sitegen: {message}", file=sys.stderr)


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
    fetcher = make_fetcher(root, options, client, HF_INTERVAL)
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
        answers, missed, asked = _with_arxiv(root, options, client, answers)
    finally:
        if options.client is None:
            client.close()
    writing = any(isinstance(result, list) and result for _, result in answers)
    with open_store(root, writing, options) as store:
        summaries = [DaySummary(day.isoformat(), error=result)
                     if isinstance(result, SourceError)
                     else merge_day(store, day, result, hf.day_url(api_url, day))
                     for day, result in answers]
    return FetchReport(tuple(summaries), tuple(store.written), tuple(store.problems),
                       fetcher.requests + asked, missed)


Answers = list[tuple[dt.date, list[Paper] | SourceError]]


def _with_arxiv(root: Path, options: FetchOptions, client: Any, answers: Answers
                ) -> tuple[Answers, tuple[Problem, ...], int]:
    """`--with-arxiv`: the days' records with their arXiv data (one request per 100
    papers, 3 s apart), what was missed, and the requests made."""
    if not options.with_arxiv:
        return answers, (), 0
    fetcher = make_fetcher(root, options, client, arxiv.MIN_INTERVAL)
    good = [(day, result) for day, result in answers if isinstance(result, list)]
    filled, missed = fill_from_arxiv(fetcher, options.with_arxiv, [r for _, r in good])
    by_day = {day: records for (day, _), records in zip(good, filled, strict=True)}
    return [(day, by_day.get(day, result)) for day, result in answers], missed, \
        fetcher.requests


def fetch_arxiv(root: Path, query: str, max_results: int, api_url: str,
                options: FetchOptions | None = None) -> FetchReport:
    """Fetch an arXiv query and merge the results into the store, grouped by day."""
    options = options or FetchOptions()
    client = options.client or make_client()
    fetcher = make_fetcher(root, options, client, arxiv.MIN_INTERVAL)
    try:
        with _bar(options, max_results, "arxiv") as bar:
            records, error, total = arxiv.fetch_query(fetcher, api_url, query, max_results,
                                                      bar.update)
    finally:
        if options.client is None:
            client.close()
    by_day: dict[dt.date, list[Paper]] = {}
    for record in records:
        by_day.setdefault(record.date, []).append(record)
    with open_store(root, bool(records), options) as store:
        where = arxiv.query_url(api_url, query)
        summaries = [store.merge(day.isoformat(), by_day[day], refresh_rank=False, where=where)
                     for day in sorted(by_day)]
    if error is not None:
        summaries.append(DaySummary(f"query {query!r}", error=error))
    missed = ()
    if error is None and total is not None and total > len(records):
        missed = (Problem(arxiv.query_url(api_url, query),
                          f"--max {max_results} cut the results: the query matches {total:,} "
                          f"papers, {len(records):,} were fetched (the newest)",
                          hint="raise --max, or narrow the query", severity="warning"),)
    return FetchReport(tuple(summaries), tuple(store.written), tuple(store.problems),
                       fetcher.requests, missed)


def day_range(start: dt.date, end: dt.date, limit: int = 366) -> list[dt.date]:
    """The days from `start` to `end`, both included; `SourceError` for a reversed/huge range."""
    if end < start:
        raise SourceError(f"--from {start} is after --to {end}", hint="swap the two dates")
    count = (end - start).days + 1
    if count > limit:
        raise SourceError(f"{count} days asked, at most {limit} per run",
                          hint="fetch a long range in several runs")
    return [start + dt.timedelta(days=n) for n in range(count)]
