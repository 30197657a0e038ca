"""The build cache never runs what a repository holds (issue 20, item 1).

A pull request can commit `.sitegen-cache` as a symlink to one of its own folders (or as a
real folder, `git add -f`) holding pickles and Jinja bytecode that run code when loaded;
the Pages build that runs `sitegen import` and `sitegen build` on it holds a token that can
push. These tests plant such files under every name the cache reads and check that
nothing runs, the site is built right, and the user is told.
"""

from __future__ import annotations

import marshal
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.util.fileid import digest
from tests.conftest import MINIMAL_CONFIG, REPO, write_paper

PAPERS = 6
PICKLED_CACHE_FILES = ("papers.pickle", "papers.pickle.delta", "feeds.pickle",
                       "feeds.pickle.delta", "fragments.pickle", "search-base.bin",
                       "search-base-papers.bin", "search-recent.bin", "search-recent-papers.bin")


def _site(root: Path) -> Path:
    (root / "content" / "papers").mkdir(parents=True)
    (root / "sitegen.toml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    for i in range(PAPERS):
        write_paper(root, f"p{i}", f"---\ntitle: 'Agents for paper {i}'\n"
                    f"date: 2025-08-{11 + i % 3}\nrank: {i + 1}\n"
                    f"abstract: 'An LLM agent, number {i}.'\n---\n")
    return root


def sitegen(root: Path, *args: str, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """`sitegen ARGS` in a child process, as the Pages workflow runs it."""
    full = {**os.environ, "PYTHONPATH": str(REPO), "SITEGEN_TODAY": "2025-08-20", **(env or {})}
    return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=root, env=full,
                          capture_output=True, text=True, timeout=300)


def _evil_pickle(marker: Path) -> bytes:
    """A protocol-0 pickle that creates `marker` when loaded."""
    return f"cbuiltins\nopen\n(S'{marker}'\nS'w'\ntR.".encode()


def _evil_bytecode(cache_file: bytes, marker: Path) -> bytes:
    """Jinja bytecode for the template a real cache file is for (its source checksum
    copied), whose code creates `marker` when the template is loaded."""
    from jinja2.bccache import bc_magic

    start = cache_file.index(bc_magic) + len(bc_magic)
    checksum = pickle.loads(cache_file[start:])  # noqa: S301 (the test's own cache file)
    code = compile(f"open({str(marker)!r}, 'w').close()", "<forged>", "exec")
    return bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)


