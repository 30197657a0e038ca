"""One rule language for choosing and tagging papers: words, phrases and `/regexes/`.

`[tags] rules` (tag -> patterns) and `[select] include` / `exclude` (patterns) are compiled
here into one `Matcher`, so a lab writes one kind of rule for both. How a pattern matches:

- a word or phrase matches **whole words**, case-insensitively; in a phrase a hyphen and a
  space are the same, and a phrase does not match across punctuation;
- a phrase with other punctuation (`C++`, `Q&A`) is matched exactly, as written;
- `/.../` is a Python regular expression, case-insensitive, that must not start or end
  inside a word.

A plain word or phrase is found by a set lookup or a substring search on a normalised copy
of the text (lower case, hyphens as spaces, punctuation as a barrier): 10,000 papers in a
fraction of a second. Only `/regexes/` (and phrases with punctuation) run the regex engine.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sitegen.errors import RuleError

# bytes.translate table: ASCII punctuation becomes a barrier "|", hyphen and underscore a space.
_TABLE = bytearray(range(256))
for _char in string.punctuation:
    _TABLE[ord(_char)] = ord("|")
for _char in "-_":
    _TABLE[ord(_char)] = ord(" ")
_TRANSLATE = bytes(_TABLE)
# Common non-ASCII punctuation (UTF-8): dashes join words like "-", the rest are barriers.
_UNICODE_DASHES = tuple(c.encode() for c in "\u2010\u2011\u2012\u2013\u2014")
_UNICODE_BARRIERS = tuple(c.encode() for c in "\u2018\u2019\u201c\u201d\u2026\u00ab\u00bb\u00b7")


def normalise_text(text: str) -> bytes:
    """Text as space-separated lower-case tokens, punctuation kept as ` | ` barriers.

    The result starts and ends with a space, so `b" agent "` in it means the whole word.
    """
    return b" " + b" ".join(tokens(text)) + b" "


def tokens(text: str) -> list[bytes]:
    """The lower-case words of a text, with `|` for each punctuation barrier."""
    data = text.lower().encode("utf-8")
    if not data.isascii():
        for dash in _UNICODE_DASHES:
            data = data.replace(dash, b" ")
        for mark in _UNICODE_BARRIERS:
            data = data.replace(mark, b"|")
    return data.translate(_TRANSLATE).replace(b"|", b" | ").split()


@dataclass(frozen=True)
class Phrase:
    """A phrase of two words or more: both first words must occur before the text search."""

    second: bytes
    text: bytes  # normalised, with a space at each end
    name: str


@dataclass(frozen=True)
class Regex:
    """A compiled `/regex/` (or a phrase with punctuation, escaped)."""

    pattern: re.Pattern[str]
    lowered: bool  # runs on the lower-cased text (see `_compile_regex`)
    name: str
    needed: frozenset[bytes] = frozenset()  # words that must all occur first ("C++": "c")


@dataclass(frozen=True)
class Matcher:
    """Compiled rules: which names (tags, or the patterns themselves) match a text."""

    words: dict[bytes, frozenset[str]] = field(default_factory=dict)
    phrases: dict[bytes, tuple[Phrase, ...]] = field(default_factory=dict)
    regexes: tuple[Regex, ...] = ()
    first_tokens: frozenset[bytes] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.first_tokens or self.regexes)

    def match_fields(self, *fields: str) -> set[str]:
        """The names whose rules match any of the fields (a phrase never spans two)."""
        return self.match(Fields(fields)) if self else set()

    def match(self, fields: Fields) -> set[str]:
        """`match_fields` on fields whose words may be known already (tagging and `[select]`
        read one paper's title and abstract once between them)."""
        found: set[str] = set()
        if not self:
            return found
        present = fields.present
        for token in present.intersection(self.first_tokens):
            if token in self.words:
                found |= self.words[token]
            for phrase in self.phrases.get(token, ()):
                if phrase.second in present and phrase.name not in found and \
                        phrase.text in fields.text:
                    found.add(phrase.name)
        for rule in self.regexes:
            if rule.name not in found and rule.needed <= present and \
                    word_search(rule.pattern, fields.lower if rule.lowered else fields.raw):
                found.add(rule.name)
        return found


class Fields:
    """Texts to match, normalised once, each form when first needed: the words (with
    `|` between fields, so a phrase never spans two), the joined normalised text, the
    raw and the lower-cased text (for `/regexes/`)."""

    __slots__ = ("fields", "_words", "_present", "_text", "_raw", "_lower")

    def __init__(self, fields: tuple[str, ...]) -> None:
        self.fields = fields
        self._words: list[bytes] | None = None
        self._present: set[bytes] | None = None
        self._text = self._raw = self._lower = None

    @property
    def words(self) -> list[bytes]:
        if self._words is None:
            self._words = tokens(" | ".join(self.fields))
        return self._words

    @property
    def present(self) -> set[bytes]:
        if self._present is None:
            self._present = set(self.words)
        return self._present

    @property
    def text(self) -> bytes:
        if self._text is None:
            self._text = b" " + b" ".join(self.words) + b" "
        return self._text

    @property
    def raw(self) -> str:
        if self._raw is None:
            self._raw = "\n".join(self.fields)
        return self._raw

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.raw.lower()
        return self._lower


def word_search(pattern: re.Pattern[str], text: str) -> bool:
    """A match that does not start inside a word. (The check is done here, not by a
    look-behind in the pattern, which would stop `re` from skipping ahead to a literal.)"""
    position = 0
    while match := pattern.search(text, position):
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True
        position = start + 1
    return False


def strings(value: Any, key: str) -> list[str]:
    """A list of strings (one string counts as a list of one); `RuleError` otherwise."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise RuleError(f"{key} must be a list of strings")
    return list(items)


def is_regex(pattern: str) -> bool:
    """True for a `/regular expression/` rule."""
    return len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/")


def compile_regex(body: str, key: str, shown: str) -> tuple[re.Pattern[str], bool]:
    """(pattern, whether it runs on the lower-cased text); `RuleError` naming `key`.

    Case-insensitive matching stops `re` from skipping ahead to a literal, so a pattern
    that can be lower-cased safely (no escapes like `\\S`, no inline flags) is lower-cased
    and run case-sensitively on the lower-cased text: the same matches, several times faster.
    """
    try:
        re.compile(body)  # alone first, so an error's position is one in the user's text
        if "\\" not in body and "(?" not in body or body == body.lower():
            return re.compile(rf"(?:{body.lower()})(?!\w)"), True
        return re.compile(rf"(?:{body})(?!\w)", re.IGNORECASE), False
    except re.error as exc:
        raise RuleError(f"{key}: bad regular expression {shown}: {exc}", shown,
                        hint="write regular expressions as /.../ in Python syntax, "
                        "or a plain word or phrase") from None


@dataclass(frozen=True)
class Rule:
    """One pattern of a config key, and the name it gives when it matches."""

    name: str
    pattern: str
    key: str  # e.g. `[tags] rules."agents"`, for errors


def compile_matcher(rules: Iterable[Rule]) -> Matcher:
    """Compile rules into a `Matcher`; `RuleError` naming the key of a bad pattern."""
    words: dict[bytes, set[str]] = defaultdict(set)
    phrases: dict[bytes, list[Phrase]] = defaultdict(list)
    regexes: list[Regex] = []
    for rule in rules:
        pattern, key, name = rule.pattern, rule.key, rule.name
        if is_regex(pattern):
            regexes.append(Regex(*compile_regex(pattern[1:-1], key, pattern), name))
            continue
        phrase = normalise_text(pattern)
        needed = frozenset(phrase.split()) - {b"|"}
        if not needed:
            raise RuleError(f"{key}: {pattern!r} has no letters or digits to match", pattern)
        if b"|" in phrase:  # punctuation ("C++", "Q&A"): match it exactly, as a regex
            body = re.escape(pattern.strip().lower())
            regexes.append(Regex(*compile_regex(body, key, pattern), name, needed))
        elif phrase.count(b" ") == 2:
            words[phrase.strip()].add(name)
        else:
            first, second = phrase.split()[:2]
            phrases[first].append(Phrase(second, phrase, name))
    return Matcher(words={k: frozenset(v) for k, v in words.items()},
                   phrases={k: tuple(v) for k, v in phrases.items()}, regexes=tuple(regexes),
                   first_tokens=frozenset(words) | frozenset(phrases))
