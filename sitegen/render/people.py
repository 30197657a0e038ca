"""The pages of authors and organisations (`/authors/<slug>/`, `/orgs/<slug>/`) and their
indexes (`/authors/`, `/orgs/`), as units (render/units.py), in the manner of tag pages:
stable pagination (numbered pages counted from the oldest paper, docs/themes.md), each
numbered page keyed by its place and kept while the days it shows are settled, a
person's main page keyed by their paper count, the index by every count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import partial

from sitegen.model import Person, PersonLink, Site
from sitegen.render.pages import DAY_PAPERS, _pager, numbered_page, page_job
from sitegen.render.units import Job, Settled, Stage, Unit
from sitegen.site.people import by_count
from sitegen.urls import Urls

#: The index page of each kind of person.
INDEX = {"author": "authors", "org": "orgs"}


def link(person: Person) -> PersonLink:
    """What pages other than the person's own know of them."""
    return PersonLink(person.kind, person.name, person.slug, len(person.papers))


def person_jobs(urls: Urls, person: Person, per_page: int, number: int | None = None
                ) -> list[Job]:
    """A person's main page (the newest papers; `number` None) or numbered page `number`:
    their papers as cards, the feed, whether the site watches them."""
    kind, papers = person.kind, person.papers
    who = PersonLink(kind, person.name, person.slug)
    full = len(papers) // per_page
    last = full - 1 if full > 1 else None
    if number is None:
        main_size = len(papers) - (full - 1) * per_page if last else None
        shown, total = papers[:main_size], len(papers)
    else:
        shown, total = numbered_page(papers, per_page, number), None
    return [page_job("person.html", urls.output_path(kind, who, number), {
        "person": who, "watched": person.watched, "total": total, "papers": shown,
        "pager": _pager(urls, kind, who, number, last),
        "canonical": urls.absolute(kind, who, number)})]


def index_jobs(urls: Urls, kind: str, people: tuple[Person, ...]) -> list[Job]:
    """The index of authors (or organisations), the most prolific first (rendered without
    a fingerprint, which would digest every paper: its unit's key keeps it)."""
    index = INDEX[kind]
    return [page_job("people.html", urls.output_path(index), {
        "kind": kind, "people": tuple(link(p) for p in by_count(people)),
        "canonical": urls.absolute(index)}, cached=False)]


def people_units(site: Site, urls: Urls, per_page: int, through: Mapping[dt.date, int]
                 ) -> Iterator[Unit]:
    """The units of the authors' and organisations' pages and of their two indexes;
    `through`: how many days, oldest first, go up to each date (what a page showing
    papers up to that date needs settled)."""
    for kind, people in (("author", site.authors), ("org", site.orgs)):
        newest = max((p.papers[0].date for p in people if p.papers), default=None)
        yield Unit(f"people.html {kind}", f"people.html\0{kind}\0{urls.base_url}",
                   (tuple((p.name, p.slug, len(p.papers)) for p in people),),
                   partial(index_jobs, urls, kind, people),
                   Settled(DAY_PAPERS, through[newest]) if newest else None)
        unit_kind = f"person.html\0{kind}\0{urls.base_url}\0{per_page}"
        for person in people:
            head = f"{person.name}\0{person.slug}\0{person.watched}\0"
            name = f"person.html {kind} {person.slug}"
            papers = person.papers
            yield Unit(name, unit_kind, (head + str(len(papers)),),
                       partial(person_jobs, urls, person, per_page),
                       Settled(DAY_PAPERS, through[papers[0].date]) if papers else None,
                       exact=True)
            full = len(papers) // per_page
            for number in range(full - 1, 0, -1):  # as `stable_pages` lists them
                shown = numbered_page(papers, per_page, number)
                yield Unit(f"{name} {number}", unit_kind,
                           (f"{head}{number}\0{number == full - 1}",),
                           partial(person_jobs, urls, person, per_page, number),
                           Settled(DAY_PAPERS, through[shown[0].date]), exact=True)


def with_people(stage: Stage, site: Site, urls: Urls, per_page: int) -> Stage:
    """The page stage (render/pages.py, `page_stage`) with the people's units after its
    own, on its sequences (`DAY_PAPERS`: the days oldest first)."""
    through = {day.date: len(site.days) - index for index, day in enumerate(site.days)}
    return replace(stage, units=[*stage.units,
                                 *people_units(site, urls, per_page, through)])
