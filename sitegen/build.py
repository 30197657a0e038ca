"""The build pipeline: load -> assemble -> render -> write. Offline and deterministic.

`build_outputs` returns the whole site in memory (tests, `serve` and `check` use it);
`build_site` adds loading and the atomic write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .assemble import assemble
from .config import Config
from .content import load_papers
from .errors import OutputError, ProblemsFound
from .feeds import feed_outputs
from .fileio import leaves
from .lock import locked, output_lock
from .metadata import bib_outputs, template_globals
from .model import Output, Paper, Problem, Site
from .pages import page_jobs, render_jobs
from .progress import progress
from .render import make_environment, static_dirs
from .search import cached_search_outputs
from .sitemap import sitemap_outputs
from .tagging import compile_rules
from .urls import Urls
from .writer import WriteStats, write_outputs

#: Build caches live here, in the site's root (gitignored by the skeleton).
CACHE_DIR = ".sitegen-cache"


@dataclass(frozen=True)
class BuildResult:
    """What a build made and found."""

    site: Site
    outputs: tuple[Output, ...]
    problems: tuple[Problem, ...]
    stats: WriteStats | None = None


def static_outputs(config: Config) -> list[Output]:
    """The theme's static files (the site's own `static/` overriding the theme's)."""
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


def build_outputs(config: Config, papers: list[Paper], show_progress: bool = False
                  ) -> tuple[Site, list[Output]]:
    """Every file of the site, in memory, in a stable order."""
    urls = Urls(config.site["base_url"])
    site = assemble_site(config, papers)
    env = make_environment(config, urls)
    env.globals["tag_by_name"] = {tag.name: tag for tag in site.tags}
    env.globals.update(template_globals(urls, config.site["title"]))
    jobs = list(page_jobs(site, urls, config.build["days_per_page"],
                          config.build["papers_per_page"]))
    outputs = render_jobs(env, progress(jobs, "rendering pages", show_progress, len(jobs)))
    outputs += bib_outputs(site, urls)
    outputs += feed_outputs(site, config, urls)
    outputs += cached_search_outputs(site, urls, config.root / CACHE_DIR)
    outputs += static_outputs(config)
    outputs += sitemap_outputs(site, urls, outputs, {job.path: job.context for job in jobs})
    return site, outputs


def build_site(config: Config, out_dir: Path | None = None, strict: bool = False,
               show_progress: bool = False) -> BuildResult:
    """Load the content, build every output and write them; raise on errors, keep old output.

    Errors in the content stop the build before anything is written; so do warnings
    when `strict` is set.
    """
    papers, problems = load_papers(config.root)
    blocking = [p for p in problems if p.severity == "error" or strict]
    if blocking:
        raise ProblemsFound(tuple(problems), "build stopped")
    site, outputs = build_outputs(config, papers, show_progress)
    target = out_dir or config.root / config.build["output"]
    if not target.absolute().name or target.absolute().name in (".", ".."):
        raise OutputError("the output folder must be a named folder, not "
                          f"{str(target)!r}", str(target), hint="e.g. --out _site")
    with locked(output_lock(target), f"the output folder {target}"):
        stats = write_outputs(outputs, target)
    return BuildResult(site, tuple(outputs), tuple(problems), stats)

