"""What `fetch` and `add` print: a line per day (with `[select]`'s kept and dropped), each
paper's decision in a dry run, the problems, a total, and the exit status."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.commands.choosing import describe
from sitegen.commands.fetch import DaySummary, FetchReport
from sitegen.model import Problem


@dataclass(frozen=True)
class Printed:
    """The lines for stdout, the problems for stderr, the final error line (if any) and
    the exit status."""

    lines: tuple[str, ...]
    problems: tuple[Problem, ...]
    failure: str | None
    status: int


def day_line(day: DaySummary) -> str:
    """`2026-09-15: 6 papers: 3 new, 1 updated, 2 unchanged; 4 kept, 2 dropped`."""
    line = (f"{day.label}: {day.papers} papers: {day.new} new, {day.updated} updated, "
            f"{day.unchanged} unchanged")
    if day.choices:
        line += f"; {day.kept} kept, {day.dropped} dropped"
        if day.unstored:
            line += f" ({day.unstored} not stored)"
    return line + (f" ({day.note})" if day.note else "")


def summarise(source: str, report: FetchReport, show_choices: bool = False,
              dry_run: bool = False) -> Printed:
    """The printout of one source's fetch (`source`: hf, arxiv, added, ...)."""
    lines: list[str] = []
    for day in report.days:
        if day.error is not None:
            continue
        lines.append(day_line(day))
        if show_choices:
            lines += [describe(choice) for choice in day.choices]
    ok = [d for d in report.days if d.error is None]
    totals = [sum(getattr(d, k) for d in ok) for k in ("new", "updated", "unchanged")]
    kept, dropped = sum(d.kept for d in ok), sum(d.dropped for d in ok)
    written = "nothing written (dry run)" if dry_run else \
        f"{len(report.written)} paper file(s) written"
    lines.append(f"{source}: {len(ok)} of {len(report.days)} day(s) fetched: {totals[0]} new, "
                 f"{totals[1]} updated, {totals[2]} unchanged; {kept} kept, {dropped} dropped;"
                 f" {written}; {report.requests} request(s)")
    failures = tuple(Problem(d.error.path or source, f"{d.label}: {d.error.message}",
                             hint=d.error.hint) for d in report.failed if d.error)
    problems = (*report.problems, *failures, *report.missed)
    failure = None
    if failures:
        failure = (f"sitegen: fetch failed for {len(failures)} of {len(report.days)} day(s); "
                   "nothing from them was stored")
    errors = any(p.severity == "error" for p in (*report.problems, *report.missed))
    return Printed(tuple(lines), problems, failure, 1 if failures or errors else 0)
