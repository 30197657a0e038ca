"""The pages (render/pages.py): their units, stable pagination; parallel workers give the
same outputs, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build.outputs import build_outputs
from sitegen.config import load_config
from sitegen.errors import OutputError
from sitegen.render import pages
from sitegen.store.papers import load_papers
from sitegen.util.parallel import worker_count
from tests.conftest import write_paper


def make_site(site: Path, workers: int) -> None:
    (site / "sitegen.toml").write_text(
        '[site]\nbase_url = "https://example.org/sub/"\n'
        f"[build]\nworkers = {workers}\n", encoding="utf-8")
    for day in range(1, 21):
        for rank in range(1, 4):
            write_paper(site, f"p{day}-{rank}", f"---\ntitle: 'P {day}.{rank} <b>'\n"
                        f"date: 2025-03-{day:02d}\nrank: {rank}\nabstract: 'About $x^2$.'\n---\n")


def test_parallel_rendering_matches_serial(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PARALLEL_MIN", 10)
    monkeypatch.setattr(pages, "CHUNK", 7)  # many chunks, more than the workers keep pending
    make_site(site, 1)
    papers, _ = load_papers(site)
    _, serial = build_outputs(load_config(site), papers)
    make_site(site, 3)  # the first process beyond one makes the search index: 2 page workers
    _, parallel = build_outputs(load_config(site), papers)
    assert [o.path for o in parallel] == [o.path for o in serial]
    assert parallel == serial


def test_template_error_in_a_worker_is_reported(site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PARALLEL_MIN", 10)
    make_site(site, 3)
    (site / "templates").mkdir()
    (site / "templates" / "paper.html").write_text("{{ paper.nope.deeper }}", encoding="utf-8")
    papers, _ = load_papers(site)
    with pytest.raises(OutputError, match="while rendering"):
        build_outputs(load_config(site), papers)


def test_worker_count() -> None:
    assert worker_count(3) == 3
    assert 1 <= worker_count(0) <= 8


def test_stable_pages_count_from_the_oldest_and_full_pages_never_change() -> None:
    def split(count: int) -> tuple[list[int], dict[int, list[int]]]:
        main, numbered = pages.stable_pages(list(range(count, 0, -1)), 3)  # newest first
        return list(main), {number: list(items) for number, items in numbered}

    assert split(0) == ([], {}) and split(5) == ([5, 4, 3, 2, 1], {})
    assert split(6) == ([6, 5, 4], {1: [3, 2, 1]})
    assert split(8) == ([8, 7, 6, 5, 4], {1: [3, 2, 1]})
    assert split(9) == ([9, 8, 7], {2: [6, 5, 4], 1: [3, 2, 1]})
    for count in range(1, 40):  # a page, once made, keeps its entries as the list grows
        main, numbered = split(count)
        assert 1 <= len(main) <= 5 or count == 0
        assert sorted(main + [i for items in numbered.values() for i in items]) == \
            list(range(1, count + 1))
        for number, items in numbered.items():
            assert items == list(range(3 * number, 3 * number - 3, -1))


def _rendered(site: Path) -> set[str]:
    """Build with the build cache; the HTML pages rendered again (not `Kept`)."""
    from sitegen.build.pipeline import Made, build_site

    result = build_site(load_config(site), site / "_site")
    return {o.path for o in result.outputs if isinstance(o, Made) and o.path.endswith(".html")}


def test_a_new_day_renders_only_the_pages_it_changes(site: Path) -> None:
    """Stable pagination: a new day re-renders the home and tag main pages, its day and
    the day before, its papers, its week, the top page, month, year, archive, the tag
    list (not a week that is over); a numbered page only
    when a page fills up (the new page and its older neighbour's "newer" link)."""
    from tests.test_incremental import assert_same_as_clean, paper_text

    (site / "sitegen.toml").write_text(
        '[site]\ntitle = "T"\nbase_url = "https://example.org/sub/"\n'
        "[build]\ndays_per_page = 2\npapers_per_page = 2\n[tags]\ndefault_rules = false\n",
        encoding="utf-8")
    for day in range(1, 6):
        write_paper(site, f"p{day}-1", paper_text(f"Paper {day}.1", f"2025-08-0{day}", 1,
                                                  tags=("vision",)))
        write_paper(site, f"p{day}-2", paper_text(f"Paper {day}.2", f"2025-08-0{day}", 2,
                                                  tags=("language",)))
    first = _rendered(site)
    assert {"index.html", "page/1/index.html", "tags/vision/page/1/index.html"} <= first
    assert not (site / "_site" / "page" / "2").exists()
    assert _rendered(site) == set()  # nothing changed
    common = {"2025/08/index.html", "2025/index.html", "archive/index.html",
              "tags/index.html", "tags/vision/index.html", "index.html",
              "top/index.html", "2025/W32/index.html"}  # not W31: it is over
    # Day 6 fills a second numbered page of the home page and of "vision".
    for rank in (1, 2):
        write_paper(site, f"p6-{rank}", paper_text(f"New 6.{rank}", "2025-08-06", rank,
                                                   tags=("vision",) if rank == 1 else ()))
    assert _rendered(site) == common | {
        "2025/08/06/index.html", "2025/08/05/index.html",
        "papers/p6-1.html", "papers/p6-2.html",
        "page/2/index.html", "page/1/index.html",
        "tags/vision/page/2/index.html", "tags/vision/page/1/index.html",
        # 3 days after W31's Sunday (Aug 3): its digest is made, once, and listed
        "digest/2025-W31/index.html", "digest/2025-W31/email.html", "digest/index.html"}
    assert_same_as_clean(site)
    # Day 7 fills no page and settles nothing: only the main pages change.
    write_paper(site, "p7-1", paper_text("New 7.1", "2025-08-07", 1, tags=("vision",)))
    assert _rendered(site) == common | {
        "2025/08/07/index.html", "2025/08/06/index.html", "papers/p7-1.html"}
    assert_same_as_clean(site)
    home = (site / "_site" / "index.html").read_text()
    assert "New 7.1" in home and "New 6.1" in home and "Paper 5.1" in home
    assert "Paper 4.1" not in home and 'href="/sub/page/2/">Older' in home
    page2 = (site / "_site" / "page" / "2" / "index.html").read_text()
    assert "Paper 4.1" in page2 and "Paper 3.1" in page2 and "Page 2" in page2
    assert 'href="/sub/">← Newer' in page2 and 'href="/sub/page/1/">Older' in page2


def test_pages_render_lazily_in_unit_order(site: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    from sitegen.build.outputs import assemble_site
    from sitegen.model import Output
    from sitegen.render.metadata import template_globals
    from sitegen.render.templates import make_environment
    from sitegen.render.units import run_units
    from sitegen.urls import Urls

    make_site(site, 1)
    config = load_config(site)
    papers, _ = load_papers(site)
    urls = Urls(config.site["base_url"])
    env = make_environment(config, urls)
    env.globals["tag_by_name"] = {}
    env.globals.update(template_globals(urls, "T"))
    stage = pages.page_stage(assemble_site(config, papers), urls, env, 3, 100)
    jobs = [job for unit in stage.units for job in unit.make()]
    assert len(jobs) == stage.size
    calls: list[str] = []
    real = pages._render_one
    monkeypatch.setattr(pages, "_render_one", lambda e, job: calls.append(job.path) or real(e, job))
    outputs = run_units(stage)
    first = next(outputs)
    assert isinstance(first, Output) and first.path == jobs[0].path and len(calls) == 1
    rest = list(outputs)
    assert [o.path for o in [first, *rest]] == [job.path for job in jobs] == calls
    assert [o.lastmod for o in [first, *rest]] == [job.lastmod for job in jobs]


def test_every_page_belongs_to_one_unit_and_unit_names_are_unique(site: Path) -> None:
    from sitegen.build.outputs import assemble_site
    from sitegen.render.people import with_people
    from sitegen.render.units import Stage
    from sitegen.urls import Urls

    make_site(site, 1)
    with (site / "sitegen.toml").open("a", encoding="utf-8") as handle:
        handle.write('papers_per_page = 4\n[tags]\nrules = { all = ["about"] }\n')
    config = load_config(site)
    papers, _ = load_papers(site)
    site_model = assemble_site(config, papers)
    urls = Urls(config.site["base_url"])
    units = list(pages.page_units(site_model, urls, config.build["days_per_page"], 4))
    # and the authors' pages (render/people.py), added to the same stage
    units = list(with_people(Stage(units, list), site_model, urls, 30).units)
    assert any(unit.name.startswith("tag.html all ") for unit in units)  # numbered pages
    assert len({unit.name for unit in units}) == len(units)
    paths = [job.path for unit in units for job in unit.make()]
    assert len(set(paths)) == len(paths) == sum(unit.size for unit in units)
    _, outputs = build_outputs(config, papers)
    assert {o.path for o in outputs if o.path.endswith(".html")} == set(paths)
