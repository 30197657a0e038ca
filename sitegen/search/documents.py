"""What the search index holds of each paper: its number, its analysis and its record.

Papers are numbered oldest first (date, then slug): a new day's papers get the next
numbers and old papers keep theirs, so the files of old papers stay the same. A paper's
analysis is what its indexed fields hold (terms, their frequencies, each field's length);
its record is what the results list shows (the doc store), and its word pairs what a
quoted phrase checks (`phrases`).
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
from sitegen.search.phrases import PairHasher
from sitegen.urls import Urls

#: Indexed fields and boosts: a word in the title outweighs the same word in the abstract.
#: `keywords` holds the source's keywords (Hugging Face's `ai_keywords`), `org` the
#: organisation Hugging Face names (its name, and its handle where that differs).
FIELDS: tuple[Field, ...] = (
    Field("title", 10), Field("authors", 2), Field("tags", 3), Field("abstract", 1),
    Field("keywords", 2), Field("org", 2))
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
        "keywords": " ".join(paper.ai_keywords),
        "org": _org_text(paper),
    }


def _org_text(paper: Paper) -> str:
    """The organisation's name, and its handle when it is not the same words."""
    name, handle = paper.organization or "", paper.organization_handle or ""
    if handle and handle.lower() not in name.lower().replace(" ", ""):
        return f"{name} {handle}".strip()
    return name


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


#: Between a paper's doc-store record and its word pairs in `Maker.record`'s text
#: (compact JSON never holds a raw newline).
RECORD_SEPARATOR = "\n"


def split_record(record: str) -> tuple[str, str]:
    """`Maker.record`'s text -> (the doc store's JSON, its word pairs in base64)."""
    doc, _, pairs = record.rpartition(RECORD_SEPARATOR)
    return doc, pairs


class Maker:
    """Makes a paper's analysis and its record: the doc store's JSON text and its word
    pairs (`phrases`), in one string (`split_record`), which a store keeps as it is.

    `tokens`: terms by token from an earlier build (`Analyzer`), so words seen before skip
    lunr's pipeline. The analyzer is made on first use: a build with no new paper has
    none."""

    def __init__(self, urls: Urls, tokens: dict[str, tuple[str, ...]] | None = None) -> None:
        self.urls = urls
        self._tokens = tokens
        self._analyzer: Analyzer | None = None
        self._pairs = PairHasher()
        #: the word pairs of papers analysed and not yet recorded (by id, with the paper):
        #: the analysis reads the text once for both
        self._pairs_made: dict[int, tuple[Paper, str]] = {}

    @property
    def analyzer(self) -> Analyzer | None:
        """The analyzer, if a paper was analysed."""
        return self._analyzer

    def _analyser(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = Analyzer(self._tokens)
        return self._analyzer

    def analysis(self, paper: Paper) -> Analysis:
        fields = paper_fields(paper)
        analysis, sequences = self._analyser().analyse_in_order(
            [fields[f.name] for f in FIELDS])
        self._pairs_made[id(paper)] = (paper, self._pairs.encoded(sequences))
        return analysis

    def record(self, paper: Paper) -> str:
        made = self._pairs_made.pop(id(paper), None)
        if made is not None and made[0] is paper:
            pairs = made[1]
        else:
            analyser = self._analyser()
            pairs = self._pairs.encoded(analyser.terms(text)
                                        for text in paper_fields(paper).values())
        return json_text(doc_record(paper, self.urls)) + RECORD_SEPARATOR + pairs
