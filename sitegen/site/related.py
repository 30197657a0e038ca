"""Related papers: for each paper, up to `SHOWN` papers of its own day or older that share
the most weighted terms with it, each with the terms that made the match ("why").

Pure: no I/O. The method (docs/related.md): a paper's *profile* is its `TERMS` strongest
terms (title, abstract, `ai_keywords`, tags; stemmed words, TF-IDF weights, L2-normalised);
an inverted index holds, per term, the `POSTINGS` newest profiles holding it; a paper's
`QUERY` strongest terms look up their postings, and its score against another paper is
the sum of the products of their weights on the terms they share (a dot product of the two
profiles, cut to the query's terms). Everything a day's lists use, the document
frequencies included, is the archive *as of that day* (its papers and older), so a
paper's list is a function of the papers up to its day: computed once when its day is
new, the same in every later build, from scratch or not.

The computation is a fold over the days, oldest first, on an `Archive`; a `RelatedStore`
(the plain one here makes everything; the build cache's keeps lists and the archive
between builds: incremental/relatedstore.py) says how many of the oldest days' lists it
kept and from which archive to go on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from heapq import nlargest
from operator import itemgetter, mul
from typing import NamedTuple

from lunr.stemmer import stemmer
from lunr.stop_word_filter import WORDS as LUNR_STOP_WORDS
from lunr.token import Token

from sitegen.model import Day, Paper, Site

#: Related papers shown per paper.
SHOWN = 5
#: Terms in a paper's profile (what later papers can match it by).
TERMS = 25
#: A paper's strongest terms, which look for its related papers.
QUERY = 10
#: Profiles kept per term in the inverted index (the newest): bounds a paper's cost.
POSTINGS = 24
#: Shared terms shown per related paper.
WHY = 3
#: The lowest score shown as related (1: the same query terms with the same weights).
MIN_SCORE = 0.1
#: How many times a word counts in each field (in the abstract: once); a tag counts as a
#: term of its own ("#name").
TITLE_WEIGHT, KEYWORD_WEIGHT, TAG_WEIGHT = 3, 2, 2
#: Words that say nothing of a paper's topic: lunr's English stop words and the words of
#: every abstract.
STOP_WORDS = frozenset(LUNR_STOP_WORDS) | frozenset((
    "paper", "propose", "proposed", "proposes", "present", "presents", "introduce",
    "introduces", "show", "shows", "demonstrate", "demonstrates", "result", "results",
    "method", "methods", "approach", "approaches", "novel", "new", "based", "using", "use",
    "used", "also", "however", "work", "existing", "state", "art", "significantly",
    "achieve", "achieves", "furthermore", "moreover", "first", "two", "one", "well",
    "extensive", "experiments", "code", "available", "https", "github", "com", "www",
    "http", "et", "al"))
#: Separators of the lists as kept (`DayLists.why`): control characters, which no shown
#: term holds (they are removed from them).
ITEM, TERM = "\x1e", "\x1f"

_WORD = re.compile(r"[^\W_]+")
_SEPARATORS = re.compile(f"[{ITEM}{TERM}]")


@dataclass(frozen=True)
class Related:
    """A related paper as a page shows it (only that, so that a page is not made again
    when another field of the related paper changes): its slug (`url('paper', item)`),
    title and day, and the shared terms, strongest first, as the page's own paper spells
    them."""

    slug: str
    title: str
    date: dt.date
    why: tuple[str, ...]

    @classmethod
    def of(cls, paper: Paper, why: tuple[str, ...]) -> Related:
        """`paper` listed as related, for the terms `why`."""
        return cls(paper.slug, paper.title, paper.date, why)


@dataclass(frozen=True)
class DayLists:
    """A day's related lists, compact (a page unit's key digests them every build):
    `papers` every related paper, list after list in the day's order, `sizes` each list's
    length, `why` each related paper's terms (joined by TERM, entries by ITEM)."""

    papers: tuple[Paper, ...]
    sizes: tuple[int, ...]
    why: str

    def lists(self) -> list[tuple[Related, ...]]:
        """Each of the day's papers' related papers, in the day's order."""
        whys = [tuple(entry.split(TERM)) for entry in self.why.split(ITEM)] if self.why else []
        out, start = [], 0
        for size in self.sizes:
            out.append(tuple(map(Related.of, self.papers[start:start + size],
                                 whys[start:start + size])))
            start += size
        return out


class KeptDay(NamedTuple):
    """A day's lists as a store keeps them: the related papers' slugs (list after list),
    each list's size, the why text (as `DayLists.why`)."""

    slugs: tuple[str, ...]
    sizes: tuple[int, ...]
    why: str


class RelatedText(NamedTuple):
    """All a paper's profile and its place in the archive are made of (a store keys days
    by it: a day whose papers have the same texts, in the same order, is the same day)."""

    slug: str
    title: str
    abstract: str
    ai_keywords: tuple[str, ...]
    tags: tuple[str, ...]


