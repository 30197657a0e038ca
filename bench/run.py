"""The benchmark: sitegen and Pelican on one synthetic corpus, side by side, in one run.

For each size N: generate the corpus (bench/corpus.py), then time, each in a child
process (wall time, peak RSS from `os.wait4`):
  import    `sitegen import` of all the day pages into an empty site
  full      `sitegen build --clean` (from scratch: no build cache, no old output)
  noop      `sitegen build` again with nothing changed
  day       import one more day (30 papers, untimed), then `sitegen build`
  pelican   `pelican` on the same papers as Markdown articles (its own venv under bench/out/)
each `--repeat` times (a new day each time), and print the table of the fastest runs with
the ratios the targets are about. See bench/README.md.

    python bench/run.py                    # quick: 1k and 10k, Pelican on both
    python bench/run.py --sizes 1000,10000,50000 --pelican-max 10000
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
PELICAN_SPEC = "pelican[markdown]>=4.12,<5"
SITE_CONFIG = """\
[site]
title = "Bench"
base_url = "https://example.org/bench/"
"""
#: A lab's `[select]` (`--select`, and bench/bench_select.py): a watch list and exclude rules
#: (words, phrases, regexes) that drop none of the synthetic papers, so a site with it
#: publishes the same pages and differs by the judging alone.
LAB_SELECT = """
[select]
authors = ["Mei Lin", "Ada Lovelace", "/J\\\\. Smith/"]
exclude = ["survey", "a review of", "retracted", "position paper", "/erratum\\\\w*/"]
store = "all"
"""
#: Pelican with no tags and its default outputs: the configuration of the first runs,
#: kept as a reference column ("pelican-min").
PELICAN_MIN_CONFIG = """\
AUTHOR = "bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
LOAD_CONTENT_CACHE = False
RELATIVE_URLS = False
FEED_DOMAIN = "https://example.org"
"""
#: Pelican making the pages sitegen makes (the ratio the targets are about): the same papers
#: with the same tags (sitegen's default rules, written into each article) and authors, a
#: page per tag and per author (Pelican's own author pages), Atom and RSS feeds site-wide
#: and per tag, an Atom feed per author (sitegen: Atom only for authors), at most 50
#: entries a feed (sitegen's `[feeds] limit`; its authors' feeds hold 20), year, month and
#: day archive pages, 30 papers per list page. sitegen also makes a search index, JSON
#: Feed, `.bib` files, organisation pages and a sitemap, which Pelican does not.
PELICAN_CONFIG = PELICAN_MIN_CONFIG.replace("DEFAULT_PAGINATION = 10",
                                            "DEFAULT_PAGINATION = 30") + """\
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tag/{slug}.rss.xml"
AUTHOR_FEED_ATOM = "feeds/author/{slug}.atom.xml"
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 50
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/index.html"
"""


@dataclass(frozen=True)
class Run:
    """One timed child process."""

    seconds: float
    max_rss_mb: float  # the largest single process's peak RSS (os.wait4)
    output: str
    cpu: float = 0.0  # user + system CPU seconds of the child: less noisy than wall time
    tree_mb: float = 0.0  # peak of the summed PSS of the child and all its descendants


def _session_pss_kb(session: int) -> int:
    """Summed PSS (KB) of every process in `session`: memory shared by forked processes
    counts once in total, split between them."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            if int(fields[3]) != session:  # field 6 of stat: the session id
                continue
            with open(f"/proc/{name}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `cmd`; return its wall and CPU time, the largest process's peak RSS, and the peak
    of the whole process tree's summed PSS (sampled every 20 ms: a build may fork workers,
    and what the machine must hold is all of them together)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _session_pss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/smaps_rollup").exists():
        sampler.start()
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd[:6])}...\n{output[-3000:]}")
    rss = usage.ru_maxrss / 1024
    return Run(seconds, rss, output, usage.ru_utime + usage.ru_stime,
               max(peak[0] / 1024, rss))


