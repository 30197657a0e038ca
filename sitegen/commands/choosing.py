"""`[select]` when papers arrive (`fetch`, `import`, `add`): each merged paper judged, and,
with `[select] store = "selected"`, new papers the rules drop left out of the store.

A paper is judged as the build will see it: the record merged into what is stored (so a
stored `hidden: true` or a curator's tag counts), tagged by the `[tags]` rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sitegen.config import Config
from sitegen.model import Paper
from sitegen.site.select import Decision, Selector, compile_selector, curate
from sitegen.site.tagging import TagRules, compile_rules


@dataclass(frozen=True)
class Choice:
    """One arriving paper and what `[select]` decided about it."""

    paper: Paper
    decision: Decision
    stored: bool  # written to (or kept in) the store; False: a new paper left out


class Tally:
    """The counts a summary prints of a batch's `choices` (a fetched day, an imported file)."""

    choices: tuple[Choice, ...]

    @property
    def kept(self) -> int:
        return sum(c.decision.kept for c in self.choices)

    @property
    def dropped(self) -> int:
        return len(self.choices) - self.kept

    @property
    def unstored(self) -> int:
        """New papers the rules dropped, left out of the store (`store = "selected"`)."""
        return sum(not c.stored for c in self.choices)

    @property
    def left_out(self) -> frozenset[str]:
        """The slugs of those papers."""
        return frozenset(c.paper.slug for c in self.choices if not c.stored)


@dataclass(frozen=True)
class Chosen(Tally):
    """One batch judged: each paper's choice, and the papers to write."""

    choices: tuple[Choice, ...]
    to_write: tuple[Paper, ...]


class Chooser:
    """The site's tag and selection rules, compiled once for a fetch or an import."""

    def __init__(self, tag_rules: TagRules, selector: Selector) -> None:
        self.tag_rules = tag_rules
        self.selector = selector

    @classmethod
    def of(cls, config: Config) -> Chooser:
        tag_rules = compile_rules(config.tags)
        return cls(tag_rules, compile_selector(config.select, tag_rules))

    @property
    def store_all(self) -> bool:
        return self.selector.store == "all"

    def judge(self, paper: Paper) -> Decision:
        """The decision the build will make about this (stored, untagged) paper."""
        return curate(paper, self.tag_rules, self.selector)[1]

    def choose(self, papers: Iterable[Paper], changed: Iterable[Paper],
               stored_before: set[str] | frozenset[str]) -> Chosen:
        """Judge the batch's merged `papers`; of the `changed` ones, the papers to write:
        all with `store = "all"`, else those kept or already stored."""
        choices = []
        for paper in papers:
            decision = self.judge(paper)
            stored = decision.kept or self.store_all or paper.slug in stored_before
            choices.append(Choice(paper, decision, stored))
        left_out = {c.paper.slug for c in choices if not c.stored}
        return Chosen(tuple(choices), tuple(p for p in changed if p.slug not in left_out))


def keep_all() -> Chooser:
    """No rules: every paper kept and stored (tests, and callers without a config)."""
    tag_rules = compile_rules({})
    return Chooser(tag_rules, compile_selector({"store": "all"}, tag_rules))


def describe(choice: Choice) -> str:
    """One line of a dry run: kept or dropped, the paper, the rule that decided."""
    paper = choice.paper
    verdict = "kept" if choice.decision.kept else "dropped"
    if not choice.stored:
        verdict = "dropped, not stored"
    ident = paper.arxiv_id or paper.slug
    title = paper.title if len(paper.title) <= 70 else paper.title[:69] + "\u2026"
    return f"  {verdict:<20} {ident:<12} {title}  [{choice.decision.rule}]"


@dataclass(frozen=True)
class DayChoices(Tally):
    """The choices about one day's papers (a day of an import, of `check --select`)."""

    day: str
    choices: tuple[Choice, ...]


def by_day(choices: Iterable[Choice]) -> list[DayChoices]:
    """The choices grouped by their papers' day, newest day first, in order within a day."""
    days: dict[str, list[Choice]] = {}
    for choice in choices:
        days.setdefault(choice.paper.date.isoformat(), []).append(choice)
    return [DayChoices(day, tuple(cs)) for day, cs in sorted(days.items(), reverse=True)]


def judge_store(papers: Iterable[Paper], chooser: Chooser) -> list[DayChoices]:
    """`sitegen check --select`: every stored paper's decision, by day (newest first)."""
    ordered = sorted(papers, key=lambda p: (p.date, p.rank is None, p.rank or 0, p.slug))
    return by_day(Choice(paper, chooser.judge(paper), True) for paper in ordered)


def store_lines(days: list[DayChoices]) -> list[str]:
    """The lines `check --select` prints: a count per day, each decision, a total."""
    lines: list[str] = []
    for day in days:
        lines.append(f"{day.day}: {day.kept} kept, {day.dropped} dropped")
        lines += [describe(c) for c in day.choices]
    kept = sum(day.kept for day in days)
    total = sum(len(day.choices) for day in days)
    lines.append(f"select: {kept} of {total} stored paper(s) kept, {total - kept} dropped")
    return lines
