"""The build pipeline: load -> assemble -> render -> write. Offline and deterministic.

`build_site` adds to the output stream of `SiteBuild` (outputs.py) loading, the build cache
(incremental/: a build with no input changed does nothing, unchanged pages are not
rendered again) and the writer (write/), which takes each file as it is made, so the
site's bytes are never all in memory; on a machine with two cores or more a forked child
makes the search index meanwhile (`write_site`).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.build.notelinks import note_link_warnings
from sitegen.build.outputs import SiteBuild, assemble_site, site_with_lists
from sitegen.config import Config
from sitegen.errors import OutputError, ProblemsFound
from sitegen.incremental import outputwalks
from sitegen.incremental.digests import Digests
from sitegen.incremental.inputs import FolderStats, inputs_digest
from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.statefile import load_state, save_state, usable_cache_folder
from sitegen.model import Kept, KeptMany, Output, Problem, Site
from sitegen.urls import Urls
from sitegen.util.fileid import digest, fs_now
from sitegen.util.lock import locked, output_lock
from sitegen.util.parallel import Forked, fork_call, worker_count
from sitegen.write.manifest import trusted_manifest
from sitegen.write.writer import MARKER, Part, SiteWriter, WriteStats, recover

# the store and the parse cache (YAML), pages and render (Jinja) are imported where used:
# a build with nothing to do returns before it needs them.


@dataclass(frozen=True)
class Made:
    """An output made by this build and written to the output folder (bytes not kept)."""

    path: str


@dataclass(frozen=True)
class BuildResult:
    """What a build made and found.

    `site` is None when nothing changed and the build was skipped. `outputs` lists every
    file of the site: `Kept` for pages the build cache did not render again, `Made` for
    the others (their bytes went to the output folder as they were made, not kept).
    """

    site: Site | None
    outputs: tuple[Made | Kept, ...]
    problems: tuple[Problem, ...]
    stats: WriteStats | None = None
    papers: int = 0  # counts for the summary line, also known when the build was skipped
    days: int = 0


#: Sites with fewer papers build their search index in the main process (forking costs more).
FORK_MIN_PAPERS = 500


@dataclass(frozen=True)
class ChildPart:
    """What the forked child put into the staging folder, and the sitemap dates of those
    of its outputs that have one."""

    part: Part
    lastmods: dict[str, dt.date]


def write_site(build: SiteBuild, writer: SiteWriter, processes: int) -> WriteStats:
    """Stream every output of `build` into `writer` and swap the site in.

    With 2 processes or more (and a big enough site), a forked child makes the search
    index and writes its files into the staging folder itself, sending back only their
    paths, hashes and stats, while this process renders the pages. On a build from
    scratch (no page fingerprints from a last build) the child also makes the `.bib`
    files (a new file per paper costs system time, which this balances against the pages)
    and this process the feeds; on a rebuild, where the search index is mostly kept, the
    child makes the feeds and the `.bib` files stay here, where the page cache keeps
    those of unchanged papers. If
    the child fails, this process makes its part again (and reports any error as it would
    alone).
    """
    child: Forked | None = None
    bibs_in_child = build.cache is None or not build.cache.previous
    # on a rebuild the search index is mostly kept (a day makes its recent segment only):
    # the child makes the feeds too, which the pages would otherwise wait for
    feeds_in_child = not bibs_in_child
    #: every output put so far, with its sitemap date (the sitemap is made of them)
    lastmods: dict[str, dt.date | None] = {}

    def put(outputs: Iterable[Output | Kept | KeptMany]) -> None:
        for output in outputs:
            if type(output) is KeptMany:  # a kept unit's files: one call
                writer.put_kept(output.paths)
                lastmods.update(zip(output.paths, output.lastmods, strict=True))
            else:
                writer.put(output)  # type: ignore[arg-type]
                lastmods[output.path] = output.lastmod  # type: ignore[union-attr]

    if processes > 1 and len(build.site.papers) >= FORK_MIN_PAPERS:
        def child_part() -> ChildPart:
            writer.part()
            put(build.search_outputs())
            if bibs_in_child:
                put(build.bibs(cached=False))
            if feeds_in_child:
                put(build.feeds())
            return ChildPart(writer.part_result(), {
                path: date for path, date in lastmods.items() if date is not None})

        child = fork_call(child_part)

    bibs_here = child is None or not bibs_in_child
    feeds_here = child is None or not feeds_in_child
    try:
        put(build.pages(batched=True))
        put(build.digest_feeds(batched=True))
        if feeds_here:
            put(build.feeds())
        if bibs_here:
            put(build.bibs(batched=True))
        done, child = (child.result() if child is not None else None), None
        if isinstance(done, ChildPart):
            writer.merge(done.part)
            lastmods.update(dict.fromkeys(done.part.files))
            lastmods.update(done.lastmods)
            if bibs_in_child and build.cache is not None:
                build.record_bibs()
        else:  # no child, or it failed: its part is made here (errors reported as usual)
            put(build.search_outputs())
            if not bibs_here:
                put(build.bibs(batched=True))
            if not feeds_here:
                put(build.feeds())
        writer.put_all(build.finish(lastmods))
    finally:
        if child is not None:
            child.cancel()
    return writer.commit()


def build_site(config: Config, out_dir: Path | None = None, strict: bool = False,
               clean: bool = False, show_progress: bool = False) -> BuildResult:
    """Load the content, build every output and write them; raise on errors, keep old output.

    Errors in the content stop the build before anything is written; so do warnings
    when `strict` is set. `clean` builds from scratch: the build cache (parsed papers,
    page fingerprints, manifest, search index) is not read, and is written anew; unchanged
    files are then found by reading the old output.
    """
    target = (out_dir or config.root / config.build["output"]).absolute()
    if not target.name or target.name in (".", ".."):
        raise OutputError("the output folder must be a named folder, not "
                          f"{str(out_dir or target)!r}", str(out_dir or target),
                          hint="e.g. --out _site")
    # The lock covers the whole build: recovery, the no-change check against the last
    # build's state, the write and the new state go together.
    with locked(output_lock(target), f"the output folder {out_dir or target}"):
        try:
            return _build_locked(config, target, strict, clean, show_progress)
        finally:
            gc.unfreeze()  # what `_build_locked` froze is the collector's again


def _long_lived() -> None:
    """Objects made so far live as long as the build (papers, site, state): the cyclic
    garbage collector leaves them alone from now on (`gc.freeze`). Each collection of the
    oldest generation would otherwise walk all of them (tens of ms at 10,000 papers, many
    times a build), and a forked child, walking them, would copy every page they are on."""
    gc.freeze()


def _build_locked(config: Config, target: Path, strict: bool, clean: bool,
                  show_progress: bool) -> BuildResult:
    # None when `.sitegen-cache` is not a folder sitegen may use (then `refused` says why)
    folder, refused = usable_cache_folder(config.root)
    state_file = folder / f"build-{digest(str(target).encode()).hex()}.pickle" if folder else None
    recover(target)
    state = None if clean or state_file is None else load_state(state_file)
    _long_lived()
    manifest = state["manifest"] if state is not None else None
    processes = worker_count(config.build["workers"])
    # the output files' stats are taken meanwhile (and waited for only when needed)
    walks = outputwalks.start_walks(target, manifest, processes)
    try:
        listed: dict[str, FolderStats] = {}
        inputs = inputs_digest(config, target, listed)
        if clean and folder is not None:
            _drop_search_cache(folder)
        found = None
        if state is not None and state["inputs"] == inputs and (target / MARKER).exists():
            found, walks = outputwalks.walked(walks, target, state["manifest"], stage=False), None
            if len(found[0]) == len(state["manifest"]):  # nothing to do, nothing to write
                problems = tuple(state["problems"])
                _check_problems(problems, strict)
                stats = WriteStats(0, len(found[0]), 0, state["manifest"])
                return BuildResult(None, tuple(Kept(p) for p in found[0]), problems, stats,
                                   **state["counts"])
        if walks is not None and manifest is not None:
            walks.list_stage(target, manifest)
        from sitegen.incremental.papercache import PAPERS_CACHE, load_papers_cached, tagging
        from sitegen.store.papers import PAPERS_DIR

        digests = Digests()
        papers, problems = load_papers_cached(  # tagged, and only those [select] keeps
            config.root, folder / PAPERS_CACHE if folder else None, refresh=clean,
            tags=tagging(config.tags, config.select), digests=digests,
            stats=listed.get(str(config.root / PAPERS_DIR)))
        if refused is not None:
            problems.insert(0, refused)
        from sitegen.store.intros import load_intros

        intros, intro_problems = load_intros(config.root)
        problems += intro_problems
        _check_problems(tuple(problems), strict)
        del listed  # a stat per file: garbage now
        _long_lived()
        site, list_problems = site_with_lists(
            config, assemble_site(config, papers, tagged=True, digests=digests))
        if list_problems:
            problems += list_problems
            _check_problems(tuple(problems), strict)
        # the page cache gets the last build's fingerprints once the output files are
        # known intact (below): nothing before `write_site` reads them
        pages = PageCache(digests, state)
        build = SiteBuild(config, site, pages, processes, show_progress, folder, clean,
                          intros=intros)
    except BaseException:  # content errors, or anything else: the walks are not needed
        if walks is not None:
            walks.cancel()
        raise
    intact = None
    staged = None
    if state is not None and manifest is not None:
        intact, staged = found if found is not None else outputwalks.walked(walks, target,
                                                                           manifest)
        pages.verified(intact)
    build.intact = intact
    writer = SiteWriter(target, manifest, intact, staged)
    _long_lived()
    stats = write_site(build, writer, processes)
    assert stats.manifest is not None
    kept = build.kept_pages
    outputs = tuple(Kept(p) if p in kept else Made(p) for p in stats.manifest)
    counts = {"papers": len(site.papers), "days": len(site.days)}
    problems = [*problems, *note_link_warnings(  # kept for a build with nothing to do too
        config.root, site.papers, Urls(config.site["base_url"]), config.site["base_url"],
        target, stats.manifest)]
    result = BuildResult(site, outputs, tuple(problems), stats, **counts)
    if folder is not None and state_file is not None:
        try:
            fs_now(folder)  # the cache folder is writable, or there is no cache this time
            save_state(state_file, {"inputs": inputs, "problems": problems, "counts": counts,
                                    **pages.saved(),
                                    "manifest": trusted_manifest(stats.manifest, target,
                                                                 lambda: fs_now(folder))})
        except OSError:
            pass
    if strict and problems:  # warnings found once the site was written (links in notes)
        raise ProblemsFound(result.problems, "the site was written, but --strict fails on "
                            "its warnings")
    return result


def _drop_search_cache(folder: Path) -> None:
    """`--clean`: the search index is made anew too (its cache files: incremental.searchstore)."""
    try:
        for old in folder.glob("search-*.bin"):
            old.unlink()
    except OSError:  # an unwritable cache folder is no error
        pass


def _check_problems(problems: tuple[Problem, ...], strict: bool) -> None:
    if any(p.severity == "error" or strict for p in problems):
        raise ProblemsFound(problems, "build stopped")
