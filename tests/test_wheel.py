"""The wheel: built from the repo, installed into a fresh venv, it makes a working site."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(REPO)], check=True, cwd=out)
    (found,) = out.glob("sitegen-*.whl")
    return found


def test_wheel_ships_the_theme_and_skeleton(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("sitegen/themes/default/templates/base.html",
                   "sitegen/themes/default/templates/paper.html",
                   "sitegen/themes/default/static/css/site.css",
                   "sitegen/skeleton/sitegen.toml", "sitegen/skeleton/gitignore",
                   "sitegen/skeleton/github/workflows/pages.yml",
                   "sitegen/skeleton/requirements.txt", "sitegen/commands/livereload.js"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "content/")) for n in names)


def site_packages_of_this_python() -> list[str]:
    """The folders the running interpreter imports installed packages from: its venv's
    site-packages (a fresh venv holds every dependency there), and the system's when the
    venv was made with --system-site-packages."""
    return [entry for entry in sys.path
            if Path(entry).name in ("site-packages", "dist-packages") and Path(entry).is_dir()]


def venv_with_these_dependencies(env_dir: Path) -> Path:
    """A new venv that imports the dependencies the test run has (no network needed), in
    any environment: a `.pth` file adds this interpreter's site-packages after the venv's
    own, so a wheel installed into the venv comes first. Returns the venv's python."""
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    own = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         capture_output=True, text=True, check=True).stdout.strip()
    (Path(own) / "outer-dependencies.pth").write_text(
        "".join(f"{entry}\n" for entry in site_packages_of_this_python()), encoding="utf-8")
    return python


@pytest.mark.slow
def test_installed_wheel_builds_a_site_from_any_folder(wheel, tmp_path, sample_page):
    env_dir = tmp_path / "venv"
    python = venv_with_these_dependencies(env_dir)
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                    str(wheel)], check=True)
    where = subprocess.run([python, "-c", "import sitegen; print(sitegen.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert str(env_dir) in where
    sitegen = env_dir / "bin" / "sitegen"
    work = tmp_path / "elsewhere"
    work.mkdir()

    def run(*args: str, cwd: Path = work) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(sitegen), *args], cwd=cwd, capture_output=True, text=True)

    assert run("--version").stdout.strip() == "sitegen 0.1.0"
    result = run("new", "site")
    assert result.returncode == 0, result.stderr
    result = run("import", str(sample_page), "--year", "2025", cwd=work / "site")
    assert result.returncode == 0, result.stderr
    result = run("build", cwd=work / "site")
    assert result.returncode == 0, result.stderr
    assert (work / "site" / "_site" / "static" / "css" / "site.css").exists()
    assert len(list((work / "site" / "_site" / "papers").glob("*.html"))) == 69
