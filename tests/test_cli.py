"""End to end through the CLI, as a user runs it: new, import, build, and the failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import write_paper

HOSTILE_PAGE = (
    "\ufeffnew\r\n\r\nDaily Papers\r\n\r\nAug 11\r\n\r\n"
    "  <script>alert('t')</script> & Friends  \r\n\r\n"
    "We show $x<y$ and <b>bold</b> claims. See https://github.com/x/y). Second sentence here.\r\n"
    "\r\n大型语言模型的推理 🚀\r\n\r\n我们研究大型语言模型。这是第二句。\r\n\r\n"
    "Orphan Title Without Abstract\r\n\r\nAug 12\r\n\r\n"
    "  <script>alert('t')</script> &  friends\r\n\r\nDuplicate, a day later. Really.\r\n"
)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_version_and_help(run_cli):
    status, out, _ = run_cli("--version")
    assert status == 0 and out.startswith("sitegen ")
    for command in ("new", "import", "build"):
        status, out, _ = run_cli(command, "--help")
        assert status == 0 and "usage: sitegen" in out


def test_new_import_build(run_cli, tmp_path, sample_page):
    status, out, err = run_cli("new", str(tmp_path / "mysite"))
    assert status == 0, err
    root = tmp_path / "mysite"
    assert (root / "sitegen.toml").exists() and (root / ".gitignore").exists()
    assert (root / "content" / "papers").is_dir() and (root / "README.md").exists()
    status, out, err = run_cli("import", str(sample_page), "--year", "2025", cwd=root)
    assert status == 0, err
    assert "69 new" in out
    assert len(list((root / "content" / "papers").glob("*.md"))) == 69
    status, out, err = run_cli("build", cwd=root)
    assert status == 0, err
    assert (root / "_site" / "2025" / "08" / "11" / "index.html").exists()
    assert "built 69 papers" in out


def test_new_refuses_a_non_empty_folder(run_cli, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    status, _, err = run_cli("new", str(tmp_path / "x"))
    assert status == 1 and "not empty" in err
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_unusual_page_imports_exactly_and_reimport_is_a_zero_diff(run_cli, site):
    page = site / "page.txt"
    page.write_bytes(HOSTILE_PAGE.encode("utf-8"))
    status, out, err = run_cli("import", str(page), "--year", "2025", cwd=site)
    assert status == 0, err
    assert "3 new" in out and "1 duplicates" in out
    assert "has no abstract" in err and "page.txt:" in err
    before = tree(site / "content")
    texts = "".join(t.decode() for t in before.values())
    assert "<script>alert('t')</script> & Friends" in texts
    assert "大型语言模型的推理 🚀" in texts and "$x<y$" in texts
    status, out, _ = run_cli("import", str(page), "--year", "2025", cwd=site)
    assert status == 0 and "0 new, 0 updated" in out
    assert tree(site / "content") == before


def test_reimport_keeps_curator_edits(run_cli, site, sample_page):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    file = sorted((site / "content" / "papers").glob("*.md"))[0]
    edited = file.read_text().replace("source: dailytext", "source: dailytext\ntags:\n- mine") \
        + "\nMy own notes.\n"
    edited = edited.replace("title: ", "title: Edited ", 1)
    file.write_text(edited)
    status, _, _ = run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    assert status == 0
    assert file.read_text() == edited


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"hello\n\nworld\n", "no papers"),
])
def test_junk_import_is_refused_and_the_store_untouched(run_cli, site, sample_page, content,
                                                        reason):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    before = tree(site / "content")
    junk = site / "junk.txt"
    junk.write_bytes(content)
    status, _, err = run_cli("import", str(sample_page), str(junk), cwd=site)
    assert status == 1
    assert f"junk.txt: error: {reason}" in err.replace("binary file", "binary").replace(
        "empty file", "empty").replace("no papers found", "no papers")
    assert "Traceback" not in err
    assert tree(site / "content") == before


def test_import_outside_a_site_says_how_to_make_one(run_cli, tmp_path, sample_page):
    status, _, err = run_cli("import", str(sample_page), cwd=tmp_path)
    assert status == 1 and "sitegen new" in err


def _built(run_cli, site) -> dict[str, bytes]:
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    return tree(site / "_site")


def test_broken_front_matter_fails_with_file_and_line_and_keeps_the_output(run_cli, site,
                                                                           sample_page):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    before = _built(run_cli, site)
    write_paper(site, "broken", "---\ntitle: Broken\ndate: 2025-08-11\nauthors: [a, b\n---\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 1
    assert "content/papers/broken.md:" in err and "not valid YAML" in err
    assert "build stopped: 1 error(s)" in err and "Traceback" not in err
    assert tree(site / "_site") == before


def test_warnings_pass_but_strict_fails(run_cli, site):
    write_paper(site, "p", "---\ntitle: P\ndate: 2025-08-11\ncolour: red\n---\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 0 and "warning: unknown key 'colour'" in err
    status, _, err = run_cli("build", "--strict", cwd=site)
    assert status == 1 and "p.md:4: warning" in err


def test_failing_template_names_the_template_and_keeps_the_output(run_cli, site, sample_page):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    before = _built(run_cli, site)
    (site / "templates").mkdir()
    (site / "templates" / "paper.html").write_text(
        '{% extends "default:paper.html" %}\n{% block main %}{{ paper.no_such_field }}'
        '{% endblock %}\n')
    status, _, err = run_cli("build", cwd=site)
    assert status == 1
    assert "templates/paper.html" in err and "no_such_field" in err
    assert "Traceback" not in err
    assert tree(site / "_site") == before
    (site / "templates" / "paper.html").write_text("{% extends 'default:paper.html' %}\n{% if %}")
    status, _, err = run_cli("build", cwd=site)
    assert status == 1 and "paper.html:2: error: template syntax" in err


def test_template_override_extends_the_original(run_cli, site, sample_page):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    (site / "templates").mkdir()
    (site / "templates" / "paper.html").write_text(
        '{% extends "default:paper.html" %}\n'
        '{% block paper_extra %}<p class="mine">Reading group pick</p>{% endblock %}\n')
    files = _built(run_cli, site)
    page = next(v for k, v in files.items() if k.startswith("papers/") and k.endswith(".html"))
    assert b'<p class="mine">Reading group pick</p>' in page and b"<h1" in page


def test_bad_config_is_one_clear_line(run_cli, site):
    (site / "sitegen.toml").write_text("[site]\ntitel = 'x'\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 1
    assert err.strip() == ("sitegen.toml:2: error: unknown key 'titel' in [site] "
                           "(did you mean 'title'?)")


def test_build_is_deterministic(run_cli, site, sample_page, tmp_path):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    first = _built(run_cli, site)
    shutil.rmtree(site / "_site")
    assert _built(run_cli, site) == first


def test_base_url_option_moves_every_link(run_cli, site, sample_page):
    run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    status, _, _ = run_cli("build", "--base-url", "https://u.github.io/other", cwd=site)
    assert status == 0
    home = (site / "_site" / "index.html").read_text()
    assert 'href="/other/2025/08/11/"' in home and 'href="/sub/' not in home


def test_the_command_flushes_its_output_and_exits_with_the_status(site, sample_page):
    """`python -m sitegen` ends with os._exit (cli.main_exit): what it printed to a pipe
    arrives whole, and the status is the command's."""
    import subprocess
    import sys

    def sitegen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sitegen", *args, "--root", str(site)],
                              capture_output=True, text=True, timeout=120,
                              cwd=Path(__file__).parent.parent)

    assert sitegen("import", "--year", "2025", str(sample_page)).returncode == 0
    built = sitegen("build")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built 69 papers") and built.stdout.endswith(" s\n")
    (site / "content" / "papers" / "broken.md").write_text("---\ntitle: [\n---\n", "utf-8")
    failed = sitegen("build")
    assert failed.returncode == 1
    assert "broken.md" in failed.stderr and failed.stderr.endswith("\n")


