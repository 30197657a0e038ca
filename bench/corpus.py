"""A synthetic, deterministic Daily Papers corpus for the benchmarks.

Sentences and titles of the real sample page (tests/fixtures/daily-papers-aug11.txt) are
recombined with a seeded RNG: N papers, 30 to 60 a day, one Daily Papers text page per
day (`Aug 11`, then title, blank line, abstract), the format `sitegen import` reads.
Days run backwards from `END`; a corpus of more than about 16,000 papers spans more than
one year, so pages are filed by year (`pages/YYYY/`) and imported with `--year YYYY`.

    python bench/corpus.py 10000 bench/out/corpus-10000          # write the pages
    python bench/corpus.py 10000 DIR --pelican DIR/pelican       # also Pelican articles

Authors: the text pages carry none (the format has no byline), so each paper's authors
are a function of its serial (`authors_of`, the serial is in the title): 3 to 10 of
`AUTHOR_POOL` synthetic names drawn by a Zipf-Mandelbrot law (weight 1 / (rank + 150)),
so a few are prolific (at 10,000 papers the most prolific has about 130 papers, the
median name about 11) and every name has a page there. `add_authors` writes them into
the imported paper files; Pelican's articles get the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from bisect import bisect
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "daily-papers-aug11.txt"
END = dt.date(2025, 12, 20)  # the corpus's newest day; `extra_day` adds the days after
SEED = 20250811
ABSTRACT_CHARS = 1300  # the mean abstract length aimed at
AUTHOR_POOL = 4000  # distinct names
ZIPF_SHIFT = 150  # name k has weight 1 / (k + ZIPF_SHIFT): a few prolific, a long tail
_FIRST = ("Wei", "Yann", "Mei", "Ana", "Omar", "Lena", "Ravi", "Sofia", "Jun", "Ahmed",
          "Chen", "Elena", "Kai", "Nora", "Pablo", "Yuki", "Ines", "Tomas", "Aisha", "Lars",
          "Hana", "Diego", "Zoë", "José", "Priya", "Ivan", "Fatima", "Noah", "Sara", "Li")
_LAST = ("Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
         "Smith", "Müller", "García", "Kim", "Park", "Singh", "Kumar", "Nguyen", "Rossi",
         "Silva", "Ivanova", "Tanaka", "Sato", "Cohen", "Novak", "Dubois", "Larsen",
         "O'Brien", "Okafor", "Haddad", "Petrov", "Santos", "Ali", "Lee", "Brown", "Fischer",
         "Kowalski", "Yilmaz", "Andersson", "Moreau")
_SERIAL = re.compile(r"-(\d+): ")


@dataclass(frozen=True)
class Record:
    """One synthetic paper."""

    date: dt.date
    title: str
    abstract: str


def _sample_parts() -> tuple[list[str], list[str], list[str]]:
    """(title heads, title tails, abstract sentences) of the sample page."""
    blocks = [b.strip() for b in SAMPLE.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    heads: list[str] = []
    tails: list[str] = []
    sentences: list[str] = []
    for block in blocks:
        if len(block) >= 200:
            sentences += [s for s in re.split(r"(?<=[.!?])\s+", block) if len(s) > 30]
        elif len(block) > 25:
            head, sep, tail = block.partition(": ")
            if sep:
                heads.append(head)
                tails.append(tail)
            else:
                tails.append(block)
    return heads or ["Model"], tails, sentences


def _day_sizes(n: int, rng: random.Random) -> list[int]:
    sizes: list[int] = []
    left = n
    while left > 0:
        size = min(left, rng.randint(30, 60))
        sizes.append(size)
        left -= size
    return sizes


def generate(n: int, seed: int = SEED, end: dt.date = END) -> list[Record]:
    """N papers over consecutive days ending at `end`, newest day last in the list."""
    rng = random.Random(seed)
    heads, tails, sentences = _sample_parts()
    sizes = _day_sizes(n, rng)
    records: list[Record] = []
    serial = 0
    for offset, size in zip(range(len(sizes) - 1, -1, -1), sizes, strict=True):
        day = end - dt.timedelta(days=offset)
        for _ in range(size):
            serial += 1
            records.append(_record(day, serial, rng, heads, tails, sentences))
    return records


def extra_day(n: int, count: int = 30, seed: int = SEED, end: dt.date = END,
              after: int = 1, first: int | None = None) -> list[Record]:
    """The papers of the `after`-th day after the corpus: a "new day" of the benchmark.

    `first` is the serial of its first paper (default: as if every day before it had
    `count` papers); serials keep titles distinct."""
    rng = random.Random(seed + after)
    heads, tails, sentences = _sample_parts()
    day = end + dt.timedelta(days=after)
    first = n + 1 + (after - 1) * count if first is None else first
    return [_record(day, first + i, rng, heads, tails, sentences) for i in range(count)]


def _record(day: dt.date, serial: int, rng: random.Random, heads: list[str],
            tails: list[str], sentences: list[str]) -> Record:
    # The serial keeps titles distinct: the importer deduplicates by normalised title.
    title = f"{rng.choice(heads)}-{serial}: {rng.choice(tails)}"
    target = rng.randint(ABSTRACT_CHARS - 400, ABSTRACT_CHARS + 400)
    parts: list[str] = []
    length = 0
    while length < target:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence) + 1
    return Record(day, title, " ".join(parts))


@lru_cache(maxsize=1)
def _author_table() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The pool of names (with a middle initial: `AUTHOR_POOL` distinct ones) and their
    cumulative Zipf-Mandelbrot weights, most prolific first."""
    rng = random.Random(SEED)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < AUTHOR_POOL:
        name = f"{rng.choice(_FIRST)} {chr(65 + rng.randrange(26))}. {rng.choice(_LAST)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    weights = accumulate(1 / (rank + ZIPF_SHIFT) for rank in range(1, AUTHOR_POOL + 1))
    return tuple(names), tuple(weights)


