"""The command line of `sitegen fetch` and `sitegen add`: their options, and what they
print (heavy modules are imported when a command runs, not when the parser is made)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sitegen.commands.arguments import iso_day, positive, today, utc_today
from sitegen.model import Problem

if TYPE_CHECKING:
    from sitegen.commands.daily import SourceReport, Window
    from sitegen.commands.fetch import FetchOptions
    from sitegen.config import Config


class Console(Protocol):
    """Where messages go (`cli.Console`, not imported: cli imports this module)."""

    def info(self, message: str) -> None: ...

    def problems(self, problems: Sequence[Problem]) -> None: ...

    def error(self, message: str) -> None: ...


def _fetch_options(args: argparse.Namespace, config: Config) -> FetchOptions:
    from sitegen.commands.choosing import Chooser
    from sitegen.commands.fetch import FetchOptions

    with_arxiv = getattr(args, "with_arxiv", False) or (
        args.source == "hf" and config.fetch["hf_with_arxiv"])
    return FetchOptions(use_cache=not _opt(args, "no_cache", False),
                        max_age=_opt(args, "max_age", 0.0), progress=not args.quiet,
                        chooser=Chooser.of(config), dry_run=_opt(args, "dry_run", False),
                        with_arxiv=config.sources["arxiv_api_url"] if with_arxiv else None)


def _opt(args: argparse.Namespace, name: str, default: object) -> Any:
    """An option `fetch` takes before or after its source (absent unless given)."""
    return getattr(args, name, default)


def _window(args: argparse.Namespace) -> Window | None:
    """The days asked (`--date`, `--from`/`--to`), or None for a usage error."""
    from sitegen.commands.daily import Window
    from sitegen.commands.fetch import day_range

    date, start, end = (_opt(args, k, None) for k in ("date", "date_from", "date_to"))
    if date and (start or end):
        return None
    first = date or start or end
    if first is None:
        return Window([utc_today()], given=False)
    return Window(day_range(first, date or end or first), given=True)


def cmd_fetch(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.daily import SourceReport, fetch_configured
    from sitegen.commands.fetch import fetch_arxiv, fetch_hf
    from sitegen.config import load_config

    config = load_config(Path(_opt(args, "root", ".")))
    options = _fetch_options(args, config)
    window = _window(args)
    if window is None:
        console.error(f"sitegen fetch {args.source or ''}: give --date or --from/--to, "
                      "not both".replace("  ", " "))
        return 2
    sources = config.sources
    api_url = _opt(args, "api_url", None)
    if args.source is None:
        reports = fetch_configured(config, window, options)
    elif args.source == "hf":
        reports = []
        if window.given or not args.complete:
            reports.append(SourceReport("hf", fetch_hf(config.root, window.days,
                                                       api_url or sources["hf_api_url"],
                                                       options)))
        if args.complete:
            from sitegen.commands.complete import complete_store

            reports.append(SourceReport("hf --complete", complete_store(
                config.root, api_url or sources["hf_api_url"], options)))
    elif args.query is not None:
        if args.category or window.given:
            console.error("sitegen fetch arxiv: --query takes no --category nor dates "
                          "(write them in the query: cat:, submittedDate:)")
            return 2
        reports = [SourceReport("arxiv", fetch_arxiv(
            config.root, args.query, args.max, api_url or sources["arxiv_api_url"], options))]
    else:
        from sitegen.commands.listing import ListingRequest, fetch_arxiv_listing

        categories = tuple(c for c in (args.category or "").split(",") if c.strip()) or \
            tuple(config.fetch["arxiv_categories"])
        if not categories:
            console.error("sitegen fetch arxiv: give --query or --category (or set [fetch] "
                          "arxiv_categories in sitegen.toml)")
            return 2
        cross = config.fetch["cross_lists"] if args.cross_lists is None else args.cross_lists
        request = ListingRequest(tuple(c.strip() for c in categories),
                                 window.days if window.given else None, cross,
                                 args.replacements)
        reports = [SourceReport("arxiv", fetch_arxiv_listing(
            config.root, request, args.listing_url or sources["arxiv_listing_url"],
            api_url or sources["arxiv_api_url"], options))]
    return _print_reports(reports, console, args, options.dry_run)


def _print_reports(reports: Sequence[SourceReport], console: Console,
                   args: argparse.Namespace, dry_run: bool) -> int:
    from sitegen.commands.summary import summarise

    status = 0
    for source, report in reports:
        printed = summarise(source, report, dry_run or args.verbose, dry_run)
        for line in printed.lines:
            console.info(line)
        console.problems(printed.problems)
        if printed.failure:
            console.error(printed.failure)
        status = max(status, printed.status)
    return status


def cmd_add(args: argparse.Namespace, console: Console) -> int:
    from sitegen.commands.add import add_papers, parse_id
    from sitegen.commands.daily import SourceReport
    from sitegen.config import load_config

    config = load_config(Path(_opt(args, "root", ".")))
    ids = [(text, parse_id(text)) for text in args.ids]
    bad = [text for text, arxiv_id in ids if arxiv_id is None]
    if bad:
        console.error(f"sitegen add: not an arXiv id: {', '.join(map(repr, bad))} "
                      "(e.g. 2401.00001, arXiv:2401.00001v2 or an arxiv.org/abs/ URL)")
        return 2
    options = _fetch_options(args, config)
    report = add_papers(config.root, list(dict.fromkeys(i for _, i in ids if i)),
                        args.date or today(), config.sources["hf_api_url"],
                        config.sources["arxiv_api_url"], options, args.tag, args.note)
    return _print_reports([SourceReport("add", report)], console, args, options.dry_run)


def _fetch_shared(dates: bool) -> argparse.ArgumentParser:
    """Options `fetch` takes before or after its source: absent unless given (SUPPRESS),
    so a value given before the source is not overwritten by the source's default."""
    shared = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    shared.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the response cache in .sitegen-cache/")
    shared.add_argument("--max-age", type=float, metavar="SECONDS",
                        help="reuse a cached answer younger than this without asking "
                        "(default 0: always ask, conditionally with its ETag)")
    shared.add_argument("--dry-run", action="store_true",
                        help="fetch and judge every paper by [select], print each decision "
                        "and the rule that made it, and write nothing")
    shared.add_argument("--root", metavar="DIR",
                        help="the site folder (default: the current folder)")
    if dates:
        shared.add_argument("--date", type=iso_day, metavar="YYYY-MM-DD",
                            help="the day to fetch")
        shared.add_argument("--from", dest="date_from", type=iso_day, metavar="YYYY-MM-DD",
                            help="the first day of a range")
        shared.add_argument("--to", dest="date_to", type=iso_day, metavar="YYYY-MM-DD",
                            help="the last day of a range (default: the --from day)")
    return shared