def test_a_profiled_command_still_writes_its_profile(site, sample_page, tmp_path):
    """Under a profiler the command exits the usual way (cli.main_exit), so the profiler
    gets to write what it found."""
    import subprocess
    import sys

    out = tmp_path / "build.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "sitegen",
                           "build", "--root", str(site)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ")
    assert out.stat().st_size > 1000


# --- global options anywhere, and -v ---------------------------------------------------------

@pytest.mark.parametrize("argv", [["-q", "build"], ["build", "-q"], ["--quiet", "check"],
                                  ["check", "-q"]])
def test_quiet_works_before_and_after_the_command(run_cli, site, argv):
    status, out, err = run_cli(*argv, cwd=site)
    assert status == 0, err
    assert out == ""


def test_root_works_before_and_after_the_command(run_cli, site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for argv in (["--root", str(site), "build"], ["build", "--root", str(site)],
                 ["-q", "--root", str(site), "check", "-v"]):
        status, _, err = run_cli(*argv, cwd=elsewhere)
        assert status == 0, (argv, err)
    assert (site / "_site" / "index.html").is_file()
    assert not (elsewhere / "_site").exists()


def test_root_before_new_is_a_usage_error(run_cli, tmp_path):
    status, _, err = run_cli("--root", str(tmp_path), "new", str(tmp_path / "x"))
    assert status == 2 and "not --root" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("argv", [["-v", "build"], ["build", "-v"], ["--verbose", "build"]])
def test_verbose_shows_the_traceback_of_an_internal_error(run_cli, site, monkeypatch, argv):
    import sitegen.cli as cli

    def broken(args, console):
        raise RuntimeError("boom in the build")

    monkeypatch.setattr(cli, "cmd_build", broken)
    status, _, err = run_cli(*argv, cwd=site)
    assert status == 70
    assert "Traceback (most recent call last)" in err and "in broken" in err
    assert err.rstrip().endswith("(please report it, with the traceback above)")


def test_without_verbose_an_internal_error_is_one_line_and_says_how(run_cli, site,
                                                                    monkeypatch):
    import sitegen.cli as cli

    monkeypatch.setattr(cli, "cmd_build", lambda args, console: 1 / 0)
    status, _, err = run_cli("build", cwd=site)
    assert status == 70 and "Traceback" not in err
    assert err.strip() == ("sitegen: internal error: ZeroDivisionError: division by zero "
                           "(run again with -v for the traceback, and please report it)")
