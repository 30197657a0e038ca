"""Incremental builds: a rebuild with the build cache equals a clean build, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.build.pipeline import build_site
from sitegen.config import load_config
from tests.conftest import old_search_pack, write_paper


def paper_text(title: str, date: str, rank: int, abstract: str = "An abstract.",
               tags: tuple[str, ...] = (), extra: str = "") -> str:
    tag_lines = "".join(f"- {t}\n" for t in tags)
    return (f"---\ntitle: '{title}'\ndate: {date}\nrank: {rank}\nabstract: '{abstract}'\n"
            + (f"tags:\n{tag_lines}" if tags else "") + extra + "---\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_clean(site: Path) -> None:
    """The incremental output in _site equals a clean build into another folder."""
    config = load_config(site)
    build_site(config, site / "_clean", clean=True)
    incremental, clean = tree(site / "_site"), tree(site / "_clean")
    assert incremental.keys() == clean.keys()
    different = [p for p in incremental if incremental[p] != clean[p]]
    assert not different


def build(site: Path):
    return build_site(load_config(site), site / "_site")


def seed(site: Path) -> None:
    for day in (10, 11, 12):
        for rank in (1, 2, 3):
            write_paper(site, f"p{day}-{rank}", paper_text(
                f"Paper {day}.{rank}", f"2025-08-{day}", rank, f"About $x_{rank}$ things.",
                tags=("vision",) if rank == 1 else ("language",)))


def test_adding_a_day_matches_a_clean_build(site: Path) -> None:
    seed(site)
    build(site)
    for rank in (1, 2):
        write_paper(site, f"p13-{rank}", paper_text(f"New {rank}", "2025-08-13", rank,
                                                     tags=("vision",)))
    result = build(site)
    assert result.stats is not None and result.stats.written > 0
    # Only what the new day touches is rendered again: the old days' paper pages are kept.
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    assert "papers/p10-2.html" in kept
    assert "2025/08/12/index.html" not in kept  # its "next day" link changed
    assert_same_as_clean(site)


def _generated(folder: Path) -> dict[str, bytes]:
    """The feeds, search files, sitemap and .bib files of a built site."""
    files = tree(folder)
    return {path: data for path, data in files.items()
            if path.startswith(("search/", "tags/")) and not path.endswith(".html")
            or path.endswith((".bib", ".xml", ".json", "robots.txt"))}


def test_adding_a_day_updates_feeds_search_sitemap_and_bib_as_a_clean_build(site: Path
                                                                            ) -> None:
    seed(site)
    build(site)
    before = _generated(site / "_site")
    for name in ("feed.xml", "rss.xml", "feed.json", "sitemap.xml", "robots.txt",
                 "search/manifest.json", "papers/p10-1.bib"):
        assert name in before or any(p.endswith(name) for p in before), name
    assert any(p.startswith("search/t/") for p in before)
    assert any(p.startswith("tags/vision/") and p.endswith(".xml") for p in before)
    write_paper(site, "p13-1", paper_text("Brand new day", "2025-08-13", 1,
                                          abstract="Zebrafish swim.", tags=("vision",)))
    result = build(site)
    assert result.site is not None
    after = _generated(site / "_site")
    # The new paper is in the feeds, the search index and the sitemap, and has its .bib.
    assert b"Brand new day" in after["feed.xml"] and b"Brand new day" in after["feed.json"]
    assert any(b"zebrafish" in data for path, data in after.items()
               if path.startswith("search/"))
    assert b"/sub/papers/p13-1.html" in after["sitemap.xml"]
    assert any(p.endswith("p13-1.bib") for p in after)
    changed = {p for p in after if before.get(p) != after[p]}
    assert {"feed.xml", "sitemap.xml", "search/manifest.json"} <= changed
    # The whole output, generated files included, equals a clean build.
    assert_same_as_clean(site)
    clean = _generated(site / "_clean")
    assert clean == after


def test_a_new_tag_matches_a_clean_build(site: Path) -> None:
    seed(site)
    build(site)
    write_paper(site, "p13-1", paper_text("New", "2025-08-13", 1, tags=("brand new",)))
    build(site)
    assert (site / "_site" / "tags" / "brand-new" / "index.html").exists()
    assert_same_as_clean(site)


def test_editing_removing_and_retagging_match_a_clean_build(site: Path) -> None:
    seed(site)
    build(site)
    write_paper(site, "p11-2", paper_text("Paper 11.2 renamed", "2025-08-11", 2,
                                          tags=("vision",), extra="upvotes: 5\n"))
    (site / "content" / "papers" / "p12-3.md").unlink()
    (site / "content" / "papers" / "p10-1.md").write_text(
        paper_text("Paper 10.1", "2025-08-10", 1, tags=("robots",)), encoding="utf-8")
    result = build(site)
    assert result.stats is not None and result.stats.removed > 0
    assert not (site / "_site" / "papers" / "p12-3.html").exists()
    assert not (site / "_site" / "papers" / "p12-3.bib").exists()
    assert not (site / "_site" / "tags" / "language" / "page").exists()
    assert_same_as_clean(site)


def test_a_tag_rule_change_and_an_import_match_a_clean_build(site: Path) -> None:
    """The parse cache keeps papers tagged by the `[tags]` rules: a rule added, changed or
    removed re-tags them, and the entries `sitegen import` writes (without rules) are
    tagged by the next build."""
    from sitegen.incremental.papercache import load_papers_cached
    from sitegen.incremental.statefile import cache_folder

    seed(site)
    build(site)
    config = (site / "sitegen.toml").read_text(encoding="utf-8")
    for rules in ('[tags]\nrules = { things = ["things"] }\n',
                  '[tags]\nrules = { things = ["about"] }\naliases = { vision = "sight" }\n',
                  ""):
        (site / "sitegen.toml").write_text(config + rules, encoding="utf-8")
        build(site)
        assert (site / "_site" / "tags" / "things" / "index.html").exists() == bool(rules)
        assert (site / "_site" / "tags" / "sight" / "index.html").exists() == (
            "sight" in rules)
        assert_same_as_clean(site)
    write_paper(site, "p13-1", paper_text("New things", "2025-08-13", 1))
    load_papers_cached(site, cache_folder(site) / "papers.pickle")  # as `import` does
    (site / "sitegen.toml").write_text(config + '[tags]\nrules = { things = ["things"] }\n',
                                       encoding="utf-8")
    build(site)
    assert "p13-1" in (site / "_site" / "tags" / "things" / "index.html").read_text(
        encoding="utf-8")
    assert_same_as_clean(site)


def test_template_and_config_changes_rebuild_every_page(site: Path) -> None:
    seed(site)
    build(site)
    templates = site / "templates"
    templates.mkdir()
    (templates / "paper.html").write_text(
        '{% extends "default:paper.html" %}{% block paper_extra %}<p>EXTRA</p>{% endblock %}',
        encoding="utf-8")
    build(site)
    assert b"EXTRA" in (site / "_site" / "papers" / "p11-1.html").read_bytes()
    assert_same_as_clean(site)
    config = (site / "sitegen.toml").read_text(encoding="utf-8")
    (site / "sitegen.toml").write_text(config.replace("Test Papers", "Renamed Site"),
                                       encoding="utf-8")
    build(site)
    assert b"Renamed Site" in (site / "_site" / "2025" / "08" / "10" / "index.html").read_bytes()
    assert_same_as_clean(site)


def test_no_change_build_writes_nothing_and_keeps_mtimes(site: Path) -> None:
    seed(site)
    build(site)
    build(site)  # files written in the last clock tick are trusted only after a check
    page = site / "_site" / "papers" / "p10-1.html"
    before = page.stat()
    result = build(site)
    assert result.site is None  # skipped: no input changed
    assert result.stats is not None and result.stats.written == 0
    assert page.stat().st_mtime_ns == before.st_mtime_ns
    assert page.stat().st_ino == before.st_ino


def test_hand_edited_or_deleted_output_is_restored(site: Path) -> None:
    seed(site)
    build(site)
    page = site / "_site" / "papers" / "p10-1.html"
    original = page.read_bytes()
    page.write_bytes(b"vandalised")
    (site / "_site" / "2025" / "08" / "11" / "index.html").unlink()
    result = build(site)
    assert result.site is not None  # the output changed: not skipped
    assert page.read_bytes() == original
    assert_same_as_clean(site)


def test_unchanged_files_keep_their_inode_on_a_content_change(site: Path) -> None:
    seed(site)
    build(site)
    kept_page = site / "_site" / "papers" / "p10-2.html"
    inode = kept_page.stat().st_ino
    write_paper(site, "p12-1", paper_text("Paper 12.1 edited", "2025-08-12", 1))
    build(site)
    assert kept_page.stat().st_ino == inode


def test_corrupt_cache_is_ignored(site: Path) -> None:
    seed(site)
    build(site)
    for file in (site / ".sitegen-cache").iterdir():
        file.write_bytes(b"not a pickle")
    write_paper(site, "p13-1", paper_text("Late", "2025-08-13", 1))
    build(site)
    assert_same_as_clean(site)


def test_clean_cli_flag_builds_from_scratch(site: Path, run_cli) -> None:
    seed(site)
    status, out, _ = run_cli("build", "--root", str(site))
    assert status == 0 and "built 9 papers" in out
    status, out, _ = run_cli("build", "--root", str(site), "--clean")
    assert status == 0 and "built 9 papers" in out and "(0 written" in out
    run_cli("build", "--root", str(site))
    status, out, _ = run_cli("build", "--root", str(site))
    assert status == 0 and out.startswith("up to date: 9 papers")


def test_no_change_build_still_reports_warnings(site: Path, run_cli) -> None:
    seed(site)
    write_paper(site, "odd", paper_text("Odd", "2025-08-10", 4, extra="colour: red\n"))
    for _ in range(3):
        status, _, err = run_cli("build", "--root", str(site))
        assert status == 0 and "unknown key 'colour'" in err
    status, _, err = run_cli("build", "--root", str(site), "--strict")
    assert status == 1 and "unknown key 'colour'" in err


@pytest.mark.parametrize("change", ["touch", "rewrite-same"])
def test_touching_without_changing_bytes_rewrites_nothing(site: Path, change: str) -> None:
    seed(site)
    build(site)
    paper = site / "content" / "papers" / "p11-1.md"
    if change == "touch":
        os.utime(paper, ns=(paper.stat().st_atime_ns, paper.stat().st_mtime_ns + 10**9))
    else:
        paper.write_bytes(paper.read_bytes())
    result = build(site)
    assert result.site is not None  # an input's stat changed: not skipped
    assert result.stats is not None and result.stats.written == 0
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    assert kept >= {o.path for o in result.outputs if o.path.endswith(".html")}  # .bib may be


def test_unwritable_cache_folder_is_no_error(site: Path) -> None:
    seed(site)
    (site / ".sitegen-cache").write_text("a file where the cache folder should be")
    result = build(site)
    assert result.stats is not None and result.stats.written > 0
    write_paper(site, "p13-1", paper_text("Late", "2025-08-13", 1))
    build(site)
    assert_same_as_clean(site)


def test_clean_makes_the_search_index_anew(site: Path) -> None:
    from sitegen.model import Output

    seed(site)
    build(site)
    manifest = (site / "_site" / "search" / "manifest.json").read_bytes()
    cached = list((site / ".sitegen-cache").glob("search-*.bin"))
    assert cached
    for path in cached:  # search-base.bin and search-recent.bin
        path.write_bytes(old_search_pack([Output("search/manifest.json", b"stale")]))
    build_site(load_config(site), site / "_site", clean=True)
    assert (site / "_site" / "search" / "manifest.json").read_bytes() == manifest


def test_a_new_day_makes_no_page_or_bib_entry_of_the_unchanged_days(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.render import metadata, pages

    seed(site)
    build(site)
    made_days: list[str] = []
    entries: list[str] = []
    real_jobs, real_bibtex = pages.paper_jobs, metadata.bibtex

    def paper_jobs(urls, day, *rest):
        made_days.append(day.date.isoformat())
        return real_jobs(urls, day, *rest)

    def bibtex(paper, urls):
        entries.append(paper.slug)
        return real_bibtex(paper, urls)

    monkeypatch.setattr(pages, "paper_jobs", paper_jobs)
    monkeypatch.setattr(metadata, "bibtex", bibtex)
    write_paper(site, "p13-1", paper_text("New", "2025-08-13", 1, tags=("vision",)))
    result = build(site)
    assert made_days == ["2025-08-13"]  # the old days' paper pages: kept whole
    assert set(entries) == {"p13-1"}  # its page and its .bib file
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    assert {"papers/p10-1.html", "papers/p12-3.html"} <= kept
    assert_same_as_clean(site)
    # An edited paper remakes its day's pages (its neighbours show its title) and .bib.
    made_days.clear()
    entries.clear()
    write_paper(site, "p11-2", paper_text("Paper 11.2 renamed", "2025-08-11", 2,
                                          tags=("language",)))
    build(site)
    # its neighbours' pages show its title, and so do the later days' pages listing it as
    # related (site/related.py): those days only
    assert made_days[-1] == "2025-08-11"
    for made in made_days[:-1]:
        assert any(b"p11-2.html" in page.read_bytes() for page in
                   (site / "_site" / "papers").glob(f"p{made[-2:]}-*.html"))
    assert {"p11-1", "p11-2", "p11-3"} <= set(entries)  # pages show their BibTeX
    assert {entry[1:3] for entry in entries} == {made[-2:] for made in made_days}
    assert b"Paper 11.2 renamed" in (site / "_site" / "papers" / "p11-1.html").read_bytes()
    assert_same_as_clean(site)


def test_a_page_of_a_remade_day_that_did_not_change_is_kept(site: Path) -> None:
    """A day's paper pages are remade when one paper changes; the pages that do not show
    it are kept by their fingerprints (which the group carries from build to build)."""
    seed(site)
    build(site)
    write_paper(site, "p13-1", paper_text("New", "2025-08-13", 1))
    build(site)  # day 11's group kept whole: its pages' fingerprints go on with it
    # (upvotes: what the related lists are made of stays, so 11.3's list too)
    write_paper(site, "p11-1", paper_text("Paper 11.1", "2025-08-11", 1, "About $x_1$ things.",
                                          tags=("vision",), extra="upvotes: 7\n"))
    result = build(site)
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    assert "papers/p11-3.html" in kept  # its neighbour is 11.2
    assert "papers/p11-1.html" not in kept
    assert_same_as_clean(site)


def test_reordering_a_day_matches_a_clean_build(site: Path) -> None:
    seed(site)
    build(site)
    write_paper(site, "p11-1", paper_text("Paper 11.1", "2025-08-11", 3, "About $x_1$ things.",
                                          tags=("vision",)))
    write_paper(site, "p11-3", paper_text("Paper 11.3", "2025-08-11", 1, "About $x_3$ things.",
                                          tags=("language",)))
    build(site)
    assert_same_as_clean(site)


def test_a_deleted_output_file_of_a_kept_day_is_made_again(site: Path) -> None:
    seed(site)
    build(site)
    (site / "_site" / "papers" / "p10-3.bib").unlink()
    (site / "_site" / "papers" / "p10-2.html").unlink()
    write_paper(site, "p13-1", paper_text("New", "2025-08-13", 1))
    build(site)
    assert (site / "_site" / "papers" / "p10-3.bib").exists()
    assert_same_as_clean(site)


def test_a_tag_whose_papers_did_not_change_makes_no_page_job(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag's pages are a group keyed by the tag and its papers: a new day tagged only
    "vision" makes the pages of that tag again, never those of "language"."""
    from sitegen.render import pages

    seed(site)
    build(site)
    made: list[str] = []
    real = pages.tag_jobs

    def tag_jobs(urls, tag, per_page):
        made.append(tag.name)
        return real(urls, tag, per_page)

    monkeypatch.setattr(pages, "tag_jobs", tag_jobs)
    write_paper(site, "p13-1", paper_text("New", "2025-08-13", 1, tags=("vision",)))
    result = build(site)
    assert made == ["vision"]
    kept = {o.path for o in result.outputs if type(o).__name__ == "Kept"}
    assert "tags/language/index.html" in kept
    assert_same_as_clean(site)
    made.clear()  # a paper moving from "language" to "vision" remakes both
    write_paper(site, "p12-2", paper_text("Paper 12.2", "2025-08-12", 2, tags=("vision",)))
    build(site)
    assert sorted(made) == ["language", "vision"]
    assert_same_as_clean(site)


