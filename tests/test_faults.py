"""Faults: kill -9 at random moments, a full disk, OS errors, two runs at once.

Nothing may be lost: after any fault the output folder is exactly the previous site or
the new one, every paper file is whole, the next run succeeds, and errors name the path
without a traceback. Kill points are random but seeded (SITEGEN_FAULT_SEED to vary them);
the short runs go in every test run, the long ones are marked `slow` and need
SITEGEN_SLOW=1 (`SITEGEN_SLOW=1 pytest -m slow tests/test_faults.py`).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.store.papers import load_papers
from tests.hostile import checks
from tests.hostile.kill import (
    CONFIG,
    BuildKiller,
    ImportKiller,
    daily_page,
    digest_tree,
    generated_papers,
    write_store,
)
from tests.hostile.proc import run_sitegen

SEED = int(os.environ.get("SITEGEN_FAULT_SEED", "20261128"))
# The full-size kill runs take minutes: marked slow, and run only with SITEGEN_SLOW=1.
long_run = pytest.mark.skipif(os.environ.get("SITEGEN_SLOW") != "1",
                              reason="a long kill run; set SITEGEN_SLOW=1 to run it")


def _delays(rng: random.Random, seconds: float, count: int) -> list[float]:
    # Spread over the whole run, slightly past its usual end, so every phase is hit.
    return sorted(rng.uniform(0.05, seconds * 1.05) for _ in range(count))


def _kill_rounds(killer, rng: random.Random, count: int) -> list:
    """Seeded kills; if a busy machine made every run end first, add earlier kills."""
    kills = [killer.kill_once(d) for d in _delays(rng, killer.seconds, count)]
    for _ in range(3):
        if any(not k.finished for k in kills):
            break
        kills.append(killer.kill_once(rng.uniform(0.05, killer.seconds * 0.5)))
    broken = [k for k in kills if k.state.startswith("broken")]
    assert broken == [], kills
    assert any(not k.finished for k in kills), f"no kill landed while the run was going: {kills}"
    return kills


def test_killed_builds_leave_the_old_or_the_new_site(tmp_path):
    killer = BuildKiller(tmp_path, papers=150)
    rng = random.Random(SEED)
    _kill_rounds(killer, rng, 3)


@pytest.mark.slow
@long_run
def test_killed_builds_of_3000_papers(tmp_path):
    killer = BuildKiller(tmp_path, papers=3000)
    rng = random.Random(SEED + 1)
    _kill_rounds(killer, rng, 10)


def test_killed_imports_leave_every_paper_file_whole(tmp_path):
    killer = ImportKiller(tmp_path, stored=100, new=300)
    rng = random.Random(SEED + 2)
    _kill_rounds(killer, rng, 3)


@pytest.mark.slow
@long_run
def test_killed_imports_of_3000_papers(tmp_path):
    killer = ImportKiller(tmp_path, stored=3000, new=2000)
    rng = random.Random(SEED + 3)
    _kill_rounds(killer, rng, 10)


# Kill the writer deterministically at its N-th file-system step (each open, link, unlink,
# mkdir, rmtree, rename and the exchange), so the swap's few steps are all covered, not
# left to chance. The number of steps depends on what the build changes and on what the
# kept staging folder holds, so each round first counts them on a copy of the site.
STEP_KILLER = textwrap.dedent("""
    import os, shutil, signal, sys
    from pathlib import Path
    import sitegen.util.fileio, sitegen.write.writer
    from sitegen.cli import main
    target, count = int(sys.argv[1]), [0]
    def step(fn):
        def wrapped(*args, **kwargs):
            count[0] += 1
            if count[0] == target:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return wrapped
    for name in ("link", "unlink", "mkdir", "open", "rmdir"):
        setattr(os, name, step(getattr(os, name)))
    shutil.rmtree = step(shutil.rmtree)
    Path.mkdir = step(Path.mkdir)
    Path.rename = step(Path.rename)
    Path.write_bytes = step(Path.write_bytes)
    sitegen.write.writer.open = step(open)
    sitegen.write.writer.exchange_paths = step(sitegen.util.fileio.exchange_paths)
    status = main(["build", "-q"])
    print(count[0])
    sys.exit(status)
