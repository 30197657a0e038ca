"""The build pipeline: load -> assemble -> render -> write. Offline and deterministic.

`build_outputs` returns the whole site in memory (tests, `serve` and `check` use it);
`build_site` adds loading, the build cache (cache.py: a build with no input changed does
nothing, unchanged pages are not rendered again) and the atomic write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .assemble import assemble
from .cache import (
    PageCache,
    StatKey,
    cache_folder,
    code_digest,
    digest,
    fs_now,
    load_state,
    save_state,
    stats_digest,
    value_digest,
)
from .config import Config
from .errors import OutputError, ProblemsFound
from .fileio import leaves
from .lock import locked, output_lock
from .model import Kept, Output, Paper, Problem, Site, TagLink
from .parallel import worker_count
from .tagging import compile_rules
from .urls import Urls
from .writer import MARKER, WriteStats, recover, trusted_manifest, verified, write_outputs

# content (YAML), pages and render (Jinja) are imported where used: a build with nothing
# to do returns before it needs them.

#: Build caches live here, in the site's root (gitignored by the skeleton).
CACHE_DIR = ".sitegen-cache"


@dataclass(frozen=True)
class BuildResult:
    """What a build made and found.

    `site` is None when nothing changed and the build was skipped; `outputs` holds `Kept`
    for pages the build cache did not render again (their bytes are in the output folder).
    """

    site: Site | None
    outputs: tuple[Output | Kept, ...]
    problems: tuple[Problem, ...]
    stats: WriteStats | None = None
    papers: int = 0  # counts for the summary line, also known when the build was skipped
    days: int = 0


def static_outputs(config: Config) -> list[Output]:
    """The theme's static files (the site's own `static/` overriding the theme's)."""
    from .render import static_dirs

    files: dict[str, bytes] = {}
    for folder in static_dirs(config):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                if leaves(file, folder):
                    raise OutputError("a static file links to a file outside its folder; "
                                      "not publishing it", str(file),
                                      hint="copy the file into the site instead of linking")
                files["static/" + file.relative_to(folder).as_posix()] = file.read_bytes()
    return [Output(path, data) for path, data in sorted(files.items())]


def assemble_site(config: Config, papers: list[Paper]) -> Site:
    """Papers -> Site with the config's tag rules applied (compiled once for all papers)."""
    rules = compile_rules(config.tags)
    return assemble(papers, rules.tags)


def build_outputs(config: Config, papers: list[Paper], cache: PageCache | None = None,
                  show_progress: bool = False) -> tuple[Site, list[Output | Kept]]:
    """Every file of the site, in memory, in a stable order.

    Without `cache` every output is an `Output`; with one (`build_site`), pages unchanged
    since the last build come back as `Kept`. Feeds, `.bib` files, the search index and
    the sitemap are made every time (the search index from its own cache in CACHE_DIR);
    the writer skips those whose bytes did not change.
    """
    from .feeds import feed_outputs
    from .metadata import bib_outputs, template_globals
    from .pages import page_jobs, render_jobs
    from .render import make_environment
    from .search import cached_search_outputs
    from .sitemap import sitemap_outputs

    urls = Urls(config.site["base_url"])
    site = assemble_site(config, papers)
    env = make_environment(config, urls)
    env.globals["tag_by_name"] = {tag.name: TagLink(tag.name, tag.slug) for tag in site.tags}
    env.globals.update(template_globals(urls, config.site["title"]))
    jobs = list(page_jobs(site, urls, config.build["days_per_page"],
                          config.build["papers_per_page"]))
    outputs: list[Output | Kept] = list(render_jobs(env, jobs, cache,
                                                    worker_count(config.build["workers"]),
                                                    show_progress))
    outputs += bib_outputs(site, urls)
    outputs += feed_outputs(site, config, urls)
    outputs += cached_search_outputs(site, urls, config.root / CACHE_DIR)
    outputs += static_outputs(config)
    outputs += sitemap_outputs(site, urls, outputs, {job.path: job.context for job in jobs})
    return site, outputs


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
        return _build_locked(config, target, strict, clean, show_progress)


