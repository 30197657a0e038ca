"""`sitegen fetch` with no source: every source `[fetch] sources` names, one after another.

This is what the daily workflow runs, so a site changes its sources in `sitegen.toml`,
never in the workflow. Each source's report stands alone: one that fails does not stop
the next, and the exit status says whether any failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import NamedTuple

from sitegen.commands.fetch import FetchOptions, FetchReport, fetch_hf
from sitegen.commands.listing import ListingRequest, fetch_arxiv_listing
from sitegen.config import Config


class SourceReport(NamedTuple):
    """One source's name and what its fetch did."""

    source: str
    report: FetchReport


@dataclass(frozen=True)
class Window:
    """The days asked: `days` for HF; for arXiv's feed, whether they were given at all
    (without dates it takes whatever day the feed announces)."""

    days: list[dt.date]
    given: bool


def fetch_configured(config: Config, window: Window, options: FetchOptions
                     ) -> list[SourceReport]:
    """Fetch every source of `[fetch] sources` into the site's store."""
    sources = config.sources
    reports: list[SourceReport] = []
    for source in config.fetch["sources"]:
        if source == "hf":
            with_arxiv = sources["arxiv_api_url"] if config.fetch["hf_with_arxiv"] else None
            report = fetch_hf(config.root, window.days, sources["hf_api_url"],
                              replace(options, with_arxiv=options.with_arxiv or with_arxiv))
        else:
            request = ListingRequest(tuple(config.fetch["arxiv_categories"]),
                                     window.days if window.given else None,
                                     cross_lists=config.fetch["cross_lists"])
            report = fetch_arxiv_listing(config.root, request, sources["arxiv_listing_url"],
                                         sources["arxiv_api_url"], options)
        reports.append(SourceReport(source, report))
    return reports