""")


def _step_build(root: Path, step: int) -> subprocess.CompletedProcess:
    from tests.hostile.proc import sitegen_env
    return subprocess.run([sys.executable, "-c", STEP_KILLER, str(step)], cwd=root,
                          env=sitegen_env(), capture_output=True, text=True)


def _copy_over(root: Path, copy: Path) -> None:
    """Replace `root` by `copy` (made with `cp -a`: the hard links between the output and
    the staging folder are kept, the inodes are new, so the manifest's stats no longer
    match and unchanged files are compared by reading: in every run alike)."""
    shutil.rmtree(root)
    copy.rename(root)


def _count_steps(tmp_path: Path, root: Path) -> int:
    """The steps the next build of `root` takes; `root` is then as before (as a copy)."""
    for name in ("a", "b"):
        subprocess.run(["cp", "-a", str(root), str(tmp_path / name)], check=True)
    _copy_over(root, tmp_path / "a")
    done = _step_build(root, 0)
    assert done.returncode == 0, done.stderr
    _copy_over(root, tmp_path / "b")
    return int(done.stdout.strip())


def test_builds_killed_at_each_step_of_the_write_and_swap(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    root = base / "site"  # the output and its staging folder are inside: copied together
    root.mkdir()
    (root / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
    versions = {}
    # Two versions with the same files (titles differ), so both builds take similar steps.
    papers_v0 = generated_papers(6)
    write_store(tmp_path / "v0", papers_v0)
    write_store(tmp_path / "v1", [replace(p, title=p.title + " v1") for p in papers_v0])
    papers = root / "content" / "papers"
    for version in (1, 0):
        if papers.exists():
            shutil.rmtree(papers)
        shutil.copytree(tmp_path / f"v{version}", papers)
        done = _step_build(root, 0)
        assert done.returncode == 0, done.stderr
        versions[version] = digest_tree(root / "_site")
    # Version 0 is built. Each round: switch to the other version, die at step k, check, redo.
    current = 0
    seen = {"old": 0, "new": 0}
    # The first steps, then every step of the last stretch (prune, marker, exchange, the
    # previous site's changed files dropped), counted from each round's own last step.
    chosen = [1, 2] + [-back for back in range(9, -1, -1)]
    for k in chosen:
        target = 1 - current
        shutil.rmtree(papers)
        shutil.copytree(tmp_path / f"v{target}", papers)
        steps = _count_steps(base, root)
        step = k if k > 0 else steps + k
        died = _step_build(root, step)
        assert died.returncode == -9, (k, step, steps, died.stderr)
        after = digest_tree(root / "_site")
        assert after in (versions[current], versions[target]), f"step {step} of {steps}"
        seen["old" if after == versions[current] else "new"] += 1
        done = _step_build(root, 0)
        assert done.returncode == 0, done.stderr
        assert digest_tree(root / "_site") == versions[target]
        current = target
    assert seen["old"] and seen["new"], seen


def _site(tmp_path: Path, papers: int = 40) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
    write_store(root / "content" / "papers", generated_papers(papers))
    return root


def _clean_error(run, *words: str) -> None:
    assert run.status == 1, (run.status, run.err)
    assert checks.cli_error_problems(run.err) == []
    for word in words:
        assert word in run.err, (word, run.err)


def test_full_disk_during_build_keeps_the_old_site(tmp_path):
    root = _site(tmp_path)
    assert run_sitegen(["build", "-q"], root).status == 0
    before = digest_tree(root / "_site")
    write_store(root / "content" / "papers", generated_papers(60, 1))
    # RLIMIT_FSIZE stands in for a full disk: writes past 20 kB fail with EFBIG.
    run = run_sitegen(["build", "-q"], root, file_size=20_000)
    _clean_error(run, "cannot write the site", "File too large", str(root))
    assert digest_tree(root / "_site") == before
    assert run_sitegen(["build", "-q"], root).status == 0


def test_full_disk_during_import_leaves_whole_files(tmp_path):
    root = _site(tmp_path, papers=5)
    page = tmp_path / "page.txt"
    page.write_text(daily_page(50, 0) + "\n" + "Long one\n\n" + "word " * 10000 + "\n")
    run = run_sitegen(["import", "-q", str(page)], root, file_size=20_000)
    _clean_error(run, "cannot write a paper file", "File too large", "content/papers/")
    papers, problems = load_papers(root)
    assert problems == [] and len(papers) >= 5
    again = run_sitegen(["import", "-q", str(page)], root)
    assert again.status == 0, again.err
    assert list((root / "content" / "papers").glob(".*")) == []
    assert len(load_papers(root)[0]) == 5 + 51


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def tmpfs(tmp_path):
    """Mount small or read-only tmpfs file systems (root only; skipped elsewhere)."""
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        if not _mount_tmpfs(where, options):
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_no_space_left_on_a_real_small_file_system(tmp_path, tmpfs):
    root = _site(tmp_path, papers=200)
    small = tmpfs("small", "size=256k")
    run = run_sitegen(["build", "-q", "--out", str(small / "_site")], root)
    _clean_error(run, "cannot write the site", "No space left on device", str(small))
    assert not (small / "_site").exists()
    assert [p.name for p in small.iterdir()] == ["._site.lock"]  # the staging folder is gone


def test_read_only_file_system(tmp_path, tmpfs):
    root = _site(tmp_path)
    readonly = tmpfs("ro", "ro,size=64k")
    run = run_sitegen(["build", "-q", "--out", str(readonly / "_site")], root)
    _clean_error(run, "Read-only file system", str(readonly))
    page = tmp_path / "page.txt"
    page.write_text(daily_page(3, 0))
    ro_site = tmpfs("rosite", "size=1m")
    (ro_site / "sitegen.toml").write_text(CONFIG)
    (ro_site / "content" / "papers").mkdir(parents=True)
    subprocess.run(["mount", "-o", "remount,ro", str(ro_site)], check=True)
    run = run_sitegen(["import", "-q", str(page)], ro_site)
    _clean_error(run, "Read-only file system", ".sitegen.lock")


@pytest.mark.parametrize("case", ["out-under-a-file", "out-is-a-file", "papers-is-a-file",
                                  "config-is-a-folder", "page-is-a-folder", "paper-is-a-folder"])
def test_a_file_where_a_folder_is_expected_and_back(tmp_path, case):
    root = _site(tmp_path, papers=3)
    args = ["build", "-q"]
    words = [str(tmp_path)] if case not in ("papers-is-a-file", "config-is-a-folder",
                                            "page-is-a-folder") else []
    if case == "out-under-a-file":
        (tmp_path / "afile").write_text("x")
        args += ["--out", str(tmp_path / "afile" / "_site")]
    elif case == "out-is-a-file":
        (root / "_site").write_text("x")
        words = ["_site", "not a folder"]
    elif case == "papers-is-a-file":
        shutil.rmtree(root / "content" / "papers")
        (root / "content" / "papers").write_text("x")
        (tmp_path / "page.txt").write_text(daily_page(2, 0))
        args = ["import", "-q", str(tmp_path / "page.txt")]
        words = ["content/papers"]
    elif case == "config-is-a-folder":
        (root / "sitegen.toml").unlink()
        (root / "sitegen.toml").mkdir()
        words = ["sitegen.toml"]
    elif case == "page-is-a-folder":
        (tmp_path / "page.txt").mkdir()
        args = ["import", "-q", str(tmp_path / "page.txt")]
        words = ["page.txt", "folder"]
    elif case == "paper-is-a-folder":
        (root / "content" / "papers" / "odd.md").mkdir()
        words = []
        run = run_sitegen(args, root)
        assert run.status == 0, run.err  # a folder named *.md is not a paper file
        return
    _clean_error(run_sitegen(args, root), *words)


@pytest.mark.parametrize("out", ["/", "..", "."])
def test_odd_output_folders_are_refused_clearly(tmp_path, out):
    root = _site(tmp_path, papers=2)
    _clean_error(run_sitegen(["build", "-q", "--out", out], root), "error: the output folder")
