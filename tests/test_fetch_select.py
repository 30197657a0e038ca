"""`[select]` when papers arrive: per-day kept and dropped, `store = "selected"` vs "all",
dry runs that explain each decision and write nothing (commands/choosing.py, the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from labfakes import LabApis, lab_config, write_config

from sitegen.store.papers import load_papers

SELECT = ('[tags]\ndefault_rules = false\nrules = { spiking = ["spiking neural network", '
          '"/SNNs?/"] }\n[select]\ninclude = ["event camera", "event-based vision"]\n'
          'tags = ["spiking"]\nauthors = ["Mei Lin"]\nexclude = ["survey"]\n')
KEPT = {"2609.20001", "2609.20003", "2609.20005", "2609.10001"}  # of HF's 2026-09-15


pytestmark = pytest.mark.usefixtures("no_waiting")  # conftest.py


def tree(root: Path) -> dict[str, bytes]:
    return {f.relative_to(root).as_posix(): f.read_bytes()
            for f in sorted(root.rglob("*")) if f.is_file()}


def stored_ids(root: Path) -> set[str]:
    return {p.arxiv_id for p in load_papers(root)[0]}


def test_store_selected_keeps_only_what_the_rules_keep_and_says_so(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, SELECT))
        status, out, err = run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))
    assert status == 0, err
    assert "2026-09-15: 6 papers: 6 new, 0 updated, 0 unchanged; 4 kept, 2 dropped " \
        "(2 not stored)" in out
    assert "hf: 1 of 1 day(s) fetched: 6 new, 0 updated, 0 unchanged; 4 kept, 2 dropped; " \
        "4 paper file(s) written" in out
    assert stored_ids(site) == KEPT


def test_store_all_stores_every_paper_and_the_build_shows_the_selection(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, SELECT + 'store = "all"\n'))
        status, out, err = run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))
    assert status == 0, err
    assert "4 kept, 2 dropped;" in out and "not stored" not in out
    assert len(stored_ids(site)) == 6


def test_papers_already_stored_are_updated_even_when_dropped(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, SELECT + 'store = "all"\n'))
        assert run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))[0] == 0
        apis.hf_days["2026-09-15"][3]["paper"]["upvotes"] = 99  # a dropped LLM paper
        write_config(site, lab_config(url, SELECT))  # now "selected"
        status, out, _ = run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))
    assert status == 0 and "1 updated" in out and "0 not stored" not in out
    llm = next(p for p in load_papers(site)[0] if p.arxiv_id == "2609.20004")
    assert llm.upvotes == 99


def test_a_dry_run_explains_every_decision_and_writes_nothing(site: Path, run_cli):
    apis = LabApis.recorded()
    with apis.running() as url:
        write_config(site, lab_config(url, SELECT))
        before = tree(site)
        status, out, err = run_cli("fetch", "hf", "--date", "2026-09-15", "--dry-run",
                                   "--root", str(site))
        assert status == 0, err
        assert tree(site) == before  # no paper, no lock file, no response cache
        lines = out.splitlines()
        for expected in (
                "kept                 2609.20001   EventFlow: Optical Flow from Event Cameras  "
                "[include: 'event camera']",
                "dropped, not stored  2609.20002   A Survey of Event-Based Vision  "
                "[exclude: 'survey']",
                "kept                 2609.20003   Scaling Laws for Chatbots  "
                "[authors: 'Mei Lin' (Mei Lin)]",
                "dropped, not stored  2609.20004   Yet Another Large Language Model  "
                "[no include or tags rule matched]",
                "kept                 2609.20005   Training Deep SNNs with Surrogate Gradients  "
                "[tags: 'spiking']"):
            assert any(line.strip() == expected.strip() for line in lines), expected
        assert "nothing written (dry run)" in out
        # The dry run before a fetch says what the fetch then does.
        status, real, _ = run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))
    assert status == 0 and stored_ids(site) == KEPT
    assert real.splitlines()[0] == lines[0]


def test_dry_run_may_be_given_before_the_source(site: Path, run_cli):
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url, SELECT))
        status, out, _ = run_cli("fetch", "--dry-run", "--root", str(site), "hf", "--date",
                                 "2026-09-15")
    assert status == 0 and "nothing written (dry run)" in out and stored_ids(site) == set()


def test_import_stores_the_selection_and_says_kept_and_dropped(site: Path, run_cli,
                                                               sample_page: Path):
    write_config(site, lab_config("http://127.0.0.1:9", '[select]\ninclude = ["benchmark"]\n'))
    status, out, err = run_cli("import", str(sample_page), "--root", str(site))
    assert status == 0, err
    kept = len(load_papers(site)[0])
    assert 0 < kept < 69
    assert f"{kept} kept, {69 - kept} dropped ({69 - kept} not stored)" in out


def test_import_says_kept_and_dropped_per_day(site: Path, run_cli, tmp_path: Path):
    abstract = "We study a problem with care and report what we found in the experiments."
    page = tmp_path / "week.txt"
    page.write_text(f"Aug 11\n\nEvent camera tracking\n\n{abstract}\n\n"
                    f"Language model pretraining\n\n{abstract}\n\n"
                    f"Aug 10\n\nA survey of event camera work\n\n{abstract}\n\n"
                    f"Event camera deblurring\n\n{abstract}\n\n"
                    f"Protein folding at scale\n\n{abstract}\n", encoding="utf-8")
    one_day = tmp_path / "day.txt"
    one_day.write_text(f"Aug 12\n\nEvent camera stereo\n\n{abstract}\n", encoding="utf-8")
    write_config(site, lab_config("http://127.0.0.1:9", SELECT))
    status, out, err = run_cli("import", "--year", "2026", str(page), str(one_day),
                               "--root", str(site))
    assert status == 0, err
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(str(page)))
    assert lines[at].endswith("; 2 kept, 3 dropped (3 not stored)")
    assert lines[at + 1:at + 3] == ["  2026-08-11: 1 kept, 1 dropped (1 not stored)",
                                    "  2026-08-10: 1 kept, 2 dropped (2 not stored)"]
    assert f"{one_day} (2026-08-12): 1 papers: 1 new" in out  # one day: named on its line
    assert len(load_papers(site)[0]) == 3


def test_check_select_lists_every_stored_papers_decision_offline(site: Path, run_cli):
    with LabApis.recorded().running() as url:
        write_config(site, lab_config(url, SELECT + 'store = "all"\n'))
        assert run_cli("fetch", "hf", "--date", "2026-09-15", "--root", str(site))[0] == 0
    # a rule changed after the fetch: judged again, no re-fetch, no network
    write_config(site, lab_config("http://127.0.0.1:9", SELECT.replace(
        'exclude = ["survey"]', 'exclude = ["survey", "optical flow", "chatbots"]')))
    before = tree(site)
    status, out, err = run_cli("check", "--select", "--root", str(site))
    assert status == 0, err
    assert tree(site) == before
    lines = out.splitlines()
    assert lines[0] == "2026-09-15: 2 kept, 4 dropped"
    assert any("2609.20001" in line and "[exclude: 'optical flow']" in line for line in lines)
    assert any("2609.20003" in line and "[authors: 'Mei Lin' (Mei Lin)]" in line
               for line in lines)  # the watch list still wins over the new exclude
    assert lines[-1] == "select: 2 of 6 stored paper(s) kept, 4 dropped"


def test_check_select_reports_a_bad_rule_with_its_line(site: Path, run_cli):
    write_config(site, '[site]\nbase_url = "https://a.example/"\n[select]\n'
                 'include = ["ok", "/(broken/"]\n')
    status, _, err = run_cli("check", "--select", "--root", str(site))
    assert status == 1
    assert "sitegen.toml:4: error: [select] include: bad regular expression /(broken/" in err
