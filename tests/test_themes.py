"""What docs/themes.md promises: template and static overrides, and the lookup order."""

from __future__ import annotations

from pathlib import Path

from conftest import write_paper

from sitegen.build.outputs import build_outputs
from sitegen.config import load_config
from sitegen.store.papers import load_papers

PAPER = "---\nid: '2508.00001'\ntitle: First\ndate: 2025-08-11\nabstract: Text.\n---\n"


def build(site: Path) -> dict[str, bytes]:
    config = load_config(site)
    papers, _ = load_papers(site)
    return {o.path: o.data for o in build_outputs(config, papers)[1]}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_site_template_replaces_and_extends_the_original(site: Path) -> None:
    write_paper(site, "2508.00001", PAPER)
    write(site / "templates" / "paper.html",
          '{% extends "default:paper.html" %}\n'
          '{% block paper_extra %}<p class="mine">{{ paper.title }} extra</p>{% endblock %}\n')
    write(site / "templates" / "partials" / "footer.html", "<footer>My footer</footer>\n")
    files = build(site)
    page = files["papers/2508.00001.html"].decode()
    assert '<p class="mine">First extra</p>' in page
    assert "Abstract" in page  # the rest of the original paper page is still there
    assert "My footer" in page and "Built with sitegen" not in page
    assert "My footer" in files["index.html"].decode()  # partials are replaced everywhere


def test_site_theme_folder_falls_back_to_default(site: Path) -> None:
    write_paper(site, "2508.00001", PAPER)
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + '\n[build]\ntheme = "mine"\n')
    write(site / "themes" / "mine" / "templates" / "404.html",
          '{% extends "default:404.html" %}{% block title %}Lost{% endblock %}\n')
    write(site / "themes" / "mine" / "static" / "css" / "extra.css", "p{}\n")
    # The site's own templates/ wins over its theme.
    write(site / "templates" / "day.html", '{% extends "default:day.html" %}'
          '{% block title %}Site day{% endblock %}')
    write(site / "themes" / "mine" / "templates" / "day.html", '{% extends "default:day.html" %}'
          '{% block title %}Theme day{% endblock %}')
    files = build(site)
    assert "<title>Lost</title>" in files["404.html"].decode()
    assert "<title>Site day</title>" in files["2025/08/11/index.html"].decode()
    assert "static/css/extra.css" in files and "static/css/site.css" in files


def test_site_static_overrides_theme_static(site: Path) -> None:
    write_paper(site, "2508.00001", PAPER)
    write(site / "static" / "css" / "site.css", "body{color:red}\n")
    write(site / "static" / "favicon.ico", "icon")
    files = build(site)
    assert files["static/css/site.css"] == b"body{color:red}\n"
    assert files["static/favicon.ico"] == b"icon"


def test_extra_script_through_the_scripts_block(site: Path) -> None:
    write_paper(site, "2508.00001", PAPER)
    write(site / "templates" / "base.html",
          '{% extends "default:base.html" %}{% block scripts %}{{ super() }}'
          '<script src="{{ url(\'static\', \'js/mine.js\') }}" defer></script>{% endblock %}')
    write(site / "static" / "js" / "mine.js", "console.log(1);\n")
    write(site / "templates" / "paper.html",
          '{% extends "default:paper.html" %}{% block scripts %}{{ super() }}'
          '<script src="{{ url(\'static\', \'js/mine.js\') }}" defer></script>{% endblock %}')
    files = build(site)
    tag = '<script src="/sub/static/js/mine.js" defer></script>'
    home, paper = files["index.html"].decode(), files["papers/2508.00001.html"].decode()
    assert tag in home and "script-src 'self'" in home
    # paper.html fills `scripts` itself (copy.js): its own override keeps that with super().
    assert tag in paper and "static/js/copy.js" in paper


def test_an_unknown_theme_is_an_error_with_a_did_you_mean(run_cli, site: Path) -> None:
    """A typo used to build with the default theme and say nothing."""
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + '\n[build]\ntheme = "defualt"\n')
    line = config.read_text().splitlines().index('theme = "defualt"') + 1
    status, _, err = run_cli("build", cwd=site)
    assert status == 1
    assert err.startswith(f"sitegen.toml:{line}: error: [build] theme: no theme named 'defualt' "
                          "(did you mean 'default'?)")
    assert not (site / "_site").exists()
    config.write_text(config.read_text().replace("defualt", "zzz"))
    status, _, err = run_cli("check", cwd=site)
    assert status == 1 and "known: default; or put your theme in themes/zzz/" in err
    (site / "themes" / "zzz").mkdir(parents=True)  # a theme of the site's own: fine
    assert run_cli("build", cwd=site)[0] == 0
