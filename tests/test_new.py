"""`sitegen new`: the skeleton, and the install line of the sitegen the user really has (PEP 610)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import (
    REPO,
    pip_install,
    require,
    require_repo_file,
    venv_env,
    venv_with_these_dependencies,
)

from sitegen import __version__
from sitegen.commands import new as new_command
from sitegen.commands.installsource import (
    InstallSource,
    from_direct_url,
    install_source,
    wheel_name,
)
from sitegen.commands.new import create_site

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def direct_url(**info: object) -> str:
    return json.dumps(info)


# --- the requirement line, from each kind of direct_url.json -------------------------------

def test_an_index_install_pins_the_version() -> None:
    source = from_direct_url(None, "1.2.3")
    assert source == InstallSource("sitegen==1.2.3", True, "version 1.2.3 from a package index")


def test_a_git_install_pins_the_commit_not_the_tag() -> None:
    raw = direct_url(url="https://github.com/lab/sitegen.git",
                     vcs_info={"vcs": "git", "commit_id": COMMIT, "requested_revision": "v1"})
    source = from_direct_url(raw)
    assert source.requirement == f"sitegen @ git+https://github.com/lab/sitegen.git@{COMMIT}"
    assert source.reachable and COMMIT in source.origin


def test_a_git_subdirectory_is_kept() -> None:
    raw = direct_url(url="https://example.org/mono.git", subdirectory="py/sitegen",
                     vcs_info={"vcs": "git", "commit_id": COMMIT})
    assert from_direct_url(raw).requirement.endswith(f"@{COMMIT}#subdirectory=py/sitegen")


def test_a_git_clone_on_this_disk_is_written_but_flagged() -> None:
    source = from_direct_url(direct_url(url="file:///home/me/sitegen",
                                        vcs_info={"vcs": "git", "commit_id": COMMIT}))
    assert source.requirement == f"sitegen @ git+file:///home/me/sitegen@{COMMIT}"
    assert not source.reachable


def test_an_archive_url_keeps_its_hash() -> None:
    raw = direct_url(url="https://example.org/sitegen-0.1.0-py3-none-any.whl",
                     archive_info={"hashes": {"sha256": "ab" * 32}})
    source = from_direct_url(raw)
    assert source.requirement == ("sitegen @ https://example.org/sitegen-0.1.0-py3-none-any.whl"
                                  f"#sha256={'ab' * 32}")
    assert source.reachable


def test_a_wheel_file_on_this_disk_is_vendored() -> None:
    source = from_direct_url(direct_url(url="file:///tmp/dist/sitegen-0.1.0-py3-none-any.whl",
                                        archive_info={}))
    assert not source.reachable
    assert source.requirement == "./vendor/sitegen-0.1.0-py3-none-any.whl"
    assert source.vendor_command == ("mkdir -p vendor && cp '/tmp/dist/sitegen-0.1.0-py3-none-any"
                                     ".whl' vendor/sitegen-0.1.0-py3-none-any.whl")


@pytest.mark.parametrize("raw", [direct_url(url="file:///src/sitegen",
                                            dir_info={"editable": True}),
                                 direct_url(url="file:///src/sitegen", dir_info={})])
def test_a_local_folder_is_vendored_as_a_wheel(raw: str) -> None:
    source = from_direct_url(raw)
    assert not source.reachable
    assert source.requirement == f"./vendor/{wheel_name()}"
    assert source.vendor_command == "pip wheel --no-deps -w vendor '/src/sitegen'"
    assert "/src/sitegen" in source.origin


@pytest.mark.parametrize("raw", ["{", "[]", direct_url(vcs_info={})])
def test_a_garbled_direct_url_is_treated_as_local(raw: str) -> None:
    assert not from_direct_url(raw).reachable


def test_this_test_run_sees_its_own_install() -> None:
    """The suite runs on an editable install (README command 2), a local folder."""
    source = install_source()
    assert not source.reachable
    assert source.requirement == f"./vendor/{wheel_name()}"


def test_another_checkout_first_on_sys_path_names_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed metadata describes another sitegen than the code running (a checkout
    on PYTHONPATH): the running code's folder is what the site must vendor."""
    from sitegen.commands import installsource

    other = tmp_path / "checkout" / "sitegen"
    other.mkdir(parents=True)
    monkeypatch.setattr(installsource, "RUNNING", other)
    source = install_source()
    assert source.local == str(tmp_path / "checkout")
    assert source.vendor_command == f"pip wheel --no-deps -w vendor '{tmp_path / 'checkout'}'"


# --- the files `new` writes ----------------------------------------------------------------

REACHABLE = InstallSource(f"sitegen @ git+https://example.org/sitegen.git@{COMMIT}", True,
                          f"https://example.org/sitegen.git at commit {COMMIT}")


