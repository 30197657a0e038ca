"""The content store: paper files round-trip, key order, validation with line numbers;
the papers folder read and written (store/frontmatter, paperfile, papers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.model import PAPER_KEYS, Paper
from sitegen.store.paperfile import paper_to_text, parse_paper
from sitegen.store.papers import load_papers, write_papers
from tests.conftest import papers_with_links, write_paper

FULL = Paper(slug="2408.01234", title="A: Title with 'quotes' & <tags>", date=dt.date(2025, 8, 11),
             abstract="Line one with $x_1$.\nLine two.", authors=("Ada", "Bob"),
             arxiv_id="2408.01234", rank=3, published=dt.date(2025, 8, 9), tags=("llm",),
             links=("https://github.com/a/b",), upvotes=12, comments=2, github_stars=5,
             ai_keywords=("k1",), categories=("cs.CL",), source="hf", notes="My *notes*.\n")


def test_round_trip_is_exact_and_keys_are_in_order():
    text = paper_to_text(FULL)
    again = parse_paper(text, FULL.slug, "x.md")
    assert again.problems == ()
    assert again.paper == FULL
    assert paper_to_text(again.paper) == text
    front = text.split("---\n")[1]
    keys = [line.split(":")[0] for line in front.splitlines() if line[:1].isalpha()]
    assert keys == [k for k in PAPER_KEYS if k in keys]
    assert "id: '2408.01234'" in text  # quoted, so YAML does not read a number


def test_numeric_id_is_an_error_with_its_line():
    result = parse_paper("---\ntitle: T\nid: 2408.10\ndate: 2025-01-01\n---\n", "s", "p.md")
    assert result.paper is None
    (problem,) = result.problems
    assert problem.line == 3 and "quote" in (problem.hint or "")


def test_broken_yaml_names_the_line():
    result = parse_paper("---\ntitle: T\ndate: 2025-01-01\nauthors: [a, b\n---\n", "s", "p.md")
    assert result.paper is None
    assert result.problems[0].line is not None and result.problems[0].line >= 4
    assert "YAML" in result.problems[0].message


def test_missing_title_and_date_are_both_reported():
    result = parse_paper("---\nabstract: x\n---\n", "s", "p.md")
    messages = " ".join(p.message for p in result.problems)
    assert "title" in messages and "date" in messages


def test_unknown_key_is_a_warning_and_bad_links_are_dropped():
    result = parse_paper("---\ntitle: T\ndate: 2025-01-01\ncolour: red\nlinks:\n"
                         "- javascript:alert(1)\n- https://ok.example/\n---\n", "s", "p.md")
    assert result.paper is not None
    assert result.paper.links == ("https://ok.example/",)
    assert sorted(p.severity for p in result.problems) == ["warning", "warning"]


def test_no_front_matter():
    result = parse_paper("just text\n", "s", "p.md")
    assert result.paper is None and "front matter" in result.problems[0].message


def test_load_papers_reports_duplicate_ids(site):
    for slug in ("one", "two"):
        write_paper(site, slug, f"---\nid: '2408.01234'\ntitle: {slug}\ndate: 2025-01-01\n---\n")
    papers, problems = load_papers(site)
    assert len(papers) == 1
    assert "duplicate id" in problems[0].message


def test_write_papers_skips_unchanged_files(site):
    assert len(write_papers(site, [FULL])) == 1
    assert write_papers(site, [FULL]) == []


# Control characters are removed on reading (textclean.py), so they are not generated here.
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                | st.sampled_from("\t\n\r"),
                max_size=60)


@settings(max_examples=80, deadline=None)
@given(title=_text.filter(lambda s: s.strip()), abstract=_text,
       authors=st.lists(_text.filter(lambda s: s.strip()), max_size=3),
       notes=_text)
def test_any_text_survives_the_store(title, abstract, authors, notes):
    paper = Paper(slug="x", title=title, date=dt.date(2025, 1, 2), abstract=abstract,
                  authors=tuple(authors), notes=notes.strip("\n") + "\n" if notes.strip("\n")
                  else "")
    again = parse_paper(paper_to_text(paper), "x", "x.md").paper
    assert again is not None
    assert (again.title, again.abstract, again.authors) == (title, abstract, tuple(authors))


def test_impossible_dates_are_problems_with_their_line_not_crashes():
    # Found by fuzzing: YAML reads `2025-13-45` as a date and raises ValueError.
    for text, line in (("---\ntitle: T\ndate: 2025-02-30\n---\n", 3),
                       ("---\ntitle: T\ndate: 2025-08-11\nid: 2025-13-45\n---\n", 4)):
        result = parse_paper(text, "s", "p.md")
        assert result.paper is None
        assert result.problems[0].line == line and "impossible" in result.problems[0].message


def test_yaml_aliases_and_tags_are_refused_clearly():
    alias = parse_paper("---\ntitle: &t T\ndate: 2025-08-11\nabstract: *t\n---\n", "s", "p.md")
    assert alias.paper is None and "alias" in alias.problems[0].message
    assert alias.problems[0].line == 4
    tag = parse_paper("---\ntitle: !!python/object/apply:os.system [ls]\ndate: 2025-08-11\n---\n",
                      "s", "p.md")
    assert tag.paper is None and "tags are not allowed" in (tag.problems[0].hint or "")
    # A `*` inside text is not an alias.
    assert parse_paper("---\ntitle: a *b* c\ndate: 2025-08-11\n---\n", "s", "p.md").paper


def test_the_front_matter_loader_is_a_safe_loader():
    import yaml

    from sitegen.store import frontmatter
    assert issubclass(frontmatter._Loader, (yaml.SafeLoader, yaml.CSafeLoader)) or \
        frontmatter._Loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None))
    package = Path(frontmatter.__file__).parent.parent
    for module in package.rglob("*.py"):  # front matter is read by `load_yaml` alone
        source = module.read_text(encoding="utf-8")
        assert "yaml.load(" not in source and "yaml.unsafe_load" not in source, module
        assert module.name == "frontmatter.py" or "_Loader(" not in source, module
    source = Path(frontmatter.__file__).read_text(encoding="utf-8")
    assert source.count("_Loader(") == 1 and "loader = _Loader(text)" in source


def test_shared_values_are_written_out_not_as_aliases():
    day = dt.date(2025, 8, 11)
    names = ("Ada",)
    paper = Paper(slug="x", title="T", date=day, published=day, updated=day, authors=names,
                  ai_keywords=names)
    text = paper_to_text(paper)
    assert "&id" not in text and "*id" not in text
    assert parse_paper(text, "x", "x.md").paper == paper


def test_no_aliases_from_either_dumper():
    # The libyaml dumper (plain text) and the pure-Python one (text libyaml escapes
    # differently, here a character outside the BMP) must both write shared values out.
    day = dt.date(2025, 8, 11)
    for title in ("Plain", "Emoji \U0001F600"):
        paper = Paper(slug="x", title=title, date=day, published=day, tags=("a",),
                      ai_keywords=("a",))
        paper = replace(paper, ai_keywords=paper.tags)
        text = paper_to_text(paper)
        assert "&id" not in text and "*id" not in text, text
        assert parse_paper(text, "x", "x.md").paper == paper


# -- the fast paths of loading give what the general ones give -------------------------

def _split_by_lines(text: str, path: str) -> tuple[str, str, int] | str:
    """split_front_matter's general path, as it was before the fast path: the reference."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return "no front matter"
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip("\r\n") == "---":
            return "".join(lines[1:number - 1]), "".join(lines[number:]), number + 1
    return "front matter is not closed"