def authors_of(serial: int) -> tuple[str, ...]:
    """The authors of paper `serial`: 3 to 10 distinct names of the pool."""
    names, cumulative = _author_table()
    rng = random.Random(SEED * 1_000_003 + serial)
    count = rng.randint(3, 10)
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        chosen[names[bisect(cumulative, rng.random() * cumulative[-1])]] = None
    return tuple(chosen)


def serial_of(title: str) -> int | None:
    """The serial a synthetic title carries (`Head-123: tail`), else None."""
    found = _SERIAL.search(title)
    return int(found.group(1)) if found else None


def add_authors(site: Path, done: set[str]) -> int:
    """Give the imported papers of `site` whose file is not in `done` their authors
    (`authors_of` their title's serial), rewriting their files; return how many."""
    import dataclasses

    from sitegen.store.paperfile import paper_to_text
    from sitegen.store.papers import paper_files, read_paper_file

    count = 0
    for file in paper_files(site):
        if file.name in done:
            continue
        done.add(file.name)
        paper = read_paper_file(file, site).paper
        serial = serial_of(paper.title) if paper is not None else None
        if paper is None or serial is None or paper.authors:
            continue
        text = paper_to_text(dataclasses.replace(paper, authors=authors_of(serial)))
        file.write_text(text, encoding="utf-8")
        count += 1
    return count


def by_day(records: list[Record]) -> dict[dt.date, list[Record]]:
    """Records grouped by day, in date order."""
    days: dict[dt.date, list[Record]] = {}
    for record in records:
        days.setdefault(record.date, []).append(record)
    return dict(sorted(days.items()))


def page_text(day: dt.date, records: list[Record]) -> str:
    """One Daily Papers text page, as users copy it."""
    lines = ["Daily Papers", "", f"{day:%b} {day.day}", ""]
    for record in records:
        lines += [record.title, "", record.abstract, ""]
    return "\n".join(lines)


def write_pages(records: list[Record], folder: Path) -> dict[int, list[Path]]:
    """Write one page per day into `folder/YYYY/`; return the page files by year."""
    files: dict[int, list[Path]] = {}
    for day, day_records in by_day(records).items():
        path = folder / str(day.year) / f"{day.isoformat()}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page_text(day, day_records), encoding="utf-8")
        files.setdefault(day.year, []).append(path)
    return files


def write_pelican(records: list[Record], folder: Path) -> int:
    """The same papers as Pelican Markdown articles (one file each); return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, record in enumerate(records, 1):
        title = record.title.replace("\n", " ")
        text = (f"Title: {title}\nDate: {record.date.isoformat()} 00:00\n"
                f"Slug: paper-{number}\nCategory: papers\n\n{record.abstract}\n")
        (folder / f"paper-{number:06d}.md").write_text(text, encoding="utf-8")
    return len(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of papers")
    parser.add_argument("out", type=Path, help="folder for the pages (pages/YYYY/*.txt)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--pelican", type=Path, metavar="DIR",
                        help="also write Pelican Markdown articles into DIR")
    args = parser.parse_args()
    records = generate(args.n, args.seed)
    files = write_pages(records, args.out / "pages")
    print(f"{len(records)} papers on {sum(len(f) for f in files.values())} days "
          f"({min(files)}-{max(files)}) in {args.out / 'pages'}")
    if args.pelican:
        print(f"{write_pelican(records, args.pelican)} Pelican articles in {args.pelican}")


if __name__ == "__main__":
    main()
