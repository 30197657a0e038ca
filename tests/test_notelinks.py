"""build/notelinks.py: `build` warns about links in notes that lead nowhere, as `check`
reports them, and keeps saying so on a build with nothing to do."""

from __future__ import annotations

from pathlib import Path

from conftest import write_paper
from test_check import good_site, paper

from sitegen.build import notelinks

NOTES = ("Builds on [the first](2508.00001.html) and\n"
         "[a missing one](2508.09999.html), and [an anchor](2508.00002.html#nowhere).")


def test_build_warns_about_broken_links_in_notes(site: Path, run_cli) -> None:
    good_site(site)
    path = write_paper(site, "2508.00007", paper("2508.00007", notes=NOTES))
    line = path.read_text().splitlines().index(NOTES.splitlines()[1]) + 1
    expected = (f"content/papers/2508.00007.md:{line}: warning: in the notes: broken link "
                "'2508.09999.html': no page papers/2508.09999.html")
    status, out, err = run_cli("build", cwd=site)
    assert status == 0, err
    assert expected in err
    assert "warning: in the notes: broken anchor '2508.00002.html#nowhere'" in err
    assert "2508.00001.html" not in err  # a link that works is not mentioned
    assert (site / "_site" / "papers" / "2508.00007.html").is_file()
    status, out, err = run_cli("build", cwd=site)  # nothing changed: said again
    assert status == 0 and out.startswith("up to date") and expected in err


def test_strict_build_fails_on_them_with_the_site_written(site: Path, run_cli) -> None:
    good_site(site)
    write_paper(site, "2508.00007", paper("2508.00007", notes=NOTES))
    status, _, err = run_cli("build", "--strict", cwd=site)
    assert status == 1 and "--strict fails on its warnings" in err
    assert (site / "_site" / "index.html").is_file()
    status, _, err = run_cli("build", "--strict", cwd=site)
    assert status == 1 and "broken link '2508.09999.html'" in err


def test_notes_without_links_are_not_even_looked_at(site: Path, run_cli, monkeypatch) -> None:
    good_site(site)
    write_paper(site, "2508.00007", paper("2508.00007", notes="Plain words, https://x.org/a."))
    checked: list[str] = []
    real = notelinks.may_link
    monkeypatch.setattr(notelinks, "may_link", lambda n, b: checked.append(n) or real(n, b))
    status, _, err = run_cli("build", cwd=site)
    assert status == 0 and "warning" not in err
    assert [n.strip() for n in checked] == ["Plain words, https://x.org/a."]
    assert notelinks.may_link("see [x](y.html)", "https://e.org/")
    assert notelinks.may_link("at https://e.org/sub/papers/a.html", "https://e.org/sub/")
    assert not notelinks.may_link(checked[0], "https://e.org/sub/")
