"""incremental/fragments.py: reused includes kept across builds (`KeptFragments`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedtools import write_simple_paper

from sitegen.config import load_config


def _rows_site(site: Path, days: range) -> None:
    for day in days:
        write_simple_paper(site, f"p{day}", f"Paper of day {day}", date=f"2025-08-{day:02d}",
                           tags=["t"])


def test_fragments_are_kept_across_builds_and_made_anew_with_their_template(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag page made again takes the rows of its older papers from the last build
    (KeptFragments); a changed row template makes them all anew."""
    from sitegen.build.pipeline import build_site
    from sitegen.incremental import fragments

    made: list[str] = []
    real = fragments.KeptFragments.put

    def put(self, key, html):
        made.append(str(html))
        return real(self, key, html)

    monkeypatch.setattr(fragments.KeptFragments, "put", put)
    _rows_site(site, range(1, 6))
    build_site(load_config(site), site / "_site")
    assert any("Paper of day 3" in row for row in made)
    made.clear()
    _rows_site(site, range(6, 7))
    build_site(load_config(site), site / "_site")
    rows = [row for row in made if "Paper of day" in row]
    # the new paper's cards only (its sizes and heading levels): the old ones were kept
    assert rows and all("Paper of day 6" in row for row in rows)
    page = (site / "_site" / "tags" / "t" / "index.html").read_text(encoding="utf-8")
    assert all(f"Paper of day {day}" in page for day in range(1, 7))
    made.clear()
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "partials" / "paper_card.html").write_text(
        "{% if size == 'row' %}<li>ROW {{ paper.title }}</li>{% endif %}\n", encoding="utf-8")
    build_site(load_config(site), site / "_site")
    page = (site / "_site" / "tags" / "t" / "index.html").read_text(encoding="utf-8")
    assert page.count("<li>ROW Paper of day") == 6
    assert len([row for row in made if "ROW" in row]) == 6


def test_a_damaged_fragment_store_is_no_error_and_it_does_not_grow_without_end(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.build.outputs import FRAGMENTS
    from sitegen.build.pipeline import build_site
    from sitegen.incremental import fragments
    from sitegen.incremental.statefile import load_state

    _rows_site(site, range(1, 4))
    build_site(load_config(site), site / "_site")
    store = site / ".sitegen-cache" / FRAGMENTS
    assert store.exists()
    store.write_bytes(b"not a pickle")
    _rows_site(site, range(4, 5))
    build_site(load_config(site), site / "_site")
    assert "Paper of day 1" in (site / "_site" / "tags" / "t" / "index.html").read_text(
        encoding="utf-8")
    monkeypatch.setattr(fragments.KeptFragments, "SPARE", 2)
    used: list[int] = []
    real_save = fragments.KeptFragments.save

    def save(self):
        used.append(len(self.used))
        return real_save(self)

    monkeypatch.setattr(fragments.KeptFragments, "save", save)
    config = (site / "sitegen.toml").read_text(encoding="utf-8")
    sizes = []
    for day in range(5, 12):  # a new title each time: no fragment of a former build is used
        _rows_site(site, range(day, day + 1))
        (site / "sitegen.toml").write_text(config.replace("Test Papers", f"Papers {day}"),
                                           encoding="utf-8")
        build_site(load_config(site), site / "_site")
        sizes.append(len(load_state(store)["fragments"]))
        assert used[-1] <= sizes[-1] <= 2 * used[-1] + 2
    # the former build's fragments are kept while not many: every other build drops them
    assert [size == count for size, count in zip(sizes, used, strict=True)] == [
        False, True, False, True, False, True, False]
    monkeypatch.setattr(fragments.KeptFragments, "LIMIT", used[-1] - 1)  # a build of all pages
    _rows_site(site, range(12, 13))
    (site / "sitegen.toml").write_text(config, encoding="utf-8")
    build_site(load_config(site), site / "_site")
    assert len(load_state(store)["fragments"]) == sizes[-1]  # not written


def test_an_edited_partial_is_analysed_again(site: Path) -> None:
    """What a partial reads is kept across builds by its source: an override that starts
    reading the page is rendered for each page from then on."""
    from sitegen.build.pipeline import build_site

    rows = site / "templates" / "partials" / "paper_card.html"
    rows.parent.mkdir(parents=True)
    rows.write_text("<li>{{ paper.title }}</li>\n", encoding="utf-8")
    write_simple_paper(site, "p1", "Paper one", tags=["Alpha", "Beta"])
    build_site(load_config(site), site / "_site")
    rows.write_text("<li>{{ paper.title }}{% if size == 'row' %} in {{ tag.name }}{% endif %}"
                    "</li>\n", encoding="utf-8")
    write_simple_paper(site, "p2", "Paper two", tags=["Alpha", "Beta"])
    build_site(load_config(site), site / "_site")
    for tag in ("alpha", "beta"):
        page = (site / "_site" / "tags" / tag / "index.html").read_text(encoding="utf-8")
        assert f"<li>Paper one in {tag}</li>" in page and f"<li>Paper two in {tag}</li>" in page
