"""Page rendering: parallel workers give the same outputs, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen import pages
from sitegen.build import build_outputs
from sitegen.config import load_config
from sitegen.content import load_papers
from sitegen.errors import OutputError
from sitegen.parallel import worker_count
from tests.conftest import write_paper


def make_site(site: Path, workers: int) -> None:
    (site / "sitegen.toml").write_text(
        '[site]\nbase_url = "https://example.org/sub/"\n'
        f"[build]\nworkers = {workers}\n", encoding="utf-8")
    for day in range(1, 21):
        for rank in range(1, 4):
            write_paper(site, f"p{day}-{rank}", f"---\ntitle: 'P {day}.{rank} <b>'\n"
                        f"date: 2025-03-{day:02d}\nrank: {rank}\nabstract: 'About $x^2$.'\n---\n")


def test_parallel_rendering_matches_serial(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PARALLEL_MIN", 10)
    make_site(site, 1)
    papers, _ = load_papers(site)
    _, serial = build_outputs(load_config(site), papers)
    make_site(site, 2)
    _, parallel = build_outputs(load_config(site), papers)
    assert [o.path for o in parallel] == [o.path for o in serial]
    assert parallel == serial


def test_template_error_in_a_worker_is_reported(site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PARALLEL_MIN", 10)
    make_site(site, 2)
    (site / "templates").mkdir()
    (site / "templates" / "paper.html").write_text("{{ paper.nope.deeper }}", encoding="utf-8")
    papers, _ = load_papers(site)
    with pytest.raises(OutputError, match="while rendering"):
        build_outputs(load_config(site), papers)


def test_worker_count() -> None:
    assert worker_count(3) == 3
    assert 1 <= worker_count(0) <= 8
