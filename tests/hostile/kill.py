"""Kill `sitegen` with SIGKILL at chosen moments and judge what it leaves behind.

Used by tests/test_faults.py (short, seeded runs) and bench/faults.py (longer runs with a
few-thousand-paper corpus). A kill may land anywhere: loading, rendering, writing the
staged site, the swap, or writing paper files. After it:

- the output folder must be exactly the previous site or exactly the new one (bytes);
- every paper file must be byte-identical to its version before or after the import;
- the next run must succeed and give exactly what an uninterrupted run gives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sitegen.model import Paper
from sitegen.store.papers import paper_to_text
from tests.hostile.proc import sitegen_env

CONFIG = '[site]\ntitle = "Kill Test"\nbase_url = "https://example.org/sub/"\n'


def digest_tree(folder: Path) -> dict[str, str] | None:
    """sha256 of every file under `folder` by relative path; None if the folder is missing."""
    if not folder.is_dir():
        return None
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def generated_papers(count: int, variant: int = 0) -> list[Paper]:
    """`count` papers over count/25 days; `variant` 1 retitles every 10th, drops 5, adds 20."""
    papers = []
    indices = list(range(count)) if variant == 0 else \
        [i for i in range(count) if i % 200 != 7] + list(range(count, count + 20))
    for i in indices:
        changed = variant and i % 10 == 0
        papers.append(Paper(
            slug=f"p{i:05d}", title=f"Paper {i}{' (revised)' if changed else ''} on $x^{i % 7}$",
            date=dt.date(2025, 1, 1) + dt.timedelta(days=i // 25), rank=i % 25 + 1,
            abstract=f"We study problem {i} with $O(n^2)$ care. " + "More words here. " * 30,
            authors=(f"Author {i}", "Second Author"), tags=(f"topic {i % 30}",)))
    return papers


def write_store(folder: Path, papers: list[Paper]) -> None:
    """Write paper files directly (fast; the atomic path is not under test here)."""
    folder.mkdir(parents=True, exist_ok=True)
    for paper in papers:
        (folder / f"{paper.slug}.md").write_text(paper_to_text(paper), encoding="utf-8")


def daily_page(new: int, existing: int) -> str:
    """A Daily Papers page: `new` unseen papers, then `existing` stored ones gaining a link."""
    lines = ["Aug 11, 2025", ""]
    for i in range(new):
        lines += [f"Freshly imported paper {i}", "",
                  f"An abstract for fresh paper {i}. It has two sentences at least.", ""]
    for i in range(existing):
        lines += [f"Paper {i} on $x^{i % 7}$", "",
                  f"Abstract again. Code at https://example.org/code/{i} for all.", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class Kill:
    """One kill: when, whether the run had already ended, and what the folder held after."""

    delay: float
    finished: bool
    state: str  # "old", "new", or "broken: ..."


def run_killed(args: list[str], cwd: Path, delay: float) -> bool:
    """Run `sitegen ARGS`, SIGKILL it after `delay` seconds; True if it ended before that."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "sitegen", *args], cwd=cwd,
                                env=sitegen_env(), stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if finished and proc.returncode != 0:
            err.seek(0)
            raise AssertionError(f"sitegen {args} failed: {err.read().decode()[-2000:]}")
        return finished


