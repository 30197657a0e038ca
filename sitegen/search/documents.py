"""What the search index holds of each paper: its number, its analysis and its record.

Papers are numbered oldest first (date, then slug): a new day's papers get the next
numbers and old papers keep theirs, so the files of old papers stay the same. A paper's
analysis is what its indexed fields hold (terms, their frequencies, each field's length);
its record is what the results list shows (the doc store).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from itertools import chain, groupby, pairwise
from operator import attrgetter
from typing import Any

from sitegen.model import Day, Paper
from sitegen.render.cards import card_of
from sitegen.search.analyser import Analysis, Analyzer, Field
from sitegen.urls import Urls

#: Indexed fields and boosts: a word in the title outweighs the same word in the abstract.
FIELDS: tuple[Field, ...] = (
    Field("title", 10), Field("authors", 2), Field("tags", 3), Field("abstract", 1))
#: Papers per doc-store bucket: paper number n is entry n % BUCKET_DOCS of d/<n // BUCKET_DOCS>.
BUCKET_DOCS = 8

_BY_SLUG = attrgetter("slug")


def bucket_count(papers: int) -> int:
    """How many doc-store buckets `papers` papers are spread over."""
    return max(1, math.ceil(papers / BUCKET_DOCS))


def paper_order(papers: Sequence[Paper], days: Sequence[Day] = ()) -> list[Paper]:
    """Papers in number order: oldest first, so a new day appends numbers.

    `days`: the site's days (newest first), used when they hold `papers` (`days_hold`):
    each day's papers sorted by slug, the days reversed."""
    if days_hold(papers, days):
        return [p for day in reversed(days) for p in sorted(day.papers, key=_BY_SLUG)]
    # Otherwise runs of one day, newest day first: the order is the runs reversed, each
    # sorted by slug (a sort of a day's papers, no key built per paper)
    runs = [list(run) for _, run in groupby(papers, key=attrgetter("date"))]
    if all(a[0].date > b[0].date for a, b in pairwise(runs)):
        return [p for run in reversed(runs) for p in sorted(run, key=_BY_SLUG)]
    # any other order: one string per paper (ISO dates sort as dates, all 10 characters
    # long), cheaper to compare than (date, slug) tuples
    keys = [f"{p.date.isoformat()}\x00{p.slug}" for p in papers]
    return [papers[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]


def days_hold(papers: Sequence[Paper], days: Sequence[Day]) -> bool:
    """Whether `days` (newest first) hold exactly `papers` in that order, as `Site.days`
    and `Site.papers` do. A day's papers are those of its date (`assemble`): their dates
    are not read (in a forked child each object read costs a page copy)."""
    return bool(days) and len(papers) == sum(len(day.papers) for day in days) \
        and all(a.date > b.date for a, b in pairwise(days)) \
        and tuple(chain.from_iterable(day.papers for day in days)) == tuple(papers)


def slug_order(papers: Sequence[Paper]) -> tuple[int, ...]:
    """The positions of a day's papers in number order (by slug)."""
    return tuple(sorted(range(len(papers)), key=lambda i: papers[i].slug))


def paper_fields(paper: Paper) -> dict[str, str]:
    """The text indexed of one paper, by field."""
    return {
        "title": paper.title,
        "authors": " ".join(paper.authors),
        "tags": " ".join(paper.tags),
        "abstract": paper.abstract,
    }


def doc_record(paper: Paper, urls: Urls) -> dict[str, Any]:
    """What a result's card shows (render/cards.py, as on the site's pages): title, URL
    (relative to the base), day, tags, the TL;DR (`s`), and where known the first authors
    (`a`, with `m` more), organisation (`o`), upvotes (`v`), GitHub stars (`r`), comments
    (`c`), arXiv id (`x`: the page builds the arXiv and PDF links), code (`k`) and project
    (`w`) links. Keys with nothing to show are left out (the doc store stays small)."""
    card = card_of(paper)
    record: dict[str, Any] = {"t": paper.title, "u": urls.rel("paper", paper),
                              "d": paper.date.isoformat(), "g": list(paper.tags),
                              "s": card.tldr}
    optional = {"a": list(card.authors), "m": card.more_authors, "o": card.organization,
                "v": card.upvotes, "r": card.stars, "c": card.comments, "x": paper.arxiv_id,
                **{_LINK_KEYS[link.kind]: link.url for link in card.links
                   if link.kind in _LINK_KEYS}}
    record.update((key, value) for key, value in optional.items()
                  if value not in (None, [], 0) or key in "vrc" and value == 0)
    return record


#: The card links a record holds (the others are made from the arXiv id).
_LINK_KEYS = {"code": "k", "project": "w"}


def json_text(value: Any) -> str:
    """Compact JSON, non-ASCII kept as it is (the search files' form)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Maker:
    """Makes a paper's analysis and its record (as the doc store's JSON text).

    `tokens`: terms by token from an earlier build (`Analyzer`), so words seen before skip
    lunr's pipeline. The analyzer is made on first use: a build with no new paper has
    none."""

    def __init__(self, urls: Urls, tokens: dict[str, tuple[str, ...]] | None = None) -> None:
        self.urls = urls
        self._tokens = tokens
        self._analyzer: Analyzer | None = None

    @property
    def analyzer(self) -> Analyzer | None:
        """The analyzer, if a paper was analysed."""
        return self._analyzer

    def analysis(self, paper: Paper) -> Analysis:
        if self._analyzer is None:
            self._analyzer = Analyzer(self._tokens)
        fields = paper_fields(paper)
        return self._analyzer.analyse([fields[f.name] for f in FIELDS])

    def record(self, paper: Paper) -> str:
        return json_text(doc_record(paper, self.urls))
