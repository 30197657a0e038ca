"""The site's outputs as a stream: `SiteBuild` makes pages, `.bib` files, feeds, the search
index, static files and the sitemap, in that order, with or without the build cache;
`build_outputs` collects them in memory (tests, `serve` and `check` use it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.config import Config
from sitegen.errors import OutputError
from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.statefile import cache_folder
from sitegen.model import Kept, KeptMany, Output, Paper, Site, TagLink
from sitegen.site.assemble import assemble
from sitegen.site.tagging import compile_rules
from sitegen.urls import Urls
from sitegen.util.fileio import leaves
from sitegen.util.parallel import worker_count

if TYPE_CHECKING:
    import jinja2

    from sitegen.render.pages import PageGroup, PageJob

# content (YAML), pages and render (Jinja) are imported where used: a build with nothing
# to do returns before it needs them.

def static_outputs(config: Config) -> list[Output]:
    """The theme's static files (the site's own `static/` overriding the theme's)."""
    from sitegen.render.templates import static_dirs

    files: dict[str, Path] = {}
    for folder in static_dirs(config):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                if leaves(file, folder):
                    raise OutputError("a static file links to a file outside its folder; "
                                      "not publishing it", str(file),
                                      hint="copy the file into the site instead of linking")
                files["static/" + file.relative_to(folder).as_posix()] = file
    return [Output(path, file.read_bytes()) for path, file in sorted(files.items())]


def assemble_site(config: Config, papers: list[Paper], tagged: bool = False) -> Site:
    """Papers -> Site with the config's tag rules applied (compiled once for all papers);
    `tagged`: the papers have their tags already (`load_papers` with the rules)."""
    if tagged:
        return assemble(papers, None)
    rules = compile_rules(config.tags)
    return assemble(papers, rules.tags)


#: Fragments of pages kept across builds (render.FragmentStore), in CACHE_DIR.
FRAGMENTS = "fragments.pickle"
#: Pages rendered per call of `render_jobs`: bounds the bytes held at once.
RENDER_CHUNK = 1000


