"""Bulk citations: every paper a page lists as one `.bib` and one `.ris` file beside the
page ("Cite all": days, weeks, tags' pages, reading lists, authors' and organisations'
pages), and the COinS spans a reference manager's browser connector reads on a list of
papers.

Each BibTeX entry is `metadata.bibtex_fields` (TeX escaped and math allow-listed there,
the one escaping every `.bib` goes through) under a key unique in its file. RIS values are
put on one line each, so no text can end a record or start a field.

The files are units of the `.bib` stage (`citation_stage`): a day's, a week's and a
list's files are keyed by their papers, a tag's, an author's or an organisation's by its
page's place with the days it shows settled (as their pages are: render/pages.py,
render/people.py), so a rebuild makes only the
files whose papers changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple
from urllib.parse import quote

from sitegen.model import Paper, PersonLink, Site
from sitegen.render.metadata import (
    bib_stage,
    bibtex_fields,
    bibtex_key,
    cited_url,
    publication_date,
)
from sitegen.render.units import Job, Settled, Stage, Unit
from sitegen.site.periods import weeks_of
from sitegen.urls import CITATION_FORMATS, Urls, is_arxiv_id

#: The job kinds of the bulk files.
BIB, RIS = "cite-bib", "cite-ris"
#: The sequence a tag page's files show (render/pages.py's, by the same name: each day's
#: papers, oldest day first). Not imported: pages.py brings Jinja, which the forked child
#: making these files does not need.
DAY_PAPERS = "day papers"
_SPACE = re.compile(r"[\s\x00-\x1f\x7f\u2028\u2029\x85]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CitedPage:
    """A folder page whose papers get bulk citation files: its URL's kind, object and
    number (as `Urls.url` takes them) and the papers it lists, in its order."""

    kind: str
    obj: Any
    page: int | None
    papers: tuple[Paper, ...]


def unique_keys(papers: Iterable[Paper], own: dict[str, str] | None = None) -> list[str]:
    """Each paper's `bibtex_key`, made unique in the file: the second paper with a key
    gets `b` appended, the third `c`, ... (Google Scholar's habit), never a key used.
    `own` memoises each paper's own key by slug."""
    memo = own if own is not None else {}
    used: set[str] = set()
    tried: dict[str, int] = {}  # per key, the last suffix number tried: linear, not n^2
    keys = []
    for paper in papers:
        base = memo.get(paper.slug)
        if base is None:
            base = memo[paper.slug] = bibtex_key(paper)
        key = base
        number = tried.get(base, 1)
        while key in used:
            number += 1
            key = base + (chr(ord("a") + number - 1) if number <= 26 else str(number))
        tried[base] = number
        used.add(key)
        keys.append(key)
    return keys


def bibtex_file(papers: Sequence[Paper], fields: dict[str, str] | None = None,
                own: dict[str, str] | None = None) -> str:
    """A `.bib` file of `papers`, in order, keys unique; `fields` and `own` memoise each
    paper's fields and key by slug (a paper is in its day's, week's and tags' files)."""
    memo = fields if fields is not None else {}
    entries = []
    for key, paper in zip(unique_keys(papers, own), papers, strict=True):
        body = memo.get(paper.slug)
        if body is None:
            body = memo[paper.slug] = bibtex_fields(paper)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def ris_value(text: str) -> str:
    """Text as one RIS value: every run of whitespace and control characters one space
    (a line break in a title would end the field; `ER  - ` on its own line, the record)."""
    text = " ".join(text.split())  # every Unicode line break is whitespace to `split`
    return _SPACE.sub(" ", text).strip() if _CONTROL.search(text) else text


def ris_record(paper: Paper) -> str:
    """One RIS record (`TY  - UNPB`: a preprint, as Zotero and EndNote read it). No
    abstract, as in the BibTeX entry: bulk files are for citing, and a day's abstracts
    would make every file that lists its papers four times bigger."""
    lines = [("TY", "UNPB"), ("TI", paper.title)]
    lines += [("AU", name) for name in paper.authors]
    published = paper.published or paper.date
    lines += [("PY", str(published.year)),
              ("DA", f"{published.year:04d}/{published.month:02d}/{published.day:02d}")]
    lines += [("KW", tag) for tag in paper.tags]
    if paper.doi:
        lines.append(("DO", paper.doi))
    if paper.arxiv_id and is_arxiv_id(paper.arxiv_id):
        lines += [("DP", "arXiv"), ("N1", "arXiv:" + paper.arxiv_id)]
    url = cited_url(paper)
    if url:
        lines.append(("UR", url))
    text = "".join(f"{tag}  - {value}\n" for tag, value in
                   ((tag, ris_value(value)) for tag, value in lines) if value)
    return text + "ER  - \n"


def ris_file(papers: Sequence[Paper], records: dict[str, str] | None = None) -> str:
    """A `.ris` file of `papers`, in order, a blank line between records; `records`
    memoises each paper's record by slug."""
    memo = records if records is not None else {}
    out = []
    for paper in papers:
        record = memo.get(paper.slug)
        if record is None:
            record = memo[paper.slug] = ris_record(paper)
        out.append(record)
    return "\n".join(out)


def coins(paper: Paper) -> str:
    """The `title` of a COinS span (`<span class="Z3988" title="...">`): the paper as an
    OpenURL ContextObject, which Zotero's and other connectors save from a list page.
    Percent-encoded here; the template escapes it as any attribute."""
    pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
             ("rft.genre", "preprint"), ("rft.atitle", ris_value(paper.title))]
    if paper.arxiv_id and is_arxiv_id(paper.arxiv_id):
        pairs += [("rft.jtitle", "arXiv"), ("rft_id", "info:arxiv/" + paper.arxiv_id)]
    if paper.doi:
        pairs.append(("rft_id", "info:doi/" + ris_value(paper.doi)))
    url = cited_url(paper)
    if url:
        pairs.append(("rft_id", url))
    pairs += [("rft.au", ris_value(name)) for name in paper.authors]
    pairs.append(("rft.date", publication_date(paper)))
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs if value)


