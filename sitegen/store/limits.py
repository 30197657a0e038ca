"""What one paper may bring: sizes of its texts and lists, ranges of its numbers.

Every stage's work grows with what a paper holds, some of it faster than linearly (a tag
page lists each paper with all its tags: the output grows with the square of a paper's
tag count; 5,000 tags made 2.1 GB). Real papers stay far below these limits (an arXiv
abstract is at most 1,920 characters; the largest author lists hold about 5,000 names).
A paper file over one is refused with a message naming the key and the limit; `import`
and `fetch` read every paper back with these rules before writing (commands/admit.py).
docs/content.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Characters of a text key; keys not named here: `MAX_TEXT`.
TEXT_LIMITS: dict[str, int] = {"title": 2_000, "abstract": 50_000, "ai_summary": 50_000}
MAX_TEXT = 10_000
#: Items of a list key; keys not named here: `MAX_ITEMS`.
LIST_LIMITS: dict[str, int] = {"authors": 10_000, "tags": 100, "links": 100,
                               "ai_keywords": 100, "categories": 100, "media_urls": 100,
                               "hf_accounts": 10_000}
MAX_ITEMS = 1_000
#: Characters of one item of a list (an author's name, a tag, a link), or of a key or value
#: of a mapping (`hf_accounts`: an author's name and their username).
MAX_ITEM = 2_000
#: Characters of the curator's notes (the Markdown body).
MAX_NOTES = 200_000
#: The largest count (`rank`, `upvotes`, `comments`, `github_stars`); none is negative.
MAX_COUNT = 1_000_000_000
COUNT_KEYS = ("rank", "upvotes", "comments", "github_stars")

Report = Callable[[str, str, str], None]  # (key, message, hint)
_HINT = "see the limits in docs/content.md"


def check_limits(data: dict[Any, Any], notes: str, report: Report) -> None:
    """Report every value of `data` (and the notes) over its limit."""
    for key, value in data.items():
        if isinstance(value, str):
            most = TEXT_LIMITS.get(key, MAX_TEXT)
            if len(value) > most:
                report(str(key), f"'{key}' has {len(value):,} characters, at most {most:,}",
                       _HINT)
        elif isinstance(value, list):
            most = LIST_LIMITS.get(key, MAX_ITEMS)
            if len(value) > most:
                report(str(key), f"'{key}' has {len(value):,} items, at most {most:,}", _HINT)
            longest = max((len(v) for v in value if isinstance(v, str)), default=0)
            if longest > MAX_ITEM:
                report(str(key), f"an item of '{key}' has {longest:,} characters, at most "
                       f"{MAX_ITEM:,}", _HINT)
        elif isinstance(value, dict):  # hf_accounts: one entry per author at most
            most = LIST_LIMITS.get(key, MAX_ITEMS)
            if len(value) > most:
                report(str(key), f"'{key}' has {len(value):,} entries, at most {most:,}", _HINT)
            longest = max((len(v) for pair in value.items() for v in pair if isinstance(v, str)),
                          default=0)
            if longest > MAX_ITEM:
                report(str(key), f"a name in '{key}' has {longest:,} characters, at most "
                       f"{MAX_ITEM:,}", _HINT)
        elif key in COUNT_KEYS and isinstance(value, int) and not isinstance(value, bool) \
                and not 0 <= value <= MAX_COUNT:
            shown = f"{value:,}" if abs(value) < 10**30 else \
                f"a number of {_digits(value):,} digits"
            report(str(key), f"'{key}' is {shown}, not a count from 0 to {MAX_COUNT:,}", _HINT)
    size = len(notes.strip("\n"))  # as written back: the line breaks around notes vary
    if size > MAX_NOTES:
        report("", f"the notes have {size:,} characters, at most {MAX_NOTES:,}", _HINT)


def _digits(value: int) -> int:
    """The digits of a huge number, without `str()` (refused beyond 4,300 digits)."""
    return max(1, int(abs(value).bit_length() * 0.30103) + 1)
