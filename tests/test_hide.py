"""`hidden` and `draft` in paper files (store/paperfile.py), `sitegen hide` (commands/hide.py),
and selection in the in-memory build that `check` and `serve` use (build_outputs)."""

from __future__ import annotations

from pathlib import Path

from feedtools import write_simple_paper

from sitegen.build.outputs import build_outputs
from sitegen.config import load_config
from sitegen.store.paperfile import paper_to_text, parse_paper
from sitegen.store.papers import load_papers
from tests.conftest import write_paper

HIDDEN = "---\ntitle: A paper\ndate: 2026-09-15\nsource: hf\nhidden: true\n---\n"


def test_hidden_and_draft_are_read_and_written_back_unchanged():
    parsed = parse_paper(HIDDEN, "p", "p.md")
    assert parsed.problems == () and parsed.paper.hidden and not parsed.paper.draft
    assert paper_to_text(parsed.paper) == HIDDEN
    draft = parse_paper(HIDDEN.replace("hidden", "draft"), "p", "p.md").paper
    assert draft.draft and not draft.hidden
    shown = parse_paper(HIDDEN.replace("hidden: true", "hidden: false"), "p", "p.md").paper
    assert not shown.hidden and "hidden" not in paper_to_text(shown)


def test_a_hidden_value_that_is_not_true_or_false_is_an_error_with_its_line():
    parsed = parse_paper(HIDDEN.replace("hidden: true", "hidden: 'yes please'"), "p", "p.md")
    assert parsed.paper is None
    (problem,) = parsed.problems
    assert problem.line == 5 and "'hidden' must be true or false" in problem.message


def test_hide_sets_and_undo_clears_by_id_or_slug(site: Path, run_cli):
    write_paper(site, "2609.00001", "---\nid: '2609.00001'\ntitle: One\ndate: 2026-09-15\n---\n"
                "\nMy notes.\n")
    write_paper(site, "two", "---\ntitle: Two\ndate: 2026-09-15\n---\n")
    status, out, err = run_cli("hide", "https://arxiv.org/abs/2609.00001v2", "two",
                               "--root", str(site))
    assert status == 0, err
    assert "2 paper file(s) written, 0 already hidden" in out
    papers = {p.slug: p for p in load_papers(site)[0]}
    assert papers["2609.00001"].hidden and papers["two"].hidden
    assert papers["2609.00001"].notes.strip() == "My notes."
    status, out, _ = run_cli("hide", "two", "--root", str(site))
    assert status == 0 and "0 paper file(s) written, 1 already hidden" in out
    status, out, _ = run_cli("hide", "--undo", "two", "--root", str(site))
    assert status == 0 and not {p.slug: p for p in load_papers(site)[0]}["two"].hidden


def test_hiding_an_unknown_paper_is_an_error_and_the_others_are_hidden(site: Path, run_cli):
    write_paper(site, "two", "---\ntitle: Two\ndate: 2026-09-15\n---\n")
    status, _, err = run_cli("hide", "2609.99999", "two", "--root", str(site))
    assert status == 1 and "2609.99999: error: no stored paper has this id or slug" in err
    assert load_papers(site)[0][0].hidden


def test_the_in_memory_build_of_check_and_serve_keeps_to_the_selection(site: Path):
    write_simple_paper(site, "shown", title="An event camera paper")
    write_simple_paper(site, "other", title="Something else")
    write_paper(site, "hidden", HIDDEN.replace("A paper", "An event camera, hidden"))
    (site / "sitegen.toml").write_text(
        '[site]\nbase_url = "https://example.org/sub/"\n[select]\ninclude = ["event camera"]\n',
        encoding="utf-8")
    built, outputs = build_outputs(load_config(site), load_papers(site)[0])
    assert [p.slug for p in built.papers] == ["shown"]
    pages = {o.path for o in outputs}
    assert "papers/shown.html" in pages
    assert not {"papers/other.html", "papers/hidden.html"} & pages


def test_import_and_fetch_never_unhide(site: Path, run_cli, sample_page: Path):
    assert run_cli("import", str(sample_page), "--root", str(site))[0] == 0
    first = sorted(load_papers(site)[0], key=lambda p: p.slug)[0]
    assert run_cli("hide", first.slug, "--root", str(site))[0] == 0
    before = (site / "content" / "papers" / f"{first.slug}.md").read_bytes()
    status, out, _ = run_cli("import", str(sample_page), "--root", str(site))
    assert status == 0 and "1 dropped" in out  # judged, and still there
    assert (site / "content" / "papers" / f"{first.slug}.md").read_bytes() == before
