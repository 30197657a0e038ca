"""The test suite on a fresh machine and in CI: tests that need an optional tool skip
without it, and fail instead under CI=true, so CI cannot go green by skipping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, in_ci, require, require_repo_file


@pytest.mark.parametrize("value, strict", [("true", True), ("1", True), ("", False),
                                           ("false", False)])
def test_ci_variable(monkeypatch: pytest.MonkeyPatch, value: str, strict: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is strict


def test_a_missing_tool_skips_here_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the tool"):
        require(False, "the tool is missing")
    require(True, "never said")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require(False, "the tool is missing")


def _browser_tests(chromium: str, ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITEGEN_CHROMIUM": chromium, "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-rs", "tests/test_browser_core.py"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_browser_tests_skip_cleanly_without_chromium_and_fail_in_ci(tmp_path: Path) -> None:
    """SITEGEN_CHROMIUM names a browser that is not there: the way to try a machine without
    /usr/bin/chromium on one that has it."""
    missing = str(tmp_path / "no-chromium")
    here = _browser_tests(missing, ci="")
    assert here.returncode == 0, here.stdout + here.stderr
    assert " skipped" in here.stdout and "passed" not in here.stdout, here.stdout
    assert "chromium is not installed" in here.stdout
    in_ci_run = _browser_tests(missing, ci="true")
    assert in_ci_run.returncode == 1, in_ci_run.stdout
    assert "CI must run this test" in in_ci_run.stdout


def test_ci_script_installs_the_tools_and_makes_skips_fail() -> None:
    script = require_repo_file(".ci/run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]
    test_command = lines.index("pip install -q -e '.[test]' && python -m pytest -q -n 2")
    assert lines.index("export CI=true") < test_command
    assert any("apt-get install -y -qq chromium" in line for line in lines)
    npm = next(i for i, line in enumerate(lines) if line.startswith("npm ci"))
    assert npm < test_command


def test_readme_test_command_is_the_ci_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest -q -n 2" in readme
