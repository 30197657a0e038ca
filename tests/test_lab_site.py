"""Issue 16's "done when", end to end through the CLI: a new site for "event cameras and
spiking networks, always Mei Lin's papers, never surveys", fed by stand-in Hugging Face
and arXiv servers on 127.0.0.1, publishes exactly those papers, keeps a hidden paper
hidden across re-fetches, and its dry run explains every decision."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from labfakes import LabApis

from sitegen.store.papers import load_papers

LAB = """\
[site]
title = "Event Vision Lab"
base_url = "https://lab.example/papers/"

[tags]
rules = {{ "spiking" = ["spiking neural network", "spiking neural networks", "/SNNs?/"] }}

[select]
include = ["event camera", "event cameras", "event-based vision", "neuromorphic"]
tags = ["spiking"]
authors = ["Mei Lin"]
exclude = ["survey", "a review of"]

[fetch]
sources = ["hf", "arxiv"]
arxiv_categories = ["cs.CV", "cs.NE"]
hf_with_arxiv = true

[sources]
hf_api_url = "{url}"
arxiv_api_url = "{url}"
arxiv_listing_url = "{url}"
"""
#: The lab's papers of 2026-09-15: on HF's list, in arXiv's cs.CV/cs.NE announcement, both.
PUBLISHED = {"2609.20001", "2609.20003", "2609.20005", "2609.10001", "2609.10004",
             "2609.10005"}
WINDOW = ("--from", "2026-09-13", "--to", "2026-09-15")
DECISION = re.compile(r"^  (kept|dropped, not stored|dropped) +(\S+) ")


pytestmark = pytest.mark.usefixtures("no_waiting")  # conftest.py


def published(root: Path) -> set[str]:
    return {f.stem for f in (root / "_site" / "papers").glob("*.html")}


def tree(root: Path) -> dict[str, bytes]:
    return {f.relative_to(root).as_posix(): f.read_bytes()
            for f in sorted(root.rglob("*")) if f.is_file()}


def test_a_lab_site_publishes_exactly_its_papers(tmp_path: Path, run_cli, monkeypatch):
    monkeypatch.setenv("SITEGEN_TODAY", "2026-09-15")
    site = tmp_path / "lab"
    assert run_cli("new", str(site))[0] == 0
    apis = LabApis.recorded()
    with apis.running() as url:
        (site / "sitegen.toml").write_text(LAB.format(url=url), encoding="utf-8")

        # The dry run explains every decision and writes nothing.
        before = tree(site)
        status, out, err = run_cli("fetch", *WINDOW, "--dry-run", "--root", str(site))
        assert status == 0, err
        assert tree(site) == before
        decisions = {m.group(2): line for line in out.splitlines()
                     if (m := DECISION.match(line))}
        assert "[include: 'event camera']" in decisions["2609.20001"]
        assert "[exclude: 'survey']" in decisions["2609.20002"]
        assert "[authors: 'Mei Lin' (Mei Lin)]" in decisions["2609.20003"]
        assert "[no include or tags rule matched]" in decisions["2609.20004"]
        assert "[tags: 'spiking']" in decisions["2609.20005"]
        assert "[exclude: 'survey']" in decisions["2609.10003"]
        assert "[authors: 'Mei Lin' (Mei Lin)]" in decisions["2609.10004"]
        assert "[include: 'event camera']" in decisions["2609.10005"]
        assert "2026-09-15 arxiv cs.CV+cs.NE: 5 papers" in out  # replacements skipped
        every = {"2609.20001", "2609.20002", "2609.20003", "2609.20004", "2609.20005",
                 "2609.10001", "2609.10002", "2609.10003", "2609.10004", "2609.10005"}
        assert set(decisions) == every

        # The daily fetch (what the workflow runs) stores the lab's papers only.
        status, out, err = run_cli("fetch", *WINDOW, "--root", str(site))
        assert status == 0, err
        assert {p.arxiv_id for p in load_papers(site)[0]} == PUBLISHED
        assert run_cli("build", "--root", str(site))[0] == 0
        assert published(site) == PUBLISHED

        # A hidden paper leaves the site and stays hidden when fetched again.
        status, out, err = run_cli("hide", "2609.20001", "--root", str(site))
        assert status == 0, err
        assert run_cli("build", "--root", str(site))[0] == 0
        assert published(site) == PUBLISHED - {"2609.20001"}
        apis.hf_days["2026-09-15"][0]["paper"]["upvotes"] = 500
        status, out, err = run_cli("fetch", *WINDOW, "--root", str(site))
        assert status == 0, err
        hidden = next(p for p in load_papers(site)[0] if p.arxiv_id == "2609.20001")
        assert hidden.upvotes == 500 and hidden.hidden  # updated, still hidden, not deleted
        assert "[hidden: true (front matter)]" in run_cli(
            "fetch", *WINDOW, "--dry-run", "--root", str(site))[1]
        assert run_cli("build", "--root", str(site))[0] == 0
        assert published(site) == PUBLISHED - {"2609.20001"}

    # A changed rule takes effect at the next build, with no fetch: no spiking tag rule.
    text = (site / "sitegen.toml").read_text(encoding="utf-8")
    (site / "sitegen.toml").write_text(text.replace('tags = ["spiking"]\n', ""), "utf-8")
    status, out, err = run_cli("check", "--select", "--root", str(site))
    assert status == 0 and "2609.20005" in out
    assert run_cli("build", "--root", str(site))[0] == 0
    assert published(site) == PUBLISHED - {"2609.20001", "2609.20005"}