def add_fetch_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    fetch = sub.add_parser("fetch", parents=[common, _fetch_shared(True)],
                           help="fetch papers from an API",
                           description="Fetch papers and merge them into content/papers/ "
                           "(the only commands that use the network are fetch and add). "
                           "Without SOURCE: every source of [fetch] sources in sitegen.toml. "
                           "Exits non-zero if any day failed.")
    fetch.set_defaults(func=cmd_fetch, source=None)
    sources = fetch.add_subparsers(dest="source", metavar="SOURCE")
    api = argparse.ArgumentParser(add_help=False)
    api.add_argument("--api-url", metavar="URL", help="the API's base URL (default: "
                     "[sources] hf_api_url or arxiv_api_url)")
    hf = sources.add_parser("hf", parents=[common, api, _fetch_shared(True)],
                            help="Hugging Face Daily Papers",
                            description="Fetch the Hugging Face Daily Papers list of one day "
                            "(default: today, UTC) or of a range of days.")
    hf.add_argument("--with-arxiv", action="store_true",
                    help="fill arXiv categories, comment, journal_ref and DOI (one arXiv "
                    "request per 100 papers; default: [fetch] hf_with_arxiv)")
    hf.add_argument("--complete", action="store_true",
                    help="complete stored papers without an id or authors from Hugging "
                    "Face (by title), fill-only; with no date, fetch no day")
    hf.set_defaults(func=cmd_fetch)
    ax = sources.add_parser("arxiv", parents=[common, api, _fetch_shared(True)],
                            help="arXiv: a category's announcements, or a query",
                            description="Fetch the latest announcement of arXiv categories "
                            "(--category; default: [fetch] arxiv_categories), dated by the "
                            "announcement day, or the papers matching a search query (--query, "
                            "newest first). 3 seconds between requests.")
    ax.add_argument("--category", metavar="CATS",
                    help="comma-separated arXiv categories, e.g. cs.CL,cs.CV")
    ax.add_argument("--cross-lists", action=argparse.BooleanOptionalAction, default=None,
                    help="include papers cross-listed into the categories "
                    "(default: [fetch] cross_lists, true)")
    ax.add_argument("--replacements", action="store_true",
                    help="also store papers whose new version was announced (skipped by "
                    "default)")
    ax.add_argument("--listing-url", metavar="URL",
                    help="the announcement feeds' base URL (default: [sources] "
                    "arxiv_listing_url)")
    ax.add_argument("--query", metavar="Q",
                    help="an arXiv search_query instead, e.g. 'cat:cs.CL AND ti:retrieval'")
    ax.add_argument("--max", type=positive, default=100, metavar="N",
                    help="with --query: at most N papers (default 100); a warning says when "
                    "this cut the results")
    ax.set_defaults(func=cmd_fetch)


def add_add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    add = sub.add_parser("add", parents=[common, _fetch_shared(False)],
                         help="add papers by arXiv id",
                         description="Fetch papers by arXiv id (Hugging Face first, arXiv "
                         "otherwise) into content/papers/, dated today; [select] always "
                         "keeps them. A paper already stored is completed, fill-only.")
    add.add_argument("ids", nargs="+", metavar="ID",
                     help="arXiv ids (2401.00001, arXiv:2401.00001v2, or an arxiv.org or "
                     "huggingface.co/papers URL)")
    add.add_argument("--date", type=iso_day, metavar="YYYY-MM-DD",
                     help="the day to file new papers under (default: today)")
    add.add_argument("--tag", metavar="TAG", help="a tag to add to each paper")
    add.add_argument("--note", metavar="TEXT", help="a note to add to each paper's notes")
    add.set_defaults(func=cmd_add, source="add")
