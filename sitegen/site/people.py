"""Papers -> the authors and organisations with a page (`[authors]`). Pure: no I/O.

A person is known by a key (`person_key`: case, accents, punctuation and spacing
ignored: "Yann LeCun" and "yann  lecun" are one person, "Y. LeCun" another until
`[authors] aliases` says they are the same); their page's slug comes
from that key alone (`urls.person_slug`), so it never moves. A page exists for everyone
with at least `[authors] min_papers` papers, and always for the watched
(`[authors] watch`), whose papers are also pinned first in a day's list.
Organisations come from Hugging Face's organisation field: keyed by their handle (the
name in `huggingface.co/<handle>`) when known, else by their name, with the same rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sitegen.errors import RuleError
from sitegen.model import Paper, Person
from sitegen.urls import person_slug

_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def person_key(name: str) -> str:
    """A name compared loosely: accents and case folded, punctuation and spacing made one
    space (`"Y. LeCun"` -> `"y lecun"`, `"José García"` -> `"jose garcia"`); "" for a
    name without letters or digits. Memoised: a site names the same people thousands of
    times."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", folded.casefold()).split())


def _shown(name: str) -> str:
    """A name as a page shows it: spacing made one space."""
    return " ".join(name.split())


@dataclass(frozen=True)
class PeopleRules:
    """`[authors]` compiled: who has a page, which spellings are one person, who is
    watched."""

    min_papers: int = 2
    #: the key of a spelling -> the name it stands for (`[authors] aliases`)
    aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: the keys of the watched people -> their names as the watch list writes them
    watch: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def key(self, name: str) -> tuple[str, str | None]:
        """A name's key after the aliases, and the name it stands for (None: itself)."""
        key = person_key(name)
        canonical = self.aliases.get(key)
        return (person_key(canonical), canonical) if canonical is not None else (key, None)

    def watches(self, paper: Paper) -> bool:
        """Whether a watched person wrote `paper`."""
        return bool(self.watch) and any(self.key(name)[0] in self.watch
                                        for name in paper.authors)


def _names(value: Any, what: str) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise RuleError(f"[authors] {what} must be a name or a list of names", None)
    for name in names:
        if not person_key(name):
            raise RuleError(f"[authors] {what}: {name!r} is not a name", name,
                            "a name holds letters or digits")
    return list(names)


def people_rules(section: Mapping[str, Any]) -> PeopleRules:
    """`[authors]` -> `PeopleRules`; a bad alias or watch entry raises `RuleError`.

    `aliases` maps another spelling to a name (`"Y. LeCun" = "Yann LeCun"`, as `[tags]
    aliases` does), or a name to its other spellings (`"Yann LeCun" = ["Y. LeCun"]`)."""
    aliases: dict[str, str] = {}
    for key, value in section.get("aliases", {}).items():
        if isinstance(value, str):
            pairs = [(other, value) for other in _names(key, "aliases")]
        else:
            pairs = [(other, key) for other in _names(value, f"aliases.{key!r}")]
        for other, name in pairs:
            _names(name, "aliases")
            folded = person_key(other)
            if aliases.get(folded, name) != name:
                raise RuleError(f"[authors] aliases: {other!r} stands for both "
                                f"{aliases[folded]!r} and {name!r}", other)
            if person_key(name) != folded:
                aliases[folded] = name
    for name in aliases.values():
        if person_key(name) in aliases:
            raise RuleError(f"[authors] aliases: {name!r} is itself another spelling (of "
                            f"{aliases[person_key(name)]!r})", name,
                            "point every spelling at the one name")
    rules = PeopleRules(section.get("min_papers", 2), MappingProxyType(aliases))
    watch: dict[str, str] = {}
    for name in _names(list(section.get("watch", [])), "watch"):
        key, canonical = rules.key(name)
        watch.setdefault(key, canonical or _shown(name))
    return PeopleRules(rules.min_papers, rules.aliases, MappingProxyType(watch))


@dataclass
class _Found:
    """A person while papers are gathered: their papers and the spellings seen."""

    papers: list[Paper]
    spellings: Counter[str]
    key: str


def _person(kind: str, slug: str, found: _Found, watched: bool, named: str | None
            ) -> Person:
    # the name written most often; a tie goes to the newest paper's spelling (seen first)
    name = named or (max(found.spellings.items(), key=lambda item: item[1])[0]
                     if found.spellings else found.key)
    return Person(kind, name, slug, tuple(found.papers), watched)


