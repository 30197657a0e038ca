"""`kill -9` of `sitegen fetch` mid-way: a stand-in arXiv API on 127.0.0.1 answers slowly,
the child is killed at seeded random moments (while waiting, parsing or writing); every
paper file must then be whole (its old or its new bytes) and the next fetch must complete."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fetchfakes import StandIn

from sitegen.store.papers import load_papers
from tests.hostile.kill import run_killed
from tests.hostile.proc import sitegen_env

CONFIG = '[site]\ntitle = "Kill Fetch"\nbase_url = "https://example.org/sub/"\n'
ENTRIES = 400
SEED = 20261128
KILLS = 5


def arxiv_feed(variant: int) -> bytes:
    entries = []
    for n in range(ENTRIES + 100 * variant):
        entries.append(
            f"<entry><id>http://arxiv.org/abs/2609.{n:05d}v1</id><title>Paper {n}</title>"
            f"<summary>Abstract {n} version {variant if n % 2 else 0}.</summary>"
            f"<published>2026-09-{1 + n % 20:02d}T10:00:00Z</published>"
            f"<author><name>Author {n}</name></author></entry>")
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>"
            "<opensearch:startIndex>0</opensearch:startIndex>" + "".join(entries)
            + "</feed>").encode()


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.md"))}


def fetch_args(url: str) -> list[str]:
    return ["fetch", "arxiv", "--query", "all:x", "--max", str(ENTRIES + 100), "--api-url",
            url, "--no-cache", "-q"]


def run_ok(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd,
                          env=sitegen_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return time.perf_counter() - started


def new_site(folder: Path) -> Path:
    (folder / "content" / "papers").mkdir(parents=True)
    (folder / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
    return folder


@pytest.mark.slow  # ~7 s alone, 14.5 s under -n 2
def test_fetch_killed_at_random_leaves_whole_files_and_the_next_fetch_completes(tmp_path):
    state = {"variant": 0}
    feeds = {0: arxiv_feed(0), 1: arxiv_feed(1)}

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        time.sleep(0.1)  # a slow API: kills land while waiting, too
        return 200, {"Content-Type": "application/atom+xml"}, feeds[state["variant"]]

    with StandIn(routes).running() as url:
        pristine = new_site(tmp_path / "pristine")
        run_ok(fetch_args(url), pristine)
        old = digests(pristine / "content" / "papers")
        assert len(old) == ENTRIES
        state["variant"] = 1
        ref = tmp_path / "ref"
        shutil.copytree(pristine, ref)
        seconds = run_ok(fetch_args(url), ref)
        new = digests(ref / "content" / "papers")
        assert len(new) == ENTRIES + 100 and new != old

        rng = random.Random(SEED)
        states = []
        for kill in range(KILLS):
            site = tmp_path / f"kill{kill}"
            shutil.copytree(pristine, site)
            papers = site / "content" / "papers"
            delay = rng.uniform(0.3, seconds)  # the answer takes 0.1 s + start-up
            run_killed(fetch_args(url), site, delay)
            now = digests(papers)
            broken = [name for name, digest in now.items()
                      if digest not in (old.get(name), new.get(name))]
            assert broken == [], (SEED, delay, broken[:3])
            _, problems = load_papers(site)
            assert problems == [], (SEED, delay, problems[:2])
            states.append("new" if now == new else "old" if now == old else "partial")
            run_ok(fetch_args(url), site)
            assert digests(papers) == new, (SEED, delay)
            assert not list(papers.glob(".*")), "temporary files left"
    print(f"fetch took {seconds:.2f} s; kills at seed {SEED}: {states}")
