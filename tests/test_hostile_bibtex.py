"""Issue 20, item 2: no `.bib` file the build writes carries TeX a citing document would
run. TeX payloads (`tests/hostile/corpus.TEX_PAYLOADS`) arrive as titles and authors from
a hand-written paper file, an imported page, the HF API and the arXiv API (stand-ins on
127.0.0.1); every `.bib` of the built site is then read as TeX would read it and parsed
by pybtex (`tests/hostile/texchecks.py`)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import yaml
from conftest import require
from fetchfakes import StandIn

from sitegen.render.metadata import bib_escape, bibtex
from sitegen.render.texsafe import is_safe_math
from sitegen.sources import http as source_http
from tests.hostile.corpus import TEX_PAYLOADS
from tests.hostile.texchecks import bibtex_problems, tex_problems


def _pybtex() -> None:
    try:
        import pybtex  # noqa: F401
    except ImportError:
        require(False, "pybtex is not installed (pip install -e '.[test]')")


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_http, "default_sleep", lambda seconds: None)


def test_the_checker_catches_each_payload_as_written() -> None:
    # positive control: the raw payloads (the old `.bib` output) are all flagged
    for text in TEX_PAYLOADS[:-1]:
        assert tex_problems(text, "raw"), text
    assert tex_problems(TEX_PAYLOADS[-1], "raw") == []


@pytest.mark.parametrize("text", TEX_PAYLOADS)
def test_bib_escape_keeps_only_inert_math(text: str) -> None:
    assert tex_problems(bib_escape(text), "field") == []


def test_safe_math_is_kept_as_tex_and_unsafe_math_shown_as_text() -> None:
    assert bib_escape(r"A $\alpha$ and $O(n^2)$") == r"A $\alpha$ and $O(n^2)$"
    assert bib_escape(r"$\input{x}$") == r"\$\textbackslash{}input\textbraceleft{}x" \
        r"\textbraceright{}\$"
    assert is_safe_math(r"\{x\}") and not is_safe_math(r"\}\{")  # BibTeX counts `\{`
    assert not is_safe_math(r"a^^5c") and not is_safe_math("a\\\\b")


def _hostile_paper_files(root: Path) -> None:
    papers = root / "content" / "papers"
    for index, text in enumerate(TEX_PAYLOADS):
        data = {"title": text, "date": "2026-08-10", "authors": [text, "Ada Lovelace"],
                "abstract": text}
        (papers / f"tex-{index:02d}.md").write_text(
            "---\n" + yaml.safe_dump(data, allow_unicode=True, width=1 << 20) + "---\n",
            encoding="utf-8")


def _page() -> str:
    lines = ["Aug 12, 2026", ""]
    for index, text in enumerate(TEX_PAYLOADS):
        lines += [f"Imported {index}: {text}", "", f"An abstract. {text}. Two sentences.", ""]
    return "\n".join(lines)


def _hf_items() -> bytes:
    return json.dumps([{"paper": {"id": f"2608.{n:05d}", "title": f"HF {n}: {text}",
                                  "summary": text, "authors": [{"name": text}]}}
                       for n, text in enumerate(TEX_PAYLOADS)]).encode()


def _atom() -> bytes:
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/2609.{n:05d}v1</id><title>arXiv {n}: "
        f"{escape(text)}</title><summary>{escape(text)}</summary><published>"
        f"2026-08-13T10:00:00Z</published><author><name>{escape(text)}</name></author>"
        "</entry>" for n, text in enumerate(TEX_PAYLOADS))
    return ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch='
            '"http://a9.com/-/spec/opensearch/1.1/"><opensearch:totalResults>'
            f"{len(TEX_PAYLOADS)}</opensearch:totalResults>{entries}</feed>").encode()


def test_every_bib_file_is_safe_from_every_source(site: Path, run_cli) -> None:
    _pybtex()
    _hostile_paper_files(site)
    page = site.parent / "page.txt"
    page.write_text(_page(), encoding="utf-8")
    assert run_cli("import", str(page), "--root", str(site))[0] == 0

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        if path == "/api/daily_papers":
            return 200, {}, _hf_items() if query["p"] == "0" else b"[]"
        return 200, {"Content-Type": "application/atom+xml"}, _atom()

    with StandIn(routes).running() as url:
        for args in (("hf", "--date", "2026-08-11"), ("arxiv", "--query", "all:x")):
            status, _, err = run_cli("fetch", *args, "--api-url", url, "--root", str(site),
                                     "--no-cache")
            assert status == 0, err
    status, _, err = run_cli("build", "--root", str(site))
    assert status == 0, err
    bibs = sorted((site / "_site").rglob("*.bib"))
    # file, page, HF, arXiv: one entry each (and the bulk files of days, weeks, tags)
    assert len([bib for bib in bibs if bib.parent.name == "papers"]) == 4 * len(TEX_PAYLOADS)
    assert any(bib.name == "papers.bib" for bib in bibs)
    problems = [p for bib in bibs for p in bibtex_problems(bib.read_bytes(), bib.name)]
    assert problems == []
    safe = (site / "_site" / "papers" / f"tex-{len(TEX_PAYLOADS) - 1:02d}.bib").read_text()
    assert r"$\alpha^2 + \frac{1}{2}\sum_{i}x_i$" in safe  # safe math is kept as TeX


def test_the_bib_checker_fails_on_the_old_output() -> None:
    # what `bibtex` wrote before the allow-list: the formula passed through as it was
    _pybtex()
    old = "@misc{x,\n  title = {Attention $\\input{/etc/hostname}$},\n  year = {2026}\n}\n"
    assert any("\\input" in p for p in bibtex_problems(old.encode(), "old.bib"))
    injected = "@misc{x,\n  title = {a}, note = {b},\n  year = {2026}\n}\n"
    assert any("never writes" in p for p in bibtex_problems(injected.encode(), "x.bib"))


def test_a_paper_entry_parses_with_its_fields(site: Path) -> None:
    _pybtex()
    import datetime as dt

    from sitegen.model import Paper
    from sitegen.urls import Urls
    paper = Paper(slug="x", title=TEX_PAYLOADS[11], date=dt.date(2026, 8, 11),
                  authors=(TEX_PAYLOADS[12], "Smith, John"), arxiv_id="2608.00001")
    entry = bibtex(paper, Urls("https://example.org/sub/"))
    assert bibtex_problems(entry.encode(), "x.bib") == []