def run_ok(args: list[str], cwd: Path) -> float:
    """Run `sitegen ARGS` to the end; it must succeed. Returns the seconds it took."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd, env=sitegen_env(),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return time.perf_counter() - started


class BuildKiller:
    """A site whose content flips between two versions; builds are killed mid-way."""

    def __init__(self, base: Path, papers: int) -> None:
        self.root = base / "site"
        self.root.mkdir(parents=True)
        (self.root / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
        self.versions = {v: base / f"papers-{v}" for v in (0, 1)}
        self.refs: dict[int, dict[str, str] | None] = {}
        self.seconds = 0.0
        for version, folder in self.versions.items():
            write_store(folder, generated_papers(papers, version))
            self._use(version)
            self.seconds = max(self.seconds, run_ok(["build", "-q", "--out", f"../ref-{version}"],
                                                    self.root))
            self.refs[version] = digest_tree(base / f"ref-{version}")
        self._use(0)
        run_ok(["build", "-q"], self.root)
        self.current = 0
        assert digest_tree(self.out) == self.refs[0]

    @property
    def out(self) -> Path:
        return self.root / "_site"

    def _use(self, version: int) -> None:
        papers = self.root / "content" / "papers"
        if papers.exists():
            shutil.rmtree(papers)
        shutil.copytree(self.versions[version], papers)

    def kill_once(self, delay: float) -> Kill:
        """Switch the content, build, kill after `delay`; judge the output; rebuild."""
        target = 1 - self.current
        self._use(target)
        finished = run_killed(["build", "-q"], self.root, delay)
        after = digest_tree(self.out)
        state = ("old" if after == self.refs[self.current] else
                 "new" if after == self.refs[target] else
                 f"broken: {self._diff(after, self.refs[target])}")
        run_ok(["build", "-q"], self.root)
        if digest_tree(self.out) != self.refs[target]:
            state = "broken: the next build did not give the new site"
        # `._site.new` is the kept staging folder (the previous site, updated in place by
        # the next build); nothing else may be left.
        leftovers = [p.name for p in self.root.iterdir() if p.name.startswith("._site.")
                     and p.name not in ("._site.lock", "._site.new")]
        if leftovers:
            state = f"broken: staging folders left after the next build: {leftovers}"
        self.current = target
        return Kill(delay, finished, state)

    @staticmethod
    def _diff(got: dict[str, str] | None, want: dict[str, str] | None) -> str:
        if got is None:
            return "no output folder"
        want = want or {}
        odd = sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))
        return f"{len(odd)} files differ from the new site, e.g. {odd[:3]}"


class ImportKiller:
    """A store of generated papers; an import of a big page is killed mid-way."""

    def __init__(self, base: Path, stored: int, new: int) -> None:
        self.base = base
        self.root = base / "site"
        self.root.mkdir(parents=True)
        (self.root / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
        self.pristine = base / "pristine"
        write_store(self.pristine, generated_papers(stored))
        self.page = base / "page.txt"
        self.page.write_text(daily_page(new, min(stored, new)), encoding="utf-8")
        self.old = digest_tree(self.pristine) or {}
        ref = base / "ref"
        ref.mkdir()
        (ref / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
        shutil.copytree(self.pristine, ref / "content" / "papers")
        self.seconds = run_ok(["import", "-q", str(self.page)], ref)
        self.new = digest_tree(ref / "content" / "papers") or {}
        assert self.new != self.old

    @property
    def papers(self) -> Path:
        return self.root / "content" / "papers"

    def kill_once(self, delay: float) -> Kill:
        """Restore the store, import, kill after `delay`; judge every paper file; re-import."""
        from sitegen.store.papers import load_papers

        if self.papers.exists():
            shutil.rmtree(self.papers)
        shutil.copytree(self.pristine, self.papers)
        finished = run_killed(["import", "-q", str(self.page)], self.root, delay)
        state = "new" if digest_tree(self.papers) == self.new else "old"
        for path in sorted(self.papers.glob("*.md")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest not in (self.old.get(path.name), self.new.get(path.name)):
                state = f"broken: {path.name} is neither its old nor its new version"
        _, problems = load_papers(self.root)
        if problems:
            state = f"broken: {problems[0]}"
        if state == "old" and digest_tree(self.papers) != self.old:
            state = "partial"  # some files written, each whole: the re-import completes it
        run_ok(["import", "-q", str(self.page)], self.root)
        if digest_tree(self.papers) != self.new:
            state = "broken: the next import did not give the full store"
        if list(self.papers.glob(".*")):
            state = "broken: temporary files left after the next import"
        return Kill(delay, finished, state)
