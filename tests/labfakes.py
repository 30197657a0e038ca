"""Stand-in Hugging Face and arXiv APIs for a lab's site, served on 127.0.0.1 from the
recorded answers in tests/fixtures/sources (one server answers every path)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fetchfakes import FIXTURES, StandIn, fixture_bytes

JSON = {"Content-Type": "application/json"}
ATOM = {"Content-Type": "application/atom+xml"}
RSS = {"Content-Type": "application/rss+xml"}
_ENTRY = re.compile(rb"  <entry>.*?</entry>\n", re.DOTALL)
_ENTRY_ID = re.compile(rb"<id>http://arxiv\.org/abs/([^<]+?)v\d+</id>")


def idlist_answer(ids: list[str], source: bytes | None = None) -> bytes:
    """An `id_list` answer holding the recorded entries of these ids (the others unknown)."""
    source = source or fixture_bytes("arxiv-idlist.xml")
    entries = {m.group(1).decode(): e.group(0) for e in _ENTRY.finditer(source)
               if (m := _ENTRY_ID.search(e.group(0)))}
    head = source[:source.index(b"  <entry>")]
    head = re.sub(rb"<opensearch:totalResults>\d+<", b"<opensearch:totalResults>"
                  + str(sum(i in entries for i in ids)).encode() + b"<", head)
    return head + b"".join(entries[i] for i in ids if i in entries) + b"</feed>\n"


@dataclass
class LabApis:
    """What the stand-in answers: HF days and papers, arXiv metadata and feeds."""

    hf_days: dict[str, list] = field(default_factory=dict)
    hf_papers: dict[str, dict] = field(default_factory=dict)
    hf_search: list = field(default_factory=list)
    feeds: dict[str, bytes] = field(default_factory=dict)  # "cs.CV+cs.NE" -> RSS
    arxiv_down: bool = False
    seen: list[str] = field(default_factory=list)

    @classmethod
    def recorded(cls) -> LabApis:
        """The lab's recorded day: HF's list of 2026-09-15 and arXiv's announcement."""
        return cls(hf_days={"2026-09-15": json.loads(fixture_bytes("hf-lab-day.json"))},
                   hf_papers={"2609.30001": json.loads(fixture_bytes("hf-paper.json"))},
                   hf_search=json.loads(fixture_bytes("hf-search.json")),
                   feeds={"cs.CV+cs.NE": fixture_bytes("arxiv-announce.xml")})

    def routes(self, path: str, query: dict[str, str]) -> tuple[int, dict, bytes]:
        self.seen.append(path + ("?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))
                                 if query else ""))
        if path == "/api/daily_papers":
            items = self.hf_days.get(query["date"], [])
            return 200, JSON, json.dumps(items if query.get("p", "0") == "0" else []).encode()
        if path == "/api/papers/search":
            return 200, JSON, json.dumps(self.hf_search).encode()
        if path.startswith("/api/papers/"):
            paper = self.hf_papers.get(path.rsplit("/", 1)[1])
            if paper is None:
                return 404, JSON, b'{"error": "Paper not found"}'
            return 200, JSON, json.dumps(paper).encode()
        if path == "/api/query":
            if self.arxiv_down:
                return 500, {"Content-Type": "text/plain"}, b"down"
            return 200, ATOM, idlist_answer(query.get("id_list", "").split(","))
        if path.startswith("/rss/"):
            feed = self.feeds.get(path[len("/rss/"):])
            if feed is None:
                return 404, {"Content-Type": "text/plain"}, b"no such feed"
            return 200, RSS, feed
        return 404, {"Content-Type": "text/plain"}, b"unknown path"

    @contextmanager
    def running(self) -> Iterator[str]:
        with StandIn(self.routes).running() as url:
            yield url


def lab_config(url: str, select: str = "", fetch: str = "") -> str:
    """A `sitegen.toml` whose sources all point at the stand-in at `url`."""
    return (f'[site]\ntitle = "Lab Papers"\nbase_url = "https://lab.example/papers/"\n'
            f"[sources]\nhf_api_url = \"{url}\"\narxiv_api_url = \"{url}\"\n"
            f"arxiv_listing_url = \"{url}\"\n{select}{fetch}")


def write_config(site: Path, text: str) -> None:
    (site / "sitegen.toml").write_text(text, encoding="utf-8")


assert FIXTURES.is_dir()
