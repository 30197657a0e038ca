"""Two writers at once: the second waits for the first, or gives up with a message."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from sitegen.errors import SitegenError
from sitegen.store.papers import load_papers
from sitegen.util.lock import locked, output_lock
from tests.hostile.kill import CONFIG, digest_tree, generated_papers, write_store
from tests.hostile.proc import run_sitegen, start_sitegen

HOLD = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(float(sys.argv[2]))")


def hold(path, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_writer_gives_up_with_a_message(tmp_path):
    lock = tmp_path / ".x.lock"
    proc = hold(lock, 5)
    try:
        with pytest.raises(SitegenError, match="another sitegen process"), \
                locked(lock, "the output folder", wait=0.3):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_second_build_waits_for_the_first(run_cli, site, capsys):
    proc = hold(output_lock(site / "_site"), 1.0)
    started = time.monotonic()
    status, _, err = run_cli("build", cwd=site)
    proc.wait()
    assert status == 0, err
    assert "waiting for another sitegen process" in err
    assert time.monotonic() - started >= 0.5


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    lock = tmp_path / ".x.lock"
    proc = hold(lock, 60)
    proc.kill()
    proc.wait()
    with locked(lock, "x", wait=0.5):
        pass


def _site(tmp_path, papers):
    root = tmp_path / "site"
    root.mkdir()
    (root / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
    write_store(root / "content" / "papers", generated_papers(papers))
    return root


def test_two_real_builds_at_once_give_one_correct_site(tmp_path):
    root = _site(tmp_path, papers=300)
    assert run_sitegen(["build", "-q", "--out", "../ref"], root).status == 0
    first = start_sitegen(["build"], root)
    second = start_sitegen(["build"], root)
    results = [p.communicate(timeout=120) + (p.returncode,) for p in (first, second)]
    assert [r[2] for r in results] == [0, 0], results
    assert all("Traceback" not in r[1] for r in results)
    assert digest_tree(root / "_site") == digest_tree(tmp_path / "ref")
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == [
        "._site.lock", ".sitegen-cache"]


def test_two_real_imports_at_once_keep_both_pages(tmp_path):
    root = _site(tmp_path, papers=0)
    pages = []
    for word in ("Alpha", "Beta"):
        page = tmp_path / f"{word}.txt"
        page.write_text("Aug 11, 2025\n\n" + "".join(
            f"{word} paper {i}\n\nAn abstract of {word} {i}. Two sentences.\n\n"
            for i in range(300)))
        pages.append(page)
    procs = [start_sitegen(["import", "-q", str(p)], root) for p in pages]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], results
    papers, problems = load_papers(root)
    assert problems == []
    assert sorted(p.title.split()[0] for p in papers).count("Alpha") == 300
    assert len(papers) == 600
