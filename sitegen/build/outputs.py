"""The site's outputs as a stream: `SiteBuild` makes pages, digest feeds, `.bib` files,
feeds, the search index, static files and the sitemap, in that order, with or without the
build cache; `build_outputs` collects them in memory (tests, `serve` and `check` use it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sitegen.config import Config
from sitegen.errors import OutputError, ProblemsFound
from sitegen.incremental.digests import Digests
from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.statefile import usable_cache_folder
from sitegen.incremental.units import CachedRunner
from sitegen.model import Kept, KeptMany, Output, Paper, Problem, Site, TagLink
from sitegen.render.units import RENDER_CHUNK, PlainRunner, Runner, Stage
from sitegen.site.assemble import assemble
from sitegen.site.people import authors_of, orgs_of, people_rules, pinned, with_people_pages
from sitegen.site.select import compile_selector, select
from sitegen.site.tagging import compile_rules
from sitegen.urls import Urls
from sitegen.util.fileid import digest
from sitegen.util.fileio import leaves
from sitegen.util.parallel import worker_count

if TYPE_CHECKING:
    from sitegen.incremental.fragments import KeptFragments
    from sitegen.render.templates import SiteEnvironment
    from sitegen.render.units import Base
    from sitegen.site.related import RelatedLists
    from sitegen.store.intros import Intro

# content (YAML), pages and render (Jinja) are imported where used: a build with nothing
# to do returns before it needs them.

def static_outputs(config: Config) -> list[Output]:
    """The theme's static files (the site's own `static/` overriding the theme's)."""
    from sitegen.render.themes import static_dirs

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


def assemble_site(config: Config, papers: list[Paper], tagged: bool = False,
                  digests: Digests | None = None) -> Site:
    """Papers -> Site with the config's tag rules applied and its `[select]` rules kept to
    (compiled once for all papers), the links to their authors' pages, the watched
    authors' papers first in their days, and the authors and organisations with a page
    (`[authors]`); `tagged`: the papers have their tags already and are the selection
    (`load_papers_cached` with the rules and the selector). `digests`: the build's, where
    a paper given links gets its digest from its loaded copy's (not hashed again)."""
    if not tagged:
        rules = compile_rules(config.tags)
        papers = select(papers, rules, compile_selector(config.select, rules))
    people = people_rules(config.authors)
    linked = with_people_pages(papers, people)
    if digests is not None:
        for old, new in zip(papers, linked, strict=True):
            known = digests.get(id(old)) if new is not old else None
            if known is not None:
                pages = "\0".join((*new.author_pages, "org", new.org_page))
                digests[id(new)] = (new, digest(known[1] + b"author_pages\0"
                                                + pages.encode("utf-8", "surrogatepass")))
    site = assemble(linked, None, pinned(people))
    return replace(site, authors=authors_of(site.papers, people),
                   orgs=orgs_of(site.papers, people.min_papers))


def site_with_lists(config: Config, site: Site) -> tuple[Site, list[Problem]]:
    """`site` with the reading lists of `content/lists/` (store/lists.py, site/lists.py),
    and every problem of their files and their paper references."""
    from sitegen.site.lists import with_lists
    from sitegen.store.lists import load_lists

    files, problems = load_lists(config.root)
    site, more = with_lists(site, files)
    return site, problems + more


def checked_intros(root: Path) -> dict[str, Intro]:
    """The digests' intros of the site at `root`; raise `ProblemsFound` on an error."""
    from sitegen.store.intros import load_intros

    intros, problems = load_intros(root)
    if any(p.severity == "error" for p in problems):
        raise ProblemsFound(tuple(problems), "build stopped")
    return intros


#: Reused includes kept across builds (incremental/fragments.py), in CACHE_DIR.
FRAGMENTS = "fragments.pickle"


class Templates(NamedTuple):
    """The pages' Jinja environment, what every page depends on (the page stage's base),
    and, with the build cache, the reused includes kept across builds."""

    env: SiteEnvironment
    base: Base
    fragments: KeptFragments | None


