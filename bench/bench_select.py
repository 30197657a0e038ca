"""What `[select]` costs a build: the same archive built with and without a `[select]`
section, side by side, step by step (full, no-op, +1 day), in one run.

Two copies of one imported corpus: `plain` (bench/run.py's config) and `select` (the same
plus a lab's `[select]`: an author watch list, exclude words, phrases and a regex, kept
to `store = "all"`). The rules drop none of the synthetic papers, so both sites publish
the same pages and the difference is the judging alone (the script checks the outputs
are the same). Each step alternates between the two sites, `--repeat` times; the table
shows the fastest wall and CPU seconds of each and their difference.

    python bench/bench_select.py                  # 10,000 papers, 3 runs a step
    python bench/bench_select.py --size 1000 --repeat 1
    python bench/bench_select.py --in-process     # judging alone, CPU time, in this process

A full build's difference is below the noise of a shared machine; `--in-process` times
what the selection adds to tagging for every paper of the corpus (what a full build, or
a changed rule, costs), best of five.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from run import (  # noqa: E402
    LAB_SELECT,
    OUT,
    SITE_CONFIG,
    Run,
    compile_sitegen,
    sitegen,
    sitegen_env,
    timed,
)

SELECT = LAB_SELECT
SITES = ("plain", "select")


def prepare(n: int) -> tuple[Path, dict[str, Path]]:
    """A corpus of `n` papers imported into two sites that differ only by `[select]`."""
    folder = OUT / f"select-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    pages = corpus.write_pages(corpus.generate(n), folder / "pages")
    plain = folder / "plain"
    (plain / "content" / "papers").mkdir(parents=True)
    (plain / "sitegen.toml").write_text(SITE_CONFIG, encoding="utf-8")
    for year, files in sorted(pages.items()):
        timed(sitegen("import", "--year", str(year), *map(str, files)), plain, sitegen_env())
    shutil.copytree(plain, folder / "select")
    (folder / "select" / "sitegen.toml").write_text(SITE_CONFIG + SELECT, encoding="utf-8")
    return folder, {name: folder / name for name in SITES}


def step(sites: dict[str, Path], args: tuple[str, ...], before=None) -> dict[str, Run]:
    """One timed command in each site (after `before(site)`, untimed)."""
    runs = {}
    for name, site in sites.items():
        if before is not None:
            before(site)
        runs[name] = timed(sitegen(*args), site, sitegen_env())
    return runs


#: Rules of a lab, with an `include` too (which keeps some papers only).
INCLUDE = 'include = ["event camera", "spiking neural network", "/neuromorph\\\\w*/", "model"]\n'


def in_process(n: int) -> None:
    """CPU seconds of tagging alone (the tagged copies the build makes) and of tagging and
    judging together (`select.curate`, one reading of each paper), for `n` papers, best
    of five."""
    from sitegen.config import parse_config
    from sitegen.site.select import compile_selector, curate
    from sitegen.site.tagging import compile_rules, tag_papers
    from sitegen.store.papers import load_papers

    _, sites = prepare(n)
    papers, _ = load_papers(sites["plain"])

    def best(work) -> float:
        times = []
        for _ in range(5):
            started = time.process_time()
            work()
            times.append(time.process_time() - started)
        return min(times)

    print(f"{len(papers):,} papers, CPU seconds, best of 5")
    print("| [select] | tagging | tagging and judging | judging adds |")
    print("|---|---|---|---|")
    for label, extra in (("none", ""), ("bench_select's", SELECT), ("+ include", SELECT + INCLUDE)):
        config = parse_config(SITE_CONFIG + (extra or "[select]\n"))
        rules = compile_rules(config.tags)
        selector = compile_selector(config.select, rules)
        tagging = best(lambda rules=rules: tag_papers(papers, rules))
        both = best(lambda rules=rules, selector=selector: [curate(p, rules, selector)
                                                             for p in papers])
        print(f"| {label} | {tagging:.3f} | {both:.3f} | {both - tagging:+.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--in-process", action="store_true",
                        help="time tagging and judging in this process instead of builds")
    options = parser.parse_args()
    compile_sitegen()
    if options.in_process:
        in_process(options.size)
        return
    folder, sites = prepare(options.size)
    results: dict[str, dict[str, list[Run]]] = {s: {n: [] for n in SITES}
                                                 for s in ("full", "noop", "day")}

    def clean(site: Path) -> None:
        for name in ("_site", "._site.new", ".sitegen-cache"):
            shutil.rmtree(site / name, ignore_errors=True)

    for _ in range(options.repeat):
        for name, run in step(sites, ("build", "--clean"), clean).items():
            results["full"][name].append(run)
    for _ in range(options.repeat):
        for name, run in step(sites, ("build",)).items():
            results["noop"][name].append(run)
    for after in range(1, options.repeat + 1):
        day = corpus.write_pages(corpus.extra_day(options.size, after=after),
                                 folder / f"day-{after}")

        def add_day(site: Path, day: dict = day) -> None:
            for year, files in day.items():
                timed(sitegen("import", "--year", str(year), *map(str, files)), site,
                      sitegen_env())

        for name, run in step(sites, ("build",), add_day).items():
            results["day"][name].append(run)
    diff = subprocess.run(["diff", "-rq", "plain/_site", "select/_site"], cwd=folder,
                          capture_output=True, text=True)
    print(f"{options.size:,} papers, fastest of {options.repeat}; outputs "
          f"{'identical' if diff.returncode == 0 else 'DIFFER: ' + diff.stdout[:200]}")
    print("| step | plain s | select s | plain CPU s | select CPU s | CPU difference s |")
    print("|---|---|---|---|---|---|")
    for label, runs in results.items():
        wall = {n: min(r.seconds for r in runs[n]) for n in SITES}
        cpu = {n: min(r.cpu for r in runs[n]) for n in SITES}
        print(f"| {label} | {wall['plain']:.2f} | {wall['select']:.2f} | {cpu['plain']:.2f} | "
              f"{cpu['select']:.2f} | {cpu['select'] - cpu['plain']:+.2f} |")


if __name__ == "__main__":
    main()