def cited_pages(site: Site) -> Iterator[CitedPage]:
    """The day and week pages with their papers (a week's: its days oldest first, each
    in its list's order)."""
    for day in site.days:
        yield CitedPage("day", day.date, None, day.papers)
    for links in weeks_of(site.days):
        week = links.week
        papers = tuple(paper for day in reversed(week.days) for paper in day.papers)
        yield CitedPage("week", (week.year, week.week), None, papers)


def page_unit(urls: Urls, page: CitedPage) -> Unit:
    """The unit of one page's bulk files, keyed by its papers (and where it is)."""
    rel = urls.cite_rel(page.kind, page.obj, page.page, quoted=False)
    return Unit(f"cite {rel}", "cite\0" + page.kind, (rel, page.papers),
                partial(_jobs, urls, page.kind, page.obj, page.page, page.papers),
                size=len(CITATION_FORMATS))


def tag_units(site: Site, urls: Urls, papers_per_page: int) -> Iterator[Unit]:
    """The bulk files of each tag page (its main page and its numbered pages: what the
    page lists), keyed and settled as the tag's pages are (render/pages.py)."""
    return paged_units(site, urls, papers_per_page, "tag",
                       ((tag, (tag.name, tag.slug), tag.papers) for tag in site.tags))


def people_units(site: Site, urls: Urls, papers_per_page: int) -> Iterator[Unit]:
    """The bulk files of each author's and organisation's pages (render/people.py), as a
    tag's: each page's files list what that page lists."""
    for kind, people in (("author", site.authors), ("org", site.orgs)):
        yield from paged_units(site, urls, papers_per_page, kind, (
            (PersonLink(kind, person.name, person.slug), (person.name, person.slug),
             person.papers) for person in people))


def paged_units(site: Site, urls: Urls, papers_per_page: int, kind: str,
                pages: Iterable[tuple[Any, tuple[str, ...], tuple[Paper, ...]]]
                ) -> Iterator[Unit]:
    """The bulk files of paginated pages of `kind` (tags, authors): for each (URL object,
    what names it, papers newest first), the main page's files and each numbered page's,
    keyed by place and settled through the days they show, as the pages themselves."""
    through = {day.date: len(site.days) - index for index, day in enumerate(site.days)}
    unit_kind = f"cite\0{kind}\0{papers_per_page}"
    for obj, head, papers in pages:
        if not papers:
            continue
        label = f"cite {kind} {head[-1]}"
        full = len(papers) // papers_per_page
        main_size = len(papers) - (full - 1) * papers_per_page if full > 1 else None
        yield Unit(label, unit_kind, (*head, len(papers)),
                   partial(_jobs, urls, kind, obj, None, papers[:main_size]),
                   Settled(DAY_PAPERS, through[papers[0].date]), exact=True,
                   size=len(CITATION_FORMATS))
        for number in range(full - 1, 0, -1):
            end = len(papers) - (number - 1) * papers_per_page  # pages.numbered_page
            shown = papers[end - papers_per_page:end]
            yield Unit(f"{label} {number}", unit_kind, (*head, number),
                       partial(_jobs, urls, kind, obj, number, tuple(shown)),
                       Settled(DAY_PAPERS, through[shown[0].date]), exact=True,
                       size=len(CITATION_FORMATS))


def _jobs(urls: Urls, kind: str, obj: Any, page: int | None, papers: Sequence[Paper]
          ) -> list[Job]:
    return [Job(BIB, urls.cite_output_path(kind, obj, page, "bib"), {"papers": papers}),
            Job(RIS, urls.cite_output_path(kind, obj, page, "ris"), {"papers": papers})]


def citation_stage(site: Site, urls: Urls, papers_per_page: int,
                   pages: Iterable[CitedPage] = (), people_per_page: int | None = None
                   ) -> Stage:
    """Every `.bib` and `.ris` file: each paper's `.bib` (`metadata.bib_stage`), then the
    bulk files of every day, week and tag page, of the authors' and organisations' pages
    (`people_per_page` papers a page; default `papers_per_page`) and of `pages` (reading
    lists). Each paper's entry is made once a run, however many files cite it."""
    papers = bib_stage(site, urls)
    units = [*papers.units, *(page_unit(urls, page) for page in cited_pages(site)),
             *tag_units(site, urls, papers_per_page),
             *people_units(site, urls, people_per_page or papers_per_page),
             *(page_unit(urls, page) for page in pages)]
    memo = _Memo({}, {}, {})
    return Stage(units, partial(_render, papers.render, memo),
                 {DAY_PAPERS: [day.papers for day in reversed(site.days)]})


class _Memo(NamedTuple):
    """Each paper's BibTeX fields, own key and RIS record, by slug, for one run."""

    fields: dict[str, str]
    keys: dict[str, str]
    records: dict[str, str]


def _render(single: Any, memo: _Memo, jobs: Sequence[Job]) -> Iterator[bytes]:
    """Each job's bytes: a paper's `.bib` (`single`, metadata.py's) or a bulk file."""
    start = 0
    for index, job in enumerate(jobs):  # runs of a paper's .bib go to `single` together
        if job.template in (BIB, RIS):
            if start < index:
                yield from single(jobs[start:index])
            start = index + 1
            papers = job.context["papers"]
            text = (bibtex_file(papers, memo.fields, memo.keys) if job.template == BIB
                    else ris_file(papers, memo.records))
            yield text.encode("utf-8")
    if start < len(jobs):
        yield from single(jobs[start:])
