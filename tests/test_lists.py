"""Reading lists: content/lists/<name>.md read with lines (store/lists.py), resolved
against the store (site/lists.py), shown as pages, a feed and bulk citation files
(render/lists.py), named on their papers' pages; bad files are problems, not tracebacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest
import yaml
from citechecks import strict_bibtex, strict_ris
from feedtools import atom_grammar_problems

from sitegen.model import Paper
from sitegen.site.lists import lists_by_paper, resolve_lists
from sitegen.store.lists import LISTS_DIR, load_lists, parse_list

GOOD = """\
---
title: Reading group <b>
sessions:
- date: 2025-08-12
  presenter: Ada & Co
  papers: [2508.00001v2, p-two]
  notes: We read *this*. <script>alert(1)</script>
- date: 2025-08-12
  papers:
  - arXiv:2508.00001
---
The **intro**. <img src=x onerror=alert(1)>
"""


def _list(text: str, name: str = "group.md"):
    from sitegen.store.lists import _Problems

    bad = _Problems(f"content/lists/{name}")
    return parse_list(text, "group", bad.path, bad), bad.found


def test_a_list_file_is_read_with_the_line_of_each_reference() -> None:
    found, problems = _list(GOOD)
    assert problems == [] and found is not None
    assert found.title == "Reading group <b>"
    first, second = found.sessions
    assert first.date == dt.date(2025, 8, 12) and first.presenter == "Ada & Co"
    assert [(ref.text, ref.line) for ref in first.papers] == [("2508.00001v2", 6),
                                                             ("p-two", 6)]
    assert [(ref.text, ref.line) for ref in second.papers] == [("arXiv:2508.00001", 10)]
    assert (first.line, second.line) == (4, 8)
    assert found.intro.startswith("The **intro**")


def test_ids_keep_their_text_as_written() -> None:
    found, _ = _list("---\ntitle: T\nsessions:\n- date: 2025-08-12\n  papers: [2508.10200]\n---\n")
    assert found is not None and found.sessions[0].papers[0].text == "2508.10200"  # no float


@pytest.mark.parametrize(("text", "line", "message"), [
    ("---\ntitle: T\n", 1, "front matter is not closed"),
    ("no front matter\n", 1, "no front matter"),
    ("---\ntitle: [a\n---\n", 3, "not valid YAML"),
    ("---\n- a\n- b\n---\n", 1, "must be a mapping"),
    ("---\nsessions: []\n---\n", 2, "'title' is missing"),
    ("---\ntitle: T\nowner: me\n---\n", 3, "unknown key 'owner'"),
    ("---\ntitle: T\ntitle: U\n---\n", 3, "given twice"),
    ("---\ntitle: {a: 1}\n---\n", 2, "must be text"),
    ("---\ntitle: T\nsessions: nope\n---\n", 3, "must be a list of sessions"),
    ("---\ntitle: T\nsessions:\n- just text\n---\n", 4, "a session must be a mapping"),
    ("---\ntitle: T\nsessions:\n- presenter: A\n---\n", 4, "'date' is missing"),
    ("---\ntitle: T\nsessions:\n- date: 2025-02-30\n---\n", 4, "is not a date"),
    ("---\ntitle: T\nsessions:\n- date: 2025-02-03\n  papers: 2508.00001\n---\n", 5,
     "'papers' must be a list"),
    ("---\ntitle: T\nsessions:\n- date: 2025-02-03\n  papers: [[a]]\n---\n", 5,
     "must be text"),
    ("---\ntitle: T\nsessions:\n- date: 2025-02-03\n  room: 4\n---\n", 5, "unknown key 'room'"),
    ("---\ntitle: &a T\nsessions:\n- date: 2025-02-03\n  notes: *a\n---\n", 5, "aliases"),
])
def test_bad_front_matter_is_a_problem_with_its_line(text: str, line: int, message: str
                                                     ) -> None:
    found, problems = _list(text)
    assert found is None
    assert any(p.line == line and message in p.message and p.severity == "error"
               for p in problems), problems
    assert all(p.path == "content/lists/group.md" for p in problems)


def test_limits_and_control_characters() -> None:
    found, problems = _list("---\ntitle: \"T\\x07\"\n---\nIntro\x01\n")
    assert found is not None and found.title == "T" and found.intro == "Intro\n"
    assert [p.severity for p in problems] == ["warning", "warning"]
    refs = ", ".join(f"2508.{i:05d}" for i in range(201))
    _, problems = _list(f"---\ntitle: T\nsessions:\n- date: 2025-02-03\n  papers: [{refs}]\n---\n")
    assert any("more than 200 papers" in p.message for p in problems)


def _paper(slug: str, arxiv_id: str | None = None) -> Paper:
    return Paper(slug=slug, title=slug.upper(), date=dt.date(2025, 8, 11), arxiv_id=arxiv_id)


def test_references_resolve_by_id_or_slug_and_missing_ones_name_their_line() -> None:
    found, _ = _list(GOOD)
    assert found is not None
    papers = [_paper("2508.00001", "2508.00001"), _paper("p-two")]
    (reading,), problems = resolve_lists([found], papers)
    assert problems == []
    assert [p.slug for p in reading.sessions[0].papers] == ["2508.00001", "p-two"]
    assert [p.slug for p in reading.papers] == ["2508.00001", "p-two"]  # each once
    assert lists_by_paper([reading])["p-two"][0].slug == "group"
    (reading,), problems = resolve_lists([found], papers[1:])
    assert [(p.line, p.message, p.hint) for p in problems] == [
        (6, "paper '2508.00001v2' is not in the store",
         "add it to the store with `sitegen add 2508.00001`"),
        (10, "paper 'arXiv:2508.00001' is not in the store",
         "add it to the store with `sitegen add 2508.00001`")]
    found, _ = _list("---\ntitle: T\nsessions:\n- date: 2025-02-03\n  papers: [nope]\n---\n")
    _, problems = resolve_lists([found], papers)
    assert "content/papers/" in (problems[0].hint or "")


@pytest.mark.parametrize("name", ["-.md", "_.md", "中文.md"])
def test_file_names_without_a_url_are_refused(tmp_path: Path, name: str) -> None:
    folder = tmp_path / LISTS_DIR
    folder.mkdir(parents=True)
    (folder / name).write_text(GOOD, encoding="utf-8")
    lists, problems = load_lists(tmp_path)
    assert lists == [] and "no ASCII letter or digit" in problems[0].message


def test_file_names_are_slugged_and_collisions_refused(tmp_path: Path) -> None:
    folder = tmp_path / LISTS_DIR
    folder.mkdir(parents=True)
    for name in ("My Group!.md", "my-group.md", "Über..Liste.md"):
        (folder / name).write_text(GOOD, encoding="utf-8")
    (folder / "outside.md").symlink_to(tmp_path / "secret.md")
    (tmp_path / "secret.md").write_text(GOOD, encoding="utf-8")
    lists, problems = load_lists(tmp_path)
    assert [found.slug for found in lists] == ["my-group", "uber-liste"]
    messages = sorted(p.message for p in problems)
    assert any("same URL, lists/my-group/" in m for m in messages)
    assert any("outside the lists folder" in m for m in messages)


def _write_site(root: Path, list_text: str) -> None:
    for index in range(3):
        data = {"title": f"Paper {index}", "date": "2025-08-11", "id": f"2508.{index:05d}",
                "authors": ["Ada Lovelace"]}
        (root / "content" / "papers" / f"2508.{index:05d}.md").write_text(
            "---\n" + yaml.safe_dump(data) + "---\n", encoding="utf-8")
    (root / LISTS_DIR).mkdir(parents=True, exist_ok=True)
    (root / LISTS_DIR / "group.md").write_text(list_text, encoding="utf-8")


LIST = """\
---
title: Group
sessions:
- date: 2025-08-12
  presenter: Ada
  papers: [2508.00000, 2508.00001]
