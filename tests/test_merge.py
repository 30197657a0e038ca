"""Merging records into the store: dedupe, fill-only, volatile refresh, notes kept."""

from __future__ import annotations

import datetime as dt

from sitegen.model import Paper
from sitegen.store.merge import merge_records

D1, D2 = dt.date(2025, 8, 11), dt.date(2025, 8, 12)


def text_paper(title="Great Paper", date=D1, **kw):
    return Paper(slug="great-paper-1234", title=title, date=date, abstract="Old.", **kw)


def test_new_records_are_added_and_dupes_counted():
    result = merge_records([], [text_paper(), text_paper(title="great  paper!")])
    assert (result.new, result.updated, result.duplicates) == (1, 0, 1)
    assert len(result.changed) == 1


def test_api_record_gives_a_text_paper_its_id_but_keeps_slug_notes_and_edits():
    stored = text_paper(notes="curator note\n", authors=())
    record = Paper(slug="2408.01234", title="Great Paper", date=D2, arxiv_id="2408.01234",
                   abstract="New abstract.", authors=("Ada",), upvotes=5,
                   links=("https://github.com/a/b",), source="hf")
    result = merge_records([stored], [record])
    (paper,) = result.changed
    assert paper.slug == stored.slug and paper.arxiv_id == "2408.01234"
    assert paper.abstract == "Old." and paper.notes == "curator note\n"
    assert paper.authors == ("Ada",) and paper.upvotes == 5
    assert paper.date == D1  # the first day it appeared on
    assert result.updated == 1


def test_volatile_fields_refresh_and_links_accumulate():
    stored = text_paper(arxiv_id="2408.01234", upvotes=1, links=("https://a.example/",))
    record = text_paper(arxiv_id="2408.01234", upvotes=9, links=("https://b.example/",))
    (paper,) = merge_records([stored], [record]).changed
    assert paper.upvotes == 9
    assert paper.links == ("https://a.example/", "https://b.example/")


def test_nothing_new_changes_nothing():
    stored = text_paper()
    result = merge_records([stored], [text_paper()])
    assert result.changed == () and result.duplicates == 1


def test_new_slug_never_takes_an_unreadable_file():
    result = merge_records([], [text_paper()], taken_slugs={"great-paper-1234"})
    assert result.changed[0].slug == "great-paper-1234-2"
