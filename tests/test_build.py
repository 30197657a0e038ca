"""The build pipeline: outputs streamed to the writer, the search index made by a forked
child, the same bytes whatever the number of processes, errors as clear as in one process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from sitegen.build import outputs as build_outputs_module
from sitegen.build import pipeline as build
from sitegen.build.outputs import build_outputs
from sitegen.build.pipeline import build_site
from sitegen.config import load_config
from sitegen.errors import OutputError
from sitegen.incremental import outputwalks
from sitegen.store.papers import load_papers
from sitegen.util import parallel
from tests.conftest import write_paper


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def make_site(site: Path, workers: int, papers: int = 30) -> None:
    (site / "sitegen.toml").write_text(
        '[site]\nbase_url = "https://example.org/sub/"\n'
        f"[build]\nworkers = {workers}\n", encoding="utf-8")
    for i in range(papers):
        write_paper(site, f"p{i}", f"---\ntitle: 'Paper {i} on graphs'\n"
                    f"date: 2025-03-{i % 20 + 1:02d}\nrank: {i // 20 + 1}\n"
                    f"abstract: 'We study graph {i} and $x^{i % 5}$ things.'\n---\n")


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Fork the search child even for small sites; record whether each build forked.

    Forking is allowed although the test runner may run a thread of its own (pytest-xdist)."""
    monkeypatch.setattr(build, "FORK_MIN_PAPERS", 1)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    forked: list[bool] = []
    real = build.fork_call

    def recording(func):
        child = real(func)
        forked.append(child is not None)
        return child

    monkeypatch.setattr(build, "fork_call", recording)
    return forked


def test_the_same_bytes_with_a_search_child_and_without(site: Path, forks) -> None:
    make_site(site, 1)
    build_site(load_config(site), site / "one")
    make_site(site, 2)
    result = build_site(load_config(site), site / "two")
    assert forks == [True]
    assert tree(site / "one") == tree(site / "two")
    # and as the in-memory build (tests, serve, check) gives them
    papers, _ = load_papers(site)
    _, outputs = build_outputs(load_config(site), papers)
    written = tree(site / "two")
    assert {o.path: o.data for o in outputs} == {p: d for p, d in written.items()
                                                 if p != ".sitegen-output"}
    assert {o.path for o in result.outputs} == {o.path for o in outputs}
    # An incremental build with the child: only changed files written, same as clean.
    write_paper(site, "late", "---\ntitle: 'Late'\ndate: 2025-03-25\nrank: 1\n"
                "abstract: 'Late.'\n---\n")
    again = build_site(load_config(site), site / "two")
    assert forks == [True, True]
    assert again.stats is not None and 0 < again.stats.written < again.stats.unchanged
    build_site(load_config(site), site / "clean", clean=True)
    assert tree(site / "two") == tree(site / "clean")


