"""The rule language shared by `[tags]` and `[select]` (sitegen/site/rules.py)."""

from __future__ import annotations

import pytest

from sitegen.errors import RuleError
from sitegen.site.rules import Rule, compile_matcher


def matcher(*patterns: str):
    return compile_matcher(Rule(p, p, "[select] include") for p in patterns)


def test_a_matcher_names_the_rules_that_matched():
    rules = matcher("event camera", "spiking", "/neuromorph\\w*/", "C++")
    assert rules.match_fields("Event-camera tracking with C++ kernels") == {
        "event camera", "C++"}
    assert rules.match_fields("A spiking network", "on neuromorphic chips") == {
        "spiking", "/neuromorph\\w*/"}
    assert rules.match_fields("Spiky event cameras") == set()  # whole words only


def test_phrases_do_not_span_two_fields():
    rules = matcher("event camera")
    assert rules.match_fields("The event", "camera is new") == set()
    assert rules.match_fields("The event camera", "") == {"event camera"}


def test_an_empty_matcher_is_false_and_matches_nothing():
    empty = matcher()
    assert not empty and empty.match_fields("anything") == set()
    assert matcher("x")


@pytest.mark.parametrize("pattern, message", [
    ("/spik(e/", "bad regular expression /spik(e/"),
    ("!!!", "has no letters or digits"),
])
def test_bad_patterns_raise_rule_errors_with_the_pattern(pattern: str, message: str):
    with pytest.raises(RuleError) as info:
        matcher("fine", pattern)
    assert message in info.value.message and info.value.pattern == pattern
    assert info.value.message.startswith("[select] include")
