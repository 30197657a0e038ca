"""`sitegen import`: Daily Papers text pages -> records -> merged into the content store.

All pages are read and parsed before anything is written: one refused page leaves the
store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sitegen.commands.admit import unwritable
from sitegen.commands.choosing import Chooser, DayChoices, by_day, keep_all
from sitegen.errors import ContentError, ProblemsFound
from sitegen.incremental.papercache import PAPERS_CACHE, load_papers_cached
from sitegen.incremental.statefile import usable_cache_folder
from sitegen.model import Paper, Problem
from sitegen.sources.dailytext import ParsedPage, decode_page, parse_page
from sitegen.store.merge import Merger
from sitegen.store.papers import PAPERS_DIR, paper_files, write_papers
from sitegen.urls import paper_slug
from sitegen.util.fileio import remove_stale_temp_files
from sitegen.util.lock import locked, store_lock
from sitegen.util.progress import progress


@dataclass(frozen=True)
class FileSummary:
    """What one imported page contributed."""

    path: str
    papers: int
    new: int
    updated: int
    duplicates: int
    kept: int = 0  # by `[select]`
    dropped: int = 0
    unstored: int = 0  # new papers dropped and left out (`[select] store = "selected"`)
    days: tuple[DayChoices, ...] = ()  # the same, day by day (newest first)


@dataclass(frozen=True)
class ImportReport:
    """Per-file summaries, the files written and the warnings found."""

    files: tuple[FileSummary, ...]
    written: tuple[Path, ...]
    problems: tuple[Problem, ...]


def records_from_page(page: ParsedPage) -> list[Paper]:
    """Parsed page entries -> `Paper` records ready to merge."""
    return [
        Paper(slug=paper_slug(entry.title), title=entry.title, date=entry.date,
              abstract=entry.abstract, links=entry.links, rank=entry.rank, source="dailytext")
        for entry in page.papers
    ]


#: A copied Daily Papers page is well under 1 MB; bigger input is refused, not read whole.
MAX_PAGE_BYTES = 64 << 20


def read_page(file: Path, today: dt.date, year: int | None) -> ParsedPage:
    """Read and parse one page file; `ContentError` names the file and the reason."""
    try:
        if file.exists() and not file.is_dir() and not file.is_file():
            raise ContentError("not a regular file (a device or pipe), not a Daily Papers page",
                               str(file))
        with open(file, "rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
        if len(data) > MAX_PAGE_BYTES:
            raise ContentError(f"over {MAX_PAGE_BYTES >> 20} MB, not a Daily Papers page",
                               str(file), hint="a copied page is well under 1 MB")
    except IsADirectoryError:
        raise ContentError("is a folder, not a Daily Papers page", str(file)) from None
    except OSError as exc:
        raise ContentError(f"cannot read: {exc.strerror}", str(file)) from None
    return parse_page(decode_page(data, str(file)), str(file), today, year)


def import_pages(root: Path, files: list[Path], today: dt.date,
                 year: int | None = None, show_progress: bool = False,
                 chooser: Chooser | None = None) -> ImportReport:
    """Import pages into the store at `root`; nothing is written if any page is refused.
    `chooser` (the site's rules) judges each paper; without one, every paper is stored."""
    parsed: list[tuple[Path, ParsedPage]] = []
    refused: list[Problem] = []
    for file in progress(files, "reading pages", show_progress):
        try:
            parsed.append((file, read_page(file, today, year)))
        except ContentError as exc:
            refused.append(Problem(exc.path or str(file), exc.message, exc.line, exc.hint))
    refused += [problem for file, page in parsed for problem in _refusals(file, page)]
    if refused:
        raise ProblemsFound(tuple(refused), "import refused, nothing was written")
    with locked(store_lock(root), "the content store"):
        return _merge_into_store(root, parsed, chooser or keep_all())


def _refusals(file: Path, page: ParsedPage) -> list[Problem]:
    """The page's papers `build` would refuse (over a limit of docs/content.md), each named
    by the page and its line: the whole import is refused, nothing written."""
    problems: list[Problem] = []
    for entry, record in zip(page.papers, records_from_page(page), strict=True):
        for problem in unwritable([record]):
            problems.append(Problem(str(file), f"paper {entry.title[:60]!r}: "
                                    f"{problem.message}", entry.line, problem.hint))
    return problems


def _merge_into_store(root: Path, parsed: list[tuple[Path, ParsedPage]],
                      chooser: Chooser) -> ImportReport:
    remove_stale_temp_files(root / PAPERS_DIR)  # left by a killed import; we hold the lock
    # through the parse cache the build keeps (untagged: the papers are written back)
    folder, refused = usable_cache_folder(root)
    stored, problems = load_papers_cached(root, folder / PAPERS_CACHE if folder else None)
    taken = {p.stem for p in paper_files(root)}
    all_problems = [p for _, page in parsed for p in page.problems]
    all_problems += [p for p in problems if p.severity == "error"]
    if refused is not None:
        all_problems.append(refused)
    merger = Merger(list(stored), taken)
    before = {p.slug for p in stored}
    changed: dict[str, Paper] = {}
    unstored: set[str] = set()
    summaries: list[FileSummary] = []
    for file, page in parsed:
        result = merger.merge(records_from_page(page))
        changed.update({p.slug: p for p in result.changed})
        chosen = chooser.choose([merger.by_slug[s] for s in dict.fromkeys(result.slugs)],
                                result.changed, before)
        unstored = (unstored | chosen.left_out) - {c.paper.slug for c in chosen.choices
                                                  if c.stored}
        summaries.append(FileSummary(str(file), len(page.papers) + page.duplicates, result.new,
                                     result.updated, result.duplicates + page.duplicates,
                                     chosen.kept, chosen.dropped, chosen.unstored,
                                     tuple(by_day(chosen.choices))))
    final = merger.by_slug
    papers = [final[slug] for slug in sorted(changed) if slug not in unstored]
    refusals = unwritable(papers, taken)  # merged with a stored paper, one may grow too big
    if refusals:
        raise ProblemsFound(tuple(refusals), "import refused, nothing was written")
    written = write_papers(root, papers)
    return ImportReport(tuple(summaries), tuple(written), tuple(all_problems))
