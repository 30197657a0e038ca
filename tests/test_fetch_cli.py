"""`sitegen fetch` end to end: stand-in APIs on 127.0.0.1, a site holding imported pages,
faults survived, garbage refused without touching the store, then `sitegen build`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fetchfakes import StandIn, fixture_bytes

from sitegen.store.papers import load_papers

CIF = ("CIF-Bench: A Chinese Instruction-Following Benchmark for Evaluating the "
       "Generalizability of Large Language Models")


def hf_item(arxiv_id: str, title: str, upvotes: int, **paper: object) -> dict:
    return {"paper": {"id": arxiv_id, "title": title, "summary": "API abstract.",
                      "authors": [{"_id": "1", "name": "Yizhi Li", "hidden": False},
                                  {"_id": "2", "name": "Ge Zhang", "hidden": False}],
                      "publishedAt": "2026-08-09T10:00:00.000Z", "upvotes": upvotes, **paper},
            "publishedAt": "2026-08-11T04:00:00.000Z", "title": title, "numComments": 4}


pytestmark = pytest.mark.usefixtures("no_waiting")  # conftest.py


@pytest.fixture
def imported(site: Path, run_cli, sample_page: Path) -> Path:
    status, out, _ = run_cli("import", str(sample_page), "--root", str(site))
    assert status == 0 and "69 new" in out
    return site


def snapshot(root: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted((root / "content" / "papers").iterdir())}


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the site folder, for 'nothing was touched' checks."""
    return {f.relative_to(root).as_posix(): f.read_bytes()
            for f in sorted(root.rglob("*")) if f.is_file()}


def paper_titled(root: Path, title: str):
    papers, _ = load_papers(root)
    return next(p for p in papers if p.title == title)


def test_fetch_help_lists_the_options(run_cli) -> None:
    status, out, _ = run_cli("fetch", "hf", "--help")
    assert status == 0
    for option in ("--date", "--from", "--to", "--api-url", "--no-cache", "--max-age", "-q"):
        assert option in out
    status, out, _ = run_cli("fetch", "arxiv", "--help")
    assert status == 0 and "--query" in out and "--max" in out


def test_date_and_range_together_is_a_usage_error(site: Path, run_cli) -> None:
    status, _, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--from", "2026-08-10",
                             "--root", str(site))
    assert status == 2 and "not both" in err


def test_hf_end_to_end_into_an_imported_site(imported: Path, run_cli, no_waiting) -> None:
    state = {"upvotes": 42, "faults": [(503, {}), (429, {"Retry-After": "9"})]}

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        assert path == "/api/daily_papers"
        if state["faults"]:
            status, headers = state["faults"].pop(0)
            return status, headers, b"busy"
        if query["date"] == "2026-08-12":
            return 200, {"Content-Type": "application/json"}, b'[{"paper": {"id": "26'
        items = [hf_item("2402.13109v3", CIF, state["upvotes"],
                         githubRepo="https://github.com/yizhilll/CIF-Bench", githubStars=77),
                 hf_item("2608.00001", "A Brand New <script>alert(1)</script> Paper", 3,
                         projectPage="javascript:alert(1)")]
        return 200, {"Content-Type": "application/json"}, json.dumps(items).encode()

    stand_in = StandIn(routes)
    with stand_in.running() as url:
        status, out, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url", url,
                                   "--root", str(imported))
        assert status == 0, err
        assert "2026-08-11: 2 papers: 1 new, 1 updated, 0 unchanged" in out
        assert 9.0 in no_waiting  # Retry-After honoured
        cif = paper_titled(imported, CIF)
        assert cif.arxiv_id == "2402.13109" and cif.slug.startswith("cif-bench")
        assert cif.authors == ("Yizhi Li", "Ge Zhang") and cif.upvotes == 42
        assert cif.abstract.startswith("The advancement of large language models")  # kept

        file = imported / "content" / "papers" / f"{cif.slug}.md"
        file.write_text(file.read_text(encoding="utf-8") + "\nCurator: must read.\n",
                        encoding="utf-8")
        state["upvotes"] = 99
        status, out, _ = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url", url,
                                 "--root", str(imported))
        assert status == 0 and "1 updated" in out
        cif = paper_titled(imported, CIF)
        assert cif.upvotes == 99 and "Curator: must read." in cif.notes

        before = snapshot(imported)
        status, out, err = run_cli("fetch", "hf", "--from", "2026-08-11", "--to", "2026-08-12",
                                   "--api-url", url, "--root", str(imported))
        assert status == 1
        assert f"{url}/api/daily_papers?date=2026-08-12&p=0&limit=100: error: 2026-08-12: " \
               "answer is not valid JSON" in err
        assert "2026-08-11: 2 papers: 0 new, 0 updated, 2 unchanged" in out
        assert "hf: 1 of 2 day(s) fetched" in out
        assert snapshot(imported) == before

    assert (imported / ".sitegen-cache" / "http").is_dir()
    status, _, err = run_cli("build", "--root", str(imported))
    assert status == 0, err
    page = (imported / "_site" / "papers" / f"{cif.slug}.html").read_text(encoding="utf-8")
    assert "Yizhi Li, Ge Zhang" in re.sub(r"<[^>]+>", "", page)  # names may link to pages
    assert 'href="https://arxiv.org/abs/2402.13109"' in page
    assert 'href="https://github.com/yizhilll/CIF-Bench"' in page
    assert "Curator: must read." in page
    new_page = (imported / "_site" / "papers" / "2608.00001.html").read_text("utf-8")
    assert "A Brand New &lt;script&gt;alert(1)&lt;/script&gt; Paper" in new_page
    assert "<script>alert" not in new_page and "javascript:" not in new_page


