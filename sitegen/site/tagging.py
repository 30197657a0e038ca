"""Tags of a paper: stored tags, mapped source keywords, and `sitegen.toml` rules.

Rule tags are computed at build time and never written back, so changing a rule re-tags
the whole archive. Rules are compiled once per build (`compile_rules`) in the rule language
of `rules.py` (words, phrases, `/regexes/`), the one `[select]` uses too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sitegen.errors import RuleError
from sitegen.model import Paper
from sitegen.site.rules import Fields, Matcher, Rule, compile_matcher, normalise_text, strings
from sitegen.site.tagrules import DEFAULT_KEYWORDS, DEFAULT_RULES

__all__ = ["TagRules", "compile_rules", "normalise_tag", "normalise_text", "tag_papers",
           "tags_for", "with_tags"]


def normalise_tag(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """One spelling per tag: spaces folded, lower case, then aliases applied."""
    tag = " ".join(name.split()).lower()
    if aliases:
        tag = aliases.get(tag, tag)
    return tag


@dataclass(frozen=True)
class TagRules:
    """Compiled tag rules: aliases, keyword map, and the rules' matcher (names are tags)."""

    aliases: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]  # normalised source keyword -> tags
    matcher: Matcher

    def rule_tags(self, title: str, abstract: str) -> set[str]:
        """Tags whose rules match the title or the abstract."""
        return self.matcher.match_fields(title, abstract)

    def tags(self, paper: Paper, text: Fields | None = None) -> tuple[str, ...]:
        """Stored tags + mapped keywords + rule tags, normalised, sorted, no duplicates.
        `text`: the paper's title and abstract as `Fields`, if the caller has them."""
        tags = {normalise_tag(t, self.aliases) for t in paper.tags}
        if self.keywords:
            sources = (*paper.ai_keywords, *paper.categories, paper.primary_category or "")
            for keyword in sources:
                tags.update(self.keywords.get(" ".join(keyword.split()).lower(), ()))
        if self.matcher:
            tags.update(self.matcher.match(text or Fields((paper.title, paper.abstract))))
        return tuple(sorted(t for t in tags if t))


def compile_rules(section: Mapping[str, Any]) -> TagRules:
    """Compile a `[tags]` section; `RuleError` (a `ConfigError`) names the key of a bad
    value."""
    aliases = {}
    for alias, target in section.get("aliases", {}).items():
        if not isinstance(target, str) or not normalise_tag(target):
            raise RuleError(f'[tags] aliases."{alias}" must be a non-empty string')
        aliases[normalise_tag(alias)] = normalise_tag(target)
    keywords: dict[str, tuple[str, ...]] = {}
    keyword_map: dict[str, Any] = dict(DEFAULT_KEYWORDS) if section.get("default_rules") else {}
    keyword_map.update(section.get("keywords", {}))
    for keyword, targets in keyword_map.items():
        names = strings(targets, f'[tags] keywords."{keyword}"')
        keywords[" ".join(keyword.split()).lower()] = tuple(
            t for t in (normalise_tag(n, aliases) for n in names) if t)
    rules: dict[str, Iterable[str]] = dict(DEFAULT_RULES) if section.get("default_rules") else {}
    rules.update(section.get("rules", {}))  # a site's rule for a tag replaces the default one
    found: list[Rule] = []
    for name, patterns in rules.items():
        key = f'[tags] rules."{name}"'
        tag = normalise_tag(name, aliases)
        if not tag:
            raise RuleError(f"{key}: a tag name cannot be empty")
        found += [Rule(tag, pattern, key) for pattern in strings(patterns, key)]
    return TagRules(aliases=aliases, keywords=keywords, matcher=compile_matcher(found))


def tags_for(paper: Paper, rules: TagRules) -> tuple[str, ...]:
    """The tags a paper is shown with, sorted and without duplicates (`TagRules.tags`)."""
    return rules.tags(paper)


def tag_papers(papers: Iterable[Paper], rules: TagRules) -> list[Paper]:
    """Each paper with the tags it is shown with (a copy only where they differ)."""
    return [p if (tags := rules.tags(p)) == p.tags else with_tags(p, tags) for p in papers]


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