def compile_sitegen() -> None:
    """Compile sitegen's modules to bytecode (`__pycache__`), as `pip install .` (the README's
    first command) does, and as Python itself does on the first run. Without it, a machine
    that sets PYTHONDONTWRITEBYTECODE (this one does) compiles every module from source in
    every timed command: about 0.04 s of each build's start-up, which a user never pays
    (Pelican, installed by pip into its venv, is compiled too)."""
    import compileall

    if not compileall.compile_dir(REPO / "sitegen", quiet=2):
        raise SystemExit("bench: could not compile sitegen's modules")


def sitegen_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), SITEGEN_TODAY="2026-01-01")
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def sitegen(*args: str, quiet: bool = True) -> list[str]:
    """A sitegen command; `quiet=False` keeps its summary line (`-q` drops it)."""
    return [sys.executable, "-m", "sitegen", *(["-q"] if quiet else []), *args]


def tree_size(folder: Path) -> tuple[int, int]:
    """(file count, total bytes) of a folder."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def search_payload(site_out: Path) -> tuple[int, int, int]:
    """(files, bytes, gzip bytes) of the search index (`search/` but its page): what the
    site serves for search. What one query fetches is measured by bench/search_bench.py."""
    files = [p for p in (site_out / "search").rglob("*")
             if p.is_file() and p.name != "index.html"]
    raw = packed = 0
    for file in files:
        data = file.read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, 6))
    return len(files), raw, packed


def pelican_python() -> Path:
    """A venv with Pelican, made once under bench/out/pelican-venv."""
    venv = OUT / "pelican-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PELICAN_SPEC], check=True)
    return python


def last_line(output: str) -> str:
    """The last line a command printed (a quiet build may print none)."""
    lines = output.strip().splitlines()
    return lines[-1] if lines else "(no output)"


def best(runs: list[Run]) -> Run:
    """The fastest of repeated runs: on a shared machine, the least disturbed one."""
    return min(runs, key=lambda run: run.seconds)


def bench_size(n: int, with_pelican: bool, repeat: int, config: str = SITE_CONFIG
               ) -> dict[str, object]:
    folder = OUT / f"corpus-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    records = corpus.generate(n)
    pages = corpus.write_pages(records, folder / "pages")
    site = folder / "site"
    (site / "content" / "papers").mkdir(parents=True)
    (site / "sitegen.toml").write_text(config, encoding="utf-8")
    env = sitegen_env()
    result: dict[str, object] = {"n": n}

    seconds = rss = cpu = 0.0
    for year, files in sorted(pages.items()):
        run = timed(sitegen("import", "--year", str(year), *map(str, files)), site, env)
        seconds += run.seconds
        cpu += run.cpu
        rss = max(rss, run.max_rss_mb)
    result["import"] = Run(seconds, rss, "", cpu, rss)
    authored: set[str] = set()  # paper files given their authors (untimed)
    corpus.add_authors(site, authored)
    if with_pelican:  # the tags of the corpus as imported, before the added days
        write_tagged_pelican(site, folder / "pelican" / "content")
    fulls = []
    for _ in range(repeat):  # each from scratch: no output, staging folder or cache
        for name in ("_site", "._site.new", ".sitegen-cache"):
            shutil.rmtree(site / name, ignore_errors=True)
        fulls.append(timed(sitegen("build", "--clean"), site, env))
    result["full"] = best(fulls)
    result["files"], result["bytes"] = tree_size(site / "_site")
    result["search"] = search_payload(site / "_site")
    result["noop"] = best([timed(sitegen("build"), site, env) for _ in range(repeat)])
    days = []
    for after in range(1, repeat + 1):  # a new day each time, as the daily workflow does
        new_day = corpus.write_pages(corpus.extra_day(n, after=after), folder / f"day-{after}")
        for year, files in new_day.items():
            timed(sitegen("import", "--year", str(year), *map(str, files)), site, env)
        corpus.add_authors(site, authored)
        days.append(timed(sitegen("build", quiet=False), site, env))  # its summary: day_stats
    result["day"] = best(days)
    result["base_day"] = base_moving_day(n, repeat, folder, site, env, authored)
    result["day_stats"] = last_line(result["day"].output)  # type: ignore[union-attr]
    result["runs"] = {"full": fulls, "day": days}
    # The check that an incremental build equals a clean one is tests/test_incremental.py;
    # here, one more: a clean build of the same content into another folder, diffed.
    timed(sitegen("build", "--clean", "--out", "_clean"), site, env)
    diff = subprocess.run(["diff", "-rq", "_site", "_clean"], cwd=site, capture_output=True,
                          text=True)
    result["identical"] = diff.returncode == 0 and not diff.stdout
    shutil.rmtree(site / "_clean")
    shutil.rmtree(site / "._clean.new", ignore_errors=True)

    if with_pelican:
        python = pelican_python()
        for name, config in (("pelican", PELICAN_CONFIG), ("pelican-min", PELICAN_MIN_CONFIG)):
            pelican = folder / name
            if name == "pelican-min":
                corpus.write_pelican(records, pelican / "content")
            (pelican / "pelicanconf.py").write_text(config, encoding="utf-8")
            runs = []
            for _ in range(repeat):
                shutil.rmtree(pelican / "output", ignore_errors=True)
                runs.append(timed([str(python), "-m", "pelican", "content", "-o", "output",
                                   "-s", "pelicanconf.py", "-q"], pelican))
            result[name] = best(runs)
            result["runs"][name] = runs  # type: ignore[index]
            result[f"{name}_files"], _ = tree_size(pelican / "output")
    return result


def base_moving_day(n: int, days: int, folder: Path, site: Path, env: dict[str, str],
                    authored: set[str]) -> Run:
    """The day on which the search index's base segment moves (every `search.SEGMENT`
    papers, docs/search.md): the dearest day, since the base is then made anew. The papers
    up to just before that boundary arrive first as one untimed day and build; then a
    30-paper day that crosses it is built and timed."""
    from sitegen.search.index import SEGMENT

    count = sum(1 for _ in (site / "content" / "papers").glob("*.md"))
    boundary = (count // SEGMENT + 1) * SEGMENT
    serial = n + 1 + 30 * days  # after the serials of the +1 day runs
    filler = boundary - count - 15  # then a day of 30 crosses the boundary
    run = None
    for size in ([filler] if filler > 0 else []) + [30]:  # the last one is the timed day
        days += 1
        records = corpus.extra_day(n, count=size, after=days, first=serial)
        serial += size
        for year, files in corpus.write_pages(records, folder / f"day-{days}").items():
            timed(sitegen("import", "--year", str(year), *map(str, files)), site, env)
        corpus.add_authors(site, authored)
        run = timed(sitegen("build", quiet=False), site, env)  # its summary: printed
    assert run is not None
    return run


def write_tagged_pelican(site: Path, folder: Path) -> int:
    """The site's papers (the base corpus, before the added days) as Pelican articles, each
    with the tags sitegen gives it and its authors, so both tools build the same tag and
    author pages and feeds."""
    from sitegen.build.outputs import assemble_site
    from sitegen.config import load_config
    from sitegen.store.papers import load_papers

    config = load_config(site)
    papers, _ = load_papers(site)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for day in assemble_site(config, papers).days:
        for paper in day.papers:
            count += 1
            title = paper.title.replace("\n", " ")
            text = (f"Title: {title}\nDate: {day.date.isoformat()} 00:00\n"
                    f"Slug: paper-{count}\nCategory: papers\nTags: {', '.join(paper.tags)}\n"
                    f"Authors: {', '.join(paper.authors)}\n\n{paper.abstract}\n")
            (folder / f"paper-{count:06d}.md").write_text(text, encoding="utf-8")
    return count


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                      .splitlines() if line.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, {memory}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def _segment() -> int:
    from sitegen.search.index import SEGMENT

    return SEGMENT


def report(results: list[dict[str, object]]) -> str:
    def s(key: str, r: dict[str, object]) -> str:
        run = r.get(key)
        return f"{run.seconds:.2f}" if isinstance(run, Run) else "-"

    lines = [
        f"machine: {machine()}",
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| papers | import s | full s | peak MB | no-op s | +1 day s | pelican s | "
        "full/pelican | day/full | no-op/full | pelican-min s | full/pelican-min | files | "
        "MB out | identical |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for r in results:
        full = r["full"]
        assert isinstance(full, Run)
        pelican = r.get("pelican")
        ratio = f"{full.seconds / pelican.seconds:.3f}" if isinstance(pelican, Run) else "-"
        minimal = r.get("pelican-min")
        ratio_min = (f"{full.seconds / minimal.seconds:.3f}" if isinstance(minimal, Run)
                     else "-")
        day, noop = r["day"], r["noop"]
        assert isinstance(day, Run) and isinstance(noop, Run)
        lines.append(
            f"| {r['n']} | {s('import', r)} | {full.seconds:.2f} | {full.tree_mb:.0f} | "
            f"{noop.seconds:.2f} | {day.seconds:.2f} | {s('pelican', r)} | {ratio} | "
            f"{day.seconds / full.seconds:.3f} | {noop.seconds / full.seconds:.3f} | "
            f"{s('pelican-min', r)} | {ratio_min} | {r['files']} | "
            f"{int(r['bytes']) / 1e6:.0f} | {'yes' if r['identical'] else 'NO'} |")
    lines += ["", "CPU seconds (user + system) of the same runs:", "",
              "| papers | import | full | no-op | +1 day | pelican | full/pelican | "
              "day/full | no-op/full |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        c = {k: v.cpu for k, v in r.items() if isinstance(v, Run)}
        pel = f"{c['pelican']:.2f}" if "pelican" in c else "-"
        ratio = f"{c['full'] / c['pelican']:.3f}" if "pelican" in c else "-"
        lines.append(f"| {r['n']} | {c['import']:.2f} | {c['full']:.2f} | {c['noop']:.2f} | "
                     f"{c['day']:.2f} | {pel} | {ratio} | {c['day'] / c['full']:.3f} | "
                     f"{c['noop'] / c['full']:.3f} |")
    lines.append("")
    for r in results:
        lines.append(f"{r['n']}: +1 day build: {r['day_stats']}")
        base_day, full = r["base_day"], r["full"]
        assert isinstance(base_day, Run) and isinstance(full, Run)
        lines.append(f"{r['n']}: the day that moves the search base (once every "
                     f"{_segment()} papers): {base_day.seconds:.2f} s = "
                     f"{base_day.seconds / full.seconds:.3f} x full, peak "
                     f"{base_day.tree_mb:.0f} MB; "
                     + last_line(base_day.output))
        peaks = ", ".join(f"{k} {v.tree_mb:.0f} MB" for k, v in r.items() if isinstance(v, Run))
        lines.append(f"{r['n']}: peak memory per step, all processes (summed PSS): {peaks}")
        peaks = ", ".join(f"{k} {v.max_rss_mb:.0f} MB" for k, v in r.items() if isinstance(v, Run))
        lines.append(f"{r['n']}: peak RSS of the largest process per step: {peaks}")
        for name, runs in r["runs"].items():  # type: ignore[union-attr]
            lines.append(f"{r['n']}: all {name} runs (s): "
                         + ", ".join(f"{run.seconds:.2f}" for run in runs))
        files, raw, packed = r["search"]  # type: ignore[misc]
        lines.append(f"{r['n']}: search index: {files} files, {raw / 1e6:.1f} MB, "
                     f"{packed / 1e6:.1f} MB gzip (one query's payload: bench/search_bench.py)")
        for name in ("pelican", "pelican-min"):
            if f"{name}_files" in r:
                lines.append(f"{r['n']}: {name} wrote {r[f'{name}_files']} files")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated corpus sizes (default: 1000,10000)")
    parser.add_argument("--pelican-max", type=int, default=10000,
                        help="run Pelican only up to this size (0: never; default 10000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each timed step; the table shows the fastest (default 3)")
    parser.add_argument("--select", action="store_true",
                        help="give the site a lab's [select] section (LAB_SELECT): its cost")
    args = parser.parse_args()
    config = SITE_CONFIG + (LAB_SELECT if args.select else "")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    compile_sitegen()
    results = []
    for n in sizes:
        print(f"-- {n} papers", file=sys.stderr, flush=True)
        results.append(bench_size(n, n <= args.pelican_max, max(1, args.repeat), config))
    text = report(results)
    if args.select:
        text = "site config: with a lab's [select] (bench/run.py LAB_SELECT)\n" + text
    print(text)
    (OUT / "last-run.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