def _plant(folder: Path, site: Path, reference_cache: Path, markers: Path) -> list[Path]:
    """Malicious files under every name the build cache reads, in `folder`."""
    markers.mkdir(exist_ok=True)
    target = (site / "_site").absolute()
    names = [*PICKLED_CACHE_FILES, f"build-{digest(str(target).encode()).hex()}.pickle"]
    planted = []
    for name in names:
        (folder / name).write_bytes(_evil_pickle(markers / name))
        planted.append(folder / name)
    jinja = sorted(reference_cache.glob("jinja-*.cache"))
    assert jinja, "the reference build keeps compiled templates"
    for real in jinja:
        (folder / real.name).write_bytes(_evil_bytecode(real.read_bytes(), markers / real.name))
        planted.append(folder / real.name)
    return planted


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    """The same site built the ordinary way: its output and its cache (for the names of
    the compiled templates' files)."""
    root = _site(tmp_path / "reference")
    result = sitegen(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def _same_site(site: Path, reference: Path) -> None:
    got, want = _tree(site / "_site"), _tree(reference / "_site")
    assert got.keys() == want.keys()
    assert [path for path in want if got[path] != want[path]] == []


def test_a_committed_cache_symlink_runs_nothing(tmp_path: Path, reference: Path,
                                               sample_page: Path) -> None:
    """The pull request of issue 20: `.sitegen-cache -> content/papers` and a malicious
    protocol-0 pickle named like each cache file, plus forged Jinja bytecode."""
    site = _site(tmp_path / "site")
    papers = site / "content" / "papers"
    markers = tmp_path / "markers"
    planted = _plant(papers, site, reference / ".sitegen-cache", markers)
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    for bait in (".search-base.tmp", ".search-base-papers.tmp", "search-old.bin",
                 "jinja-0000000000000000-old.cache", ".papers.pickle.seal"):
        (papers / bait).write_text("a file of the repository's", encoding="utf-8")
    (papers / ".stamp").symlink_to(victim)
    (site / ".sitegen-cache").symlink_to("content/papers")
    before = _tree(papers)

    build = sitegen(site, "build")
    assert sorted(p.name for p in markers.iterdir()) == []  # nothing ran
    assert build.returncode == 0, build.stderr
    assert ".sitegen-cache: warning: is a symbolic link" in build.stderr
    assert "the build cache is not used" in build.stderr and "rm -r .sitegen-cache" in build.stderr
    _same_site(site, reference)
    assert _tree(papers) == before  # nothing written or removed through the link
    assert all(path.exists() for path in planted) and (papers / ".stamp").is_symlink()
    assert victim.read_text(encoding="utf-8") == "precious"

    again = sitegen(site, "build")  # no cache: built again, still nothing run
    assert again.returncode == 0 and "symbolic link" in again.stderr
    assert not again.stdout.startswith("up to date")

    imported = sitegen(site, "import", str(sample_page), "--year", "2025")
    assert sorted(p.name for p in markers.iterdir()) == []
    assert imported.returncode == 0, imported.stderr
    assert ".sitegen-cache: warning: is a symbolic link" in imported.stderr
    assert len(list(papers.glob("*.md"))) > PAPERS  # imported all the same
    def kept(tree: dict[str, bytes]) -> dict[str, bytes]:  # import removes `.*.tmp` itself
        return {name: data for name, data in tree.items() if not name.endswith((".md", ".tmp"))}

    assert kept(_tree(papers)) == kept(before)
    assert sitegen(site, "build").returncode == 0
    assert sorted(p.name for p in markers.iterdir()) == []


def test_a_committed_cache_folder_is_read_as_nothing_then_replaced(tmp_path: Path,
                                                                   reference: Path) -> None:
    """The same files in a real `.sitegen-cache/` folder (committed with `git add -f`):
    not sealed with this user's key, so never loaded; the build writes its own."""
    site = _site(tmp_path / "site")
    markers = tmp_path / "markers"
    cache = site / ".sitegen-cache"
    cache.mkdir()
    _plant(cache, site, reference / ".sitegen-cache", markers)
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    (cache / ".stamp").symlink_to(victim)  # sitegen's clock stamp: replaced, not followed
    build = sitegen(site, "build")
    assert sorted(p.name for p in markers.iterdir()) == []
    assert build.returncode == 0, build.stderr
    assert "warning" not in build.stderr
    _same_site(site, reference)
    again = sitegen(site, "build")  # the cache is the build's own now
    assert again.returncode == 0 and again.stdout.startswith("up to date")
    assert sorted(p.name for p in markers.iterdir()) == []
    assert victim.read_text(encoding="utf-8") == "precious"


def test_a_cache_sealed_with_another_users_key_is_ignored(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    mine = {"XDG_CACHE_HOME": str(tmp_path / "mine")}
    theirs = {"XDG_CACHE_HOME": str(tmp_path / "theirs")}
    assert sitegen(site, "build", env=theirs).returncode == 0
    assert sitegen(site, "build", env=theirs).stdout.startswith("up to date")
    built = _tree(site / "_site")
    # Their cache, as if copied into this user's site: the same files, another key.
    copied = sitegen(site, "build", env=mine)
    assert copied.returncode == 0, copied.stderr
    assert not copied.stdout.startswith("up to date")  # nothing of theirs was trusted
    assert _tree(site / "_site") == built
    assert sitegen(site, "build", env=mine).stdout.startswith("up to date")


@pytest.mark.parametrize("lock, command", [(".sitegen.lock", "import"),
                                           ("._site.lock", "build")])
@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlinked_lock_file_is_refused(tmp_path: Path, sample_page: Path, lock: str,
                                          command: str, dangling: bool) -> None:
    site = _site(tmp_path / "site")
    victim = tmp_path / "victim"
    if not dangling:
        victim.write_text("precious", encoding="utf-8")
    (site / lock).symlink_to(victim)
    args = ["import", str(sample_page), "--year", "2025"] if command == "import" else ["build"]
    result = sitegen(site, *args)
    assert result.returncode == 1
    assert f"{lock}: error: the lock file for " in result.stderr
    assert "is a symbolic link" in result.stderr
    assert re.search(rf"delete it \(rm '[^']*{re.escape(lock)}'\)", result.stderr)
    assert "Traceback" not in result.stderr
    assert victim.exists() is not dangling
    if not dangling:
        assert victim.read_text(encoding="utf-8") == "precious"


def test_the_gitignore_files_match_a_cache_symlink(tmp_path: Path) -> None:
    """`/.sitegen-cache/` matches only a folder: `git add -A` would commit a symlink."""
    for ignore in (REPO / ".gitignore", REPO / "sitegen" / "skeleton" / "gitignore"):
        lines = ignore.read_text(encoding="utf-8").splitlines()
        assert "/.sitegen-cache" in lines and "/.sitegen-cache/" not in lines, ignore
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REPO / "sitegen" / "skeleton" / "gitignore", repo / ".gitignore")
    (repo / "content").mkdir()
    (repo / ".sitegen-cache").symlink_to("content")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    check = subprocess.run(["git", "check-ignore", "-q", ".sitegen-cache"], cwd=repo)
    assert check.returncode == 0


def test_a_refused_cache_folder_keeps_no_search_cache_either(tmp_path: Path) -> None:
    """With the cache key kept inside the site (a repository could hold it), the build is
    made without any cache: the search index's cache files are neither read nor written."""
    site = _site(tmp_path / "site")
    env = {"XDG_CACHE_HOME": str(site / "keys")}
    result = sitegen(site, "build", env=env)
    assert result.returncode == 0, result.stderr
    assert "the build cache is not used" in result.stderr
    cache = site / ".sitegen-cache"
    assert not cache.exists() or not list(cache.glob("search-*"))
    assert (site / "_site" / "search" / "manifest.json").is_file()
