"""render/feedids.py: entry ids survive a change of address (a stable site id written once
by `sitegen new`); a site without one keeps its address-based ids."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import feedparser
import pytest
from conftest import write_paper

from sitegen.commands.new import create_site
from sitegen.config import load_config
from sitegen.render.feedids import FeedIds, feed_ids

PAPER = "---\ntitle: A paper\ndate: 2025-08-11\ntags: [agents]\n---\n"


def site_id_of(root: Path) -> str:
    found = re.search(r'^site_id = "([^"]*)"', (root / "sitegen.toml").read_text(), re.M)
    assert found is not None
    return found.group(1)


def test_new_writes_a_site_id_once_and_each_site_its_own(tmp_path: Path) -> None:
    create_site(tmp_path / "a")
    create_site(tmp_path / "b")
    first, second = site_id_of(tmp_path / "a"), site_id_of(tmp_path / "b")
    assert uuid.UUID(first).version == 4 and first != second
    assert load_config(tmp_path / "a").feeds["site_id"] == first


def ids(root: Path, run_cli, *args: str) -> list[str]:
    assert run_cli("build", *args, cwd=root)[0] == 0
    found = []
    for name in ("feed.xml", "rss.xml", "tags/agents/feed.xml"):
        feed = feedparser.parse((root / "_site" / name).read_bytes())
        found += [feed.feed.get("id", "")] + [e.id for e in feed.entries]
    return found


def test_ids_survive_a_new_address_with_a_site_id(tmp_path: Path, run_cli) -> None:
    root = tmp_path / "site"
    create_site(root)
    write_paper(root, "paper", PAPER)
    before = ids(root, run_cli, "--base-url", "https://me.github.io/papers/")
    after = ids(root, run_cli, "--base-url", "https://papers.example.org/")
    assert before == after
    site = uuid.UUID(site_id_of(root))
    assert uuid.uuid5(site, "papers/paper/").urn in before
    assert all(i.startswith("urn:uuid:") for i in before if i)


def test_without_a_site_id_the_ids_are_what_they_were(site: Path, run_cli) -> None:
    write_paper(site, "paper", PAPER)
    found = ids(site, run_cli)
    assert "https://example.org/sub/papers/paper/" in found
    # Adding a site id later re-keys every cached entry: no stale id is served.
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + f'\n[feeds]\nsite_id = "{uuid.uuid4()}"\n')
    assert all(i.startswith("urn:uuid:") for i in ids(site, run_cli) if i)


def test_the_scheme_keys_cached_entries() -> None:
    assert FeedIds("", "https://a/").scheme != FeedIds(str(uuid.uuid4()), "https://a/").scheme
    assert FeedIds("", "https://a/").of("papers/x/") == "https://a/papers/x/"


@pytest.mark.parametrize("value", ["not-a-uuid", "123"])
def test_a_bad_site_id_is_a_config_error_at_its_line(site: Path, run_cli, value: str) -> None:
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + f'\n[feeds]\nsite_id = "{value}"\n')
    line = config.read_text().splitlines().index(f'site_id = "{value}"') + 1
    status, _, err = run_cli("build", cwd=site)
    assert status == 1 and err.startswith(f"sitegen.toml:{line}: error: [feeds] site_id must be")


def test_feed_ids_prefer_the_site_id(site: Path) -> None:
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + '\n[feeds]\nid_base = "https://old.example/"\n')
    assert feed_ids(load_config(site)).of("papers/x/") == "https://old.example/papers/x/"
