"""The wheel: built from the repo, installed into a fresh venv, it makes a working site; and
it is the wheel a site vendors when its sitegen came from a local folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import pip_install, venv_env, venv_with_these_dependencies

from sitegen.commands.installsource import wheel_name

REPO = Path(__file__).resolve().parent.parent
#: The command `sitegen new` prints for a sitegen installed from this folder (editable).
VENDOR_COMMAND = ["pip", "wheel", "--no-deps", "-w", "vendor", str(REPO)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, made by the very command `sitegen new` tells a site to run."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", *VENDOR_COMMAND, "-q"], check=True, cwd=out)
    (found,) = (out / "vendor").glob("sitegen-*.whl")
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
    # `sitegen new` tells a site to vendor the wheel under exactly this name.
    assert wheel.name == wheel_name()
    # What a site's `pip install` obeys: the upper bounds of tests/test_dependencies.py.
    info = zipfile.ZipFile(wheel).read("sitegen-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: feedgen<1.1,>=1.0" in info and "Requires-Dist: lunr<0.9,>=0.8" in info


@pytest.mark.slow
def test_a_vendored_wheel_installs_and_builds_a_site_from_any_folder(
        wheel, tmp_path, sample_page, run_cli):
    """The way out for a sitegen from a local folder: `sitegen new` (this editable install)
    points requirements.txt at vendor/; with the wheel there, the site's requirements
    install in a fresh venv, whose sitegen then makes and builds a site anywhere."""
    status, _, err = run_cli("new", str(tmp_path / "first"))
    assert status == 0
    assert f"`{' '.join(VENDOR_COMMAND[:-1])} '{REPO}'`" in err  # the command printed
    (tmp_path / "first" / "vendor").mkdir()
    shutil.copy(wheel, tmp_path / "first" / "vendor")
    env_dir = tmp_path / "venv"
    python = venv_with_these_dependencies(env_dir)
    pip_install(python, "-r", "requirements.txt", cwd=tmp_path / "first")
    where = subprocess.run([python, "-c", "import sitegen; print(sitegen.__file__)"],
                           env=venv_env(), capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert str(env_dir) in where
    sitegen = env_dir / "bin" / "sitegen"
    work = tmp_path / "elsewhere"
    work.mkdir()

    def run(*args: str, cwd: Path = work) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(sitegen), *args], cwd=cwd, capture_output=True, text=True,
                              env=venv_env())

    assert run("--version").stdout.strip() == "sitegen 0.1.0"
    result = run("new", "site")
    assert result.returncode == 0, result.stderr
    # Installed from a wheel file: the new site is told to vendor that file too.
    vendored = tmp_path / "first" / "vendor" / wheel.name
    assert "cannot install" in result.stderr and str(vendored) in result.stderr
    assert f"./vendor/{wheel.name}" in (work / "site" / "requirements.txt").read_text()
    result = run("import", str(sample_page), "--year", "2025", cwd=work / "site")
    assert result.returncode == 0, result.stderr
    result = run("build", cwd=work / "site")
    assert result.returncode == 0, result.stderr
    assert (work / "site" / "_site" / "static" / "css" / "site.css").exists()
    assert len(list((work / "site" / "_site" / "papers").glob("*.html"))) == 69