def test_arxiv_end_to_end(imported: Path, run_cli, no_waiting) -> None:
    calls: list[dict[str, str]] = []

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        calls.append(query)
        if len(calls) == 1:
            return 200, {"Content-Type": "text/plain"}, b"Rate exceeded."
        return 200, {"Content-Type": "application/atom+xml"}, fixture_bytes("arxiv-query.xml")

    with StandIn(routes).running() as url:
        status, out, err = run_cli("fetch", "arxiv", "--query", "all:engines", "--max", "5",
                                   "--api-url", url, "--root", str(imported), "-q")
    assert status == 0, err
    assert out == ""  # -q
    assert calls[-1] == {"search_query": "all:engines", "start": "0", "max_results": "5",
                         "sortBy": "submittedDate", "sortOrder": "descending"}
    assert any(s > 2.9 for s in no_waiting)  # paced: 3 s between arXiv calls (fake sleeps)
    status, _, err = run_cli("build", "--root", str(imported))
    assert status == 0, err
    page = (imported / "_site" / "papers" / "2609.01234.html").read_text("utf-8")
    assert "Ada Lovelace, Charles Babbage" in page
    assert 'href="https://arxiv.org/abs/2609.01234"' in page


def test_arxiv_error_entry_fails_and_stores_nothing(imported: Path, run_cli) -> None:
    before = tree(imported)

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        return 400, {"Content-Type": "application/atom+xml"}, fixture_bytes("arxiv-error.xml")

    with StandIn(routes).running() as url:
        status, _, err = run_cli("fetch", "arxiv", "--query", "id:1234.12345",
                                 "--api-url", url, "--root", str(imported))
    assert status == 1
    assert "arXiv refused the query: incorrect id format for 1234.12345" in err
    assert tree(imported) == before


def test_an_html_error_page_is_refused(imported: Path, run_cli) -> None:
    before = tree(imported)

    def routes(path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        return 200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html>Oops</html>"

    with StandIn(routes).running() as url:
        status, _, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url", url,
                                 "--root", str(imported))
    assert status == 1 and "expected JSON, got an HTML page" in err
    assert tree(imported) == before  # no paper, cache entry or lock file touched


def test_unreachable_server_fails_cleanly(site: Path, run_cli) -> None:
    from conftest import free_port

    status, _, err = run_cli("fetch", "hf", "--date", "2026-08-11", "--api-url",
                             f"http://127.0.0.1:{free_port()}", "--root", str(site))
    assert status == 1
    # Refused at once, not retried like a busy server (tests/test_sources_unreachable.py).
    assert "connection refused by 127.0.0.1:" in err and "gave up after" not in err
    assert "Traceback" not in err