_PIECES = ["---", "\n", "\r\n", "\r", "\x85", "\u2028", "\x0b", "a: b", " ", "-", "\ufeff", "x"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_splitting_front_matter_is_the_same_on_the_fast_path(pieces):
    from sitegen.errors import ContentError
    from sitegen.store.frontmatter import split_front_matter
    for text in ("".join(pieces), "---\n" + "".join(pieces)):
        try:
            got: tuple[str, str, int] | str = split_front_matter(text, "p.md")
        except ContentError as exc:
            got = exc.message
        assert got == _split_by_lines(text, "p.md"), repr(text)


_YAML_DOCS = [
    "", "title: T\n", "title: 'a: b'\ndate: 2025-08-11\nrank: 3\n", "- a\n- b\n", "just text\n",
    "authors:\n- Ada\n- 12\n- 2025-01-01\n- null\n", "tags: []\nlinks: [a, 'b']\n",
    "title: yes\ncount: 0x10\nf: 1.5e3\nn: ~\n", "? [a]\n: b\n", "<<: {a: 1}\nb: 2\n",
    "x: !!str 12\ny: !!int '7'\n", "a: 1\na: 2\n", "a:\n  b: [c, {d: e}]\n",
    "title: |\n  two\n  lines\n", "12: twelve\n", "t: !!python/object:os.system x\n",
    "d: 2025-13-45\n", "a: [b\n", "a: 1\n---\nb: 2\n", "s: !!str [a]\n", "l: !!seq [a, 1]\n",
    "abstract: \"\\u2028 \\x85 \\t tab\"\n", "null: x\ntrue: y\n", "'': empty key\n",
]


@pytest.mark.parametrize("text", _YAML_DOCS)
def test_load_yaml_gives_what_the_safe_loader_gives(text):
    import yaml

    from sitegen.store.frontmatter import _Loader, load_yaml

    def outcome(load):
        try:
            return "ok", load(text)
        except yaml.YAMLError as exc:
            return "yaml", str(exc)
        except ValueError as exc:
            return "value", str(exc)

    expected = outcome(lambda t: yaml.load(t, Loader=_Loader))  # noqa: S506 - the safe one
    assert repr(outcome(load_yaml)) == repr(expected)  # repr: True and 1 are equal, not alike


def test_a_symlinked_paper_file_inside_the_folder_is_read_and_one_outside_is_not(site):
    write_paper(site, "real", "---\ntitle: Real\ndate: 2025-08-11\n---\n")
    papers_with_links(site)
    papers, problems = load_papers(site)
    assert sorted(p.slug for p in papers) == ["alias", "real"]
    assert [(p.path, "outside the papers folder" in p.message) for p in problems] == [
        ("content/papers/out.md", True)]


def test_the_store_and_the_site_import_nothing_that_wraps_them():
    """test_layout's stage rule, for the two stages that hold it already: the store reads
    and writes paper files, the parse cache wraps it (incremental/papercache.py)."""
    from tests.test_layout import MODULES, WRAPPERS, _sitegen_deps

    def folder(module: str) -> str:
        return (module.split(".") + [""])[1]

    bad = [f"{name} -> {dep}" for name in MODULES if folder(name) in ("store", "site")
           for dep in _sitegen_deps(name, typing=True) if folder(dep) in WRAPPERS]
    assert bad == []
