"""`sitegen add ID...` (commands/add.py), `fetch hf --complete` (commands/complete.py),
`fetch hf --with-arxiv` (commands/arxivdata.py) and `sitegen fetch` with no source
(commands/daily.py), through stand-in servers on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from labfakes import LabApis, lab_config, write_config

from sitegen.commands.add import parse_id
from sitegen.sources import http as source_http
from sitegen.store.papers import load_papers

CIF = ("CIF-Bench: A Chinese Instruction-Following Benchmark for Evaluating the "
       "Generalizability of Large Language Models")


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_http, "default_sleep", lambda seconds: None)


def papers(root: Path) -> dict:
    return {p.arxiv_id or p.slug: p for p in load_papers(root)[0]}


@pytest.mark.parametrize("text, expected", [
    ("2401.00001", "2401.00001"), ("2401.00001v3", "2401.00001"),
    ("arXiv:2401.00001v2", "2401.00001"), ("https://arxiv.org/abs/2401.00001v2", "2401.00001"),
    ("https://arxiv.org/pdf/2401.00001.pdf", "2401.00001"),
    ("https://huggingface.co/papers/2401.00001", "2401.00001"),
    ("hep-th/9901001", "hep-th/9901001"), ("24.1", None), ("../etc/passwd", None),
    ("https://evil.example/abs/2401.00001", None),
])
def test_ids_are_read_from_the_forms_people_paste(text: str, expected: str | None):
    assert parse_id(text) == expected


def test_add_takes_hf_first_then_arxiv_and_files_the_papers_today(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, '[select]\ninclude = ["nothing matches this"]\n'))
        status, out, err = run_cli("add", "arXiv:2609.30001v1", "2609.10004", "--tag",
                                   "Reading Group", "--note", "Discussed on Friday.",
                                   "--root", str(site))
    assert status == 0, err
    stored = papers(site)
    hf, ax = stored["2609.30001"], stored["2609.10004"]
    assert hf.upvotes == 5 and hf.authors == ("Mei Lin", "Hedy Lamarr")  # from HF
    assert ax.comment is None and ax.categories == ("cs.CV", "cs.CL")  # from arXiv
    for paper in (hf, ax):
        assert paper.date == dt.date(2026, 11, 28) and paper.source == "added"
        assert paper.tags == ("Reading Group",) and paper.notes.strip() == "Discussed on Friday."
    assert "/api/papers/2609.10004" in apis.seen  # HF was asked first: 404
    assert "2 kept, 0 dropped" in out  # chosen by hand: kept whatever [select] says
    # Adding again changes nothing: the tag and note are there already.
    with apis.running() as url:
        write_config(site, lab_config(url))
        before = {f: f.read_bytes() for f in (site / "content" / "papers").iterdir()}
        status, out, _ = run_cli("add", "2609.30001", "--tag", "Reading Group", "--note",
                                 "Discussed on Friday.", "--date", "2026-12-01",
                                 "--root", str(site))
    assert status == 0 and "0 paper file(s) written" in out
    assert {f: f.read_bytes() for f in (site / "content" / "papers").iterdir()} == before


def test_an_unknown_id_is_an_error_and_the_others_are_added(site: Path, run_cli):
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url))
        status, _, err = run_cli("add", "2609.99999", "2609.10001", "--root", str(site))
    assert status == 1 and "2609.99999: error: neither Hugging Face nor arXiv knows" in err
    assert set(papers(site)) == {"2609.10001"}


def test_a_bad_id_is_a_usage_error(site: Path, run_cli):
    status, _, err = run_cli("add", "not-an-id", "--root", str(site))
    assert status == 2 and "not an arXiv id: 'not-an-id'" in err


def test_complete_fills_an_imported_paper_by_its_title_and_keeps_its_slug(
        site: Path, run_cli, sample_page: Path):
    assert run_cli("import", str(sample_page), "--root", str(site))[0] == 0
    cif = next(p for p in load_papers(site)[0] if p.title == CIF)
    apis = LabApis.recorded()
    apis.hf_search = [item for item in apis.hf_search if item["paper"]["id"] == "2402.04321"]
    with apis.running() as url:
        write_config(site, lab_config(url))
        status, out, err = run_cli("fetch", "hf", "--complete", "--root", str(site))
    assert status == 0, err
    after = next(p for p in load_papers(site)[0] if p.title == CIF)
    assert after.slug == cif.slug and after.arxiv_id == "2402.04321"
    assert after.authors == ("Yizhi Li", "Ge Zhang") and after.date == cif.date
    assert "https://github.com/example/cif-bench" in after.links
    assert after.abstract == cif.abstract  # fill-only: the page's abstract stays
    assert "completed: 1 papers: 0 new, 1 updated" in out
    assert "warning: not completed: Hugging Face has no paper with this title" in err
    assert not any(s.startswith("/api/daily_papers") for s in apis.seen)  # no day fetched


def test_with_arxiv_fills_categories_of_hf_papers(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, '[select]\ncategories = ["cs.CV"]\n'))
        status, out, err = run_cli("fetch", "hf", "--date", "2026-09-15", "--with-arxiv",
                                   "--root", str(site))
    assert status == 0, err
    stored = papers(site)
    flow = stored["2609.20001"]
    assert flow.categories == ("cs.CV",) and flow.primary_category == "cs.CV"
    assert flow.comment == "CVPR 2027 submission" and flow.upvotes == 41
    # the category rule now applies to HF papers: cs.CL and cs.NE papers are dropped
    assert set(stored) == {"2609.20001", "2609.20002", "2609.10001"}
    assert sum(s.startswith("/api/query?id_list=") for s in apis.seen) == 1


def test_with_arxiv_failing_keeps_the_hf_papers_and_says_so(site: Path, run_cli):
    apis = LabApis.recorded()
    apis.arxiv_down = True
    with apis.running() as url:
        write_config(site, lab_config(url, fetch="[fetch]\nhf_with_arxiv = true\n"))
        status, _, err = run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))
    assert status == 1 and "arXiv data not fetched" in err
    assert len(papers(site)) == 6 and papers(site)["2609.20001"].categories == ()


def test_fetch_with_no_source_fetches_every_configured_source(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, fetch='[fetch]\nsources = ["hf", "arxiv"]\n'
                                      'arxiv_categories = ["cs.CV", "cs.NE"]\n'))
        status, out, err = run_cli("fetch", "--from", "2026-09-14", "--to", "2026-09-15",
                                   "--root", str(site))
    assert status == 0, err
    assert "hf: 2 of 2 day(s) fetched" in out and "arxiv: 1 of 1 day(s) fetched" in out
    stored = papers(site)
    assert len(stored) == 10  # 6 from HF, 5 announced, 2609.10001 in both
    # on HF's list and in arXiv's announcement of the same day: one paper, that day
    both = stored["2609.10001"]
    assert (both.source, both.date) == ("hf", dt.date(2026, 9, 15))
    assert both.comment.startswith("12 pages")  # arXiv's data filled in, fill-only