def test_the_search_child_runs_while_pages_render(site: Path, forks,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(site, 2)
    parent = os.getpid()
    where: list[int] = []
    real = build.SiteBuild.search_outputs

    def search_outputs(self):
        if os.getpid() != parent:  # in the child: leave a trace the parent can see
            (site / "child-pid").write_text(str(os.getpid()))
        where.append(os.getpid())
        return real(self)

    monkeypatch.setattr(build.SiteBuild, "search_outputs", search_outputs)
    build_site(load_config(site), site / "_site")
    assert forks == [True] and where == []  # the parent did not make the index itself
    assert int((site / "child-pid").read_text()) != parent
    assert (site / "_site" / "search" / "manifest.json").exists()


def test_a_failing_child_gives_the_error_of_one_process(site: Path, forks, run_cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(site, 2)

    def broken(self):
        raise OutputError("the search index cannot be made", "search/x.json", hint="a hint")

    monkeypatch.setattr(build.SiteBuild, "search_outputs", broken)
    status, _, err = run_cli("build", "--root", str(site))
    assert forks == [True]
    assert status == 1 and "the search index cannot be made" in err and "a hint" in err
    assert "Traceback" not in err
    assert not (site / "_site").exists()


def test_a_child_that_dies_is_redone_here(site: Path, forks,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(site, 2)
    parent = os.getpid()
    real = build.SiteBuild.search_outputs

    def dying(self):
        if os.getpid() != parent:  # writes some files, then dies as if killed
            def some():
                for index, output in enumerate(real(self)):
                    if index == 3:
                        os._exit(3)
                    yield output
            return some()
        return real(self)

    monkeypatch.setattr(build.SiteBuild, "search_outputs", dying)
    build_site(load_config(site), site / "_site")
    make_site(site, 1)
    build_site(load_config(site), site / "ref")
    assert forks == [True]
    assert tree(site / "_site") == tree(site / "ref")


def test_no_child_where_threads_run(site: Path, forks, monkeypatch) -> None:
    monkeypatch.undo()  # the real check
    monkeypatch.setattr(build, "FORK_MIN_PAPERS", 1)
    monkeypatch.setattr(build, "fork_call", lambda func: forks.append(
        parallel.fork_call(func) is not None) or None)
    make_site(site, 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        build_site(load_config(site), site / "_site")
    finally:
        stop.set()
        thread.join()
    assert forks == [False]


CHILD_OUTLIVES = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from sitegen.build import pipeline as build
    from sitegen.cli import main
    build.FORK_MIN_PAPERS = 1
    parent = os.getpid()
    def slow(self):
        if os.getpid() != parent:
            Path("child-pid").write_text(str(os.getpid()))
            time.sleep(60)
        return []
    build.SiteBuild.search_outputs = slow
    sys.exit(main(["build", "-q"]))
""")


def test_the_child_dies_with_a_killed_build(site: Path) -> None:
    from tests.hostile.proc import sitegen_env

    make_site(site, 2)
    proc = subprocess.Popen([sys.executable, "-c", CHILD_OUTLIVES], cwd=site,
                            env=sitegen_env())
    pid_file = site / "child-pid"
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    child = int(pid_file.read_text())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the search child outlived the killed build"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][:1] != "Z"
    except FileNotFoundError:
        return False


def test_fork_call_gives_none_when_the_function_raises(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)

    def boom():
        raise ValueError("no")

    child = parallel.fork_call(boom)
    assert child is not None and child.result() is None
    child = parallel.fork_call(lambda: {"a": 1})
    assert child is not None and child.result() == {"a": 1}


def test_outputs_are_streamed_not_collected(site: Path, monkeypatch) -> None:
    """The writer gets each page as it is rendered: at most a chunk is held at once."""
    make_site(site, 1, papers=40)
    monkeypatch.setattr(build_outputs_module, "RENDER_CHUNK", 5)
    seen: list[int] = []
    real = build.SiteWriter.put
    pages_rendered = [0]
    real_render = build.SiteBuild.pages

    def pages(self, batched=False):
        for output in real_render(self, batched):
            pages_rendered[0] += 1
            yield output

    def put(self, output):
        seen.append(pages_rendered[0])
        return real(self, output)

    monkeypatch.setattr(build.SiteBuild, "pages", pages)
    monkeypatch.setattr(build.SiteWriter, "put", put)
    build_site(load_config(site), site / "_site")
    # the first page was put before the second was rendered
    assert seen[:3] == [1, 2, 3]


def test_a_rebuild_whose_child_dies_makes_the_feeds_here(site: Path, forks,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """On a rebuild the child makes the search index and the feeds; if it dies, this
    process makes both, and the site is still the clean build's."""
    make_site(site, 2)
    build_site(load_config(site), site / "_site")
    write_paper(site, "late", "---\ntitle: 'Late'\ndate: 2025-03-25\nrank: 1\n"
                "tags: [late-tag]\nabstract: 'Late.'\n---\n")
    parent = os.getpid()
    real = build.SiteBuild.search_outputs

    def dying(self):
        if os.getpid() != parent:
            os._exit(3)
        return real(self)

    monkeypatch.setattr(build.SiteBuild, "search_outputs", dying)
    build_site(load_config(site), site / "_site")
    monkeypatch.setattr(build.SiteBuild, "search_outputs", real)
    build_site(load_config(site), site / "clean", clean=True)
    assert forks == [True, True, True]
    assert (site / "_site" / "tags" / "late-tag" / "feed.xml").exists()
    assert tree(site / "_site") == tree(site / "clean")


def test_the_walks_child_finds_what_this_process_would(site: Path, forks,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked `lstat` of the output files and listing of the staging folder, sent back
    as a difference from the manifest, equal what this process finds itself; and builds
    that use them equal a clean build."""
    from sitegen.incremental.statefile import load_state
    from sitegen.util.fileid import digest
    from sitegen.write.staging import walk

    monkeypatch.setattr(outputwalks, "WALK_FORK_MIN_FILES", 0)
    make_site(site, 2)
    target = site / "_site"
    build_site(load_config(site), target)
    for name in ("late", "later"):  # two rebuilds: the staging folder holds a site
        write_paper(site, name, f"---\ntitle: '{name}'\ndate: 2025-03-25\nrank: 1\n"
                    "abstract: 'Late.'\n---\n")
        build_site(load_config(site), target)
    assert build_site(load_config(site), site / "clean", clean=True)
    assert tree(target) == tree(site / "clean")
    # now disturb both folders: a hand edit, a deleted file, a stray file
    (target / "index.html").write_text("edited by hand", encoding="utf-8")
    stage = site / "._site.new"
    (stage / "404.html").unlink()
    (stage / "stray.txt").write_text("left by a killed build", encoding="utf-8")
    state_file = site / ".sitegen-cache" / f"build-{digest(str(target).encode()).hex()}.pickle"
    manifest = load_state(state_file)["manifest"]
    walks = outputwalks.start_walks(target, manifest, 2)
    walks.list_stage(target, manifest)
    found = outputwalks.walked(walks, target, manifest)
    assert found == (outputwalks.verified(target, manifest), walk(str(stage)))
    assert "index.html" not in found[0] and "stray.txt" in found[1][0]
    # the no-change check waits for the first walk only, and stops the second
    walks = outputwalks.start_walks(target, manifest, 2)
    walks.list_stage(target, manifest)
    assert outputwalks.walked(walks, target, manifest, stage=False) == (found[0], None)
    assert walks.outputs.pid == walks.stage.pid == 0  # both reaped
    # without the second walk, the writer lists the staging folder itself
    assert outputwalks.walked(outputwalks.start_walks(target, manifest, 2), target, manifest) == (
        found[0], None)
    write_paper(site, "latest", "---\ntitle: 'Latest'\ndate: 2025-03-26\nrank: 1\n"
                "abstract: 'Late.'\n---\n")
    build_site(load_config(site), target)
    build_site(load_config(site), site / "clean", clean=True)
    assert tree(target) == tree(site / "clean")


def test_a_content_error_stops_the_walks_child(site: Path, forks,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that stops on a bad paper, or on any failure while loading, kills and reaps
    the child it forked for the walks: no process is left behind (`serve` builds in a
    long-lived process)."""
    import sitegen.incremental.papercache as papercache
    from sitegen.errors import ProblemsFound

    monkeypatch.setattr(outputwalks, "WALK_FORK_MIN_FILES", 0)
    real = outputwalks.start_walks

    def recording(*args):
        walks = real(*args)
        if walks is not None:
            pids.append(walks.outputs.pid)
        return walks

    pids: list[int] = []
    real_stage = outputwalks.Walks.list_stage

    def recording_stage(self, *args):
        real_stage(self, *args)
        pids.append(self.stage.pid)

    monkeypatch.setattr(outputwalks.Walks, "list_stage", recording_stage)

    monkeypatch.setattr(outputwalks, "start_walks", recording)

    def gone(pid: int) -> bool:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped already: not our child any more
            return True
        return False

    make_site(site, 2)
    build_site(load_config(site), site / "_site")
    write_paper(site, "broken", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(ProblemsFound):
        build_site(load_config(site), site / "_site")
    assert len(pids) == 2 and all(pids) and all(gone(pid) for pid in pids)
    pids.clear()

    def failing(*args, **kwargs):
        raise RuntimeError("disk gone")

    write_paper(site, "broken", "---\ntitle: 'Mended'\ndate: 2025-03-25\nrank: 1\n"
                "abstract: 'Fine now.'\n---\n")
    monkeypatch.setattr(papercache, "load_papers_cached", failing)
    with pytest.raises(RuntimeError):
        build_site(load_config(site), site / "_site")
    assert len(pids) == 2 and all(pids) and all(gone(pid) for pid in pids)
    pids.clear()