- date: 2025-08-19
  papers: [2508.00001]
---
Intro.
"""


def test_a_list_gives_its_page_feed_and_citation_files(site: Path, run_cli) -> None:
    _write_site(site, LIST)
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    out = site / "_site"
    page = (out / "lists/group/index.html").read_text(encoding="utf-8")
    assert page.count('class="Z3988"') == 3 and 'id="2025-08-19"' in page
    assert 'href="/sub/lists/group/papers.bib"' in page
    assert "/sub/lists/" in (out / "index.html").read_text(encoding="utf-8")  # header link
    assert 'href="/sub/lists/group/"' in (out / "lists/index.html").read_text(encoding="utf-8")
    assert len(strict_bibtex((out / "lists/group/papers.bib").read_text("utf-8"))) == 2
    assert len(strict_ris((out / "lists/group/papers.ris").read_text("utf-8"))) == 2
    feed = feedparser.parse((out / "lists/group/feed.xml").read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    assert atom_grammar_problems((out / "lists/group/feed.xml").read_bytes()) == []
    assert [e.id for e in feed.entries] == ["https://example.org/sub/lists/group/#2025-08-19",
                                           "https://example.org/sub/lists/group/#2025-08-12"]
    assert "2508.00000.html" in feed.entries[1].content[0].value
    on = (out / "papers/2508.00001.html").read_text(encoding="utf-8")
    assert 'class="on-lists"' in on and 'href="/sub/lists/group/"' in on
    assert 'class="on-lists"' not in (out / "papers/2508.00002.html").read_text("utf-8")


def test_a_list_edit_remakes_exactly_the_pages_it_affects(site: Path, run_cli) -> None:
    _write_site(site, LIST)
    assert run_cli("build", cwd=site)[0] == 0
    out = site / "_site"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (site / LISTS_DIR / "group.md").write_text(LIST.replace("[2508.00001]", "[2508.00002]"),
                                              encoding="utf-8")
    assert run_cli("build", cwd=site)[0] == 0
    changed = sorted(p.relative_to(out).as_posix() for p, data in before.items()
                     if p.read_bytes() != data)
    assert "papers/2508.00002.html" in changed and "papers/2508.00000.html" not in changed
    assert "lists/group/index.html" in changed and "lists/group/feed.xml" in changed
    assert "lists/group/papers.bib" in changed
    assert not any(path.startswith(("2025/", "tags/", "search/")) for path in changed)
    # and the incremental result is a clean build's
    clean = site.parent / "clean"
    assert run_cli("build", "--clean", "--out", str(clean), cwd=site)[0] == 0
    assert {p.relative_to(clean).as_posix(): p.read_bytes() for p in clean.rglob("*")
            if p.is_file() and ".sitegen" not in p.name} == {
        p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
        if p.is_file() and ".sitegen" not in p.name}


def test_a_missing_paper_stops_the_build_naming_file_and_line(site: Path, run_cli) -> None:
    _write_site(site, LIST.replace("2508.00001]\n---", "2508.09999]\n---"))
    status, out, err = run_cli("build", cwd=site)
    assert status != 0
    assert ("content/lists/group.md:8: error: paper '2508.09999' is not in the store "
            "(add it to the store with `sitegen add 2508.09999`)") in err + out
    assert "Traceback" not in err + out
    status, out, err = run_cli("check", cwd=site)
    assert status != 0 and "content/lists/group.md:8" in err + out


HOSTILE = """\
---
title: Group <script>alert(1)</script>
sessions:
- date: 2025-08-12
  presenter: <img src=x onerror=alert(1)>
  papers: [2508.00000]
  notes: "[click](javascript:alert(1)) <script>alert(2)</script> <b onclick=x>b</b>"
