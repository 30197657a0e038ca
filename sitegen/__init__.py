"""sitegen: a static site generator for research-paper feeds.

The public API is what this module exports; everything else is private by convention.
"""

from typing import TYPE_CHECKING, Any

from sitegen._meta import PROJECT_URL, __version__
from sitegen.config import Config, load_config, parse_config
from sitegen.errors import (
    ConfigError,
    ContentError,
    OutputError,
    ProblemsFound,
    SitegenError,
    SourceError,
)
from sitegen.model import Day, Output, Paper, Problem, Site, Tag

if TYPE_CHECKING:
    from sitegen.build.outputs import build_outputs
    from sitegen.build.pipeline import BuildResult, build_site
    from sitegen.store.paperfile import paper_to_text, parse_paper
    from sitegen.store.papers import load_papers

# Imported on first use: a `sitegen build` with nothing to do never loads Jinja or YAML.
_LAZY = {"BuildResult": "build.pipeline", "build_outputs": "build.outputs",
         "build_site": "build.pipeline", "load_papers": "store.papers",
         "paper_to_text": "store.paperfile", "parse_paper": "store.paperfile"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BuildResult", "Config", "ConfigError", "ContentError", "Day", "Output", "OutputError",
    "Paper", "Problem", "ProblemsFound", "Site", "SitegenError", "SourceError", "Tag",
    "PROJECT_URL", "__version__", "build_outputs", "build_site", "load_config", "load_papers",
    "paper_to_text", "parse_config", "parse_paper",
]
