"""Loading papers: the parse cache gives what a plain load gives."""

from __future__ import annotations

from pathlib import Path

from sitegen.content import load_papers
from tests.conftest import write_paper


def fill(site: Path) -> None:
    for i in range(60):
        write_paper(site, f"p{i}", f"---\ntitle: 'Paper {i}'\ndate: 2025-08-{i % 28 + 1:02d}\n"
                    f"abstract: 'Text {i}.'\n" + ("colour: red\n" if i == 7 else "") + "---\n")
    write_paper(site, "broken", "---\ntitle: [unclosed\n---\n")


def test_cached_loads_equal_a_plain_load(site: Path) -> None:
    fill(site)
    plain = load_papers(site)
    cache = site / ".sitegen-cache" / "papers.pickle"
    assert load_papers(site, cache) == plain  # parsed, cache written
    assert load_papers(site, cache) == plain  # from the cache
    assert load_papers(site, cache, refresh=True) == plain
    assert len(plain[0]) == 60 and len(plain[1]) == 2  # a warning and an error


def test_cache_notices_an_edit(site: Path) -> None:
    fill(site)
    cache = site / ".sitegen-cache" / "papers.pickle"
    load_papers(site, cache)
    write_paper(site, "p3", "---\ntitle: 'Edited'\ndate: 2025-08-04\n---\n")
    papers, _ = load_papers(site, cache)
    assert "Edited" in {p.title for p in papers}
