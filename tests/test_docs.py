"""Docs are tested: every config key and every CLI option is documented in docs/."""

from __future__ import annotations

import argparse
from pathlib import Path

from sitegen.cli import make_parser
from sitegen.config import SCHEMA

DOCS = Path(__file__).resolve().parent.parent / "docs"


def all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


def test_every_config_key_is_documented():
    text = all_docs()
    missing = [f"[{s}] {k}" for s, keys in SCHEMA.items() for k in keys
               if f"[{s}] {k}" not in text]
    assert missing == []


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                for inner_name, inner in _subparsers(sub):
                    yield f"{name} {inner_name}", inner


def test_every_command_and_option_is_documented():
    text = all_docs()
    parser = make_parser()
    missing = []
    for name, sub in [("", parser), *_subparsers(parser)]:
        if name and f"sitegen {name}" not in text:
            missing.append(f"command: sitegen {name}")
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and f"`{option}" not in text:
                    missing.append(f"{name or 'sitegen'}: {option}")
    assert missing == []
