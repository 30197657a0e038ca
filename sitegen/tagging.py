"""Tags of a paper: its stored tags, normalised. (Rule and keyword tags: see issue 3.)"""

from __future__ import annotations

from .config import Config
from .model import Paper


def normalise_tag(name: str, aliases: dict[str, str] | None = None) -> str:
    """One spelling per tag: spaces folded, lower case, then aliases applied."""
    tag = " ".join(name.split()).lower()
    if aliases:
        tag = aliases.get(tag, tag)
    return tag


def tags_for(paper: Paper, config: Config) -> tuple[str, ...]:
    """The tags a paper is shown with, sorted and without duplicates."""
    aliases = {normalise_tag(k): normalise_tag(v) for k, v in config.tags["aliases"].items()}
    tags = {normalise_tag(t, aliases) for t in paper.tags}
    return tuple(sorted(t for t in tags if t))
