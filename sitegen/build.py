"""The build pipeline: load -> assemble -> render -> write. Offline and deterministic.

`build_outputs` returns the whole site in memory (tests, `serve` and `check` use it);
`build_site` adds loading and the atomic write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .assemble import assemble
from .config import Config
from .content import load_papers
from .errors import ProblemsFound
from .model import Output, Paper, Problem, Site
from .pages import page_jobs, render_jobs
from .render import make_environment, static_dirs
from .search import cached_search_outputs
from .tagging import tags_for
from .urls import Urls
from .writer import WriteStats, write_outputs

Progress = Callable[[int], None]
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
                files["static/" + file.relative_to(folder).as_posix()] = file.read_bytes()
    return [Output(path, data) for path, data in sorted(files.items())]


def assemble_site(config: Config, papers: list[Paper]) -> Site:
    """Papers -> Site with the config's tag rules applied."""
    return assemble(papers, lambda paper: tags_for(paper, config))


def build_outputs(config: Config, papers: list[Paper]) -> tuple[Site, list[Output]]:
    """Every file of the site, in memory, in a stable order."""
    urls = Urls(config.site["base_url"])
    site = assemble_site(config, papers)
    env = make_environment(config, urls)
    env.globals["tag_by_name"] = {tag.name: tag for tag in site.tags}
    jobs = list(page_jobs(site, urls, config.build["days_per_page"],
                          config.build["papers_per_page"]))
    outputs = render_jobs(env, jobs)
    outputs += cached_search_outputs(site, urls, config.root / CACHE_DIR)
    outputs += static_outputs(config)
    return site, outputs


def build_site(config: Config, out_dir: Path | None = None, strict: bool = False) -> BuildResult:
    """Load the content, build every output and write them; raise on errors, keep old output.

    Errors in the content stop the build before anything is written; so do warnings
    when `strict` is set.
    """
    papers, problems = load_papers(config.root)
    blocking = [p for p in problems if p.severity == "error" or strict]
    if blocking:
        raise ProblemsFound(tuple(problems), "build stopped")
    site, outputs = build_outputs(config, papers)
    target = out_dir or config.root / config.build["output"]
    stats = write_outputs(outputs, target)
    return BuildResult(site, tuple(outputs), tuple(problems), stats)