class SiteBuild:
    """One build of a site's outputs, as a stream: pages, `.bib` files, feeds, search
    index, static files, sitemap (in that order). The search index is a separate part
    (`search_outputs`) so a forked process can make it while this one renders pages.
    `workers` is the number of processes the build may use."""

    def __init__(self, config: Config, site: Site, cache: PageCache | None = None,
                 workers: int = 1, show_progress: bool = False, folder: Path | None = None,
                 clean: bool = False, intact: Mapping[str, tuple[bytes, Any]] | None = None
                 ) -> None:
        self.config, self.site, self.cache = config, site, cache
        # the build cache's folder (feed entries), `--clean`, and the files verified intact
        # in the output folder (the search index reuses them when no paper changed)
        self.folder, self.clean, self.intact = folder, clean, intact
        # The first process beyond this one makes the search index (`write_site`), or
        # stays idle: forking page workers only pays with 3 processes or more.
        self.workers, self.show_progress = max(1, workers - 1), show_progress
        self.urls = Urls(config.site["base_url"])
        #: the sitemap's date of every page put so far, and the pages the cache kept
        self.lastmods: dict[str, dt.date | None] = {}
        self.kept_pages: set[str] = set()
        #: the dates of the pages not in groups (for the next build: `PageCache.previous_dates`)
        self.dates: dict[str, dt.date | None] = {}

    # The template environment and the page list are made when the pages first need them:
    # after `write_site` has forked the child that makes the search index and feeds, which
    # need neither, so the child starts without waiting for them (nor imports Jinja).
    @cached_property
    def env(self) -> jinja2.Environment:
        """The Jinja environment with the site's globals (and, with the build cache, the
        compiled templates' cache and the page base the fingerprints see)."""
        from sitegen.render.metadata import template_globals
        from sitegen.render.pages import set_page_base
        from sitegen.render.templates import (
            make_environment,
            use_bytecode_cache,
            use_fragment_store,
        )

        env = make_environment(self.config, self.urls)
        if self.folder is not None:
            use_bytecode_cache(env, self.folder, self.clean)
        env.globals["tag_by_name"] = {tag.name: TagLink(tag.name, tag.slug)
                                      for tag in self.site.tags}
        env.globals.update(template_globals(self.urls, self.config.site["title"]))
        if self.cache is not None:
            set_page_base(env, self.cache)
            if self.folder is not None and not self.clean:
                use_fragment_store(env, self.cache, self.folder / FRAGMENTS)
        return env

    def _page_cache(self) -> PageCache | None:
        """The page cache, ready: its base (what every page depends on) is set with `env`."""
        if self.cache is not None:
            self.env  # noqa: B018 (made for its effect on the cache)
        return self.cache

    def pages(self, batched: bool = False) -> Iterator[Output | Kept | KeptMany]:
        """The HTML pages, rendered a chunk at a time (or kept by the build cache: a group
        of pages kept whole without making their jobs, as one `KeptMany` if `batched`)."""
        from sitegen.render.pages import PageGroup, page_items
        from sitegen.util.progress import progress

        # made here, not before the search index's process is forked: the keys of the
        # groups digest the days
        items = list(page_items(self.site, self.urls, self.config.build["days_per_page"],
                                self.config.build["papers_per_page"], self._page_cache()))
        total = sum(item.size if isinstance(item, PageGroup) else 1 for item in items)
        pages = self._pages(items) if batched else _each(self._pages(items))
        return progress(pages, "rendering pages", self.show_progress, total)

    def _pages(self, items: list[PageJob | PageGroup]) -> Iterator[Output | Kept | KeptMany]:
        from sitegen.render.pages import PageGroup, render_jobs
        from sitegen.render.sitemap import page_lastmod
        from sitegen.render.templates import forget_fragments, save_fragment_store

        cache, lastmods = self._page_cache(), self.lastmods
        todo: list[PageJob] = []

        known = cache.previous_dates if cache is not None else {}

        def render() -> Iterator[Output | Kept]:
            outputs = render_jobs(self.env, todo, cache, self.workers, set_base=False)
            for job, output in zip(todo, outputs, strict=True):
                if job.path not in lastmods:  # not in a group, which found them already
                    # a kept page has the context, so the date, it had last time
                    date = known.get(job.path) if isinstance(output, Kept) else None
                    lastmods[job.path] = self.dates[job.path] = (
                        date if date is not None else page_lastmod(job.context))
                if isinstance(output, Kept):
                    self.kept_pages.add(output.path)
                yield output
            todo.clear()

        for item in items:
            if not isinstance(item, PageGroup):
                todo.append(item)
            else:
                key = cache.group_key(item.kind, item.values) if cache is not None else None
                kept = cache.kept_group(item.name, key, item.keep) if cache is not None else None
                if kept is not None:
                    if todo:
                        yield from render()  # outputs in job order
                    paths, dates = kept[1], kept[2]
                    lastmods.update(zip(paths, dates, strict=True) if isinstance(dates, tuple)
                                    else dict.fromkeys(paths, dates))
                    self.kept_pages.update(paths)
                    yield KeptMany(paths)
                    continue
                jobs = item.make()
                if item.exact and cache is not None and cache.new_key(item.name, key):
                    jobs = [replace(job, cached=False) for job in jobs]  # changed: no digest
                dates = tuple(page_lastmod(job.context) for job in jobs)
                lastmods.update(zip((job.path for job in jobs), dates, strict=True))
                if cache is not None:
                    cache.record_group(item.name, key, (job.path for job in jobs),
                                       dates[0] if len(set(dates)) == 1 else dates)
                todo += jobs
            if len(todo) >= RENDER_CHUNK:
                yield from render()
        yield from render()
        save_fragment_store(self.env)
        forget_fragments(self.env)

    def bibs(self, cached: bool = True, batched: bool = False
             ) -> Iterator[Output | Kept | KeptMany]:
        """The `.bib` files; with `cached`, those of unchanged papers `Kept` through the page
        cache (only where the pages' fingerprints are made: not in a forked child, whose
        fingerprints would not reach the saved state), a day's as one `KeptMany` if
        `batched`."""
        from sitegen.render.metadata import bib_outputs

        outputs = bib_outputs(self.site, self.urls, self._page_cache() if cached else None, batched)
        yield from outputs if batched else _each(outputs)

    def record_bibs(self) -> None:
        """Tell the page cache of the `.bib` files a forked child made (`bibs(False)`)."""
        from sitegen.render.metadata import record_bib_groups

        cache = self._page_cache()
        if cache is not None:
            record_bib_groups(self.site, self.urls, cache)

    def feeds(self) -> Iterator[Output | Kept]:
        """The feeds (with the build cache, the entries and headers of unchanged papers
        and feeds kept from the last build)."""
        from sitegen.render.feeds import feed_outputs

        store = None
        if self.cache is not None and self.folder is not None:
            from sitegen.incremental.feedcache import FEEDS_FILE, FeedCache

            store = FeedCache(self.folder / FEEDS_FILE, self.clean, self.cache.memo)
        yield from feed_outputs(self.site, self.config, self.urls, store)

    def search_outputs(self) -> Iterable[Output | Kept]:
        """The search index (from its cache in CACHE_DIR when no indexed text changed)."""
        from sitegen.incremental.searchstore import cached_search_outputs

        return cached_search_outputs(self.site, self.urls, cache_folder(self.config.root),
                                     self.intact, digests=self.cache.memo
                                     if self.cache is not None else None)

    def finish(self, paths: Iterable[str]) -> Iterator[Output]:
        """Static files, then the sitemap of every output so far (`paths`) and these
        (after `pages`, which found the pages' dates)."""
        from sitegen.render.sitemap import sitemap_outputs

        static = static_outputs(self.config)
        yield from static
        yield from sitemap_outputs(self.site, self.urls,
                                   [*paths, *(o.path for o in static)], self.lastmods)

    def outputs(self) -> Iterator[Output | Kept]:
        """Every output, in one process."""
        paths: list[str] = []
        for part in (self.pages(), self.bibs(), self.feeds(), self.search_outputs()):
            for output in part:
                paths.append(output.path)
                yield output
        yield from self.finish(paths)


def _each(outputs: Iterable[Output | Kept | KeptMany]) -> Iterator[Output | Kept]:
    """`outputs` with each `KeptMany` as a `Kept` per path."""
    for output in outputs:
        if type(output) is KeptMany:
            yield from map(Kept, output.paths)
        else:
            yield output  # type: ignore[misc]


def build_outputs(config: Config, papers: list[Paper], cache: PageCache | None = None,
                  show_progress: bool = False) -> tuple[Site, list[Output | Kept]]:
    """Every file of the site, in memory, in a stable order (tests, `serve`, `check`).

    Without `cache` every output is an `Output`; with one, pages unchanged since the last
    build come back as `Kept`. Feeds, `.bib` files, the search index and the sitemap are
    made every time (the search index from its own cache in CACHE_DIR).
    """
    site = assemble_site(config, papers)
    build = SiteBuild(config, site, cache, worker_count(config.build["workers"]), show_progress)
    return site, list(build.outputs())