def _build_locked(config: Config, target: Path, strict: bool, clean: bool,
                  show_progress: bool) -> BuildResult:
    folder = cache_folder(config.root)
    state_file = folder / f"build-{digest(str(target).encode()).hex()}.pickle"
    recover(target)
    inputs = inputs_digest(config, target)
    state = None if clean else load_state(state_file)
    if clean:
        _drop_search_cache(folder)
    if state is not None and state["inputs"] == inputs and (target / MARKER).exists():
        intact = verified(target, state["manifest"])
        if len(intact) == len(state["manifest"]):  # nothing to do, nothing to write
            problems = tuple(state["problems"])
            _check_problems(problems, strict)
            stats = WriteStats(0, len(intact), 0, state["manifest"])
            return BuildResult(None, tuple(Kept(p) for p in intact), problems, stats,
                               **state["counts"])
    from .content import load_papers

    digests: dict[int, tuple[object, bytes]] = {}
    papers, problems = load_papers(config.root, cache=folder / "papers.pickle",
                                   refresh=clean, digests=digests)
    _check_problems(tuple(problems), strict)
    manifest = state["manifest"] if state is not None else None
    previous: dict[str, bytes] = {}
    intact = None
    if state is not None and manifest is not None:
        intact = verified(target, manifest)
        previous = {path: key for path, key in state["pages"].items() if path in intact}
    pages = PageCache(previous, digests)
    site, outputs = build_outputs(config, papers, pages, show_progress)
    stats = write_outputs(outputs, target, manifest, intact)
    counts = {"papers": len(site.papers), "days": len(site.days)}
    if stats.manifest is not None:
        try:
            fs_now(folder)  # the cache folder is writable, or there is no cache this time
        except OSError:
            return BuildResult(site, tuple(outputs), tuple(problems), stats, **counts)
        save_state(state_file, {"inputs": inputs, "problems": problems, "counts": counts,
                                "pages": pages.fingerprints,
                                "manifest": trusted_manifest(stats.manifest, target,
                                                             lambda: fs_now(folder))})
    return BuildResult(site, tuple(outputs), tuple(problems), stats, **counts)


def _drop_search_cache(folder: Path) -> None:
    """`--clean`: the search index is made anew too (search.py keeps it in the cache)."""
    try:
        for old in folder.glob("search-*.bin"):
            old.unlink()
    except OSError:  # an unwritable cache folder is no error
        pass


def _check_problems(problems: tuple[Problem, ...], strict: bool) -> None:
    if any(p.severity == "error" or strict for p in problems):
        raise ProblemsFound(problems, "build stopped")


def _tree_stats(folder: str, found: list[tuple[str, StatKey]],
                seen: set[tuple[int, int]] | None = None) -> None:
    """(path, stat) of every file under `folder`, following symlinks (a linked papers
    folder is allowed), each folder once (a link back up would otherwise never end)."""
    seen = set() if seen is None else seen
    try:
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            return
        seen.add((st.st_dev, st.st_ino))
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir():
                _tree_stats(entry.path, found, seen)
            else:
                st = entry.stat()
                found.append((entry.path, (st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                           st.st_ino)))
        except OSError:
            pass


def inputs_digest(config: Config, target: Path) -> bytes:
    """Everything a build reads, by file stats: if this is unchanged, so is the site.

    The content folder, the site's templates, themes and static files, the packaged
    themes, the config, sitegen's code and libraries, `SOURCE_DATE_EPOCH`, the output path.
    """
    stats: list[tuple[str, StatKey]] = []
    for name in ("content", "templates", "themes", "static"):
        _tree_stats(str(config.root / name), stats)
    package = Path(__file__).parent  # the packaged themes: in the wheel, or the repo's
    for themes in (package / "themes", package.parent / "themes"):
        _tree_stats(str(themes), stats)
    parts = [code_digest(), value_digest(config, {}), stats_digest(stats),
             str(target).encode("utf-8", "surrogatepass"),
             os.environ.get("SOURCE_DATE_EPOCH", "").encode()]
    return digest(b"".join(parts))
