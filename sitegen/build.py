"""The build pipeline: load -> assemble -> render -> write. Offline and deterministic.

`build_outputs` returns the whole site in memory (tests, `serve` and `check` use it);
`build_site` adds loading, the build cache (cache.py: a build with no input changed does
nothing, unchanged pages are not rendered again) and the atomic write.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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
from .errors import ProblemsFound
from .model import Kept, Output, Paper, Problem, Site, TagLink
from .parallel import worker_count
from .tagging import tags_for
from .urls import Urls
from .writer import MARKER, WriteStats, recover, trusted_manifest, verified, write_outputs

# content (YAML), pages and render (Jinja) are imported where used: a build with nothing
# to do returns before it needs them.

Progress = Callable[[int], None]


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
                files["static/" + file.relative_to(folder).as_posix()] = file.read_bytes()
    return [Output(path, data) for path, data in sorted(files.items())]


def assemble_site(config: Config, papers: list[Paper]) -> Site:
    """Papers -> Site with the config's tag rules applied."""
    return assemble(papers, lambda paper: tags_for(paper, config))


def build_outputs(config: Config, papers: list[Paper], cache: PageCache | None = None
                  ) -> tuple[Site, list[Output | Kept]]:
    """Every file of the site, in memory, in a stable order.

    Without `cache` every output is an `Output`; with one (`build_site`), pages unchanged
    since the last build come back as `Kept`.
    """
    from .pages import page_jobs, render_jobs
    from .render import make_environment

    urls = Urls(config.site["base_url"])
    site = assemble_site(config, papers)
    env = make_environment(config, urls)
    env.globals["tag_by_name"] = {tag.name: TagLink(tag.name, tag.slug) for tag in site.tags}
    jobs = list(page_jobs(site, urls, config.build["days_per_page"],
                          config.build["papers_per_page"]))
    outputs = render_jobs(env, jobs, cache, worker_count(config.build["workers"]))
    outputs += static_outputs(config)
    return site, outputs


def build_site(config: Config, out_dir: Path | None = None, strict: bool = False,
               clean: bool = False) -> BuildResult:
    """Load the content, build every output and write them; raise on errors, keep old output.

    Errors in the content stop the build before anything is written; so do warnings
    when `strict` is set. `clean` builds from scratch: the build cache is not read (and
    is written anew), the output folder is staged whole and swapped in.
    """
    target = (out_dir or config.root / config.build["output"]).absolute()
    folder = cache_folder(config.root)
    state_file = folder / f"build-{digest(str(target).encode()).hex()}.pickle"
    recover(target)
    inputs = inputs_digest(config, target)
    state = None if clean else load_state(state_file)
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
    papers, problems = load_papers(config.root, folder / "papers.pickle", clean, digests)
    _check_problems(tuple(problems), strict)
    manifest = state["manifest"] if state is not None else None
    previous: dict[str, bytes] = {}
    intact = None
    if state is not None and manifest is not None:
        intact = verified(target, manifest)
        previous = {path: key for path, key in state["pages"].items() if path in intact}
    pages = PageCache(previous, digests)
    site, outputs = build_outputs(config, papers, pages)
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


def _check_problems(problems: tuple[Problem, ...], strict: bool) -> None:
    if any(p.severity == "error" or strict for p in problems):
        raise ProblemsFound(problems, "build stopped")


def _tree_stats(folder: str, found: list[tuple[str, StatKey]]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir():
                _tree_stats(entry.path, found)
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
