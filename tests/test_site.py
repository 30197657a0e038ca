"""The whole built demo-like site: links under a sub-path, page weight, a small golden site."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import write_paper
from tests.sitecheck import broken_links, page_weight

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SITEGEN_UPDATE_GOLDEN") == "1"


@pytest.fixture
def built_sample(run_cli, site, sample_page) -> Path:
    status, _, err = run_cli("import", str(sample_page), "--year", "2025", cwd=site)
    assert status == 0, err
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    return site / "_site"


def test_every_internal_link_works_under_the_sub_path(built_sample):
    assert broken_links(built_sample, "/sub/") == []


def test_every_page_is_under_50_kb_gzip_with_what_it_loads(built_sample):
    weights = {p: page_weight(built_sample, "/sub/", p) for p in built_sample.rglob("*.html")}
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < 50_000, f"{heaviest}: {weights[heaviest]} bytes"


def test_paper_page_has_title_h1_math_links_and_neighbours(run_cli, site):
    write_paper(site, "2408.01234", "---\nid: '2408.01234'\ntitle: A <Title> & $x$\n"
                "date: 2025-08-11\nrank: 1\nauthors:\n- Ada\nabstract: We bound $O(n^2)$ cogs.\n"
                "links:\n- https://github.com/a/b\n---\n\nRead *this*.\n")
    write_paper(site, "second", "---\ntitle: Second\ndate: 2025-08-11\nrank: 2\n---\n")
    status, _, err = run_cli("build", cwd=site)
    assert status == 0, err
    page = (site / "_site" / "papers" / "2408.01234.html").read_text()
    assert '<h1 class="page-heading">A &lt;Title&gt; &amp; <math alttext="x"' in page
    assert "<msup>" in page and "<em>this</em>" in page
    assert 'href="https://arxiv.org/abs/2408.01234"' in page
    assert 'href="https://arxiv.org/pdf/2408.01234"' in page
    assert 'href="https://github.com/a/b"' in page
    assert 'href="/sub/2025/08/11/"' in page and 'href="/sub/papers/second.html"' in page


def _golden_site(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "sitegen.toml").write_text(
        "[site]\ntitle = 'Golden'\nbase_url = 'https://example.org/g/'\n[build]\n"
        "days_per_page = 1\n", encoding="utf-8")
    write_paper(root, "2401.00001", "---\nid: '2401.00001'\ntitle: First & <best>\n"
                "date: 2024-01-02\nrank: 1\nauthors:\n- Ada Lovelace\nabstract: About $a_1$.\n"
                "tags:\n- Agents\nlinks:\n- https://github.com/x/y\n---\n\nA *note*.\n")
    write_paper(root, "cjk-paper-0a1b2c3d", "---\ntitle: 大型语言模型 🚀\ndate: 2024-01-01\n"
                "abstract: 中文摘要。\n---\n")


def test_golden_site(run_cli, tmp_path):
    root = tmp_path / "golden-site"
    _golden_site(root)
    status, _, err = run_cli("build", "--out", str(tmp_path / "out"), cwd=root)
    assert status == 0, err
    out = tmp_path / "out"
    got = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
           if p.is_file() and "static/" not in p.relative_to(out).as_posix()}
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in got.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    want = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in sorted(GOLDEN.rglob("*"))
            if p.is_file()}
    assert sorted(got) == sorted(want), "run with SITEGEN_UPDATE_GOLDEN=1 after a deliberate change"
    for rel in want:
        assert got[rel] == want[rel], f"{rel} differs from tests/golden (SITEGEN_UPDATE_GOLDEN=1)"


def test_every_page_has_one_h1_landmarks_and_no_skipped_heading_levels(built_sample):
    import re
    for page in built_sample.rglob("*.html"):
        html = page.read_text()
        levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]
        assert levels.count(1) == 1, page
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (page, levels)
        for landmark in ("<header", "<main", "<footer", "<nav", 'class="skip-link"'):
            assert landmark in html, (page, landmark)
