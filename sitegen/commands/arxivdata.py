"""arXiv data for papers from elsewhere (`fetch hf --with-arxiv`): categories, comment,
journal reference and DOI, from batched `id_list` requests, fill-only.

Hugging Face items carry no arXiv categories, so without this `[select] categories` and the
`[tags] keywords` of categories never apply to them. About 50 papers a day: one request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sitegen.model import Paper, Problem
from sitegen.sources import arxiv
from sitegen.sources.http import Fetcher

#: The fields filled from arXiv (only where the record has none).
FIELDS = ("categories", "primary_category", "comment", "journal_ref", "doi")


def with_arxiv_data(record: Paper, metadata: Paper | None) -> Paper:
    """The record with the arXiv fields it lacks taken from `metadata`."""
    if metadata is None:
        return record
    updates = {name: getattr(metadata, name) for name in FIELDS
               if not getattr(record, name) and getattr(metadata, name)}
    return replace(record, **updates) if updates else record


def fill_from_arxiv(fetcher: Fetcher, api_url: str, batches: Sequence[list[Paper]]
                    ) -> tuple[list[list[Paper]], tuple[Problem, ...]]:
    """Each batch's records with their arXiv data, and what could not be had: a failed
    request (an error: the papers are stored without the data) or ids arXiv does not know
    (a warning)."""
    ids = [r.arxiv_id for batch in batches for r in batch if r.arxiv_id]
    if not ids:
        return [list(b) for b in batches], ()
    result = arxiv.fetch_ids(fetcher, api_url, ids)
    missed = [Problem(error.path or api_url, f"arXiv data not fetched: {error.message}",
                      hint="the papers were stored without it; the next fetch of their days "
                      "fills it") for error in result.errors]
    if result.unknown:
        missed.append(Problem(api_url, f"arXiv does not know {len(result.unknown)} id(s): "
                              f"{', '.join(result.unknown[:5])}", severity="warning"))
    filled = [[with_arxiv_data(r, result.papers.get(r.arxiv_id or "")) for r in batch]
              for batch in batches]
    return filled, tuple(missed)
