"""Incoming records -> the store: one paper per arXiv id (else per normalised title).

The rules, so that re-imports and re-fetches are safe:
- a record matching a stored paper (by arXiv id, then by normalised title) updates it;
  a stored paper without an id gains the record's id but keeps its slug (its URL);
- descriptive fields (title, abstract, authors, dates, categories, organisation,
  submitter, authors' accounts, media, ...) are only filled when the stored paper has
  none: whatever is stored, maybe edited by the curator, stays (an organisation's name
  and handle are filled together);
- volatile counts (upvotes, comments, GitHub stars) are refreshed; links are added, never
  removed; the curator's notes, tags, `hidden` and `draft` are never touched;
- the day kept is the first day a paper appeared on a list (a Daily Papers page or the HF
  API); an arXiv record's day (its submission day) only fills in for papers never listed,
  and a listing record moves a paper that came from arXiv alone to its listed day;
- `refresh_rank` (a complete list of the day, e.g. a full HF answer) refreshes the rank of a
  paper on that same day; otherwise a stored rank stays.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from sitegen.model import Paper
from sitegen.sources.dailytext import normalise_title

VOLATILE = ("upvotes", "comments", "github_stars")
_FILL_ONLY = ("abstract", "published", "updated", "ai_summary", "primary_category", "comment",
              "journal_ref", "doi", "thumbnail", "authors", "ai_keywords", "categories",
              "media_urls", "submitted_by", "hf_accounts")
#: Filled together, when the stored paper has neither: a name and a handle of one organisation.
_FILL_PAIR = ("organization", "organization_handle")
#: The curator's own: a record never changes them (a hidden paper stays hidden for good).
_CURATOR = ("tags", "notes", "hidden", "draft")
_KNOWN = {"slug", "title", "date", "arxiv_id", "rank", "links", "source", "path", *_CURATOR,
          "author_pages", "org_page",  # set by the build (site/people.py), never stored
          *VOLATILE, *_FILL_ONLY, *_FILL_PAIR}
assert _KNOWN == {f.name for f in fields(Paper)}, "merge.py must decide about every Paper field"


@dataclass(frozen=True)
class MergeResult:
    """The papers to write (new or changed) and the counts for the summary."""

    changed: tuple[Paper, ...]
    papers: tuple[Paper, ...]  # the whole store after the merge
    new: int  # records that became new papers
    updated: int  # records that changed a paper already there
    duplicates: int  # records that matched a paper and added nothing
    slugs: tuple[str, ...] = ()  # the paper each record went to, in record order


def merge_paper(stored: Paper, record: Paper, refresh_rank: bool = False) -> Paper:
    """The stored paper updated with what the record adds, by the rules above."""
    updates: dict[str, object] = {}
    if not stored.arxiv_id and record.arxiv_id:
        updates["arxiv_id"] = record.arxiv_id
    for name in _FILL_ONLY:
        if not getattr(stored, name) and getattr(record, name):
            updates[name] = getattr(record, name)
    if not any(getattr(stored, name) for name in _FILL_PAIR) and any(
            getattr(record, name) for name in _FILL_PAIR):
        updates.update((name, getattr(record, name)) for name in _FILL_PAIR)
    for name in VOLATILE:
        if getattr(record, name) is not None:
            updates[name] = getattr(record, name)
    new_links = tuple(url for url in record.links if url not in stored.links)
    if new_links:
        updates["links"] = stored.links + new_links
    stored_listed = stored.source != "arxiv"
    record_listed = record.source != "arxiv"
    if record_listed and not stored_listed:
        updates.update(date=record.date, rank=record.rank, source=record.source)
    elif record.date < stored.date and record_listed == stored_listed:
        updates["date"] = record.date
        updates["rank"] = record.rank
    elif record.date == stored.date and record.rank is not None and (
            stored.rank is None or refresh_rank and record_listed):
        updates["rank"] = record.rank
    if updates.get("rank", stored.rank) == stored.rank:
        updates.pop("rank", None)
    return replace(stored, **updates) if updates else stored


def _unique_slug(slug: str, taken: set[str]) -> str:
    if slug not in taken:
        return slug
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


def merge_records(stored: list[Paper], records: list[Paper],
                  taken_slugs: set[str] | None = None, refresh_rank: bool = False) -> MergeResult:
    """Merge records into the stored papers; `taken_slugs` also holds unreadable files' slugs,
    so a new paper never overwrites a file the store could not read."""
    return Merger(stored, taken_slugs).merge(records, refresh_rank)


class Merger:
    """The store's indexes (by slug, id, normalised title), kept across merges: importing
    page after page then costs per record, not per record times the store's size."""

    def __init__(self, stored: list[Paper], taken_slugs: set[str] | None = None) -> None:
        self.by_slug: dict[str, Paper] = {p.slug: p for p in stored}
        self.by_id: dict[str, str] = {p.arxiv_id: p.slug for p in stored if p.arxiv_id}
        self.by_title: dict[str, str] = {}
        for paper in stored:
            self.by_title.setdefault(normalise_title(paper.title), paper.slug)
        self.taken = set(self.by_slug) | set(taken_slugs or ())

    def merge(self, records: list[Paper], refresh_rank: bool = False) -> MergeResult:
        """Merge one batch of records (one page); counts and `changed` are for this batch."""
        by_slug, by_id, by_title, taken = self.by_slug, self.by_id, self.by_title, self.taken
        original: dict[str, Paper] = {}
        new_slugs: set[str] = set()
        updated = duplicates = 0
        touched: list[str] = []
        slugs: list[str] = []
        for record in records:
            title_key = normalise_title(record.title)
            slug = by_id.get(record.arxiv_id or "") or by_title.get(title_key)
            if slug and record.arxiv_id and by_slug[slug].arxiv_id not in (None, record.arxiv_id):
                slug = None  # same title, another arXiv id: another paper
            if slug is None:
                slug = _unique_slug(record.slug, taken)
                taken.add(slug)
                paper = replace(record, slug=slug)
                new_slugs.add(slug)
            else:
                original.setdefault(slug, by_slug[slug])
                paper = merge_paper(by_slug[slug], record, refresh_rank)
                if paper != by_slug[slug] and slug not in new_slugs:
                    updated += 1
                else:
                    duplicates += 1
            by_slug[slug] = paper
            if paper.arxiv_id:
                by_id[paper.arxiv_id] = slug
            by_title.setdefault(title_key, slug)
            slugs.append(slug)
            if slug not in touched:
                touched.append(slug)
        changed = [by_slug[s] for s in touched if s in new_slugs or by_slug[s] != original[s]]
        return MergeResult(tuple(changed), tuple(by_slug.values()), len(new_slugs), updated,
                           duplicates, tuple(slugs))
