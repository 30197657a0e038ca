"""Site -> HTML pages: which page kinds exist, their contexts and their templates."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .cache import PageCache, digest, tree_digest
from .model import Kept, Output, Site
from .parallel import fork_map
from .progress import progress
from .render import render_template
from .urls import Urls


@dataclass(frozen=True)
class Pager:
    """Where one page of a paginated list stands: its number, the count, the neighbours."""

    number: int
    count: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class PageJob:
    """One page to render: template, context, output path. Cheap to make, rendered later."""

    template: str
    path: str
    context: dict[str, Any]


def _pages(items: Sequence, per_page: int) -> list[Sequence]:
    count = max(1, math.ceil(len(items) / per_page))
    return [items[i * per_page:(i + 1) * per_page] for i in range(count)]


def _pager(urls: Urls, kind: str, obj: object, number: int, count: int) -> Pager:
    return Pager(
        number=number,
        count=count,
        prev_url=urls.url(kind, obj, number - 1) if number > 1 else None,
        next_url=urls.url(kind, obj, number + 1) if number < count else None,
    )


def page_jobs(site: Site, urls: Urls, days_per_page: int, papers_per_page: int
              ) -> Iterator[PageJob]:
    """Every HTML page of the site, in a stable order."""
    home_pages = _pages(site.days, days_per_page)
    for number, days in enumerate(home_pages, 1):
        yield PageJob("index.html", urls.output_path("home", None, number), {
            "days": days, "pager": _pager(urls, "home", None, number, len(home_pages)),
            "canonical": urls.absolute("home", None, number)})
    for day in site.days:
        yield PageJob("day.html", urls.output_path("day", day.date), {
            "day": day, "canonical": urls.absolute("day", day.date)})
    for month in site.months:
        yield PageJob("month.html", urls.output_path("month", (month.year, month.month)), {
            "month": month, "canonical": urls.absolute("month", (month.year, month.month))})
    for year in sorted({m.year for m in site.months}, reverse=True):
        months = tuple(m for m in site.months if m.year == year)
        yield PageJob("year.html", urls.output_path("year", year), {
            "year": year, "months": months, "canonical": urls.absolute("year", year)})
    yield PageJob("archive.html", urls.output_path("archive"), {
        "months": site.months, "canonical": urls.absolute("archive")})
    for day in site.days:
        for index, paper in enumerate(day.papers):
            yield PageJob("paper.html", urls.output_path("paper", paper), {
                "paper": paper, "day": day,
                "prev_paper": day.papers[index - 1] if index > 0 else None,
                "next_paper": day.papers[index + 1] if index + 1 < len(day.papers) else None,
                "canonical": urls.absolute("paper", paper)})
    yield PageJob("tags.html", urls.output_path("tags"), {
        "tags": site.tags, "canonical": urls.absolute("tags")})
    for tag in site.tags:
        tag_pages = _pages(tag.papers, papers_per_page)
        for number, papers in enumerate(tag_pages, 1):
            yield PageJob("tag.html", urls.output_path("tag", tag, number), {
                "tag": tag, "papers": papers,
                "pager": _pager(urls, "tag", tag, number, len(tag_pages)),
                "canonical": urls.absolute("tag", tag, number)})
    yield PageJob("search.html", urls.output_path("search"), {
        "canonical": urls.absolute("search")})
    yield PageJob("404.html", urls.output_path("not_found"), {"canonical": None})


def render_jobs(env: jinja2.Environment, jobs: Sequence[PageJob],
                cache: PageCache | None = None, workers: int = 1,
                show_progress: bool = False) -> list[Output | Kept]:
    """Render page jobs to outputs (the context gets the job's own output path).

    With a `cache`, a page whose fingerprint is the one it was built from last time, and
    whose file is intact, is not rendered: it comes back as `Kept`. With `workers` > 1,
    many pages are rendered by forked processes; the order of the outputs stays the same.
    `show_progress` shows a bar on a terminal when rendering in this process.
    """
    if cache is not None:
        cache.set_base(env.globals, env.filters, env.tests, template_digest(env))
    outputs: list[Output | Kept] = []
    todo: list[int] = []
    for job in jobs:
        if cache is not None and cache.unchanged(
                job.path, cache.fingerprint(job.template, job.path, job.context)):
            outputs.append(Kept(job.path))
        else:
            todo.append(len(outputs))
            outputs.append(Kept(job.path))  # a placeholder, replaced below
    pages = _render_parallel(env, [jobs[i] for i in todo], workers, show_progress)
    for index, data in zip(todo, pages, strict=True):
        outputs[index] = Output(jobs[index].path, data)
    return outputs


PARALLEL_MIN = 400  # fewer pages than this render faster in one process than forking


def _render_parallel(env: jinja2.Environment, jobs: Sequence[PageJob], workers: int,
                     show_progress: bool = False) -> list[bytes]:
    """Render in forked workers (each with its copy of the environment), in order; in this
    process when that is not possible or a worker failed (this one reports the error)."""
    def render(job: PageJob) -> bytes:
        return render_template(env, job.template, {**job.context, "output_path": job.path})

    pages = fork_map(render, jobs, workers, PARALLEL_MIN)
    if pages is not None:
        return pages
    return [render(job) for job in progress(jobs, "rendering pages", show_progress, len(jobs))]


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

