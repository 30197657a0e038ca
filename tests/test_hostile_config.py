"""Issue 20, item 5: the owner's `sitegen.toml` cannot crash sitegen or publish files from
outside the site: huge integers, deeply nested arrays, a `base_url` that is no site's
address, a `theme` that is a path. Each is a config error naming the key and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import parse_config
from sitegen.errors import ConfigError
from tests.hostile import checks

CASES = {
    "a 5,000-digit integer": ("[build]\ndays_per_page = " + "9" * 5000 + "\n", 2,
                              "a number too large to read"),
    "a huge hex integer": ("[site]\ntitle = 'x'\n[build]\nworkers = 0x" + "f" * 100 + "\n", 4,
                           "[build] workers must be at most 1,024"),
    "a huge papers_per_page": ("[build]\npapers_per_page = " + "9" * 40 + "\n", 2,
                               "[build] papers_per_page must be at most"),
    "arrays nested 5,000 deep": ("[site]\ntitle = 'x'\n[extra]\nx = " + "[" * 5000
                                 + "]" * 5000 + "\n", 4, "nested too deeply"),
    "tables nested 3,000 deep": ("[extra]\nx = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n", 2,
                                 "nested too deeply"),
    "arrays nested 50 deep": ("[extra]\nx = " + "[" * 50 + "]" * 50 + "\n", 1,
                              "[extra] nests arrays or tables more than 20 levels deep"),
    "base_url with a query": ("[site]\nbase_url = 'https://e.org/?q=1'\n", 2, "must not have a query"),
    "base_url with a fragment": ("[site]\nbase_url = 'https://e.org/#x'\n", 2, "or fragment"),
    "base_url without a host": ("[site]\nbase_url = 'https:///x'\n", 2, "has no host"),
    "base_url with a space": ("[site]\nbase_url = 'https://e .org/'\n", 2, "must not hold spaces"),
    "base_url with a password": ("[site]\nbase_url = 'https://u:p@e.org/'\n", 2,
                                 "must not hold a user name or password"),
    "base_url with a bad port": ("[site]\nbase_url = 'https://e.org:x/'\n", 2, "is not a valid URL"),
    "base_url of another scheme": ("[site]\nbase_url = 'javascript:alert(1)'\n", 2,
                                   "must be an absolute http(s) URL"),
    "an absolute theme": ("[build]\ntheme = '/etc'\n", 2, "[build] theme must be a theme's name"),
    "an escaping theme": ("[build]\ntheme = '../../x'\n", 2, "[build] theme must be a theme's name"),
    "a theme of '..'": ("[build]\ntheme = '..'\n", 2, "[build] theme must be a theme's name"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_config_value_is_an_error_with_its_key_and_line(case: str) -> None:
    text, line, words = CASES[case]
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "sitegen.toml")
    assert words in caught.value.message
    assert caught.value.line == line, str(caught.value)


def test_good_values_still_load() -> None:
    config = parse_config("[site]\nbase_url = 'https://user.github.io:8443/repo'\n"
                          "[build]\ntheme = 'my-theme.v2'\nworkers = 1024\n"
                          "[extra]\nx = " + "[" * 20 + "]" * 20 + "\n")
    assert config.site["base_url"] == "https://user.github.io:8443/repo/"
    assert config.build["theme"] == "my-theme.v2"


def test_an_absolute_theme_publishes_nothing_from_outside_the_site(site: Path, run_cli,
                                                                   tmp_path: Path) -> None:
    # before: theme = "/abs/path" made `themes / name` that path: its static/ was published
    outside = tmp_path / "outside"
    (outside / "static").mkdir(parents=True)
    (outside / "static" / "secret.txt").write_text("secret")
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + f"\n[build]\ntheme = '{outside}'\n")
    status, _, err = run_cli("build", "--root", str(site))
    assert status == 1 and checks.cli_error_problems(err) == []
    assert "sitegen.toml:6: error: [build] theme must be a theme's name" in err
    assert not list(site.rglob("secret.txt"))


def test_a_bad_base_url_option_is_an_error_too(site: Path, run_cli) -> None:
    status, _, err = run_cli("build", "--root", str(site), "--base-url", "https://e.org/?x")
    assert status == 1 and "--base-url: error: the base URL must not have a query" in err
