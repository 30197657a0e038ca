"""sitegen.toml: defaults, unknown keys with suggestions, types, TOML errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import SCHEMA, parse_config
from sitegen.errors import ConfigError


def test_defaults():
    config = parse_config("")
    assert config.build["output"] == "_site" and config.feeds["limit"] == 50


def test_unknown_key_suggests_the_right_one():
    with pytest.raises(ConfigError) as info:
        parse_config("[site]\ntitle = 'x'\nbase_ulr = 'https://a/'\n")
    assert info.value.line == 3 and "base_url" in (info.value.hint or "")


def test_unknown_section():
    with pytest.raises(ConfigError, match=r"unknown section \[feed\]"):
        parse_config("[feed]\nlimit = 3\n")


def test_wrong_type_names_the_key():
    with pytest.raises(ConfigError, match=r"\[feeds\] limit must be int"):
        parse_config("[feeds]\nlimit = 'many'\n")


def test_bad_toml_has_a_line():
    with pytest.raises(ConfigError) as info:
        parse_config("[site]\ntitle = \n")
    assert info.value.line == 2


def test_base_url_must_be_absolute():
    with pytest.raises(ConfigError, match="base_url"):
        parse_config("[site]\nbase_url = '/repo/'\n")


def test_base_url_gets_a_trailing_slash_and_extra_is_free():
    config = parse_config("[site]\nbase_url = 'https://a.example/repo'\n[extra]\nanything = 1\n")
    assert config.site["base_url"] == "https://a.example/repo/" and config.extra["anything"] == 1


def test_skeleton_config_is_valid_and_names_every_key():
    from sitegen.commands.new import skeleton_files
    text = dict(skeleton_files())[Path("sitegen.toml")].decode()  # as `new` writes it
    parse_config(text)
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"\n{key} =" in text, f"[{section}] {key} missing from the skeleton"


@pytest.mark.parametrize(("value", "message"), [
    ("0", "at least 1"), ("367", "at most 366"), ("'3'", "must be int")])
def test_digest_settle_days_is_bounded(value: str, message: str):
    assert parse_config("").digests["settle_days"] == 3
    with pytest.raises(ConfigError, match=message) as info:
        parse_config(f"[digests]\nmail = 'off'\nsettle_days = {value}\n")
    assert info.value.line == 3


@pytest.mark.parametrize(("text", "line"), [
    ("[build]\ndays_per_page = 7\n[feeds]\ndays = 0\n", 4),
    ("[build]\npapers_per_page = 50\n[authors]\npapers_per_page = 2000000\n", 4),
    ("[build]\nworkers = 2\n[feeds]\nlimit = 'x'\n", 4),
])
def test_a_key_shared_by_two_sections_is_pointed_at_in_its_own(text: str, line: int) -> None:
    """A range or type error names the line of the key in its section, not the first line
    anywhere that starts with the same name ([build] days_per_page for [feeds] days)."""
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert info.value.line == line
