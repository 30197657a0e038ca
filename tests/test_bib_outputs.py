"""`.bib` files (metadata.bib_stage): a unit per day, kept by the build cache while its
papers are unchanged, each file by its paper."""

from __future__ import annotations

import datetime as dt

from sitegen.incremental.pagecache import PageCache
from sitegen.incremental.units import CachedRunner
from sitegen.model import Kept, KeptMany, Output, Paper
from sitegen.render.metadata import bib_outputs, bib_stage, bibtex
from sitegen.render.units import run_units
from sitegen.site.assemble import assemble
from sitegen.urls import Urls

URLS = Urls("https://example.org/sub/")


def _site(*titles: str, day: int = 11):
    papers = [Paper(slug=f"p{day}-{i}", title=t, date=dt.date(2025, 8, day), rank=i, arxiv_id=None,
                    authors=("Ada Lovelace",)) for i, t in enumerate(titles, 1)]
    return assemble(papers, lambda p: p.tags)


def _cached(site, state=None, intact=(), urls: Urls = URLS, batched: bool = False) -> tuple:
    cache = PageCache(None, state)
    cache.verified(set(intact))
    outputs = list(CachedRunner(cache).run(bib_stage(site, urls), batched=batched))
    return outputs, cache.saved()


def test_bib_files_are_made_then_kept_while_their_paper_is_unchanged():
    site = _site("One", "Two")
    made, state = _cached(site)
    assert all(isinstance(o, Output) and o.lastmod is None for o in made)
    assert [o.data for o in made] == [bibtex(p, URLS).encode() for p in site.papers]
    assert made == bib_outputs(site, URLS) == list(run_units(bib_stage(site, URLS)))
    paths = [o.path for o in made]
    again, _ = _cached(site, state, paths, batched=True)
    assert again == [KeptMany(tuple(paths), (None, None))]
    changed = _site("One", "Two, renamed")  # the day is made again: one file by its paper
    outputs, _ = _cached(changed, state, paths)
    assert outputs[0] == Kept(made[0].path)
    assert isinstance(outputs[1], Output) and b"Two, renamed" in outputs[1].data
    # No entry cites the site itself (not the publisher): a new base URL keeps them all.
    moved, _ = _cached(site, state, paths, Urls("https://example.org/other/"), batched=True)
    assert moved == [KeptMany(tuple(paths), (None, None))]
    assert not any(b"example.org" in o.data for o in made)
    missing, _ = _cached(site, state, paths[1:])  # a file changed on disk
    assert isinstance(missing[0], Output) and missing[1] == Kept(paths[1])


def test_files_made_without_the_cache_are_kept_next_time_once_recorded():
    """A forked child makes the .bib files of a build from scratch without the cache; the
    parent records them so the next build keeps them, but only while intact."""
    site = _site("One", "Two")
    made = bib_outputs(site, URLS)  # in the child
    first = PageCache()
    CachedRunner(first).record(bib_stage(site, URLS))
    paths = [o.path for o in made]
    kept, _ = _cached(site, first.saved(), paths)
    assert kept == [Kept(path) for path in paths]
    again, _ = _cached(site, first.saved(), paths[1:])
    assert all(isinstance(o, Output) for o in again) and [o.path for o in again] == paths


def test_a_new_day_makes_its_own_entries_only():
    old = _site("One", "Two")
    made, state = _cached(old)
    new = assemble([*old.papers, *_site("Three", day=12).papers], lambda p: p.tags)
    outputs, _ = _cached(new, state, [o.path for o in made], batched=True)
    assert outputs[0] == Output("papers/p12-1.bib", bibtex(new.days[0].papers[0], URLS).encode())
    assert outputs[1] == KeptMany(tuple(o.path for o in made), (None, None))