PAGINATED = """\
[site]
title = "Test Papers"
base_url = "https://example.org/sub/"
[build]
days_per_page = 2
papers_per_page = 3
"""


def _paginated_day(site: Path, day: int, ranks: int = 3, title: str = "Paper") -> None:
    for rank in range(1, ranks + 1):
        tags = ("vision", "all") if rank % 2 else ("language", "all")
        write_paper(site, f"p{day}-{rank}", paper_text(f"{title} {day}.{rank}",
                                                       f"2025-08-{day:02d}", rank, tags=tags))


def test_numbered_list_pages_through_edits_match_a_clean_build(site: Path) -> None:
    """Numbered home and tag pages are kept by their place while the days they show are as
    the last build had them: every way an older page can change is caught."""
    (site / "sitegen.toml").write_text(PAGINATED, encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates" / "tags.html").write_text(  # the tag list shows more than counts
        '{% extends "default:tags.html" %}{% block description %}'
        '{% for tag in tags %}{{ tag.papers[0].title }}{% endfor %}{% endblock %}',
        encoding="utf-8")
    for day in range(1, 10):
        _paginated_day(site, day)
    build(site)
    papers = site / "content" / "papers"
    steps = [
        lambda: _paginated_day(site, 12),  # a new day
        lambda: _paginated_day(site, 12, title="Retitled"),  # the newest papers edited
        lambda: _paginated_day(site, 13, ranks=1),  # a new numbered page's pager
        lambda: _paginated_day(site, 2, title="Renamed"),  # old papers edited
        lambda: (papers / "p3-2.md").unlink(),  # an old paper removed: slices shift
        lambda: _paginated_day(site, 10, ranks=2),  # a day inserted before the newest
        lambda: write_paper(site, "p1-1", paper_text("Paper 1.1", "2025-08-01", 1,
                                                     tags=("robots", "all"))),  # retagged
        lambda: write_paper(site, "p4-3", paper_text("Paper 4.3", "2025-08-04", 0,
                                                     tags=("vision", "all"))),  # reordered
        lambda: [(papers / f"p5-{rank}.md").unlink() for rank in (1, 2, 3)],  # day removed
        lambda: (site / "_site" / "tags" / "all" / "page" / "2" / "index.html").unlink(),
        lambda: write_paper(site, "p1-2", paper_text("Paper 1.2", "2025-08-01", 2,
                                                     tags=("language",))),  # leaves a tag
    ]
    for step in steps:
        step()
        build(site)
        assert_same_as_clean(site)
    assert (site / "_site" / "tags" / "all" / "page" / "3" / "index.html").exists()
    assert (site / "_site" / "page" / "3" / "index.html").exists()


