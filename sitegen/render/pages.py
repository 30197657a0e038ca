"""Site -> HTML pages: which pages exist (as units: render/units.py), their contexts
and their templates.

`page_units` is the one place that lists the site's pages: a new page kind is a few
units there (and its jobs function below).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sitegen.model import Day, ListLink, Month, Site, Tag, TagLink
from sitegen.render.digestpages import digest_units
from sitegen.render.lists import list_units
from sitegen.render.sitemap import page_lastmod
from sitegen.render.templates import environment_base, render_template
from sitegen.render.units import Base, Job, Settled, Stage, Unit
from sitegen.site.digests import SETTLE_DAYS
from sitegen.site.lists import lists_by_paper
from sitegen.site.periods import TOP, WeekLinks, iso_week, ranked, top_windows, weeks_of
from sitegen.site.related import DayLists, RelatedLists, related_papers
from sitegen.urls import Urls
from sitegen.util.parallel import can_fork

if TYPE_CHECKING:
    import jinja2

    from sitegen.store.intros import Intro

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


def page_job(template: str, path: str, context: dict[str, Any], cached: bool = True) -> Job:
    """A page to render: its sitemap date is the newest paper day its context shows.
    Contexts hold papers in tuples, never lists: a tuple's papers are digested by their
    memoized digests, a list is pickled whole (and a paper's pickle is not stable)."""
    return Job(template, path, context, page_lastmod(context), cached)


def paper_jobs(urls: Urls, day: Day, related: DayLists | None = None,
               on_lists: Mapping[str, tuple[ListLink, ...]] | None = None) -> list[Job]:
    """The pages of a day's papers: each shows its paper, its neighbours on the day, its
    related papers (`related`: the day's lists; none without) and the reading lists it is
    on (`on_lists`, by slug)."""
    papers = day.papers
    last = len(papers) - 1
    lists = related.lists() if related is not None else [()] * len(papers)
    on_lists = on_lists or {}
    return [page_job("paper.html", urls.output_path("paper", paper), {
        "paper": paper,
        "prev_paper": papers[index - 1] if index > 0 else None,
        "next_paper": papers[index + 1] if index < last else None,
        "related": lists[index],
        "lists": on_lists.get(paper.slug, ()),
        "canonical": urls.absolute("paper", paper)}) for index, paper in enumerate(papers)]


def tag_jobs(urls: Urls, tag: Tag, papers_per_page: int, number: int | None = None
             ) -> list[Job]:
    """A tag's page: its main page (the newest papers; `number` None) or numbered page
    `number`."""
    link = TagLink(tag.name, tag.slug)
    full = len(tag.papers) // papers_per_page
    last = full - 1 if full > 1 else None
    if number is None:
        main_size = len(tag.papers) - (full - 1) * papers_per_page if last else None
        return [page_job("tag.html", urls.output_path("tag", link), {
            "tag": link, "total": len(tag.papers), "papers": tag.papers[:main_size],
            "pager": _pager(urls, "tag", link, None, last),
            "canonical": urls.absolute("tag", link)})]
    papers = numbered_page(tag.papers, papers_per_page, number)
    return [page_job("tag.html", urls.output_path("tag", link, number), {
        "tag": link, "total": None, "papers": papers,
        "pager": _pager(urls, "tag", link, number, last),
        "canonical": urls.absolute("tag", link, number)})]


def home_jobs(urls: Urls, days: Sequence[Day], days_per_page: int, number: int | None = None
              ) -> list[Job]:
    """The home page (`number` None: the newest days) or numbered home page `number`."""
    if number is None:
        main_days, numbered_days = stable_pages(days, days_per_page)
        last = numbered_days[0][0] if numbered_days else None
        return [page_job("index.html", urls.output_path("home"), {
            "days": main_days, "pager": _pager(urls, "home", None, None, last),
            "canonical": urls.absolute("home")})]
    last = len(days) // days_per_page - 1
    return [page_job("index.html", urls.output_path("home", None, number), {
        "days": numbered_page(days, days_per_page, number),
        "pager": _pager(urls, "home", None, number, last),
        "canonical": urls.absolute("home", None, number)})]


def day_jobs(urls: Urls, day: Day) -> list[Job]:
    """A day's page."""
    return [page_job("day.html", urls.output_path("day", day.date), {
        "day": day, "canonical": urls.absolute("day", day.date)})]


def week_jobs(urls: Urls, links: WeekLinks) -> list[Job]:
    """A week's page: its top papers by the ranking rule, then all of them by day."""
    week = links.week
    return [page_job("week.html", urls.output_path("week", week), {
        "week": week, "top": tuple(ranked(week.days)[:TOP]), "prev": links.prev, "next": links.next,
        "over": links.over, "canonical": urls.absolute("week", week)})]


def month_jobs(urls: Urls, month: Month) -> list[Job]:
    """A month's page: its top papers, its weeks and its days."""
    weeks = sorted({iso_week(day.date) for day in month.days}, reverse=True)
    key = (month.year, month.month)
    return [page_job("month.html", urls.output_path("month", key), {
        "month": month, "top": tuple(ranked(month.days)[:TOP]), "weeks": tuple(weeks),
        "total": sum(len(day.papers) for day in month.days),
        "canonical": urls.absolute("month", key)})]


def top_jobs(urls: Urls, days: Sequence[Day]) -> list[Job]:
    """The top of the last 7 and 30 days, counted from the newest day (never the clock)."""
    return [page_job("top.html", urls.output_path("top"), {
        "windows": tuple(top_windows(days)), "newest": days[0].date if days else None,
        "canonical": urls.absolute("top")})]


def tag_list_jobs(urls: Urls, tags: tuple[Tag, ...]) -> list[Job]:
    """The list of tags (rendered without a fingerprint, which would digest every tagged
    paper: its unit's key and settledness keep it)."""
    return [page_job("tags.html", urls.output_path("tags"), {
        "tags": tags, "canonical": urls.absolute("tags")}, cached=False)]


def single_page(template: str, kind: str, urls: Urls, obj: Any = None, **context: Any
              ) -> list[Job]:
    """A page of its own: `template` with `context`, at the URL of `kind` (and `obj`)."""
    return [page_job(template, urls.output_path(kind, obj), {
        **context, "canonical": urls.absolute(kind, obj) if kind != "not_found" else None})]


#: The sequences list pages show (`Settled`), oldest day first: each day's papers (tag
#: pages show papers), and the days themselves (home pages show days with their
#: neighbours).
DAY_PAPERS, DAYS = "day papers", "days"


def page_units(site: Site, urls: Urls, days_per_page: int, papers_per_page: int,
               intros: Mapping[str, Intro] | None = None, settle_days: int = SETTLE_DAYS,
               related: RelatedLists | None = None) -> Iterator[Unit]:
    """Every HTML page of the site, as units, in a stable order (`intros`: the digests'
    intros by digest name).

    A page's context holds only what it shows, so that a page whose content did not change
    has the same fingerprint and is not rendered again: a tag's numbered pages get a
    `TagLink` (not the `Tag` with all its papers), a paper page not its `Day` (whose
    neighbours change when a day is added).

    A day's page and its papers' pages are keyed by the day (its papers; the paper pages
    also by the day's related lists, `related`, which hold papers of that day and older,
    so a new day keeps them); numbered list
    pages (stable pagination: each a fixed slice counted from the oldest entry) by their
    place only, with the days they show as `Settled`: a new day then makes a tag's main
    page again, not its hundred numbered pages.
    """
    # how many days, oldest first, go up to each date: what a page showing papers up to
    # that date needs settled
    through = {day.date: len(site.days) - index for index, day in enumerate(site.days)}
    yield Unit("index.html", "index.html", None,
               partial(home_jobs, urls, site.days, days_per_page))
    kind = f"index.html\0{urls.base_url}\0{days_per_page}"
    for number, _ in stable_pages(site.days, days_per_page)[1]:
        last = number == len(site.days) // days_per_page - 1
        yield Unit(f"index.html {number}", kind, (f"{number}\0{last}",),
                   partial(home_jobs, urls, site.days, days_per_page, number),
                   Settled(DAYS, number * days_per_page), exact=True)
    kind = "day.html\0" + urls.base_url
    for day in site.days:
        yield Unit("day.html " + day.date.isoformat(), kind, (day,),
                   partial(day_jobs, urls, day), exact=True)
    # A week's page shows its days' papers and its neighbours: kept whole while they are
    # the same, so a settled week is never made again (its days have no neighbours here).
    kind = "week.html\0" + urls.base_url
    for links in weeks_of(site.days):
        week = links.week
        yield Unit(f"week.html {week.year}-W{week.week:02d}", kind, (links,),
                   partial(week_jobs, urls, links), exact=True)
    yield Unit("top.html", "top.html", None, partial(top_jobs, urls, site.days))
    yield from digest_units(site.days, urls, intros or {}, settle_days)
    for month in site.months:
        yield Unit(f"month.html {month.year}-{month.month:02d}", "month.html", None,
                   partial(month_jobs, urls, month))
    for year in sorted({m.year for m in site.months}, reverse=True):
        months = tuple(m for m in site.months if m.year == year)
        yield Unit(f"year.html {year}", "year.html", None,
                   partial(single_page, "year.html", "year", urls, year, year=year, months=months))
    yield Unit("archive.html", "archive.html", None,
               partial(single_page, "archive.html", "archive", urls, months=site.months))
    kind = "paper.html\0" + urls.base_url  # the pages' paths and canonical URLs
    # a paper page names the reading lists it is on: a day's key holds its papers' lists,
    # so a list edited makes the days of the papers it adds or drops (their pages then
    # kept by fingerprint but those whose lists changed); its related lists show too
    on_lists = lists_by_paper(site.lists)
    for day in site.days:
        day_lists = related.of(day) if related is not None else None
        shelved = tuple((paper.slug, on_lists[paper.slug]) for paper in day.papers
                        if paper.slug in on_lists)
        yield Unit("paper.html " + day.date.isoformat(), kind,
                   (day.papers, day_lists, shelved) if shelved else (day.papers, day_lists),
                   partial(paper_jobs, urls, day, day_lists, dict(shelved)),
                   size=len(day.papers))
    yield from list_units(site, urls)
    newest = max((tag.papers[0].date for tag in site.tags if tag.papers), default=None)
    yield Unit("tags.html", "tags.html\0" + urls.base_url,
               (tuple((tag.name, tag.slug, len(tag.papers)) for tag in site.tags),),
               partial(tag_list_jobs, urls, site.tags),
               Settled(DAY_PAPERS, through[newest]) if newest else None)
    kind = f"tag.html\0{urls.base_url}\0{papers_per_page}"
    for tag in site.tags:
        head = f"{tag.name}\0{tag.slug}\0"
        name = "tag.html " + tag.slug
        yield Unit(name, kind, (head + str(len(tag.papers)),),
                   partial(tag_jobs, urls, tag, papers_per_page),
                   Settled(DAY_PAPERS, through[tag.papers[0].date]) if tag.papers else None,
                   exact=True)
        full = len(tag.papers) // papers_per_page
        for number in range(full - 1, 0, -1):  # as `stable_pages` lists them
            shown = numbered_page(tag.papers, papers_per_page, number)
            yield Unit(f"{name} {number}", kind, (f"{head}{number}\0{number == full - 1}",),
                       partial(tag_jobs, urls, tag, papers_per_page, number),
                       Settled(DAY_PAPERS, through[shown[0].date]), exact=True)
    yield Unit("search.html", "search.html", None,
               partial(single_page, "search.html", "search", urls))
    yield Unit("saved.html", "saved.html", None,
               partial(single_page, "saved.html", "saved", urls))
    yield Unit("404.html", "404.html", None,
               partial(single_page, "404.html", "not_found", urls))


def page_stage(site: Site, urls: Urls, env: jinja2.Environment, days_per_page: int,
               papers_per_page: int, workers: int = 1, base: Base | None = None,
               intros: Mapping[str, Intro] | None = None, settle_days: int = SETTLE_DAYS,
               related: RelatedLists | None = None) -> Stage:
    """The HTML pages as a stage: its units (`page_units`), rendered with `env` (by
    `workers` processes when there are many), on the sequences of days the list pages
    show (oldest first), with `base` (default: the environment's globals and templates)
    and the related lists (`related`; default: made here, site/related.py)."""
    days = site.days[::-1]
    if related is None:
        related = related_papers(site)
    return Stage(list(page_units(site, urls, days_per_page, papers_per_page, intros,
                                 settle_days, related)),
                 partial(render_pages, env, workers=workers),
                 {DAY_PAPERS: [day.papers for day in days], DAYS: days},
                 base if base is not None else environment_base(env))


PARALLEL_MIN = 400  # fewer pages than this render faster in one process than forking
CHUNK = 200  # pages per task sent to a worker
_STREAM: tuple[jinja2.Environment, Sequence[Job]] | None = None


def _render_one(env: jinja2.Environment, job: Job) -> bytes:
    return render_template(env, job.template, {**job.context, "output_path": job.path})


def _render_chunk(bounds: tuple[int, int]) -> list[bytes] | None:
    """In a forked worker: render jobs[start:end] of the inherited work."""
    assert _STREAM is not None
    env, jobs = _STREAM
    try:
        return [_render_one(env, job) for job in jobs[bounds[0]:bounds[1]]]
    except Exception:  # the parent renders the chunk itself and reports the error
        return None


def render_pages(env: jinja2.Environment, jobs: Sequence[Job], workers: int = 1
                 ) -> Iterator[bytes]:
    """The pages of `jobs`, lazily, in order (the context gets the job's own output path):
    from forked workers (each with its copy of the environment) when there are many, at
    most a few chunks ahead of the consumer so memory stays bounded; else, or for a chunk
    whose worker failed, rendered in this process (which then reports the error)."""
    global _STREAM
    if workers <= 1 or len(jobs) < PARALLEL_MIN or not can_fork():
        for job in jobs:
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


def _chunk_result(env: jinja2.Environment, jobs: Sequence[Job], bounds: tuple[int, int],
                  result: multiprocessing.pool.AsyncResult) -> list[bytes]:
    try:
        pages = result.get()
    except Exception:  # a worker died: render here
        pages = None
    if pages is None:
        pages = [_render_one(env, job) for job in jobs[bounds[0]:bounds[1]]]
    return pages
