"""Helpers for the feed, sitemap, metadata and tagging tests: papers and builds in memory."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import write_paper

from sitegen.build.outputs import build_outputs
from sitegen.config import load_config
from sitegen.store.papers import load_papers


def write_simple_paper(root: Path, slug: str, title: str, date: str = "2025-08-11",
                       notes: str = "", **fields: object) -> Path:
    """Write a paper file whose front matter is `fields` dumped by YAML (any text is safe)."""
    data = {"title": title, "date": date, **fields}
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return write_paper(root, slug, f"---\n{front}---\n{notes}")


def build(root: Path, base_url: str | None = None) -> dict[str, bytes]:
    """Build the site at `root` in memory: output path -> bytes."""
    config = load_config(root)
    if base_url:
        config = config.with_base_url(base_url)
    papers, problems = load_papers(root)
    assert not [p for p in problems if p.severity == "error"], problems
    _site, outputs = build_outputs(config, papers)
    return {o.path: o.data for o in outputs}


ATOM_GRAMMAR = Path(__file__).resolve().parent / "fixtures" / "atom.rng"


def atom_grammar_problems(data: bytes) -> list[str]:
    """Where an Atom document breaks RFC 4287's RELAX NG grammar (tests/fixtures/atom.rng);
    [] if it is valid."""
    from lxml import etree

    grammar = etree.RelaxNG(etree.parse(str(ATOM_GRAMMAR)))
    if grammar.validate(etree.fromstring(data)):
        return []
    return [f"line {error.line}: {error.message}" for error in grammar.error_log]
