"""`sitegen fetch hf --complete`: stored papers without an arXiv id or authors (a copied
Daily Papers page has neither) completed from Hugging Face, fill-only.

A paper with an id is asked by id (`/api/papers/{id}`); one without is looked up by its
title (`/api/papers/search`) and matched only when HF's title is the same once normalised
(case, spacing and punctuation ignored). The merge then gives it the id, authors and
links and keeps its slug, so its URL does not move.
"""

from __future__ import annotations

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
from sitegen.sources import hf
from sitegen.sources.dailytext import normalise_title
from sitegen.sources.http import make_client
from sitegen.store.papers import load_papers
from sitegen.util.progress import progress


def incomplete(papers: list[Paper]) -> list[Paper]:
    """The papers lacking an arXiv id or authors."""
    return [p for p in papers if not p.arxiv_id or not p.authors]


def _match(paper: Paper, found: list[Paper]) -> Paper | None:
    wanted = normalise_title(paper.title)
    return next((f for f in found if normalise_title(f.title) == wanted), None)


def complete_store(root: Path, api_url: str, options: FetchOptions | None = None
                   ) -> FetchReport:
    """Complete the store's incomplete papers from HF; what found no match is reported."""
    options = options or FetchOptions()
    stored, _ = load_papers(root)
    wanted = incomplete(stored)
    client = options.client or make_client()
    fetcher = make_fetcher(root, options, client, HF_INTERVAL)
    records: list[Paper] = []
    missed: list[Problem] = []
    try:
        for paper in progress(wanted, "completing", options.progress):
            try:
                if paper.arxiv_id:
                    got = hf.fetch_paper(fetcher, api_url, paper.arxiv_id, paper.date)
                else:
                    got = _match(paper, hf.search_title(fetcher, api_url, paper.title,
                                                        paper.date))
            except SourceError as exc:
                missed.append(Problem(paper.path, f"not completed: {exc.message}",
                                      hint=exc.hint))
                continue
            if got is None:
                missed.append(Problem(paper.path, "not completed: Hugging Face has no paper "
                                      "with this " + ("id" if paper.arxiv_id else "title"),
                                      severity="warning"))
                continue
            records.append(replace(got, date=paper.date, rank=None, source=paper.source))
    finally:
        if options.client is None:
            client.close()
    with open_store(root, bool(records), options) as store:
        summary = store.merge("completed", records, refresh_rank=False,
                              note=f"{len(wanted)} paper(s) lacked an id or authors")
    return FetchReport((summary,), tuple(store.written), tuple(store.problems),
                       fetcher.requests, tuple(missed))