---
Intro <iframe src=//evil.example></iframe> [rel](../2025/)
"""


def test_hostile_list_text_is_escaped_on_the_page_and_in_the_feed(site: Path, run_cli
                                                                    ) -> None:
    _write_site(site, HOSTILE)
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    out = site / "_site"
    for rel in ("lists/group/index.html", "lists/index.html", "papers/2508.00000.html"):
        page = (out / rel).read_text(encoding="utf-8")
        for bad in ("<script>alert", "<img src=x", "javascript:", "<iframe", "onclick"):
            assert bad not in page, (rel, bad)
        assert "Group &lt;script&gt;" in page
    feed = (out / "lists/group/feed.xml").read_text(encoding="utf-8")
    parsed = feedparser.parse(feed.encode("utf-8"))
    assert not parsed.bozo and atom_grammar_problems(feed.encode("utf-8")) == []
    content = parsed.entries[0].content[0].value
    for bad in ("<script", "<img", "javascript:", "onclick"):
        assert bad not in content.lower(), bad
    assert "&lt;img src=x onerror" in content  # the presenter shown as text
    assert parsed.entries[0].author == "<img src=x onerror=alert(1)>"  # text, not markup
    assert "&lt;img" in feed and "<img src=x" not in feed


def test_the_first_list_added_and_the_last_removed_match_a_clean_build(site: Path, run_cli
                                                                       ) -> None:
    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and ".sitegen" not in p.as_posix()}

    _write_site(site, LIST)
    (site / LISTS_DIR / "group.md").unlink()
    assert run_cli("build", cwd=site)[0] == 0
    out = site / "_site"
    assert "/sub/lists/" not in (out / "index.html").read_text(encoding="utf-8")
    for step, clean in (("add", site.parent / "clean-add"), ("remove", site.parent / "clean-rm")):
        if step == "add":
            (site / LISTS_DIR / "group.md").write_text(LIST, encoding="utf-8")
        else:
            (site / LISTS_DIR / "group.md").unlink()
        assert run_cli("build", cwd=site)[0] == 0
        assert run_cli("build", "--clean", "--out", str(clean), cwd=site)[0] == 0
        assert files(out) == files(clean), step
        sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
        header = (out / "2025/08/11/index.html").read_text(encoding="utf-8")
        if step == "add":
            assert "/sub/lists/" in header
            assert "https://example.org/sub/lists/group/</loc>" in sitemap
        else:
            assert "/sub/lists/" not in header and "lists/" not in sitemap
            assert not (out / "lists").exists()
