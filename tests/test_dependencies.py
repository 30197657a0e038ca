"""Dependency bounds: the releases sitegen relies on the internals or exact output of are
bounded in pyproject.toml, and the installed ones lie within the bounds. To try a new
release: install it, run the suite with SITEGEN_TRY_RELEASES=1 (README, "Dependencies")."""

from __future__ import annotations

import os
import tomllib
from importlib import metadata

import pytest
from conftest import require_repo_file
from packaging.requirements import Requirement

#: Libraries whose internals or exact bytes sitegen uses: feedgen (feed bytes spliced by
#: render/feeds.py), lunr (lunr.py's pipeline, stemmer and stop words, search/analyser.py).
RELIED_ON = {"feedgen", "lunr"}


def requirements() -> dict[str, Requirement]:
    data = tomllib.loads(require_repo_file("pyproject.toml").read_text(encoding="utf-8"))
    found = [Requirement(line) for line in data["project"]["dependencies"]]
    return {req.name.lower(): req for req in found}


def upper_bounded(req: Requirement) -> bool:
    return any(spec.operator in ("<", "<=", "~=", "==") for spec in req.specifier)


def test_libraries_whose_internals_we_use_have_an_upper_bound() -> None:
    reqs = requirements()
    assert RELIED_ON <= set(reqs)
    assert [name for name in sorted(RELIED_ON) if not upper_bounded(reqs[name])] == []


@pytest.mark.parametrize("name", sorted(RELIED_ON))
def test_the_installed_release_is_within_the_bounds(name: str) -> None:
    req = requirements()[name]
    installed = metadata.version(name)
    if installed not in req.specifier and os.environ.get("SITEGEN_TRY_RELEASES") == "1":
        pytest.skip(f"trying {name} {installed}, outside {req.specifier}: if the whole suite "
                    "passes, raise the bound in pyproject.toml")
    assert installed in req.specifier, (
        f"{name} {installed} is installed, but pyproject.toml allows {req.specifier}: "
        "reinstall (pip install -e '.[test]'), or try the release with SITEGEN_TRY_RELEASES=1")
