"""`sitegen add ID...`: papers chosen by hand, fetched by arXiv id into the store.

Hugging Face is asked first (`/api/papers/{id}`: upvotes, links, AI keywords); the ids it
does not index go to the arXiv API in one `id_list` request per 100. A new paper is dated
`day` (today unless `--date`) with `source: added`, which `[select]` always keeps: the
curator chose it. A paper already stored is completed (fill-only) and keeps its day; either
way `--tag` and `--note` are added to it when it lacks them. A hidden paper stays hidden.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

from sitegen.commands.fetch import (
    HF_INTERVAL,
    FetchOptions,
    FetchReport,
    make_fetcher,
    open_store,
)
from sitegen.errors import SourceError
from sitegen.model import Paper, Problem
from sitegen.site.select import ADDED
from sitegen.sources import arxiv, hf
from sitegen.sources.http import make_client
from sitegen.store.papers import paper_path, write_papers
from sitegen.urls import is_arxiv_id, strip_arxiv_version

#: `arXiv:ID`, or an arXiv or Hugging Face paper URL around the id.
_WRAPPED = re.compile(r"^(?:arxiv:|https?://(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf)|"
                      r"huggingface\.co/papers)/)(.+?)(?:\.pdf)?/?$", re.IGNORECASE)


def parse_id(text: str) -> str | None:
    """The arXiv id (without version) in `2401.00001v2`, `arXiv:2401.00001` or an arXiv or
    Hugging Face URL; None if there is none."""
    text = text.strip()
    found = _WRAPPED.match(text)
    candidate = strip_arxiv_version(found.group(1) if found else text)
    return candidate if is_arxiv_id(candidate) else None


def _records(root: Path, ids: list[str], day: dt.date, hf_url: str, arxiv_url: str,
             options: FetchOptions) -> tuple[list[Paper], list[Problem], int]:
    """HF first, then arXiv for the rest: the records, the problems, the requests made."""
    client = options.client or make_client()
    hf_fetcher = make_fetcher(root, options, client, HF_INTERVAL)
    arxiv_fetcher = make_fetcher(root, options, client, arxiv.MIN_INTERVAL)
    found: dict[str, Paper] = {}
    problems: list[Problem] = []
    try:
        for arxiv_id in ids:
            try:
                paper = hf.fetch_paper(hf_fetcher, hf_url, arxiv_id, day)
            except SourceError as exc:  # HF down or garbage: arXiv may still know it
                problems.append(Problem(exc.path or hf_url, exc.message, severity="warning"))
                paper = None
            if paper is not None:
                found[arxiv_id] = paper
        rest = [i for i in ids if i not in found]
        if rest:
            result = arxiv.fetch_ids(arxiv_fetcher, arxiv_url, rest)
            found.update(result.papers)
            problems += [Problem(e.path or arxiv_url, e.message, hint=e.hint)
                         for e in result.errors]
            problems += [Problem(i, "neither Hugging Face nor arXiv knows this id",
                                 hint="check the id") for i in result.unknown]
    finally:
        if options.client is None:
            client.close()
    records = [replace(found[i], date=day, rank=None, source=ADDED) for i in ids if i in found]
    return records, problems, hf_fetcher.requests + arxiv_fetcher.requests


def _with_tag_and_note(paper: Paper, tag: str | None, note: str | None) -> Paper:
    if tag and tag not in paper.tags:
        paper = replace(paper, tags=(*paper.tags, tag))
    if note and note not in paper.notes:
        paper = replace(paper, notes=f"{paper.notes.rstrip()}\n\n{note}".lstrip())
    return paper


def add_papers(root: Path, ids: list[str], day: dt.date, hf_url: str, arxiv_url: str,
               options: FetchOptions | None = None, tag: str | None = None,
               note: str | None = None) -> FetchReport:
    """Fetch the papers of `ids` and merge them into the store, as chosen by hand."""
    options = options or FetchOptions()
    records, problems, requests = _records(root, ids, day, hf_url, arxiv_url, options)
    with open_store(root, bool(records), options) as store:
        summary = store.merge(f"added {day}", records, refresh_rank=False)
        by_slug = {p.slug: p for p in store.papers}
        by_id = {p.arxiv_id: p for p in store.papers if p.arxiv_id}
        finals = [by_id[r.arxiv_id] for r in records if r.arxiv_id in by_id]
        tagged = [t for p in finals if (t := _with_tag_and_note(p, tag, note)) != p]
        if tagged:
            by_slug.update({p.slug: p for p in tagged})
            store.papers = list(by_slug.values())
            if not options.dry_run:
                store.written += [f for f in write_papers(root, tagged)
                                  if f not in store.written]
        for paper in finals:
            if paper.hidden:
                problems.append(Problem(
                    str(paper_path(root, paper.slug).relative_to(root)),
                    f"{paper.arxiv_id} is hidden: it stays off the site", severity="warning",
                    hint="remove its 'hidden: true' line to show it"))
    return FetchReport((summary,), tuple(store.written), tuple(store.problems), requests,
                       tuple(problems))
