"""The `sitegen` command: parse arguments, call one stage, print problems. Thin on purpose."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from sitegen import __version__
from sitegen.commands.arguments import today
from sitegen.commands.fetchcli import add_add_parser, add_fetch_parser
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
    from sitegen.commands.choosing import Chooser
    from sitegen.commands.importer import import_pages
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    report = import_pages(config.root, [Path(f) for f in args.files], today(), args.year,
                          show_progress=not args.quiet, chooser=Chooser.of(config))
    console.problems(report.problems)
    for summary in report.files:
        unstored = f" ({summary.unstored} not stored)" if summary.unstored else ""
        one_day = f" ({summary.days[0].day})" if len(summary.days) == 1 else ""
        console.info(f"{summary.path}{one_day}: {summary.papers} papers: {summary.new} new, "
                     f"{summary.updated} updated, {summary.duplicates} duplicates; "
                     f"{summary.kept} kept, {summary.dropped} dropped{unstored}")
        for day in summary.days if len(summary.days) > 1 else ():
            unstored = f" ({day.unstored} not stored)" if day.unstored else ""
            console.info(f"  {day.day}: {day.kept} kept, {day.dropped} dropped{unstored}")
    totals = [sum(getattr(s, k) for s in report.files) for k in ("new", "updated", "duplicates")]
    console.info(f"imported {len(report.files)} file(s): {totals[0]} new, {totals[1]} updated, "
                 f"{totals[2]} duplicates; {len(report.written)} paper file(s) written")
    warnings = [p for p in report.problems if p.severity == "warning"]
    return 1 if args.strict and warnings or any(p.severity == "error" for p in report.problems) \
        else 0


def cmd_hide(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.hide import hide_papers
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    report = hide_papers(config.root, args.ids, hidden=not args.undo)
    console.problems([Problem(ref, "no stored paper has this id or slug",
                              hint="a file with errors is not read: 'sitegen check' lists them")
                      for ref in report.missing])
    for file in report.written:
        console.info(f"{file.relative_to(config.root).as_posix()}: "
                     f"{'hidden' if not args.undo else 'shown again'}")
    console.info(f"{len(report.written)} paper file(s) written, {len(report.unchanged)} "
                 f"already {'hidden' if not args.undo else 'shown'}")
    return 1 if report.missing else 0


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
    from sitegen.commands.check import built_for, check_site
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    if args.select:
        from sitegen.commands.choosing import Chooser, judge_store, store_lines
        from sitegen.store.papers import load_papers

        papers, problems = load_papers(config.root)
        console.problems(problems)
        for line in store_lines(judge_store(papers, Chooser.of(config))):
            console.info(line)
        return 1 if any(p.severity == "error" for p in problems) else 0
    if args.base_url:
        config = config.with_base_url(args.base_url)
    made_for = built_for(Path(args.out)) if args.out else None
    if made_for and made_for != config.site["base_url"]:
        if args.base_url:  # said, not changed: the user may mean it
            console.error(f"sitegen: note: {args.out} was built for {made_for} (its robots.txt);"
                          f" checking it as {config.site['base_url']}")
        else:
            config = config.with_base_url(made_for)
            console.info(f"checking {args.out} as built for {made_for} (its robots.txt)")
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


def cmd_mail(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.mail import newest_digest, send_digest
    from sitegen.config import load_config

    config = load_config(Path(args.root))
    out = Path(args.out) if args.out else config.root / config.build["output"]
    kind = args.kind or config.digests["mail"]
    if kind == "off":  # the workflow's mail job runs every time: off is no error
        console.error('sitegen mail: mailing is off ([digests] mail = "off"); nothing sent')
        return 0
    if args.newest:
        newest = newest_digest(out, kind, missing_ok=True)
        if newest is None:
            console.error(f"sitegen mail: no {kind} digest yet; nothing to mail")
        else:
            print(newest.slug)
        return 0
    console.info(send_digest(out, kind, dry_run=args.dry_run))
    return 0


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.serve import serve
    from sitegen.config import load_config

    load_config(Path(args.root))  # not a site folder: say so before listening
    serve(Path(args.root), args.bind, args.port, console.info)
    return 0


def _add_root(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    parser.add_argument("--root", default=default, metavar="DIR",
                        help="the site folder (default: the current folder)")


def _global_options(top: bool) -> argparse.ArgumentParser:
    """-q and -v, accepted before and after the command. The top parser sets the defaults;
    a subcommand's copy has none (SUPPRESS), so it never resets what came before it."""
    common = argparse.ArgumentParser(add_help=False)
    default = False if top else argparse.SUPPRESS
    common.add_argument("-q", "--quiet", action="store_true", default=default,
                        help="print only problems")
    common.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="print more, and a traceback on unexpected errors")
    return common


def make_parser() -> argparse.ArgumentParser:
    """The argument parser: every subcommand with its options (docs/cli.md lists them all)."""
    common = _global_options(top=False)
    parser = argparse.ArgumentParser(
        prog="sitegen", parents=[_global_options(top=True)], epilog=EPILOG,
        description="Static site generator for research-paper feeds (Daily Papers sites).")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    _add_root(parser, default=None)
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

    add_fetch_parser(sub, common)
    add_add_parser(sub, common)

    hide = sub.add_parser("hide", parents=[common], help="keep papers off the site for good",
                          description="Write 'hidden: true' into the files of these papers: "
                          "the site never shows them, and later fetches and imports update "
                          "them without bringing them back.")
    hide.add_argument("ids", nargs="+", metavar="ID",
                      help="arXiv ids (any form 'sitegen add' reads) or slugs (file names "
                      "without .md)")
    hide.add_argument("--undo", action="store_true",
                      help="remove 'hidden: true' instead: show the papers again")
    _add_root(hide)
    hide.set_defaults(func=cmd_hide)

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
    check.add_argument("--select", action="store_true",
                       help="only list each stored paper's [select] decision (kept or "
                       "dropped, and the rule that decided), by day; writes nothing")
    _add_root(check)
    check.set_defaults(func=cmd_check)

    mail = sub.add_parser("mail", parents=[common], help="mail the newest digest over SMTP",
                          description="Send the newest weekly or monthly digest of the "
                          "built site ([digests] mail), its email-safe file, over SMTP. "
                          "Server, login, sender and recipients come from SITEGEN_SMTP_* "
                          "and SITEGEN_MAIL_* environment variables (docs/deploy.md); none "
                          "is printed.")
    mail.add_argument("--out", metavar="DIR", help="the built site (default: [build] output, "
                      "_site)")
    mail.add_argument("--kind", choices=("weekly", "monthly"),
                      help="which digest (default: [digests] mail; none when it is off)")
    mail.add_argument("--newest", action="store_true",
                      help="print the newest digest's name (e.g. 2026-W37) and send nothing")
    mail.add_argument("--dry-run", action="store_true",
                      help="say which digest would be sent; send nothing")
    _add_root(mail)
    mail.set_defaults(func=cmd_mail)

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
    if args.command == "new" and args.root is not None:
        parser.error("new takes the folder to create (sitegen new DIR), not --root")
    args.root = args.root or "."
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
        hint = "please report it, with the traceback above" if args.verbose else \
            "run again with -v for the traceback, and please report it"
        console.error(f"sitegen: internal error: {type(exc).__name__}: {exc} ({hint})")
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
    the site model object by object (docs/performance.md) and the
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
