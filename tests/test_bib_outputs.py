"""`.bib` files (metadata.bib_outputs): kept by the build cache while their paper is unchanged."""

from __future__ import annotations

import datetime as dt

from sitegen.incremental.pagecache import PageCache
from sitegen.model import Kept, Output, Paper
from sitegen.render.metadata import bib_outputs, bibtex
from sitegen.site.assemble import assemble
from sitegen.urls import Urls


def _site(*titles: str):
    papers = [Paper(slug=f"p{i}", title=t, date=dt.date(2025, 8, 11), rank=i, arxiv_id=None,
                    authors=("Ada Lovelace",)) for i, t in enumerate(titles, 1)]
    return assemble(papers, lambda p: p.tags)


def _cache(previous=None) -> PageCache:
    cache = PageCache(previous)
    cache.set_base(b"templates and code")
    return cache


def test_bib_files_are_made_then_kept_while_their_paper_is_unchanged():
    urls = Urls("https://example.org/sub/")
    site = _site("One", "Two")
    first = _cache()
    made = bib_outputs(site, urls, first)
    assert all(isinstance(o, Output) for o in made)
    assert [o.data for o in made] == [bibtex(p, urls).encode() for p in site.papers]
    assert made == bib_outputs(site, urls)  # no cache: the same files
    again = bib_outputs(site, urls, _cache(first.fingerprints))
    assert again == [Kept(o.path) for o in made]
    changed = _site("One", "Two, renamed")
    outputs = bib_outputs(changed, urls, _cache(first.fingerprints))
    assert outputs[0] == Kept(made[0].path)
    assert isinstance(outputs[1], Output) and b"Two, renamed" in outputs[1].data
    # The URL of a paper without an arXiv id is in its entry: a new base URL makes all anew.
    moved = bib_outputs(site, Urls("https://example.org/other/"), _cache(first.fingerprints))
    assert all(isinstance(o, Output) and b"/other/" in o.data for o in moved)


def test_an_uncacheable_base_makes_every_file():
    urls = Urls("https://example.org/sub/")
    site = _site("One")
    cache = PageCache()  # no base set: nothing can be proved unchanged
    assert all(isinstance(o, Output) for o in bib_outputs(site, urls, cache))


def test_files_made_without_the_cache_are_kept_next_time_once_recorded():
    """A forked child makes the .bib files of a build from scratch without the cache; the
    parent records them so the next build keeps them, but only while intact."""
    from sitegen.render.metadata import record_bib_groups

    urls = Urls("https://example.org/sub/")
    site = _site("One", "Two")
    made = bib_outputs(site, urls)  # in the child
    first = _cache()
    record_bib_groups(site, urls, first)
    paths = {o.path for o in made}
    nxt = PageCache({}, None, first.groups, paths)
    nxt.set_base(b"templates and code")
    assert bib_outputs(site, urls, nxt) == [Kept(o.path) for o in made]
    missing = PageCache({}, None, first.groups, paths - {made[0].path})
    missing.set_base(b"templates and code")
    again = bib_outputs(site, urls, missing)
    assert all(isinstance(o, Output) for o in again) and [o.path for o in again] == [
        o.path for o in made]
