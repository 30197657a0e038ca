"""Parser for Hugging Face "Daily Papers" pages as users copy them into text files.

Pure: text in, records and problems (with line numbers) out. The page looks like::

    Daily Papers                 <- optional page chrome
    Aug 11                       <- a date line (the page shows no year)
    <title>
                                 <- blank line
    <abstract paragraph>

Titles and abstracts are plain text and are kept exactly as written (HTML- or TeX-looking
text included); only the whitespace around a line is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from sitegen.errors import ContentError
from sitegen.model import Problem
from sitegen.util.textclean import strip_controls

CHROME_LINES = frozenset(
    line.casefold()
    for line in (
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    )
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}
_DATE_LINE = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:(?:,\s*|\s+)(\d{4}))?$")
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_"


@dataclass(frozen=True)
class TextPaper:
    """One paper as read from a page: title, abstract, the day it was listed on, links."""

    title: str
    abstract: str
    date: dt.date
    line: int
    rank: int
    links: tuple[str, ...]


@dataclass(frozen=True)
class ParsedPage:
    """What one page held: papers in page order, problems found, duplicates dropped."""

    papers: tuple[TextPaper, ...]
    problems: tuple[Problem, ...]
    duplicates: int


@dataclass(frozen=True)
class _Block:
    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def parse_date_line(line: str) -> tuple[int, int, int | None] | None:
    """`Aug 11` -> (8, 11, None); `August 11, 2025` -> (8, 11, 2025); otherwise None."""
    match = _DATE_LINE.match(line)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).lower())
    day = int(match.group(2))
    if month is None or not 1 <= day <= 31:
        return None
    year = int(match.group(3)) if match.group(3) else None
    return month, day, year


def infer_year(month: int, day: int, today: dt.date) -> int:
    """The year of the latest `month`/`day` that is not after `today`."""
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return year
    raise ValueError(f"no valid date for {month}/{day}")


def extract_links(text: str) -> tuple[str, ...]:
    """URLs in an abstract, trailing punctuation and unbalanced brackets stripped, deduplicated."""
    found: dict[str, None] = {}
    for match in _URL.finditer(text):
        url = match.group(0)
        url = url[:_url_end(url)]
        host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/", 1)[0]
        if "." in host:
            found.setdefault(url)
    return tuple(found)


_OPENER = {")": "(", "]": "[", "}": "{"}


def _url_end(url: str) -> int:
    """Where a URL found in text ends: trailing punctuation and closing brackets it did not
    open left outside. Linear: each bracket kind is counted once (counting again for each
    `)` stripped took 50 s for a URL followed by 200 kB of `)`)."""
    unmatched = {close: url.count(close) - url.count(open_) for close, open_ in _OPENER.items()}
    end = len(url)
    while end:
        char = url[end - 1]
        if char in _TRAILING:
            end -= 1
        elif char in unmatched and unmatched[char] > 0:
            unmatched[char] -= 1
            end -= 1
        else:
            break
    return end


@lru_cache(maxsize=1 << 17)  # an import merges page after page against the whole store
def normalise_title(title: str) -> str:
    """The key titles are deduplicated by: case, spacing and punctuation ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", title.casefold()).split())


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append(_Block(start, tuple(current)))
            current = []
    if current:
        blocks.append(_Block(start, tuple(current)))
    return blocks


def _looks_like_abstract(block: _Block) -> bool:
    text = block.text
    return len(block.lines) > 1 or len(text) >= 200 or len(re.findall(r"[.!?。](\s|$)", text)) >= 2


def decode_page(data: bytes, path: str) -> str:
    """Bytes of a page -> text; binary or non-UTF-8 files are refused with the reason."""
    if not data.strip():
        raise ContentError("empty file, not a Daily Papers page", path)
    if b"\x00" in data[:8192]:
        raise ContentError("binary file, not a Daily Papers page", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text (invalid byte at offset {exc.start})", path,
                           hint="save the page as UTF-8") from None
    return strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_page(text: str, path: str, today: dt.date, year: int | None = None) -> ParsedPage:
    """Parse a Daily Papers page; raise `ContentError` if it holds no papers at all."""
    blocks = [b for b in _blocks(text.split("\n"))
              if not (len(b.lines) == 1 and b.lines[0].casefold() in CHROME_LINES)]
    if not any(len(b.lines) == 1 and parse_date_line(b.lines[0]) for b in blocks):
        raise ContentError("no papers found (no date line such as 'Aug 11'), not a Daily Papers "
                           "page", path)
    problems: list[Problem] = []
    papers: list[TextPaper] = []
    seen: dict[str, int] = {}
    duplicates = 0
    day: dt.date | None = None
    rank = 0
    i = 0

    def date_of(block: _Block) -> dt.date | None:
        if len(block.lines) != 1:
            return None
        parsed = parse_date_line(block.lines[0])
        if parsed is None:
            return None
        month, mday, stated = parsed
        try:
            if stated is not None or year:  # `Aug 11, 0000` states year 0: not "no year"
                return dt.date(stated if stated is not None else year or 0, month, mday)
            return dt.date(infer_year(month, mday, today), month, mday)
        except ValueError:
            raise ContentError(f"date line {block.lines[0]!r} is not a real date", path,
                               block.line, "write the day as 'Aug 11' or 'Aug 11, 2025'"
                               ) from None

    while i < len(blocks):
        block = blocks[i]
        block_day = date_of(block)
        if block_day is not None:
            day, rank = block_day, 0
            i += 1
            continue
        title_block = block
        abstract = ""
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        consumed = 1
        if nxt is not None and date_of(nxt) is None:
            after = blocks[i + 2] if i + 2 < len(blocks) else None
            if _looks_like_abstract(nxt) or after is None or date_of(after) is not None \
                    or not _looks_like_abstract(after):
                abstract = nxt.text
                consumed = 2
        i += consumed
        if len(title_block.lines) > 1 and not abstract:
            # A wrapped paragraph with no title before it: the first line is the title.
            title, abstract = title_block.lines[0], " ".join(title_block.lines[1:])
        else:
            title = title_block.text
        if day is None:
            raise ContentError(f"paper {title[:60]!r} comes before any date line", path,
                               title_block.line, "add a line such as 'Aug 11' above it")
        if not abstract:
            problems.append(Problem(path, f"paper {title[:60]!r} has no abstract; kept without one",
                                    title_block.line, severity="warning"))
        key = normalise_title(title)
        if not key:
            key = title
        if key in seen:
            duplicates += 1
            first = papers[seen[key]]
            if day < first.date:  # the first day a paper appeared on is the one kept
                papers[seen[key]] = replace(first, date=day)
            continue
        seen[key] = len(papers)
        rank += 1
        papers.append(TextPaper(title=title, abstract=abstract, date=day, line=title_block.line,
                                rank=rank, links=extract_links(abstract)))
    if not papers:
        raise ContentError("no papers found, not a Daily Papers page", path,
                           hint="a page has a date line such as 'Aug 11', then title and "
                           "abstract paragraphs")
    return ParsedPage(tuple(papers), tuple(problems), duplicates)
