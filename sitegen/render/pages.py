"""Site -> HTML pages: which page kinds exist, their contexts and their templates."""

from __future__ import annotations

import bisect
import datetime as dt
import multiprocessing
import multiprocessing.pool
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from sitegen.incremental.digests import tree_digest
from sitegen.incremental.pagecache import PageCache
from sitegen.model import Day, Kept, Output, Paper, Site, Tag, TagLink
from sitegen.render.templates import render_template
from sitegen.urls import Urls
from sitegen.util.fileid import digest
from sitegen.util.parallel import can_fork
from sitegen.util.progress import progress

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Where one page of a paginated list stands: its number (None on the main page, which
    shows the newest entries) and its neighbours. No page count: it would change daily."""

    number: int | None
    prev_url: str | None  # newer entries
    next_url: str | None  # older entries


def stable_pages(items: Sequence[T], per_page: int
                 ) -> tuple[Sequence[T], list[tuple[int, Sequence[T]]]]:
    """Split a newest-first list into its main page and its numbered pages.

    Numbered pages count from the oldest entry: page k holds entries (k-1)*per_page to
    k*per_page - 1 in the order they came, so a full page never changes when newer entries
    arrive. The main page shows the newest full page plus the newer entries that do not
    yet fill a page (per_page to 2*per_page - 1 entries), so it is never nearly empty;
    only the pages before it are numbered pages. Every page lists newest first.
    """
    full = len(items) // per_page
    if full <= 1:
        return items, []
    main_size = len(items) - (full - 1) * per_page
    numbered = [(number, numbered_page(items, per_page, number))
                for number in range(full - 1, 0, -1)]  # newest numbered page first, as listed
    return items[:main_size], numbered


def numbered_page(items: Sequence[T], per_page: int, number: int) -> Sequence[T]:
    """The entries of numbered page `number` of `stable_pages(items, per_page)`."""
    end = len(items) - (number - 1) * per_page
    return items[end - per_page:end]


def _pager(urls: Urls, kind: str, obj: object, number: int | None, last: int | None) -> Pager:
    """The pager of the main page (`number` None) or of numbered page `number`, where
    `last` is the newest numbered page (None: there is none)."""
    if number is None:
        return Pager(None, None, urls.url(kind, obj, last) if last else None)
    newer = urls.url(kind, obj) if number == last else urls.url(kind, obj, number + 1)
    return Pager(number, newer, urls.url(kind, obj, number - 1) if number > 1 else None)


@dataclass(frozen=True)
class PageJob:
    """One page to render: template, context, output path. Cheap to make, rendered later.
    `cached` False: rendered without a fingerprint (one that would cost more than the
    page: the tag list's would digest every tagged paper)."""

    template: str
    path: str
    context: dict[str, Any]
    cached: bool = True


@dataclass(frozen=True)
class PageGroup:
    """Pages made from `values` only (besides what every page sees: templates, globals):
    the build cache keeps them whole while those are unchanged (`PageCache.kept_group`),
    without making their jobs. `kind` says how they are made from the values; `name` is
    the group's own, unique in the site.

    `keep` False: the values do not say all the pages show this time (a list page showing
    entries newer than the oldest days the last build had the same, `PageCache.settled`):
    the pages are made, and fingerprinted each (the group is recorded still: a later build
    may keep it). `size`: the number of pages (the progress bar). `exact`: every page's
    context changes with the key (a page's own digest, or its place and count): when the
    key is not the last build's, the pages are rendered without fingerprints."""

    name: str
    kind: str
    values: tuple[Any, ...]
    make: Callable[[], list[PageJob]]
    keep: bool = True
    size: int = 1
    exact: bool = False


def page_jobs(site: Site, urls: Urls, days_per_page: int, papers_per_page: int
              ) -> Iterator[PageJob]:
    """Every HTML page of the site, in a stable order (`page_items`, groups unpacked)."""
    for item in page_items(site, urls, days_per_page, papers_per_page):
        if isinstance(item, PageGroup):
            yield from item.make()
        else:
            yield item


def paper_jobs(urls: Urls, day: Day) -> list[PageJob]:
    """The pages of a day's papers: each shows its paper and its neighbours on the day."""
    papers = day.papers
    last = len(papers) - 1
    return [PageJob("paper.html", urls.output_path("paper", paper), {
        "paper": paper,
        "prev_paper": papers[index - 1] if index > 0 else None,
        "next_paper": papers[index + 1] if index < last else None,
        "canonical": urls.absolute("paper", paper)}) for index, paper in enumerate(papers)]


def tag_jobs(urls: Urls, tag: Tag, papers_per_page: int, number: int | None = None
             ) -> list[PageJob]:
    """A tag's page: its main page (the newest papers; `number` None) or numbered page
    `number`."""
    link = TagLink(tag.name, tag.slug)
    full = len(tag.papers) // papers_per_page
    last = full - 1 if full > 1 else None
    if number is None:
        main_size = len(tag.papers) - (full - 1) * papers_per_page if last else None
        return [PageJob("tag.html", urls.output_path("tag", link), {
            "tag": link, "total": len(tag.papers), "papers": tag.papers[:main_size],
            "pager": _pager(urls, "tag", link, None, last),
            "canonical": urls.absolute("tag", link)})]
    papers = numbered_page(tag.papers, papers_per_page, number)
    return [PageJob("tag.html", urls.output_path("tag", link, number), {
        "tag": link, "total": None, "papers": papers,
        "pager": _pager(urls, "tag", link, number, last),
        "canonical": urls.absolute("tag", link, number)})]


def home_jobs(urls: Urls, days: Sequence[Day], days_per_page: int, number: int
              ) -> list[PageJob]:
    """Numbered home page `number` (the main page is a job of its own)."""
    last = len(days) // days_per_page - 1
    return [PageJob("index.html", urls.output_path("home", None, number), {
        "days": numbered_page(days, days_per_page, number),
        "pager": _pager(urls, "home", None, number, last),
        "canonical": urls.absolute("home", None, number)})]


def day_jobs(urls: Urls, day: Day) -> list[PageJob]:
    """A day's page."""
    return [PageJob("day.html", urls.output_path("day", day.date), {
        "day": day, "canonical": urls.absolute("day", day.date)})]


def tag_list_jobs(urls: Urls, tags: tuple[Tag, ...]) -> list[PageJob]:
    """The list of tags (rendered without a fingerprint: see `page_items`)."""
    return [PageJob("tags.html", urls.output_path("tags"), {
        "tags": tags, "canonical": urls.absolute("tags")}, cached=False)]


def _settled_count(papers: Sequence[Paper], horizon: dt.date | None) -> int:
    """How many of `papers` (newest day first) are of days up to `horizon`: the last ones."""
    if horizon is None:
        return 0
    oldest_first = -horizon.toordinal()
    return len(papers) - bisect.bisect_left(papers, oldest_first,
                                            key=lambda p: -p.date.toordinal())


def page_items(site: Site, urls: Urls, days_per_page: int, papers_per_page: int,
               cache: PageCache | None = None) -> Iterator[PageJob | PageGroup]:
    """Every HTML page of the site, in a stable order; pages that the build cache can
    prove unchanged from a few values as groups (`PageGroup`), the others as jobs, each
    fingerprinted (cache.py).

    A page's context holds only what it shows, so that a page whose content did not change
    has the same fingerprint and is not rendered again: a tag's numbered pages get a
    `TagLink` (not the `Tag` with all its papers), a paper page not its `Day` (whose
    neighbours change when a day is added).

    A day's page and its papers' pages are keyed by the day (its digest, in the memo);
    numbered list pages (stable pagination: each a fixed slice counted from the oldest
    entry) by their place only, kept while every entry they show is of the oldest days
    that are as the last build had them (`PageCache.settled`): a new day then makes a
    tag's main page again, not its hundred numbered pages.
    """
    # the oldest days as the last build had them (neighbours included: home pages show
    # the days), and the oldest days whose papers are (tag pages show only papers)
    same_papers = (cache.settled("day papers", [day.papers for day in reversed(site.days)])
                   if cache is not None else 0)
    settled = cache.settled("days", site.days[::-1]) if cache is not None else 0
    horizon = site.days[-same_papers].date if same_papers else None
    main_days, numbered_days = stable_pages(site.days, days_per_page)
    last = numbered_days[0][0] if numbered_days else None
    yield PageJob("index.html", urls.output_path("home"), {
        "days": main_days, "pager": _pager(urls, "home", None, None, last),
        "canonical": urls.absolute("home")})
    kind = f"index.html\0{urls.base_url}\0{days_per_page}"
    for number, _ in numbered_days:
        yield PageGroup(f"index.html {number}", kind, (f"{number}\0{number == last}",),
                        partial(home_jobs, urls, site.days, days_per_page, number),
                        number * days_per_page <= settled, exact=True)
    kind = "day.html\0" + urls.base_url
    for day in site.days:
        yield PageGroup("day.html " + day.date.isoformat(), kind, (day,),
                        partial(day_jobs, urls, day), exact=True)
    for month in site.months:
        yield PageJob("month.html", urls.output_path("month", (month.year, month.month)), {
            "month": month, "canonical": urls.absolute("month", (month.year, month.month))})
    for year in sorted({m.year for m in site.months}, reverse=True):
        months = tuple(m for m in site.months if m.year == year)
        yield PageJob("year.html", urls.output_path("year", year), {
            "year": year, "months": months, "canonical": urls.absolute("year", year)})
    yield PageJob("archive.html", urls.output_path("archive"), {
        "months": site.months, "canonical": urls.absolute("archive")})
    kind = "paper.html\0" + urls.base_url  # the pages' paths and canonical URLs
    for day in site.days:
        yield PageGroup("paper.html " + day.date.isoformat(), kind, (day.papers,),
                        partial(paper_jobs, urls, day), size=len(day.papers))
    # the tag list and a tag's pages: a tag all of whose papers are of settled days has
    # the papers the last build gave it if it has as many
    counts = [_settled_count(tag.papers, horizon) for tag in site.tags]
    yield PageGroup("tags.html", "tags.html\0" + urls.base_url,
                    (tuple((tag.name, tag.slug, len(tag.papers)) for tag in site.tags),),
                    partial(tag_list_jobs, urls, site.tags),
                    all(count == len(tag.papers) for count, tag in zip(counts, site.tags,
                                                                        strict=True)))
    kind = f"tag.html\0{urls.base_url}\0{papers_per_page}"
    for tag, count in zip(site.tags, counts, strict=True):
        head = f"{tag.name}\0{tag.slug}\0"
        name = "tag.html " + tag.slug
        yield PageGroup(name, kind, (head + str(len(tag.papers)),),
                        partial(tag_jobs, urls, tag, papers_per_page), count == len(tag.papers),
                        exact=True)
        full = len(tag.papers) // papers_per_page
        for number in range(full - 1, 0, -1):  # as `stable_pages` lists them
            yield PageGroup(f"{name} {number}", kind, (f"{head}{number}\0{number == full - 1}",),
                            partial(tag_jobs, urls, tag, papers_per_page, number),
                            number * papers_per_page <= count, exact=True)
    yield PageJob("search.html", urls.output_path("search"), {
        "canonical": urls.absolute("search")})
    yield PageJob("404.html", urls.output_path("not_found"), {"canonical": None})


def render_jobs(env: jinja2.Environment, jobs: Iterable[PageJob],
                cache: PageCache | None = None, workers: int = 1,
                show_progress: bool = False, set_base: bool = True
                ) -> Iterator[Output | Kept]:
    """Render page jobs to outputs, lazily and in job order (the context gets the job's
    own output path). The caller can write each page and drop it: the whole site is never
    held in memory (`list(render_jobs(...))` when it should be).

    With a `cache`, a page whose fingerprint is the one it was built from last time, and
    whose file is intact, is not rendered: it comes back as `Kept`. With `workers` > 1,
    many pages are rendered by forked processes; the order of the outputs stays the same.
    `show_progress` shows a bar on a terminal when rendering in this process. `set_base`
    False: the caller did `set_page_base` already (once for many calls).
    """
    jobs = list(jobs)
    if cache is not None and set_base:
        set_page_base(env, cache)
    todo: list[int] = []
    for index, job in enumerate(jobs):
        if cache is None or not job.cached or not cache.unchanged(
                job.path, cache.fingerprint(job.template, job.path, job.context)):
            todo.append(index)
    rendered = _render_stream(env, [jobs[i] for i in todo], workers, show_progress)
    done = 0
    for index, job in enumerate(jobs):
        if done < len(todo) and todo[done] == index:
            yield Output(job.path, next(rendered))
            done += 1
        else:
            yield Kept(job.path)


PARALLEL_MIN = 400  # fewer pages than this render faster in one process than forking
CHUNK = 200  # pages per task sent to a worker
_STREAM: tuple[jinja2.Environment, Sequence[PageJob]] | None = None


def _render_one(env: jinja2.Environment, job: PageJob) -> bytes:
    return render_template(env, job.template, {**job.context, "output_path": job.path})


def _render_chunk(bounds: tuple[int, int]) -> list[bytes] | None:
    """In a forked worker: render jobs[start:end] of the inherited work."""
    assert _STREAM is not None
    env, jobs = _STREAM
    try:
        return [_render_one(env, job) for job in jobs[bounds[0]:bounds[1]]]
    except Exception:  # the parent renders the chunk itself and reports the error
        return None


def _render_stream(env: jinja2.Environment, jobs: Sequence[PageJob], workers: int,
                   show_progress: bool = False) -> Iterator[bytes]:
    """The pages of `jobs`, in order: from forked workers (each with its copy of the
    environment) when there are many, at most a few chunks ahead of the consumer so memory
    stays bounded; else, or for a chunk whose worker failed, rendered in this process
    (which then reports the error)."""
    global _STREAM
    if workers <= 1 or len(jobs) < PARALLEL_MIN or not can_fork():
        for job in progress(jobs, "rendering pages", show_progress, len(jobs)):
            yield _render_one(env, job)
        return
    chunks = [(start, min(start + CHUNK, len(jobs))) for start in range(0, len(jobs), CHUNK)]
    _STREAM = (env, jobs)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque = deque()
            for bounds in chunks:
                pending.append((bounds, pool.apply_async(_render_chunk, (bounds,))))
                if len(pending) > 2 * workers:
                    yield from _chunk_result(env, jobs, *pending.popleft())
            while pending:
                yield from _chunk_result(env, jobs, *pending.popleft())
    finally:
        _STREAM = None


def _chunk_result(env: jinja2.Environment, jobs: Sequence[PageJob], bounds: tuple[int, int],
                  result: multiprocessing.pool.AsyncResult) -> list[bytes]:
    try:
        pages = result.get()
    except Exception:  # a worker died: render here
        pages = None
    if pages is None:
        pages = [_render_one(env, job) for job in jobs[bounds[0]:bounds[1]]]
    return pages


def set_page_base(env: jinja2.Environment, cache: PageCache) -> None:
    """What every page depends on, for the cache: the environment's globals, filters,
    tests and templates."""
    cache.set_base(env.globals, env.filters, env.tests, template_digest(env))


def template_digest(env: jinja2.Environment) -> bytes:
    """A digest of every template the environment can load (any of them may be included)."""
    folders: list[Path] = []
    loaders = [env.loader]
    while loaders:
        loader = loaders.pop(0)
        if isinstance(loader, jinja2.ChoiceLoader):
            loaders.extend(loader.loaders)
        elif isinstance(loader, jinja2.PrefixLoader):
            loaders.extend(loader.mapping.values())
        elif isinstance(loader, jinja2.FileSystemLoader):
            folders.extend(Path(p) for p in loader.searchpath)
        else:
            return digest(b"uncacheable loader" + os.urandom(16))
    return tree_digest(folders)

