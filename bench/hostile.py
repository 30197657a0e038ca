"""Import and build the hostile corpus in children; print time, peak memory and problems.

    python bench/hostile.py
    python bench/hostile.py --quadratic [--code DIR] [--cpu SECONDS]

The same flow as tests/test_hostile.py's fixture, as a one-off measurement for
docs/security.md. `--quadratic` builds (or imports) one-paper sites holding each input of
issue 20 item 3 that took quadratic time, at the sizes the issue measured; `--code DIR`
runs another checkout's sitegen (the code before a fix), `--cpu` caps each child's CPU.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import MINIMAL_CONFIG  # noqa: E402
from tests.hostile import checks, corpus  # noqa: E402
from tests.hostile.proc import run_sitegen  # noqa: E402


def _paper(front: str, notes: str = "") -> str:
    return f"---\ntitle: Quadratic\ndate: 2026-08-11\n{front}---\n\n{notes}\n"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_FORMULAS = " ".join(f"$x_{{{n}}}$" for n in range(120_000))
#: name -> (command, what to write into the site): the inputs of issue 20, item 3.
QUADRATIC: dict[str, tuple[str, Callable[[Path], None]]] = {
    "notes: 16,000 '<http://' (128 kB)": ("build", lambda root: _write(
        root, "q.md", _paper("", "<http://" * 16_000))),
    "abstract: URL + 200,000 ')' (200 kB)": ("build", lambda root: _write(
        root, "q.md", _paper(f"abstract: {_quoted('see https://x.org/a' + ')' * 200_000)}\n"))),
    "import: abstract with URL + 200,000 ')'": ("import", lambda root: (
        root / "page.txt").write_text("Aug 11\n\nQuadratic\n\nsee https://x.org/a"
                                      + ")" * 200_000 + "\n")),
    "paper file: 20,000 unknown keys": ("build", lambda root: _write(
        root, "q.md", _paper("".join(f"k{n}: v\n" for n in range(20_000))))),
    "paper: 5,000 tags": ("build", lambda root: _write(
        root, "q.md", _paper("tags:\n" + "".join(f"- tag {n}\n" for n in range(5_000))))),
    "abstract: 1.2 MB of distinct formulas": ("build", lambda root: _write(
        root, "q.md", _paper(f"abstract: {_quoted(_FORMULAS)}\n"))),
    # the same inputs within the limits of docs/content.md: what the renderers' own
    # bounds (not the limits) keep linear
    "within limits: abstract URL + 49,900 ')'": ("build", lambda root: _write(
        root, "q.md", _paper(f"abstract: {_quoted('see https://x.org/a' + ')' * 49_900)}\n"))),
    "within limits: import, abstract URL + 49,900 ')'": ("import", lambda root: (
        root / "page.txt").write_text("Aug 11\n\nQuadratic\n\nsee https://x.org/a"
                                      + ")" * 49_900 + "\n")),
    "within limits: 50 kB abstract of distinct formulas": ("build", lambda root: _write(
        root, "q.md", _paper(f"abstract: {_quoted(_FORMULAS[:49_990])}\n"))),
    "within limits: 100 tags": ("build", lambda root: _write(
        root, "q.md", _paper("tags:\n" + "".join(f"- tag {n}\n" for n in range(100))))),
    "within limits: notes of 1,000 '<http://' in one paragraph": ("build", lambda root: _write(
        root, "q.md", _paper("", "<http://" * 1_000))),
}


def _write(root: Path, name: str, text: str) -> None:
    (root / "content" / "papers" / name).write_text(text, encoding="utf-8")


def quadratic(code: Path | None, cpu: int, only: str = "") -> int:
    """Run each quadratic input; print exit status, time, peak memory, output size."""
    env = {"PYTHONPATH": str(code)} if code else {}
    for name, (command, make) in QUADRATIC.items():
        if only not in name:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "site"
            (root / "content" / "papers").mkdir(parents=True)
            (root / "sitegen.toml").write_text(MINIMAL_CONFIG, encoding="utf-8")
            make(root)
            args = ["import", "-q", "page.txt"] if command == "import" else ["build", "-q"]
            try:
                run = run_sitegen(args, root, timeout=cpu * 10 + 120, cpu_seconds=cpu,
                                  memory_mb=4096, **env)
            except AssertionError as exc:  # the wall-clock guard of a loaded machine
                print(f"{name}: sitegen {command}: {exc}")
                continue
            out = root / "_site"
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) \
                if out.exists() else 0
            status = f"stopped at the {cpu} s CPU cap" if run.status in (-9, -24) else \
                f"exit {run.status}"
            last = run.err.strip().splitlines()[-1][:110] if run.err.strip() else ""
            print(f"{name}: sitegen {command}: {status}, {run.cpu_seconds:.2f} s CPU "
                  f"({run.seconds:.1f} s wall), peak RSS "
                  f"{run.maxrss_mb:.0f} MB, output {size / 1e6:.1f} MB; {last}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quadratic", action="store_true")
    parser.add_argument("--code", type=Path, help="a checkout whose sitegen to run")
    parser.add_argument("--cpu", type=int, default=300, help="CPU seconds per child")
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    args = parser.parse_args()
    if args.quadratic:
        return quadratic(args.code, args.cpu, args.only)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = corpus.write_hostile_site(base, MINIMAL_CONFIG)
        before = checks.snapshot(base)
        for args in (["import", "-q", str(base / "page.txt")], ["build", "-q"]):
            run = run_sitegen(args, root)
            print(f"sitegen {args[0]}: exit {run.status}, {run.seconds:.2f} s "
                  f"({run.cpu_seconds:.2f} s CPU), peak RSS {run.maxrss_mb:.0f} MB, "
                  f"{run.err.count(chr(10))} stderr lines")
        out = root / "_site"
        files = [p for p in out.rglob("*") if p.is_file()]
        print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
        problems = checks.site_problems(out, "/sub/static/")
        outside = checks.writes_outside(before, checks.snapshot(base), corpus.SITE_WRITES)
        print(f"{len(problems)} live-script/CSP/tree problems, {len(outside)} writes outside")
        return 1 if problems or outside else 0


if __name__ == "__main__":
    sys.exit(main())