def test_a_new_day_makes_only_the_newest_list_pages(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day added after the others makes a tag's main page (and its newest numbered
    page, whose "newer" link may change), never the older numbered pages."""
    from sitegen.render import pages

    (site / "sitegen.toml").write_text(PAGINATED, encoding="utf-8")
    for day in range(1, 12):
        _paginated_day(site, day)
    build(site)
    made: list[tuple[str, int | None]] = []
    real_tag, real_home = pages.tag_jobs, pages.home_jobs

    def tag_jobs(urls, tag, per_page, number=None):
        made.append((tag.name, number))
        return real_tag(urls, tag, per_page, number)

    def home_jobs(urls, days, per_page, number=None):
        made.append(("home", number))
        return real_home(urls, days, per_page, number)

    monkeypatch.setattr(pages, "tag_jobs", tag_jobs)
    monkeypatch.setattr(pages, "home_jobs", home_jobs)
    for day in (12, 13, 14):
        made.clear()
        write_paper(site, f"p{day}-1", paper_text("New", f"2025-08-{day}", 1,
                                                  tags=("vision", "all")))
        build(site)
        # "all" has 34 papers or more: 10 numbered pages or more, of which at most the
        # newest (a new one: the former newest's "newer" link changes) are made
        numbered = sorted(number for name, number in made if name == "all" and number)
        assert ("all", None) in made and ("vision", None) in made
        assert ("language", None) not in made
        assert len(numbered) <= 2 and all(n >= 10 for n in numbered), made
        assert ("home", None) in made
        home = [number for name, number in made if name == "home" and number]  # 5 pages+
        assert len(home) <= 2 and all(n >= 4 for n in home), made
        assert_same_as_clean(site)
