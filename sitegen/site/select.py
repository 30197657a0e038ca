"""Which stored papers the site shows: the `[select]` rules, `hidden` and `draft`. Pure.

A paper is judged on its own (never against other papers), so a decision can be kept with
the parsed paper until the paper or the rules change. The first rule that decides wins:

1. `hidden: true` / `draft: true` in the paper's front matter: dropped, whatever else says;
2. a paper added by hand (`sitegen add`, `source: added`): kept;
3. `authors`: a paper by someone on the watch list is kept;
4. `exclude`: a paper matching one of these rules is dropped;
5. `categories`: a paper with arXiv categories, none of them listed, is dropped;
6. `min_upvotes`: a paper with an upvote count below it is dropped;
7. `include` and `tags`: a paper matching an `include` rule or having one of the `tags` is
   kept, any other is dropped; with neither key set every paper is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sitegen.errors import RuleError
from sitegen.model import Paper
from sitegen.site.rules import (
    Fields,
    Matcher,
    Rule,
    compile_matcher,
    compile_regex,
    is_regex,
    strings,
    tokens,
    word_search,
)
from sitegen.site.tagging import TagRules, normalise_tag, with_tags

STORE_CHOICES = ("selected", "all")
#: An arXiv category: an archive (`hep-th`, `cs`), maybe with a subject class (`cs.CV`).
CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
#: What `sitegen add` writes as `source`: such a paper was chosen by hand.
ADDED = "added"


@dataclass(frozen=True)
class Decision:
    """Kept or dropped, and the rule that decided (for dry runs and summaries)."""

    kept: bool
    rule: str


KEEP_ALL = Decision(True, "no include or tags rule: every paper is kept")
NO_MATCH = Decision(False, "no include or tags rule matched")


def _plain_name(name: str) -> tuple[bytes, ...]:
    """A person's name compared loosely: case, accents, spacing and hyphens ignored."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return tuple(tokens(folded))


@dataclass(frozen=True)
class AuthorRule:
    """One watch-list entry: a whole name (loosely compared) or a `/regex/` on each name."""

    shown: str
    name: tuple[bytes, ...] = ()
    pattern: re.Pattern[str] | None = None
    lowered: bool = False

    def matches(self, author: str) -> bool:
        if self.pattern is None:
            return _plain_name(author) == self.name
        return word_search(self.pattern, author.lower() if self.lowered else author)


@dataclass(frozen=True)
class Selector:
    """Compiled `[select]` rules."""

    include: Matcher
    exclude: Matcher
    authors: tuple[AuthorRule, ...] = ()
    tags: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()  # lower case
    min_upvotes: int = 0
    store: str = "selected"

    @property
    def chooses(self) -> bool:
        """True when some rule can drop a paper (else only `hidden`/`draft` do)."""
        return bool(self.include or self.exclude or self.tags or self.categories
                    or self.min_upvotes)

    def judge(self, paper: Paper, text: Fields | None = None) -> Decision:
        """The decision for one paper, with its tags already given (`TagRules.tags`);
        `text`: its title and abstract as `Fields`, if the caller has them."""
        if paper.hidden:
            return Decision(False, "hidden: true (front matter)")
        if paper.draft:
            return Decision(False, "draft: true (front matter)")
        if paper.source == ADDED:
            return Decision(True, "added by hand (sitegen add)")
        for rule in self.authors:
            for author in paper.authors:
                if rule.matches(author):
                    return Decision(True, f"authors: {rule.shown!r} ({author})")
        if not self.chooses:
            return KEEP_ALL
        text = text or Fields((paper.title, paper.abstract))
        if self.exclude:
            found = _matches(self.exclude, text, paper.ai_keywords)
            if found:
                return Decision(False, f"exclude: {min(found)!r}")
        if self.categories and paper.categories:
            if not any(c.lower() in self.categories for c in paper.categories):
                return Decision(False, f"categories: {', '.join(paper.categories)} "
                                "not in [select] categories")
        if self.min_upvotes and paper.upvotes is not None and paper.upvotes < self.min_upvotes:
            return Decision(False, f"min_upvotes: {paper.upvotes} < {self.min_upvotes}")
        if not (self.include or self.tags):
            return KEEP_ALL
        if self.include:
            found = _matches(self.include, text, paper.ai_keywords)
            if found:
                return Decision(True, f"include: {min(found)!r}")
        for tag in paper.tags:
            if tag in self.tags:
                return Decision(True, f"tags: {tag!r}")
        return NO_MATCH


def _matches(matcher: Matcher, text: Fields, keywords: tuple[str, ...]) -> set[str]:
    """The rules matching the title and abstract (`text`) or one of the HF keywords. The
    keywords' text starts with a line break, as when they followed the abstract: a `^`
    in a `/regex/` still means the start of the title (docs/tags-evaluation.md)."""
    found = matcher.match(text)
    return found | matcher.match_fields("", *keywords) if keywords and not found else found


def curate(paper: Paper, rules: TagRules, selector: Selector) -> tuple[Paper, Decision]:
    """A stored paper with the tags the site shows it with, and the site's decision about
    it: its title and abstract are read once for both."""
    text = Fields((paper.title, paper.abstract))
    tags = rules.tags(paper, text)
    tagged = paper if tags == paper.tags else with_tags(paper, tags)
    return tagged, selector.judge(tagged, text)


def _author_rules(entries: Iterable[str]) -> tuple[AuthorRule, ...]:
    rules = []
    for entry in entries:
        key = "[select] authors"
        if is_regex(entry):
            pattern, lowered = compile_regex(entry[1:-1], key, entry)
            rules.append(AuthorRule(entry, pattern=pattern, lowered=lowered))
        elif name := _plain_name(entry):
            rules.append(AuthorRule(entry, name=name))
        else:
            raise RuleError(f"{key}: {entry!r} is not a name", entry)
    return tuple(rules)


def compile_selector(section: Mapping[str, Any], tag_rules: TagRules) -> Selector:
    """Compile a `[select]` section; `RuleError` (a `ConfigError`) naming the key."""
    matchers = {}
    for key in ("include", "exclude"):
        shown = f"[select] {key}"
        matchers[key] = compile_matcher(Rule(p, p, shown)
                                        for p in strings(section.get(key, ()), shown))
    tags = frozenset(t for t in (normalise_tag(t, tag_rules.aliases) for t in
                                 strings(section.get("tags", ()), "[select] tags")) if t)
    categories = strings(section.get("categories", ()), "[select] categories")
    for category in categories:
        if not CATEGORY.match(category):
            raise RuleError(f"[select] categories: {category!r} is not an arXiv category",
                            category, hint="e.g. cs.CV, hep-th, q-bio.NC")
    minimum = section.get("min_upvotes", 0)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        raise RuleError("[select] min_upvotes must be a whole number, 0 or more",
                        hint="0 switches it off")
    store = section.get("store", "selected")
    if store not in STORE_CHOICES:
        raise RuleError(f'[select] store must be "selected" or "all", not {store!r}',
                        hint='"selected": store only the papers the rules keep')
    return Selector(include=matchers["include"], exclude=matchers["exclude"],
                    authors=_author_rules(strings(section.get("authors", ()),
                                                  "[select] authors")),
                    tags=tags, categories=frozenset(c.lower() for c in categories),
                    min_upvotes=minimum, store=store)


def select(papers: Iterable[Paper], rules: TagRules, selector: Selector) -> list[Paper]:
    """The papers the site shows, tagged, in order (stored papers in)."""
    shown = []
    for paper in papers:
        tagged, decision = curate(paper, rules, selector)
        if decision.kept:
            shown.append(tagged)
    return shown
