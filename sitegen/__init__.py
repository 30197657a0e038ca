"""sitegen: a static site generator for research-paper feeds.

The public API is what this module exports; everything else is private by convention.
"""

from ._meta import PROJECT_URL, __version__
from .build import BuildResult, build_outputs, build_site
from .config import Config, load_config, parse_config
from .content import load_papers, paper_to_text, parse_paper
from .errors import ConfigError, ContentError, OutputError, ProblemsFound, SitegenError, SourceError
from .model import Day, Output, Paper, Problem, Site, Tag

__all__ = [
    "BuildResult", "Config", "ConfigError", "ContentError", "Day", "Output", "OutputError",
    "Paper", "Problem", "ProblemsFound", "Site", "SitegenError", "SourceError", "Tag",
    "PROJECT_URL", "__version__", "build_outputs", "build_site", "load_config", "load_papers",
    "paper_to_text", "parse_config", "parse_paper",
]