class SiteBuild:
    """One build of a site's outputs, as a stream: pages, `.bib` files, feeds, search
    index, static files, sitemap (in that order). The search index is a separate part
    (`search_outputs`) so a forked process can make it while this one renders pages.
    `workers` is the number of processes the build may use. With `cache`, the page and
    `.bib` stages run on the build cache's runner (incremental/units.py), else every
    output is made."""

    def __init__(self, config: Config, site: Site, cache: PageCache | None = None,
                 workers: int = 1, show_progress: bool = False, folder: Path | None = None,
                 clean: bool = False, intact: Mapping[str, tuple[bytes, Any]] | None = None,
                 intros: Mapping[str, Intro] | None = None) -> None:
        self.config, self.site, self.cache = config, site, cache
        self.intros = intros or {}  # the digests' intros, by digest name
        # the build cache's folder (feed entries), `--clean`, and the files verified intact
        # in the output folder (the search index reuses them when no paper changed)
        self.folder, self.clean, self.intact = folder, clean, intact
        # The first process beyond this one makes the search index (`write_site`), or
        # stays idle: forking page workers only pays with 3 processes or more.
        self.workers, self.show_progress = max(1, workers - 1), show_progress
        self.urls = Urls(config.site["base_url"])
        self.runner: Runner = CachedRunner(cache) if cache is not None else PlainRunner()
        #: the pages the build cache kept (for the build's result)
        self.kept_pages: set[str] = set()

    # The template environment and the page list are made when the pages first need them:
    # after `write_site` has forked the child that makes the search index and feeds, which
    # need neither, so the child starts without waiting for them (nor imports Jinja).
    @cached_property
    def templates(self) -> Templates:
        """The Jinja environment with the site's globals, what every page depends on, and
        (with the build cache) the reused includes kept across builds."""
        from sitegen.incremental.digests import code_digest
        from sitegen.incremental.fragments import KeptFragments
        from sitegen.render.metadata import template_globals
        from sitegen.render.templates import (
            environment_base,
            make_environment,
            use_bytecode_cache,
        )

        cache, folder = self.cache, self.folder
        fragments = (KeptFragments(folder / FRAGMENTS, cache.memo)
                     if cache is not None and folder is not None and not self.clean else None)
        env = make_environment(self.config, self.urls, fragments)
        if folder is not None:
            use_bytecode_cache(env, folder, code_digest().hex()[:16], self.clean)
        env.globals["tag_by_name"] = {name: TagLink(tag.name, tag.slug)
                                      for tag in self.site.tags
                                      for name in (tag.name, *tag.aliases)}
        env.globals.update(template_globals(self.urls, self.config.site["title"]))
        env.globals["has_lists"] = bool(self.site.lists)  # the header links to them
        base = environment_base(env)
        if fragments is not None and cache is not None:
            fragments.base = cache.base(base)
        return Templates(env, base, fragments)

    @cached_property
    def related(self) -> RelatedLists:
        """Every paper's related papers (site/related.py); with the build cache, the lists
        of the days it kept are not made again (incremental/relatedstore.py)."""
        from sitegen.site.related import related_papers

        store = None
        if self.cache is not None and self.folder is not None:
            from sitegen.incremental.relatedstore import RELATED_FILE, CachedRelatedStore

            store = CachedRelatedStore(self.folder / RELATED_FILE, self.clean,
                                       self.cache.memo)
        return related_papers(self.site, store)

    @property
    def env(self) -> SiteEnvironment:
        """The Jinja environment of the pages."""
        return self.templates.env

    def pages(self, batched: bool = False) -> Iterator[Output | Kept | KeptMany]:
        """The HTML pages, rendered a chunk at a time (or kept by the build cache: a unit
        kept whole without making its jobs, as one `KeptMany` if `batched`)."""
        from sitegen.render.pages import page_stage
        from sitegen.render.people import with_people
        from sitegen.util.progress import progress

        templates = self.templates
        stage = page_stage(self.site, self.urls, templates.env,
                           self.config.build["days_per_page"],
                           self.config.build["papers_per_page"], self.workers, templates.base,
                           self.intros, self.config.digests["settle_days"],
                           related=self.related)
        stage = with_people(stage, self.site, self.urls, self.config.authors["papers_per_page"])
        outputs = self.runner.run(stage, RENDER_CHUNK, batched)
        return progress(self._pages(outputs), "rendering pages", self.show_progress,
                        stage.size)

    def _noted(self, outputs: Iterable[Output | Kept | KeptMany]
               ) -> Iterator[Output | Kept | KeptMany]:
        """`outputs`, with the paths of those kept noted in `kept_pages`."""
        kept = self.kept_pages
        for output in outputs:
            if type(output) is KeptMany:
                kept.update(output.paths)
            elif type(output) is Kept:
                kept.add(output.path)
            yield output

    def _pages(self, outputs: Iterable[Output | Kept | KeptMany]
               ) -> Iterator[Output | Kept | KeptMany]:
        yield from self._noted(outputs)
        if self.templates.fragments is not None:
            self.templates.fragments.save()
        self.env.forget_reused()

    def bibs(self, cached: bool = True, batched: bool = False
             ) -> Iterator[Output | Kept | KeptMany]:
        """The `.bib` and `.ris` files; with `cached`, on the build's runner (a forked child
        makes them plain: what its cache learnt would not reach the saved state), a unit's
        kept files as one `KeptMany` if `batched`."""
        runner = self.runner if cached else PlainRunner()
        return runner.run(self.citation_stage(), RENDER_CHUNK, batched)

    def record_bibs(self) -> None:
        """Tell the build's runner of the `.bib` files a forked child made (`bibs(False)`)."""
        self.runner.record(self.citation_stage())

    def citation_stage(self) -> Stage:
        """Each paper's `.bib` file and every page's bulk `.bib` and `.ris` files."""
        from sitegen.render.citations import citation_stage
        from sitegen.render.lists import list_cited_pages

        return citation_stage(self.site, self.urls, self.config.build["papers_per_page"],
                              list_cited_pages(self.site),
                              self.config.authors["papers_per_page"])

    def digest_feeds(self, batched: bool = False) -> Iterator[Output | Kept | KeptMany]:
        """The digest feeds, on the build's runner (kept whole while no period settles)."""
        from sitegen.render.digestfeeds import digest_feed_stage

        stage = digest_feed_stage(self.site.days, self.config, self.urls, self.intros)
        return self._noted(self.runner.run(stage, RENDER_CHUNK, batched))

    def feeds(self) -> Iterator[Output | Kept]:
        """The feeds, then the authors' and organisations' (with the build cache, the
        entries and headers of unchanged papers and feeds kept from the last build)."""
        from sitegen.render.feeds import feed_outputs
        from sitegen.render.peoplefeeds import people_feed_outputs

        store = people = None
        if self.cache is not None and self.folder is not None:
            from sitegen.incremental.feedcache import FEEDS_FILE, PEOPLE_FEEDS_FILE, FeedCache

            store = FeedCache(self.folder / FEEDS_FILE, self.clean, self.cache.memo)
            people = FeedCache(self.folder / PEOPLE_FEEDS_FILE, self.clean, self.cache.memo)
        yield from feed_outputs(self.site, self.config, self.urls, store)
        yield from people_feed_outputs(self.site, self.config, self.urls, people)
        if self.site.lists:
            from sitegen.render.lists import list_feeds

            yield from list_feeds(self.site, self.config, self.urls)

    def search_outputs(self) -> Iterable[Output | Kept]:
        """The search index (from its cache in CACHE_DIR when no indexed text changed)."""
        # a build's checked folder; `serve` and `check` (no page cache) keep the index's
        # cache in the folder a build would use, checked the same way
        folder = self.folder if self.cache is not None else usable_cache_folder(
            self.config.root)[0]
        if folder is None:  # no cache folder sitegen may use: the index is made whole
            from sitegen.search.index import search_outputs

            return search_outputs(self.site, self.urls)
        from sitegen.incremental.searchstore import cached_search_outputs

        return cached_search_outputs(self.site, self.urls, folder, self.intact,
                                     digests=self.cache.memo if self.cache is not None else None)

    def finish(self, lastmods: dict[str, dt.date | None]) -> Iterator[Output]:
        """Static files, then the sitemap of every output put so far (`lastmods`: each
        one's path and sitemap date) and these."""
        from sitegen.render.sitemap import sitemap_outputs

        static = static_outputs(self.config)
        yield from static
        lastmods.update((output.path, output.lastmod) for output in static)
        yield from sitemap_outputs(self.site, self.urls, lastmods)

    def outputs(self) -> Iterator[Output | Kept]:
        """Every output, in one process."""
        lastmods: dict[str, dt.date | None] = {}
        for part in (self.pages(), self.digest_feeds(), self.bibs(), self.feeds(),
                     self.search_outputs()):
            for output in part:
                assert type(output) is not KeptMany  # not batched
                lastmods[output.path] = output.lastmod
                yield output
        yield from self.finish(lastmods)


def build_outputs(config: Config, papers: list[Paper], show_progress: bool = False,
                  problems: list[Problem] | None = None,
                  intros: Mapping[str, Intro] | None = None
                  ) -> tuple[Site, list[Output | Kept]]:
    """Every file of the site, in memory, in a stable order (tests, `serve`, `check`):
    every page and `.bib` file made (the search index from its own cache in CACHE_DIR).
    `intros`: the digests' intros (default: read from the site's folder; an error in
    one stops the build, as in `build_site`). The reading lists' problems go to
    `problems`; raises `ProblemsFound` on an error.
    """
    if intros is None:
        intros = checked_intros(config.root)
    site, found = site_with_lists(config, assemble_site(config, papers))
    if problems is not None:
        problems += found
    if any(problem.severity == "error" for problem in found):
        raise ProblemsFound(tuple(found), "build stopped")
    build = SiteBuild(config, site, None, worker_count(config.build["workers"]),
                      show_progress, intros=intros)
    return site, list(build.outputs())
