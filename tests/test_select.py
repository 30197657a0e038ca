"""`[select]`: which stored papers the site shows, and why (sitegen/site/select.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.config import parse_config
from sitegen.errors import ConfigError
from sitegen.model import Paper
from sitegen.site.select import compile_selector, select
from sitegen.site.tagging import compile_rules

LAB = """
[tags]
default_rules = false
rules = { spiking = ["spiking neural network", "/SNNs?/"] }
[select]
include = ["event camera", "event-based vision"]
tags = ["spiking"]
authors = ["Mei Lin", "/J(\\\\.|ohn) Smith/"]
exclude = ["survey", "/a review of/"]
"""


def judge(paper: Paper, toml: str = LAB):
    config = parse_config(toml)
    tag_rules = compile_rules(config.tags)
    selector = compile_selector(config.select, tag_rules)
    tagged = Paper(**{**paper.__dict__, "tags": tag_rules.tags(paper)})
    return selector.judge(tagged)


def paper(title: str = "A paper", abstract: str = "", **fields) -> Paper:
    return Paper(slug="p", title=title, date=dt.date(2026, 9, 15), abstract=abstract, **fields)


def test_include_keeps_a_match_in_title_abstract_or_keywords():
    assert judge(paper("Event Cameras at night")).kept is False  # whole words: "cameras"
    decision = judge(paper("Tracking with an event camera"))
    assert decision.kept and decision.rule == "include: 'event camera'"
    assert judge(paper("x", "We use event-based vision.")).kept
    assert judge(paper("x", ai_keywords=("event camera",))).rule == "include: 'event camera'"
    dropped = judge(paper("Large language models"))
    assert not dropped.kept and dropped.rule == "no include or tags rule matched"


def test_tags_keep_a_paper_tagged_by_the_tag_rules():
    decision = judge(paper("Training SNNs fast"))
    assert decision.kept and decision.rule == "tags: 'spiking'"


def test_the_watch_list_wins_over_exclude_and_include():
    survey = paper("A survey of transformers", authors=("Ada Lovelace", "MEI  LIN"))
    decision = judge(survey)
    assert decision.kept and decision.rule == "authors: 'Mei Lin' (MEI  LIN)"
    assert judge(paper("x", authors=("Méi Lin-Chen",))).kept is False  # another person
    assert judge(paper("x", authors=("Méi Lin",))).kept  # accents ignored
    assert judge(paper("x", authors=("J. Smith",))).rule.startswith("authors: '/J(")
    assert judge(paper("x", authors=("AJ. Smith",))).kept is False  # not at a word start


def test_exclude_drops_unless_a_watched_author_wrote_it():
    decision = judge(paper("An event camera survey"))
    assert not decision.kept and decision.rule == "exclude: 'survey'"
    assert judge(paper("x", "This is a review of event cameras")).rule == \
        "exclude: '/a review of/'"


def test_categories_drop_papers_in_other_categories_only_when_they_have_some():
    toml = '[select]\ncategories = ["cs.CV", "cs.NE"]\n'
    assert judge(paper("x", categories=("cs.CL", "cs.LG")), toml).rule == \
        "categories: cs.CL, cs.LG not in [select] categories"
    assert judge(paper("x", categories=("cs.LG", "cs.CV")), toml).kept
    assert judge(paper("x", categories=("CS.cv",)), toml).kept  # case is ignored
    assert judge(paper("x"), toml).kept  # an HF paper without categories passes


def test_min_upvotes_drops_papers_below_it_and_ignores_papers_without_counts():
    toml = "[select]\nmin_upvotes = 5\n"
    assert judge(paper("x", upvotes=4), toml).rule == "min_upvotes: 4 < 5"
    assert judge(paper("x", upvotes=5), toml).kept
    assert judge(paper("x"), toml).kept


def test_no_rules_keep_everything_and_a_paper_added_by_hand_is_always_kept():
    assert judge(paper("Anything"), "").rule == "no include or tags rule: every paper is kept"
    added = judge(paper("A survey", source="added"))
    assert added.kept and added.rule == "added by hand (sitegen add)"


@pytest.mark.parametrize("key", ["hidden", "draft"])
def test_hidden_and_draft_drop_a_paper_whatever_else_says(key: str):
    chosen = paper("Event camera tracking", authors=("Mei Lin",), source="added", **{key: True})
    for toml in (LAB, ""):  # a watched author, an added paper, an include match; no rules
        decision = judge(chosen, toml)
        assert not decision.kept and decision.rule == f"{key}: true (front matter)"


def test_select_keeps_order():
    config = parse_config(LAB)
    rules = compile_rules(config.tags)
    selector = compile_selector(config.select, rules)
    papers = [paper("SNNs one"), paper("nothing"), paper("event camera two")]
    shown = select(papers, rules, selector)
    assert [p.title for p in shown] == ["SNNs one", "event camera two"]
    assert shown[0].tags == ("spiking",)  # tagged, as the site shows them


@pytest.mark.parametrize("toml, message, line", [
    ('[site]\ntitle = "x"\n[select]\ninclude = [\n  "fine",\n  "/spik(e/",\n]\n',
     "[select] include: bad regular expression /spik(e/", 6),
    ('[select]\nexclude = ["ok", "!!"]\n', "[select] exclude: '!!' has no letters", 2),
    ('[select]\ncategories = ["cs CV"]\n', "[select] categories: 'cs CV' is not an arXiv", 2),
    ('[select]\nstore = "some"\n', '[select] store must be "selected" or "all"', 2),
    ('[select]\n\nmin_upvotes = -1\n', "[select] min_upvotes must be a whole number", 3),
    ('[select]\nauthors = [3]\n', "[select] authors must be a list of strings", 2),
    ('[select]\nauthors = ["/(x/"]\n', "[select] authors: bad regular expression", 2),
    ('[select]\ninclude = ["solo"]\ntags = [1]\n', "[select] tags must be a list", 3),
    ('[tags]\nrules = { a = ["x"] }\n[select]\ninclude = ["/\\\\d(/"]\n',
     "[select] include: bad regular expression", 4),
    ('[fetch]\nsources = ["hf", "arxv"]\n', "[fetch] sources: unknown source 'arxv'", 2),
    ('[fetch]\nsources = ["arxiv"]\n', '[fetch] sources has "arxiv" but arxiv_categories', 2),
    ('[fetch]\narxiv_categories = ["CV"]\n', "[fetch] arxiv_categories: 'CV' is not", 2),
])
def test_bad_select_and_fetch_keys_are_config_errors_with_key_and_line(toml, message, line):
    with pytest.raises(ConfigError) as info:
        parse_config(toml)
    assert info.value.message.startswith(message), info.value.message
    assert (info.value.path, info.value.line) == ("sitegen.toml", line)


def test_a_good_lab_config_loads():
    config = parse_config(LAB + '[fetch]\nsources = ["hf", "arxiv"]\n'
                          'arxiv_categories = ["cs.CV", "cs.NE"]\n')
    assert config.select["store"] == "selected" and config.fetch["cross_lists"] is True


def test_an_anchored_rule_reads_the_title_not_a_keyword():
    """`^` in a /regex/ is the start of the title (the title-only idiom): a keyword
    matches the rule's words, never its anchor."""
    toml = '[tags]\ndefault_rules = false\n[select]\ninclude = ["/^[^\\\\n]*reasoning/"]\n'
    assert judge(paper("Reasoning at scale"), toml).kept
    assert not judge(paper("A vision paper", ai_keywords=("reasoning",)), toml).kept