def authors_of(papers: Sequence[Paper], rules: PeopleRules) -> tuple[Person, ...]:
    """The authors with a page, by slug: at least `min_papers` papers among `papers`
    (newest first), or watched. A name twice on one paper counts once."""
    found: dict[str, _Found] = {}
    keyed = _memo(rules)
    for paper in papers:
        seen: set[str] = set()
        for name in paper.authors:
            slug, key, canonical = keyed(name)
            if not slug or slug in seen:
                continue
            seen.add(slug)
            person = found.get(slug)
            if person is None:
                person = found[slug] = _Found([], Counter(), key)
            person.papers.append(paper)
            person.spellings[canonical or _shown(name)] += 1
    for key, name in rules.watch.items():
        found.setdefault(person_slug(key), _Found([], Counter({name: 1}), key))
    watched = {person_slug(key): rules.aliases.get(key) for key in rules.watch}
    return tuple(_person("author", slug, found[slug], slug in watched, watched.get(slug))
                 for slug in sorted(found)
                 if slug in watched or len(found[slug].papers) >= rules.min_papers)


def _memo(rules: PeopleRules):  # noqa: ANN202 - a closure over one build's names
    """`name -> (slug, key, canonical)` for one build: each distinct name folded once."""
    seen: dict[str, tuple[str, str, str | None]] = {}

    def keyed(name: str) -> tuple[str, str, str | None]:
        hit = seen.get(name)
        if hit is None:
            key, canonical = rules.key(name)
            hit = seen[name] = (person_slug(key) if key else "", key, canonical)
        return hit
    return keyed


def org_slug(paper: Paper) -> str:
    """The slug of a paper's Hugging Face organisation, keyed by its handle when known,
    else by its name; "" for none."""
    key = person_key(paper.organization_handle or "") or person_key(paper.organization or "")
    return person_slug(key, "org") if key else ""


def orgs_of(papers: Sequence[Paper], min_papers: int) -> tuple[Person, ...]:
    """The organisations with at least `min_papers` papers, by slug (`org_slug`)."""
    found: dict[str, _Found] = {}
    for paper in papers:
        slug = org_slug(paper)
        if not slug:
            continue
        person = found.get(slug)
        if person is None:
            person = found[slug] = _Found([], Counter(), slug)
        person.papers.append(paper)
        person.spellings[_shown(paper.organization or paper.organization_handle or slug)] += 1
    return tuple(_person("org", slug, found[slug], False, None) for slug in sorted(found)
                 if len(found[slug].papers) >= min_papers)


def by_count(people: Iterable[Person]) -> list[Person]:
    """The most prolific first, then by name (the authors index)."""
    return sorted(people, key=lambda p: (-len(p.papers), person_key(p.name), p.slug))


def watched_pages(rules: PeopleRules) -> tuple[str, ...]:
    """The slugs of the watched people's pages, sorted (a template global: its digest is
    part of every page's)."""
    return tuple(sorted(person_slug(key) for key in rules.watch))


def pinned(rules: PeopleRules) -> Any:
    """The day-order predicate that pins watched people's papers first (None: nobody is
    watched)."""
    return rules.watches if rules.watch else None



def _since(dates: Mapping[str, list[dt.date]], min_papers: int, always: set[str]
           ) -> dict[str, dt.date]:
    """Per slug with a page, the first day it had one: the day of its `min_papers`-th
    paper (the beginning of time for `always`)."""
    return {slug: dt.date.min if slug in always else heapq.nsmallest(min_papers, days)[-1]
            for slug, days in dates.items() if slug in always or len(days) >= min_papers}


def with_people_pages(papers: Sequence[Paper], rules: PeopleRules) -> list[Paper]:
    """`papers`, each with `author_pages`: per author, the slug of their page when they
    had one by the paper's day (their `min_papers`-th paper is of that day or older, or
    they are watched), else ""; and `org_page`, its organisation's slug by the same rule.
    A paper with no such page is returned as it is.

    "By the paper's day", not "now": a new day never changes an older paper's links, so
    its pages (and every list showing its card) stay as they are; an author's first
    paper links them only when they are watched."""
    keyed = _memo(rules)
    dates: dict[str, list[dt.date]] = {}
    org_dates: dict[str, list[dt.date]] = {}
    orgs = [org_slug(paper) for paper in papers]
    for paper, org in zip(papers, orgs, strict=True):
        for slug in {keyed(name)[0] for name in paper.authors}:
            if slug:
                dates.setdefault(slug, []).append(paper.date)
        if org:
            org_dates.setdefault(org, []).append(paper.date)
    since = _since(dates, rules.min_papers, {person_slug(key) for key in rules.watch})
    org_since = _since(org_dates, rules.min_papers, set())
    linked = []
    for paper, org in zip(papers, orgs, strict=True):
        pages = tuple(slug if (slug := keyed(name)[0]) in since and since[slug] <= paper.date
                      else "" for name in paper.authors)
        org_page = org if org in org_since and org_since[org] <= paper.date else ""
        if any(pages) or org_page:
            paper = copy.copy(paper)  # a new frozen copy
            object.__setattr__(paper, "author_pages", pages if any(pages) else ())
            object.__setattr__(paper, "org_page", org_page)
        linked.append(paper)
    return linked
