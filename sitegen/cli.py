"""The `sitegen` command: parse arguments, call one stage, print problems. Thin on purpose."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from sitegen import __version__
from sitegen.errors import ProblemsFound, SitegenError
from sitegen.model import Problem

MAX_PROBLEMS = 50

EPILOG = "Docs: docs/ in the sitegen repository (quickstart, content, configuration, sources)."


class Console:
    """Where messages go: results to stdout, problems to stderr, chatter only if not quiet."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)

    def problems(self, problems: Sequence[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: (p.severity != "error", p.path, p.line or 0))
        for problem in ordered[:MAX_PROBLEMS]:
            print(problem, file=sys.stderr)
        if len(ordered) > MAX_PROBLEMS:
            print(f"... and {len(ordered) - MAX_PROBLEMS} more", file=sys.stderr)

    def error(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)


def today() -> dt.date:
    """Today's date; `SITEGEN_TODAY=YYYY-MM-DD` pins it (tests, reproducing an import)."""
    pinned = os.environ.get("SITEGEN_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def cmd_new(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.new import create_site, unreachable_warning

    made = create_site(Path(args.dir))
    console.info(f"created a new site in {args.dir} ({len(made.files)} files)")
    if made.source.reachable:
        console.info(f"its workflow installs {made.source.requirement}")
    else:  # a warning, never hidden by -q: the first deploy would fail
        console.error(unreachable_warning(Path(args.dir), made.source))
    console.info(f"next: cd {args.dir} && sitegen import PAGE.txt && sitegen build")
    return 0


def cmd_import(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.importer import import_pages
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    report = import_pages(config.root, [Path(f) for f in args.files], today(), args.year,
                          show_progress=not args.quiet)
    console.problems(report.problems)
    for summary in report.files:
        console.info(f"{summary.path}: {summary.papers} papers: {summary.new} new, "
                     f"{summary.updated} updated, {summary.duplicates} duplicates")
    totals = [sum(getattr(s, k) for s in report.files) for k in ("new", "updated", "duplicates")]
    console.info(f"imported {len(report.files)} file(s): {totals[0]} new, {totals[1]} updated, "
                 f"{totals[2]} duplicates; {len(report.written)} paper file(s) written")
    warnings = [p for p in report.problems if p.severity == "warning"]
    return 1 if args.strict and warnings or any(p.severity == "error" for p in report.problems) \
        else 0


def _iso_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 30000:
        raise argparse.ArgumentTypeError(f"not a number from 1 to 30000: {text!r}")
    return int(text)


def cmd_fetch(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.fetch import FetchOptions, day_range, fetch_arxiv, fetch_hf
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    options = FetchOptions(use_cache=not args.no_cache, max_age=args.max_age,
                           progress=not args.quiet)
    if args.source == "hf":
        if args.date and (args.date_from or args.date_to):
            console.error("sitegen fetch hf: give --date or --from/--to, not both")
            return 2
        utc_today = dt.date.fromisoformat(os.environ["SITEGEN_TODAY"]) \
            if os.environ.get("SITEGEN_TODAY") else dt.datetime.now(dt.UTC).date()
        first = args.date or args.date_from or args.date_to or utc_today
        days = day_range(first, args.date or args.date_to or first)
        api_url = args.api_url or config.sources["hf_api_url"]
        report = fetch_hf(config.root, days, api_url, options)
    else:
        api_url = args.api_url or config.sources["arxiv_api_url"]
        report = fetch_arxiv(config.root, args.query, args.max, api_url, options)
    console.problems(report.problems)
    failures = [Problem(d.error.path or args.source, f"{d.label}: {d.error.message}",
                        hint=d.error.hint) for d in report.failed if d.error]
    for day in report.days:
        if day.error is None:
            console.info(f"{day.label}: {day.papers} papers: {day.new} new, {day.updated} "
                         f"updated, {day.unchanged} unchanged"
                         + (f" ({day.note})" if day.note else ""))
    console.problems(failures)
    ok = [d for d in report.days if d.error is None]
    totals = [sum(getattr(d, k) for d in ok) for k in ("new", "updated", "unchanged")]
    console.info(f"{args.source}: {len(ok)} of {len(report.days)} day(s) fetched: {totals[0]} new, "
                 f"{totals[1]} updated, {totals[2]} unchanged; {len(report.written)} paper "
                 f"file(s) written; {report.requests} request(s)")
    if failures:
        console.error(f"sitegen: fetch failed for {len(failures)} of {len(report.days)} "
                      "day(s); nothing from them was stored")
    store_errors = any(p.severity == "error" for p in report.problems)
    return 1 if failures or store_errors else 0


def cmd_build(args: argparse.Namespace, console: Console) -> int:
    from sitegen.build.pipeline import build_site
    from sitegen.config import load_config

    started = time.perf_counter()
    config = load_config(Path(args.root))
    if args.base_url:
        config = config.with_base_url(args.base_url)
    out = Path(args.out) if args.out else None
    result = build_site(config, out, strict=args.strict, clean=args.clean,
                        show_progress=not args.quiet)
    global _last_build
    _last_build = result  # freed by the process's exit (`main_exit`), not paper by paper
    console.problems(result.problems)
    stats = result.stats
    assert stats is not None
    seconds = time.perf_counter() - started
    verb = "built" if result.site is not None else "up to date:"
    console.info(f"{verb} {result.papers} papers, {result.days} days, "
                 f"{len(result.outputs)} files into {out or config.build['output']} "
                 f"({stats.written} written, {stats.unchanged} unchanged, {stats.removed} removed)"
                 f" in {seconds:.2f} s")
    return 0


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.check import check_site
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    if args.base_url:
        config = config.with_base_url(args.base_url)
    problems = check_site(config, today(), Path(args.out) if args.out else None)
    console.problems(problems)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    failed = errors > 0 or (args.strict and warnings > 0)
    summary = f"check: {errors} error(s), {warnings} warning(s)"
    if failed:
        console.error(f"sitegen: {summary}")
    else:
        console.info(summary)
    return 1 if failed else 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.serve import serve
    from sitegen.config import load_config

    load_config(Path(args.root))  # not a site folder: say so before listening
    serve(Path(args.root), args.bind, args.port, console.info)
    return 0


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", metavar="DIR",
                        help="the site folder (default: the current folder)")


def _add_fetch(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    fetch = sub.add_parser("fetch", parents=[common], help="fetch papers from an API",
                           description="Fetch papers from the Hugging Face daily-papers API or "
                           "the arXiv API and merge them into content/papers/ (the only "
                           "command that uses the network). Exits non-zero if any day failed.")
    sources = fetch.add_subparsers(dest="source", metavar="SOURCE", required=True)
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--api-url", metavar="URL", help="the API's base URL (default: "
                         "[sources] hf_api_url or arxiv_api_url)")
    options.add_argument("--no-cache", action="store_true",
                         help="neither read nor write the response cache in .sitegen-cache/")
    options.add_argument("--max-age", type=float, default=0.0, metavar="SECONDS",
                         help="reuse a cached answer younger than this without asking "
                         "(default 0: always ask, conditionally with its ETag)")
    _add_root(options)
    hf = sources.add_parser("hf", parents=[common, options], help="Hugging Face Daily Papers",
                            description="Fetch the Hugging Face Daily Papers list of one day "
                            "(default: today, UTC) or of a range of days.")
    hf.add_argument("--date", type=_iso_day, metavar="YYYY-MM-DD", help="the day to fetch")
    hf.add_argument("--from", dest="date_from", type=_iso_day, metavar="YYYY-MM-DD",
                    help="the first day of a range")
    hf.add_argument("--to", dest="date_to", type=_iso_day, metavar="YYYY-MM-DD",
                    help="the last day of a range (default: the --from day)")
    hf.set_defaults(func=cmd_fetch)
    ax = sources.add_parser("arxiv", parents=[common, options], help="the arXiv query API",
                            description="Fetch the papers matching an arXiv search query "
                            "(100 per request, 3 seconds apart).")
    ax.add_argument("--query", required=True, metavar="Q",
                    help="an arXiv search_query, e.g. 'cat:cs.CL AND ti:retrieval'")
    ax.add_argument("--max", type=_positive, default=100, metavar="N",
                    help="at most N papers (default 100)")
    ax.set_defaults(func=cmd_fetch)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser: every subcommand with its options (docs/cli.md lists them all)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="print more, and a traceback on unexpected errors")
    parser = argparse.ArgumentParser(
        prog="sitegen", parents=[common], epilog=EPILOG,
        description="Static site generator for research-paper feeds (Daily Papers sites).")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    new = sub.add_parser("new", parents=[common], help="create a new site folder",
                         description="Create a ready site in DIR (refuses a non-empty folder).")
    new.add_argument("dir", metavar="DIR", help="the folder to create")
    new.set_defaults(func=cmd_new)

    imp = sub.add_parser("import", parents=[common], help="import Daily Papers text pages",
                         description="Import copied Hugging Face Daily Papers pages into "
                         "content/papers/. Nothing is written if any page is refused.")
    imp.add_argument("files", nargs="+", metavar="FILE", help="page files to import")
    imp.add_argument("--year", type=int, metavar="YYYY",
                     help="the year of the pages' dates (default: the latest such date "
                     "that is not in the future)")
    imp.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    _add_root(imp)
    imp.set_defaults(func=cmd_import)

    _add_fetch(sub, common)

    build = sub.add_parser("build", parents=[common], help="build the site",
                           description="Build the static site from content/ (offline).")
    build.add_argument("--out", metavar="DIR", help="output folder (default: [build] output, "
                       "_site)")
    build.add_argument("--base-url", metavar="URL",
                       help="the site's public URL, e.g. https://user.github.io/repo/ "
                       "(default: [site] base_url)")
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument("--clean", "--no-cache", dest="clean", action="store_true",
                       help="build from scratch: drop the build cache (.sitegen-cache/) first")
    _add_root(build)
    build.set_defaults(func=cmd_build)

    check = sub.add_parser("check", parents=[common], help="check the content and the site",
                           description="Check the content and the built site: front matter, "
                           "dates, duplicate ids, links in notes, internal links and "
                           "anchors, feeds. Builds in memory and writes nothing, unless --out "
                           "names a folder built earlier.")
    check.add_argument("--out", metavar="DIR", help="check this built folder instead of "
                       "building in memory")
    check.add_argument("--base-url", metavar="URL",
                       help="the site's public URL, as given to 'build --base-url'")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _add_root(check)
    check.set_defaults(func=cmd_check)

    serve = sub.add_parser("serve", parents=[common], help="preview the site with live reload",
                           description="Build in memory, serve on BIND:PORT, rebuild when "
                           "content/, templates/, themes/, static/ or sitegen.toml change, "
                           "and reload open pages. Ctrl-C stops it.")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    _add_root(serve)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 1 problems, 2 usage)."""
    parser = make_parser()
    args = parser.parse_args(argv)
    console = Console(quiet=args.quiet, verbose=args.verbose)
    try:
        return args.func(args, console)
    except ProblemsFound as exc:
        console.problems(exc.problems)
        console.error(f"sitegen: {exc.message}")
        return 1
    except SitegenError as exc:
        console.error(str(exc))
        return 1
    except KeyboardInterrupt:
        console.error("sitegen: interrupted")
        return 130
    except Exception as exc:  # a bug: say so plainly, traceback only with -v
        if args.verbose:
            traceback.print_exc()
        console.error(f"sitegen: internal error: {type(exc).__name__}: {exc} "
                      "(run again with -v for the traceback, and please report it)")
        return 70


#: The last build's result (its site model): kept until the process ends.
_last_build: object = None


def _observed() -> bool:
    """Whether a profiler, tracer or coverage tool watches this process: through
    sys.setprofile/settrace, or (Python 3.12+, where cProfile and coverage use it)
    through a tool registered with sys.monitoring."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(tool) is not None
                                          for tool in range(6))


def main_exit() -> None:
    """The console-script entry point (and `python -m sitegen`'s).

    The process ends with `os._exit` once its output is flushed: every file it wrote is
    closed and every process it started has ended by then, so what this skips is freeing
    the site model object by object (about 50 ms of a rebuild at 10,000 papers) and the
    interpreter's other teardown, which the operating system does at once. Not under a
    profiler or tracer (pyinstrument, cProfile, coverage), which writes what it found at
    the interpreter's exit.
    """
    status = main()
    if _observed():
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            pass
    os._exit(status)


if __name__ == "__main__":
    main_exit()
