"""Fuzz the importer, the front-matter reader and the renderers.

    python bench/fuzz.py [--engine hypothesis|atheris] [--target all|import|front_matter|render]
                         [--examples 20000] [--seconds 300]

hypothesis (default) generates structured hostile pages and paper files; atheris (PyPI,
optional: `pip install atheris`) mutates bytes with coverage guidance, seeded with the
hostile corpus and the sample page. A failing input is printed and the run exits 1.
The targets and their contracts are in tests/hostile/fuzz_targets.py; a short hypothesis
run is in the normal test suite (tests/test_fuzz.py, marked `fuzz`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile import corpus  # noqa: E402
from tests.hostile import fuzz_targets as targets  # noqa: E402

TARGETS = {"import": targets.fuzz_import, "front_matter": targets.fuzz_front_matter,
           "render": targets.fuzz_render}


def seeds() -> list[bytes]:
    """Starting inputs for atheris: payloads as pages and files, the real sample page."""
    found = [text.encode() for _, text in corpus.PAYLOADS]
    found.append(corpus.daily_page(big=False).encode())
    found += [corpus.paper_file_text(p).encode() for p in corpus.hostile_papers(big=False)]
    sample = REPO / "tests" / "fixtures" / "daily-papers-aug11.txt"
    if sample.exists():
        found.append(sample.read_bytes())
    found += [data for _, data, _ in corpus.REFUSED_PAPER_FILES]
    return [data for data in found if len(data) <= 65536]  # the big ones only slow it down


def run_hypothesis(name: str, examples: int, seconds: float) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    strategy = {
        "import": st.one_of(targets.page_texts.map(str.encode), targets.raw_bytes),
        "front_matter": st.one_of(targets.paper_texts.map(str.encode), targets.raw_bytes),
        "render": targets.page_texts.map(str.encode),
    }[name]
    count = [0]
    deadline = time.monotonic() + seconds

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def target(data: bytes) -> None:
        if time.monotonic() > deadline:
            return
        count[0] += 1
        TARGETS[name](data)

    started = time.monotonic()
    target()
    print(f"hypothesis {name}: {count[0]} examples in {time.monotonic() - started:.0f} s, "
          "no failure", flush=True)
    return count[0]


def run_atheris(names: list[str], runs: int, seconds: float) -> None:
    import atheris

    corpus_dir = REPO / "bench" / "out" / "fuzz-seeds"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(seeds()):
        (corpus_dir / f"seed-{number:03d}").write_bytes(data)

    def one_input(data: bytes) -> None:
        for name in names:
            TARGETS[name](data)

    atheris.instrument_all()  # coverage guidance for every loaded module (sitegen, yaml, ...)
    atheris.Setup([sys.argv[0], f"-runs={runs}", f"-max_total_time={int(seconds)}",
                   "-max_len=65536", "-rss_limit_mb=4096", str(corpus_dir)], one_input)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["hypothesis", "atheris"], default="hypothesis")
    parser.add_argument("--target", choices=["all", *TARGETS], default="all")
    parser.add_argument("--examples", type=int, default=20000,
                        help="examples per target (hypothesis) or runs (atheris)")
    parser.add_argument("--seconds", type=float, default=300, help="time limit per target")
    args = parser.parse_args()
    names = list(TARGETS) if args.target == "all" else [args.target]
    if args.engine == "atheris":
        run_atheris(names, args.examples, args.seconds)  # exits the process itself
        return 0
    total = sum(run_hypothesis(name, args.examples, args.seconds) for name in names)
    print(f"total: {total} examples, no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