def related_text(paper: Paper) -> RelatedText:
    """What of `paper` its day's lists and the archive after it depend on."""
    return RelatedText(paper.slug, paper.title, paper.abstract, paper.ai_keywords,
                       paper.tags)


class Stems(dict[str, str]):
    """Word -> its term (lunr's Porter stemmer), "" for a stop word or a number: each word
    stemmed once. `words`: each term's words seen so far (how a paper spells a term)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: dict[str, list[str]] = {}

    def __missing__(self, word: str) -> str:
        term = "" if word in STOP_WORDS or word.isdigit() or len(word) < 2 else str(
            stemmer(Token(word)))
        self[word] = term
        self.words.setdefault(term, []).append(word)
        return term


class _TermFrequency(dict[int, float]):
    """A term's count -> its weight's factor (1 + ln count), each computed once."""

    def __missing__(self, count: int) -> float:
        value = self[count] = 1 + math.log(count)
        return value


_TF = _TermFrequency()


@dataclass(frozen=True)
class Profile:
    """A paper's strongest terms, strongest first, their weights (L2-normalised), and the
    paper's words (to spell the terms)."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    words: tuple[str, ...]


def term_counts(paper: Paper, stems: Stems) -> tuple[Counter[str], list[str]]:
    """The paper's weighted term counts (title, abstract, keywords, tags) and its words."""
    get = stems.__getitem__  # C calls: a word stemmed before costs no Python code
    words = _WORD.findall(paper.abstract.lower())
    counts = Counter(map(get, words))
    title = _WORD.findall(paper.title.lower())
    counts.update(map(get, title * TITLE_WEIGHT))
    words += title
    if paper.ai_keywords:
        keywords = _WORD.findall(" ".join(paper.ai_keywords).lower())
        counts.update(map(get, keywords * KEYWORD_WEIGHT))
        words += keywords
    for tag in paper.tags:
        counts["#" + tag.lower()] += TAG_WEIGHT
    counts.pop("", None)
    return counts, words


@dataclass
class Archive:
    """The statistics of the archive up to a day, grown a day at a time (`add_day`): the
    number of papers, each term's document frequency, each term's `POSTINGS` newest
    profiles holding it (a deque of (paper number, the term's weight in it), oldest first;
    kept as bytes between builds, decoded when a day uses the term: see `encoded`), and
    each number's slug."""

    papers: int = 0
    df: Counter[str] = field(default_factory=Counter)
    postings: dict[str, deque[tuple[int, float]] | bytes] = field(default_factory=dict)
    slugs: list[str] = field(default_factory=list)

    def add_day(self, papers: Sequence[Paper], stems: Stems) -> list[Profile]:
        """Add a day's papers (the statistics then count them all) and return their
        profiles, in order."""
        counted = [term_counts(paper, stems) for paper in papers]
        df = self.df
        for counts, _ in counted:
            df.update(counts.keys())
        self.papers += len(papers)
        top, log = math.log(self.papers + 1), math.log
        idf = {term: top - log(df[term] + 1) for term in set().union(*(c for c, _ in counted))}
        tf, weight_of, posting = _TF.__getitem__, idf.__getitem__, self.posting
        postings, number = self.postings.get, len(self.slugs)
        out = []
        for counts, words in counted:
            weighted = sorted(zip(map(mul, map(tf, counts.values()), map(weight_of, counts)),
                                  counts, strict=True), reverse=True)[:TERMS]
            while weighted and weighted[-1][0] <= 0:  # a term every paper holds
                weighted.pop()
            weights = tuple(map(itemgetter(0), weighted))
            norm = math.sqrt(sum(map(mul, weights, weights))) or 1.0
            terms = tuple(map(itemgetter(1), weighted))
            profile = Profile(terms, tuple(weight / norm for weight in weights), tuple(words))
            for term, weight in zip(terms, profile.weights, strict=True):
                entry = postings(term)
                if type(entry) is deque:  # the common case, without a call
                    entry.append((number, weight))
                else:
                    posting(term).append((number, weight))
            number += 1
            out.append(profile)
        self.slugs += [paper.slug for paper in papers]
        return out

    def posting(self, term: str) -> deque[tuple[int, float]]:
        """A term's postings (decoded from their bytes when first used)."""
        entry = self.postings.get(term)
        if entry is None:
            entry = self.postings[term] = deque((), POSTINGS)
        elif type(entry) is bytes:
            values = array("d")
            values.frombytes(entry)
            entry = self.postings[term] = deque(zip(
                map(int, values[0::2]), values[1::2], strict=True), POSTINGS)
        return entry  # type: ignore[return-value]

    def related(self, number: int, profile: Profile, stems: Stems
                ) -> list[tuple[str, tuple[str, ...]]]:
        """Paper `number`'s related papers in the archive (its day's included), best first:
        their slugs and the shared terms, as the paper spells them."""
        scores: dict[int, float] = {}
        get = scores.get
        query = [(self.posting(term), weight, term) for term, weight
                 in zip(profile.terms[:QUERY], profile.weights[:QUERY], strict=False)]
        for posting, weight, _ in query:
            for other, other_weight in posting:
                scores[other] = get(other, 0.0) + weight * other_weight
        scores.pop(number, None)
        # of equal scores, the newer paper first
        best = [(score, other) for score, other in nlargest(SHOWN, zip(
            scores.values(), scores, strict=True)) if score >= MIN_SCORE]
        if not best:
            return []
        spell = _Spelling(profile.words, stems)
        out = []
        held = [(dict(posting), weight, term) for posting, weight, term in query]
        for _, other in best:
            shared = sorted(((weights[other] * weight, term) for weights, weight, term in held
                             if other in weights), reverse=True)
            why = dict.fromkeys(spell[term] for _, term in shared)
            out.append((self.slugs[other], tuple(why)[:WHY]))
        return out

    def encoded(self) -> dict[str, bytes]:
        """The postings as bytes (number, weight, number, weight...: doubles), kept between
        builds: a day decodes only its papers' terms."""
        out = {}
        for term, entry in self.postings.items():
            if type(entry) is bytes:
                out[term] = entry
            else:
                out[term] = array("d", [value for pair in entry  # type: ignore[union-attr]
                                        for value in pair]).tobytes()
        return out


