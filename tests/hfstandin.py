"""A stand-in Hugging Face Daily Papers API with realistic, invented data, for the browser
test of the cards and the screenshots (bench/screenshots.py).

Eight days over two ISO weeks, a dozen or more papers each: titles and abstracts from the
sample page (tests/fixtures/daily-papers-aug11.txt), invented authors, organisations,
upvotes, GitHub stars, comments, summaries, keywords and thumbnails (small PNGs made here
and served by the same server, so a page loads them from its own origin). Seeded:
the same answers every run. One server on 127.0.0.1 answers the API (`/api/daily_papers`),
the thumbnails (`/thumbs/<id>.png`) and, once built, the site under `/site/`.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import random
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "daily-papers-aug11.txt"
#: The days of the stand-in: Monday to Friday of ISO week 32 of 2025, then Monday to
#: Wednesday of week 33 (HF lists weekdays).
DAYS = tuple(dt.date(2025, 8, d) for d in (4, 5, 6, 7, 8, 11, 12, 13))
SEED = 17
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine",
         "Leslie", "Margaret", "Radia", "Shafi", "Tim", "Yoshua", "Fei", "Andrew", "Daphne",
         "Geoffrey", "Jürgen", "Mei", "Wei", "Hiro", "Priya", "Aisha", "Lars", "Sofia", "Chen")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy",
        "Johnson", "Lamport", "Hamilton", "Perlman", "Goldwasser", "Berners-Lee", "Zhang", "Li",
        "Wang", "Kim", "Sato", "Patel", "Khan", "Nilsson", "Rossi", "Müller", "García", "Chen")
ORGS = (("example-lab", "Example Lab"), ("northwind-ai", "Northwind AI"),
        ("contoso-research", "Contoso Research"), ("fabrikam", "Fabrikam Vision"),
        ("tailspin-nlp", "Tailspin NLP"), ("globex", "Globex Robotics"),
        ("initech", "Initech Labs"))
SUBMITTERS = ("akhaliq", "taesiri", "reach-vb", "nielsr")
#: A title with TeX: the cards render it.
MATH_TITLE = "Scaling $k$-Sparse Attention to $10^6$ Tokens with $O(n \\log n)$ Memory"


def _sample() -> list[tuple[str, str]]:
    """(title, abstract) pairs of the sample page."""
    blocks = [b.strip() for b in SAMPLE.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    start = next(i for i, b in enumerate(blocks) if re.fullmatch(r"[A-Z][a-z]{2} \d+", b)) + 1
    body = blocks[start:]
    return [(body[i], body[i + 1]) for i in range(0, len(body) - 1, 2)
            if len(body[i]) < 300 and len(body[i + 1]) > 200]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if len(s) > 40]


def _user(name: str) -> dict:
    return {"_id": "0" * 24, "avatarUrl": f"/avatars/{name}.svg", "fullname": name.title(),
            "name": name, "user": name, "type": "user", "isPro": False}


def day_items(origin: str) -> dict[dt.date, list[dict]]:
    """Every day's answer: a list of daily-paper items in HF's shape, thumbnails at
    `origin` (the server's `http://127.0.0.1:PORT`)."""
    rng = random.Random(SEED)
    pairs = _sample()
    pairs.insert(5, (MATH_TITLE, "We study sparse attention at scale. " + pairs[5][1]))
    days: dict[dt.date, list[dict]] = {}
    serial = 0
    for day_index, day in enumerate(DAYS):
        count = rng.randint(7, 10)
        items: list[dict] = []
        for _ in range(count):
            title, abstract = pairs[serial % len(pairs)]
            if serial >= len(pairs):  # a second round: another paper on the same topic
                title = f"{title.split(':')[0]}++: Revisiting {title.split(':')[-1].strip()}"
            serial += 1
            arxiv_id = f"2508.{day_index + 1:01d}{serial:04d}"
            authors = []
            for _ in range(rng.choice((1, 2, 3, 4, 5, 6, 8, 12))):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                author = {"_id": "0" * 24, "name": name, "hidden": False}
                if rng.random() < 0.2:
                    author["user"] = _user(re.sub(r"[^a-z]", "", name.lower())[:12] or "user")
                authors.append(author)
            upvotes = int(rng.lognormvariate(2.6, 1.0)) if rng.random() > 0.05 else 0
            paper = {
                "id": arxiv_id, "title": title, "summary": abstract, "authors": authors,
                "publishedAt": f"{day - dt.timedelta(days=1)}T17:59:58.000Z",
                "submittedOnDailyAt": f"{day}T04:12:33.000Z",
                "upvotes": min(upvotes, 480), "discussionId": "0" * 24,
                "ai_keywords": [w.lower() for w in re.findall(r"[A-Za-z]{5,}", title)[:4]],
            }
            sentences = _sentences(abstract)
            claims = [s for s in sentences[1:] if re.search(
                r"\b(?:we|this paper) (?:propose|introduce|present|show)", s, re.IGNORECASE)]
            if rng.random() < 0.8 and (claims or len(sentences) > 1):
                paper["ai_summary"] = (claims or sentences[1:])[0]
            if rng.random() < 0.55:
                slug = re.sub(r"[^a-z0-9]+", "-", title.lower())[:30].strip("-")
                paper["githubRepo"] = f"https://github.com/example/{slug}"
                paper["githubStars"] = int(rng.paretovariate(0.9) * 8)
            if rng.random() < 0.3:
                paper["projectPage"] = f"https://example.org/projects/{arxiv_id}"
            item = {
                "paper": paper, "publishedAt": f"{day}T04:12:33.000Z", "title": title,
                "summary": abstract, "thumbnail": f"{origin}/thumbs/{arxiv_id}.png",
                "numComments": rng.choice((0, 0, 1, 2, 3, 5, 8, 13)),
                "submittedBy": _user(rng.choice(SUBMITTERS)),
                "isAuthorParticipating": rng.random() < 0.4,
            }
            if rng.random() < 0.7:
                handle, name = rng.choice(ORGS)
                item["organization"] = {"_id": "0" * 24, "name": handle, "fullname": name,
                                        "avatarUrl": f"/avatars/{handle}.png"}
            if rng.random() < 0.25:
                item["mediaUrls"] = [f"{origin}/media/{arxiv_id}.mp4"]
            items.append(item)
        items.sort(key=lambda item: -item["paper"]["upvotes"])  # HF lists the day so
        days[day] = items
    return days


def thumbnail_png(arxiv_id: str, width: int = 320, height: int = 168) -> bytes:
    """A small social-card-like PNG (two colour bands and a stripe, from the id)."""
    seed = zlib.crc32(arxiv_id.encode())
    top = ((seed >> 16) & 0xFF, (seed >> 8) & 0xFF, seed & 0xFF)
    bottom = tuple(255 - c // 2 for c in top)
    rows = []
    for y in range(height):
        colour = top if y < height * 0.62 else bottom
        line = bytearray()
        for x in range(width):
            stripe = 24 < x < 24 + (seed % 180) + 60 and height * 0.7 < y < height * 0.78
            line += bytes((40, 40, 48) if stripe else colour)
        rows.append(b"\x00" + bytes(line))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


class Server:
    """The stand-in API, its thumbnails, and a built site (`site`: a folder, served under
    `/site/`, `papers/<slug>` also as `papers/<slug>.html`), on 127.0.0.1."""

    def __init__(self) -> None:
        self.site: Path | None = None
        self.origin = ""
        self._days: dict[dt.date, list[dict]] = {}
        self.seen: list[str] = []

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path == "/api/daily_papers":
            day = dt.date.fromisoformat(query.get("date", "1970-01-01"))
            page, limit = int(query.get("p", 0)), int(query.get("limit", 50))
            items = self._days.get(day, [])[page * limit:(page + 1) * limit]
            return 200, "application/json", json.dumps(items).encode()
        if path.startswith("/thumbs/") and path.endswith(".png"):
            return 200, "image/png", thumbnail_png(path[8:-4])
        if path.startswith("/site/") and self.site is not None:
            return self._file(unquote(path[6:]))
        return 404, "text/plain", b"not found"

    def _file(self, rel: str) -> tuple[int, str, bytes]:
        assert self.site is not None
        target = (self.site / rel).resolve()
        if self.site.resolve() not in target.parents and target != self.site.resolve():
            return 404, "text/plain", b"not found"
        if target.is_dir():
            target = target / "index.html"
        elif not target.exists() and target.with_name(target.name + ".html").is_file():
            target = target.with_name(target.name + ".html")
        if not target.is_file():
            return 404, "text/html", (self.site / "404.html").read_bytes()
        kinds = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js":
                 "text/javascript", ".json": "application/json", ".svg": "image/svg+xml",
                 ".xml": "application/xml"}
        return 200, kinds.get(target.suffix, "application/octet-stream"), target.read_bytes()

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve until the block ends; yields the origin (`http://127.0.0.1:PORT`)."""
        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                server_self.seen.append(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, kind, body = server_self.answer(parts.path, query)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the browser moved on
                    pass

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{server.server_address[1]}"
        self._days = day_items(self.origin)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self.origin
        finally:
            server.shutdown()
            server.server_close()
