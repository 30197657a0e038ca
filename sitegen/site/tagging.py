"""Tags of a paper: stored tags, mapped source keywords, and `sitegen.toml` rules.

Rule tags are computed at build time and never written back, so changing a rule re-tags
the whole archive. Rules are compiled once per build (`compile_rules`) into a token index:
a plain word or phrase is matched by a substring search on a normalised copy of the text
(lower case, hyphens as spaces, punctuation as a barrier); only `/regular expressions/`
(and phrases with punctuation, such as `C++`) run the regex engine.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sitegen.errors import ConfigError
from sitegen.model import Paper
from sitegen.site.tagrules import DEFAULT_KEYWORDS, DEFAULT_RULES

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


def normalise_tag(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """One spelling per tag: spaces folded, lower case, then aliases applied."""
    tag = " ".join(name.split()).lower()
    if aliases:
        tag = aliases.get(tag, tag)
    return tag


def normalise_text(text: str) -> bytes:
    """Text as space-separated lower-case tokens, punctuation kept as ` | ` barriers.

    The result starts and ends with a space, so `b" agent "` in it means the whole word.
    """
    return b" " + b" ".join(_tokens(text)) + b" "


def _tokens(text: str) -> list[bytes]:
    data = text.lower().encode("utf-8")
    if not data.isascii():
        for dash in _UNICODE_DASHES:
            data = data.replace(dash, b" ")
        for mark in _UNICODE_BARRIERS:
            data = data.replace(mark, b"|")
    return data.translate(_TRANSLATE).replace(b"|", b" | ").split()


@dataclass(frozen=True)
class TagRules:
    """Compiled tag rules: aliases, keyword map, phrase index and regexes."""

    aliases: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]  # normalised source keyword -> tags
    words: Mapping[bytes, frozenset[str]]  # one-word rule -> tags
    #: first word -> (second word, phrase, tag); both words must occur before a text search
    phrases: Mapping[bytes, tuple[tuple[bytes, bytes, str], ...]]
    #: (pattern, runs on lower-cased text, tag, words that must all occur first); the words
    #: let a phrase with punctuation ("C++") skip most texts
    regexes: tuple[tuple[re.Pattern[str], bool, str, frozenset[bytes]], ...]
    first_tokens: frozenset[bytes] = frozenset()  # words' and phrases' keys

    def rule_tags(self, title: str, abstract: str) -> set[str]:
        """Tags whose rules match the title or the abstract."""
        found: set[str] = set()
        tokens = _tokens(title + " | " + abstract)
        text = b""
        present = set(tokens)
        for token in present.intersection(self.first_tokens):
            if token in self.words:
                found |= self.words[token]
            for second, phrase, tag in self.phrases.get(token, ()):
                if second in present and tag not in found:
                    text = text or b" " + b" ".join(tokens) + b" "
                    if phrase in text:
                        found.add(tag)
        if self.regexes:
            raw = title + "\n" + abstract
            lower = raw.lower()
            for pattern, lowered, tag, needed in self.regexes:
                if tag not in found and needed <= present and \
                        _search(pattern, lower if lowered else raw):
                    found.add(tag)
        return found

    def tags(self, paper: Paper) -> tuple[str, ...]:
        """Stored tags + mapped keywords + rule tags, normalised, sorted, no duplicates."""
        tags = {normalise_tag(t, self.aliases) for t in paper.tags}
        if self.keywords:
            sources = (*paper.ai_keywords, *paper.categories, paper.primary_category or "")
            for keyword in sources:
                tags.update(self.keywords.get(" ".join(keyword.split()).lower(), ()))
        tags.update(self.rule_tags(paper.title, paper.abstract))
        return tuple(sorted(t for t in tags if t))


def _search(pattern: re.Pattern[str], text: str) -> bool:
    """A match that does not start inside a word. (The check is done here, not by a
    look-behind in the pattern, which would stop `re` from skipping ahead to a literal.)"""
    position = 0
    while match := pattern.search(text, position):
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True
        position = start + 1
    return False


def _strings(value: Any, key: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{key} must be a list of strings")
    return list(items)


def _compile_regex(body: str, key: str, shown: str) -> tuple[re.Pattern[str], bool]:
    """(pattern, whether it runs on the lower-cased text).

    Case-insensitive matching stops `re` from skipping ahead to a literal, so a pattern
    that can be lower-cased safely (no escapes like `\\S`, no inline flags) is lower-cased
    and run case-sensitively on the lower-cased text: the same matches, found faster.
    """
    try:
        re.compile(body)  # alone first, so an error's position is one in the user's text
        if "\\" not in body and "(?" not in body or body == body.lower():
            return re.compile(rf"(?:{body.lower()})(?!\w)"), True
        return re.compile(rf"(?:{body})(?!\w)", re.IGNORECASE), False
    except re.error as exc:
        raise ConfigError(f"{key}: bad regular expression {shown}: {exc}",
                          hint="write regular expressions as /.../ in Python syntax, "
                          "or a plain word or phrase") from None


def compile_rules(section: Mapping[str, Any]) -> TagRules:
    """Compile a `[tags]` section; raise `ConfigError` naming the key of a bad value."""
    aliases = {}
    for alias, target in section.get("aliases", {}).items():
        if not isinstance(target, str) or not normalise_tag(target):
            raise ConfigError(f'[tags] aliases."{alias}" must be a non-empty string')
        aliases[normalise_tag(alias)] = normalise_tag(target)
    keywords: dict[str, tuple[str, ...]] = {}
    keyword_map: dict[str, Any] = dict(DEFAULT_KEYWORDS) if section.get("default_rules") else {}
    keyword_map.update(section.get("keywords", {}))
    for keyword, targets in keyword_map.items():
        names = _strings(targets, f'[tags] keywords."{keyword}"')
        keywords[" ".join(keyword.split()).lower()] = tuple(
            t for t in (normalise_tag(n, aliases) for n in names) if t)
    rules: dict[str, Iterable[str]] = dict(DEFAULT_RULES) if section.get("default_rules") else {}
    rules.update(section.get("rules", {}))  # a site's rule for a tag replaces the default one
    words: dict[bytes, set[str]] = defaultdict(set)
    phrases: dict[bytes, list[tuple[bytes, bytes, str]]] = defaultdict(list)
    regexes: list[tuple[re.Pattern[str], bool, str, frozenset[bytes]]] = []
    for name, patterns in rules.items():
        key = f'[tags] rules."{name}"'
        tag = normalise_tag(name, aliases)
        if not tag:
            raise ConfigError(f"{key}: a tag name cannot be empty")
        for pattern in _strings(patterns, key):
            if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
                regexes.append((*_compile_regex(pattern[1:-1], key, pattern), tag, frozenset()))
                continue
            phrase = normalise_text(pattern)
            needed = frozenset(phrase.split()) - {b"|"}
            if not needed:
                raise ConfigError(f"{key}: {pattern!r} has no letters or digits to match")
            if b"|" in phrase:  # punctuation ("C++", "Q&A"): match it exactly, as a regex
                body = re.escape(pattern.strip().lower())
                regexes.append((*_compile_regex(body, key, pattern), tag, needed))
            elif phrase.count(b" ") == 2:
                words[phrase.strip()].add(tag)
            else:
                first, second = phrase.split()[:2]
                phrases[first].append((second, phrase, tag))
    return TagRules(aliases=aliases, keywords=keywords,
                    words={k: frozenset(v) for k, v in words.items()},
                    phrases={k: tuple(v) for k, v in phrases.items()}, regexes=tuple(regexes),
                    first_tokens=frozenset(words) | frozenset(phrases))


def tags_for(paper: Paper, rules: TagRules) -> tuple[str, ...]:
    """The tags a paper is shown with, sorted and without duplicates (`TagRules.tags`)."""
    return rules.tags(paper)


def with_tags(paper: Paper, tags: tuple[str, ...]) -> Paper:
    """`dataclasses.replace(paper, tags=tags)` without its checks: a copy of the fields
    (`Paper` has no `__post_init__` to run again; with slots, `replace` is used)."""
    if not hasattr(paper, "__dict__") or hasattr(paper, "__post_init__"):
        return replace(paper, tags=tags)
    copy = object.__new__(type(paper))
    fields = copy.__dict__
    fields.update(paper.__dict__)
    fields["tags"] = tags
    return copy