class _Spelling(dict[str, str]):
    """Term -> how a paper spells it: its most frequent word for it (of equals, the first
    in alphabetical order); a tag, its name."""

    def __init__(self, words: Sequence[str], stems: Stems) -> None:
        super().__init__()
        self.counts = Counter(words)
        self.stems = stems

    def __missing__(self, term: str) -> str:
        counts = self.counts
        found = [(-counts[word], word) for word in self.stems.words.get(term, ())
                 if word in counts]
        spelled = min(found)[1] if found else term.removeprefix("#")
        value = self[term] = _SEPARATORS.sub("", spelled)
        return value


@dataclass
class Resume:
    """What a store kept: the lists of the first `days` days (oldest first) and the archive
    after them (None: the fold starts again from the first day, without listing those),
    and the words stemmed so far."""

    days: int
    lists: list[KeptDay]
    archive: Archive | None
    stems: Stems = field(default_factory=Stems)


class RelatedStore:
    """Where the lists and the archive live between builds: here, nowhere (everything is
    made). The build cache's store (incremental/relatedstore.py) keeps them."""

    def resume(self, days: Sequence[Day]) -> Resume:
        """What is kept of `days` (oldest first)."""
        return Resume(0, [], None)

    def keep(self, days: Sequence[Day], lists: Sequence[KeptDay], archive: Archive,
             stems: Stems) -> None:
        """What this build made: every day's lists and the archive after the last day."""


@dataclass(frozen=True)
class RelatedLists:
    """Every day's related lists (`DayLists`), by date."""

    days: dict[dt.date, DayLists]

    def of(self, day: Day) -> DayLists:
        """The day's lists (none for a day this build did not list)."""
        return self.days.get(day.date) or DayLists((), (0,) * len(day.papers), "")


def related_papers(site: Site, store: RelatedStore | None = None) -> RelatedLists:
    """The related lists of every paper of the site, from `store` where it kept them."""
    store = store if store is not None else RelatedStore()
    days = site.days[::-1]
    resume = store.resume(days)
    kept = list(resume.lists[:resume.days])
    archive = resume.archive
    start = resume.days if archive is not None else 0
    archive = archive if archive is not None else Archive()
    for index in range(start, len(days)):
        papers = days[index].papers
        profiles = archive.add_day(papers, resume.stems)
        if index < len(kept):
            continue
        first = archive.papers - len(papers)
        kept.append(_kept_day([archive.related(first + i, profile, resume.stems)
                               for i, profile in enumerate(profiles)]))
    store.keep(days, kept, archive, resume.stems)
    by_slug = {paper.slug: paper for paper in site.papers}.__getitem__
    return RelatedLists({day.date: DayLists(tuple(map(by_slug, slugs)), sizes, why)
                         for day, (slugs, sizes, why) in zip(days, kept, strict=True)})


def _kept_day(made: list[list[tuple[str, tuple[str, ...]]]]) -> KeptDay:
    entries = [entry for found in made for entry in found]
    return KeptDay(tuple(map(itemgetter(0), entries)), tuple(map(len, made)),
                   ITEM.join(TERM.join(why) for _, why in entries))


def each_related(lists: RelatedLists, days: Sequence[Day]
                 ) -> Iterator[tuple[Paper, tuple[Related, ...]]]:
    """(paper, its related papers) for every paper of `days` (tests, tools)."""
    for day in days:
        yield from zip(day.papers, lists.of(day).lists(), strict=True)