def test_requirements_hold_exactly_the_install_line(tmp_path: Path) -> None:
    create_site(tmp_path / "s", REACHABLE)
    text = (tmp_path / "s" / "requirements.txt").read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == [REACHABLE.requirement]
    readme = (tmp_path / "s" / "README.md").read_text()
    assert COMMIT in readme and "Before the first push" not in readme


def test_a_local_sitegen_is_explained_in_the_readme(tmp_path: Path) -> None:
    local = from_direct_url(direct_url(url="file:///src/sitegen", dir_info={"editable": True}))
    create_site(tmp_path / "s", local)
    readme = (tmp_path / "s" / "README.md").read_text()
    assert "Before the first push" in readme and local.vendor_command in readme
    assert "published source" in readme  # the other way out
    text = (tmp_path / "s" / "requirements.txt").read_text()
    assert text.splitlines()[-1] == f"./vendor/{wheel_name()}"


@pytest.mark.parametrize("source", [REACHABLE, install_source()])
def test_the_skeleton_has_no_placeholders_left(tmp_path: Path, source: InstallSource) -> None:
    create_site(tmp_path / "s", source)
    for path in (tmp_path / "s").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"@[A-Z_]+@", text), path
            assert "OWNER" not in text and "sitegen-dev" not in text, path
            # Every link in a Markdown file goes to a page, not a bare host.
            for url in re.findall(r"\]\((https?://[^)]*)\)", text):
                assert re.match(r"https?://[^/]+/.+", url), (path, url)
    assert __version__ in (tmp_path / "s" / "README.md").read_text()


def test_new_in_a_fresh_clone_holding_only_git(run_cli, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    status, out, _ = run_cli("new", ".", cwd=clone)
    assert status == 0 and "created a new site in ." in out
    assert (clone / "sitegen.toml").is_file()
    assert (clone / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_new_still_refuses_other_files(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "clone"
    (folder / ".git").mkdir(parents=True)
    (folder / "README.md").write_text("mine")
    status, _, err = run_cli("new", str(folder))
    assert status == 1 and "README.md" in err and "only .git" in err
    assert (folder / "README.md").read_text() == "mine"
    assert not (folder / "sitegen.toml").exists()


def test_new_warns_when_ci_cannot_install_this_sitegen(run_cli, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = run_cli("new", "-q", str(tmp_path / "local"))
    assert status == 0 and out == ""
    assert "requirements.txt: warning:" in err and "vendor" in err  # not hidden by -q
    monkeypatch.setattr(new_command, "install_source", lambda: REACHABLE)
    status, out, err = run_cli("new", str(tmp_path / "git"))
    assert status == 0 and err == ""
    assert REACHABLE.requirement in out


# --- the real thing: a site made by a git-installed sitegen installs the same sitegen ------

def _installed(python: Path) -> dict:
    script = ("import importlib.metadata as m, json; d = m.distribution('sitegen'); "
              "print(json.dumps([d.version, d.read_text('direct_url.json')]))")
    version, raw = json.loads(subprocess.run([python, "-c", script], env=venv_env(),
                                             capture_output=True,
                                             text=True, check=True).stdout)
    return {"version": version, **json.loads(raw or "{}")}


@pytest.mark.slow
def test_a_site_made_from_a_git_install_reinstalls_the_same_sitegen(tmp_path: Path) -> None:
    """Install sitegen from a git URL (a local clone: offline), run `sitegen new` with it,
    then install the new site's requirements.txt into another fresh venv: the same commit
    of sitegen arrives."""
    require(shutil.which("git") is not None, "git is not installed")
    require_repo_file(".git")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, check=True,
                            capture_output=True, text=True).stdout.strip()
    # With a host: the pip that ensurepip gives Python 3.11/3.12 rejects `git+file:///...`.
    url = f"file://localhost{clone.as_posix()}"
    first = venv_with_these_dependencies(tmp_path / "first")
    pip_install(first, f"sitegen @ git+{url}@{commit}")
    made = subprocess.run([first.parent / "sitegen", "new", "site"], cwd=tmp_path, env=venv_env(),
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    requirements = tmp_path / "site" / "requirements.txt"
    assert f"sitegen @ git+{url}@{commit}" in requirements.read_text()
    # A file:// URL works here but not on GitHub's runner: said at once.
    assert "cannot install" in made.stderr
    second = venv_with_these_dependencies(tmp_path / "second")
    pip_install(second, "-r", str(requirements), cwd=tmp_path / "site")
    installed = _installed(second)
    assert installed["version"] == __version__
    assert installed["vcs_info"]["commit_id"] == commit
    assert installed == _installed(first)
