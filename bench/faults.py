"""Kill `sitegen build` and `sitegen import` with SIGKILL at random (seeded) moments.

    python bench/faults.py [--papers 3000] [--new 2000] [--kills 10] [--seed 20261128]

Prints every kill (delay, whether the run had already ended, what it left) and a summary;
exits non-zero if anything was left broken. The same harness runs briefly in
tests/test_faults.py; results are in docs/security.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile.kill import BuildKiller, ImportKiller  # noqa: E402


def run(name: str, killer, kills: int, rng: random.Random) -> int:
    print(f"{name}: an uninterrupted run takes {killer.seconds:.2f} s")
    results = []
    for delay in sorted(rng.uniform(0.05, killer.seconds * 1.05) for _ in range(kills)):
        kill = killer.kill_once(delay)
        results.append(kill)
        print(f"  kill at {kill.delay:6.2f} s: {'ended first' if kill.finished else 'killed':11}"
              f" -> {kill.state}", flush=True)
    states = Counter("broken" if k.state.startswith("broken") else k.state for k in results)
    mid = sum(not k.finished for k in results)
    print(f"  {name}: {len(results)} kills, {mid} mid-run; outcomes {dict(states)}")
    return states["broken"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--new", type=int, default=2000, help="new papers on the imported page")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    broken = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "b").mkdir()
        broken += run(f"build ({args.papers} papers)", BuildKiller(base / "b", args.papers),
                      args.kills, rng)
        (base / "i").mkdir()
        broken += run(f"import ({args.new} new into {args.papers})",
                      ImportKiller(base / "i", args.papers, args.new), args.kills, rng)
    print("nothing broken" if not broken else f"{broken} BROKEN")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
