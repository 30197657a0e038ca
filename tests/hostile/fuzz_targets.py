"""Fuzz targets for the importer and the front-matter reader, and input generators.

Each target takes raw bytes and asserts the contract: bad input is refused with a
`ContentError` or reported as a `Problem`, never another exception; what is accepted
survives the store unchanged, and its rendered HTML holds no live script. Drivers:
tests/test_fuzz.py (hypothesis, short) and bench/fuzz.py (hypothesis or atheris, long).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import strategies as st

from sitegen.commands.admit import unwritable
from sitegen.commands.importer import records_from_page
from sitegen.errors import ContentError
from sitegen.model import PAPER_KEYS
from sitegen.render.metadata import bib_escape
from sitegen.render.textrender import notes_to_html, text_with_math
from sitegen.sources.dailytext import decode_page, parse_page
from sitegen.store.papers import paper_to_text, parse_paper
from sitegen.urls import checked_output_path, paper_slug
from tests.hostile import checks, corpus, texchecks

TODAY = dt.date(2026, 11, 28)


def fuzz_import(data: bytes) -> None:
    """A Daily Papers page: refused cleanly (as a whole, or because a paper is over a limit
    of docs/content.md: `import` then writes nothing), or every paper survives the store
    exactly."""
    try:
        page = parse_page(decode_page(data, "page.txt"), "page.txt", TODAY)
    except ContentError as exc:
        assert exc.path == "page.txt" and exc.message
        return
    records = records_from_page(page)
    if any(unwritable([record]) for record in records):
        return  # the importer refuses the page, naming the paper's line
    for record in records:
        assert record.title.strip()
        slug = paper_slug(record.title)
        checked_output_path(f"papers/{slug}.html")  # raises if it could escape
        stored = parse_paper(paper_to_text(record), record.slug, "x.md")
        assert stored.paper is not None, stored.problems
        assert (stored.paper.title, stored.paper.abstract, stored.paper.links) == \
            (record.title, record.abstract, record.links)


def fuzz_front_matter(data: bytes, render: bool = True) -> None:
    """A paper file: problems, never exceptions; an accepted paper is a fixed point."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # read_paper_file reports it; covered by the hostile suite
    result = parse_paper(text, "fuzz", "fuzz.md")
    assert all(p.path == "fuzz.md" and p.message for p in result.problems)
    if result.paper is None:
        assert any(p.severity == "error" for p in result.problems)
        return
    # Writing normalises (key order, quoting, notes end with one newline); after that,
    # reading and writing again changes nothing: a re-import is a zero diff.
    text = paper_to_text(result.paper)
    again = parse_paper(text, "fuzz", "fuzz.md")
    assert again.paper is not None, again.problems
    assert replace(again.paper, notes="") == replace(result.paper, notes=""), again.paper
    assert again.paper.notes.strip("\n") == result.paper.notes.strip("\n")
    assert paper_to_text(again.paper) == text
    assert not [p for p in again.problems if p.severity == "error"]
    if render:
        paper = result.paper
        html = "".join([text_with_math(paper.title), text_with_math(paper.abstract),
                        notes_to_html(paper.notes)])
        assert checks.live_script_problems(f"<!doctype html><body>{html}") == []


def fuzz_render(data: bytes) -> None:
    """Abstract math and Markdown notes of any text: no exception, no live script; as a
    BibTeX field, no TeX a citing document would run (issue 20)."""
    text = data.decode("utf-8", "replace")
    html = text_with_math(text) + notes_to_html(text)
    assert checks.live_script_problems(f"<!doctype html><body>{html}") == []
    assert texchecks.tex_problems(bib_escape(text), "field") == []


# --- hypothesis generators: structured enough to reach deep code, hostile enough to hurt ---

_payload = st.sampled_from([text for _, text in corpus.PAYLOADS] + corpus.HOSTILE_LINKS)
_noise = st.text(max_size=40)
_fragment = st.one_of(_payload, _noise, st.sampled_from([
    "Aug 11", "Aug 11, 2025", "Feb 29", "Daily Papers", "Subscribe", "new", "---", "...",
    "$x^2$", "$$\\frac{a}{b}$$", "$5 and $10", "https://github.com/a/b.", "(https://x.org/a)",
    "> quote", "- item", "1. item", "```", "    code", "<div>", "*", "_", "[", "](", "\\",
    *corpus.TEX_PAYLOADS, "$\\", "\\input", "^^5c", "$\\alpha$", "$\\{$", "}", "{", "%", "#",
]))
_line = st.lists(_fragment, min_size=1, max_size=4).map(" ".join)
page_texts = st.lists(st.one_of(_line, st.just("")), min_size=1, max_size=40).map("\n".join)

_value = st.one_of(
    _payload.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    _payload.map(lambda s: "'" + s.replace("'", "''") + "'"),
    _line, st.sampled_from(["2025-08-11", "'2408.01234'", "2408.01234", "12", "-1", "1e999",
                            "[a, b]", "{a: b}", "null", "~", "yes", "!!str x", "&a x", "*a",
                            "!!python/object:os.system x", "|\n  block\n  text", ">-\n  folded",
                            "\n  - x\n  - y", '"\\x07\\u202e\\ud800"', "2025-13-45"]),
)
_key = st.one_of(st.sampled_from(PAPER_KEYS), st.sampled_from(["extra", "Title", "<b>"]))
_front = st.lists(st.tuples(_key, _value), max_size=12).map(
    lambda items: "".join(f"{k}: {v}\n" for k, v in items))
paper_texts = st.builds(
    lambda must, front, notes, closing: f"---\n{must}{front}{closing}{notes}",
    st.sampled_from(["title: T\ndate: 2025-08-11\n", "title: T\n", ""]),
    _front, page_texts, st.sampled_from(["---\n", "---", "", "--- \n", "...\n---\n"]))
raw_bytes = st.binary(max_size=400)
