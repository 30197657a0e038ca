"""What Hugging Face gives beyond the basics (organisation, submitter, authors' accounts,
media) is kept: read from the answer, stored in the paper file in the stable key order,
merged by the fill-only rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import httpx
from fetchfakes import Script, fixture_bytes, hf_items, json_answer

from sitegen.model import PAPER_KEYS, Account, Paper
from sitegen.sources.hf import fetch_day
from sitegen.store.merge import merge_paper
from sitegen.store.paperfile import paper_to_text, parse_paper

DAY = dt.date(2026, 9, 2)
API = "https://hf.test"


def test_the_answer_gives_organisation_submitter_accounts_and_media() -> None:
    script = Script(httpx.Response(200, content=fixture_bytes("hf-daily-papers.json")))
    first, second, third = fetch_day(script.fetcher(), API, DAY)
    assert (first.organization, first.organization_handle) == ("Example Lab", "example-lab")
    assert first.submitted_by == "akhaliq"
    assert first.hf_accounts == (Account("Ada Lovelace", "ada"),)  # Babbage claimed nothing
    assert first.media_urls == (
        "https://cdn-uploads.huggingface.co/production/uploads/000/teaser.mp4",)
    assert third.organization is None and third.hf_accounts == () and third.media_urls == ()


def test_hostile_or_odd_values_are_left_out() -> None:
    items = hf_items()
    first = items[0]
    first["organization"] = {"name": "../../etc", "fullname": "Evil\x00 <Lab>"}
    first["submittedBy"] = {"user": "a b", "name": "<script>"}
    first["paper"]["submittedOnDailyBy"] = {"name": "fallback-user"}
    first["paper"]["authors"][0]["user"] = {"user": "javascript:x"}
    first["mediaUrls"] = ["javascript:alert(1)", "https://ok.test/a.png",
                          "https://ok.test/a.png", 7]
    first["paper"]["mediaUrls"] = None
    paper = fetch_day(Script(json_answer(items)).fetcher(), API, DAY)[0]
    assert paper.organization == "Evil <Lab>" and paper.organization_handle is None
    assert paper.submitted_by == "fallback-user"
    assert paper.hf_accounts == ()
    assert paper.media_urls == ("https://ok.test/a.png",)


def test_organisation_only_on_the_paper_object_is_found() -> None:
    items = hf_items()
    org = items[0].pop("organization")
    items[0]["paper"]["organization"] = org
    paper = fetch_day(Script(json_answer(items)).fetcher(), API, DAY)[0]
    assert paper.organization == "Example Lab"


RICH = Paper(slug="2609.01234", title="T", date=DAY, arxiv_id="2609.01234", source="hf",
             thumbnail="https://cdn.test/t.png", media_urls=("https://cdn.test/m.mp4",),
             organization="Example Lab", organization_handle="example-lab",
             submitted_by="akhaliq",
             hf_accounts=(Account("Ada Lovelace", "ada"), Account("Émile Ünïcode", "emile")))


def test_new_keys_round_trip_in_the_stable_order() -> None:
    text = paper_to_text(RICH)
    again = parse_paper(text, RICH.slug, "x.md")
    assert again.problems == () and again.paper == RICH
    assert paper_to_text(again.paper) == text  # a re-fetch of the same paper: zero diff
    keys = [line.split(":")[0] for line in text.split("---\n")[1].splitlines()
            if line[:1].isalpha()]
    assert keys == [k for k in PAPER_KEYS if k in keys]
    assert "hf_accounts:\n  Ada Lovelace: ada\n" in text


def test_an_old_file_without_the_new_keys_loads_and_is_written_back_the_same() -> None:
    old = ("---\nid: '2609.01234'\ntitle: T\ndate: 2026-09-02\nupvotes: 3\nsource: hf\n---\n")
    parsed = parse_paper(old, "2609.01234", "x.md")
    assert parsed.problems == ()
    assert parsed.paper.organization is None and parsed.paper.hf_accounts == ()
    assert paper_to_text(parsed.paper) == old


def test_bad_new_values_are_warnings_with_lines() -> None:
    text = ("---\ntitle: T\ndate: 2026-09-02\nmedia_urls:\n- ftp://x\norganization_handle: a/b\n"
            "submitted_by: ok-user\nhf_accounts:\n  Ada: ada\n  Bob: b c\n---\n")
    parsed = parse_paper(text, "t", "x.md")
    assert parsed.paper is not None
    assert parsed.paper.media_urls == () and parsed.paper.organization_handle is None
    assert parsed.paper.hf_accounts == (Account("Ada", "ada"),)
    assert parsed.paper.submitted_by == "ok-user"
    lines = sorted((p.line, p.severity) for p in parsed.problems)
    assert lines == [(4, "warning"), (6, "warning"), (8, "warning")]
    not_a_map = parse_paper("---\ntitle: T\ndate: 2026-09-02\nhf_accounts: [a]\n---\n", "t", "x")
    assert not_a_map.paper is None and not_a_map.problems[0].line == 4


def test_merge_fills_the_new_fields_once_and_keeps_the_curators() -> None:
    bare = Paper(slug="2609.01234", title="T", date=DAY, arxiv_id="2609.01234")
    filled = merge_paper(bare, RICH)
    for name in ("media_urls", "organization", "organization_handle", "submitted_by",
                 "hf_accounts"):
        assert getattr(filled, name) == getattr(RICH, name), name
    edited = replace(filled, organization="My Lab Name", organization_handle=None)
    other = replace(RICH, organization="Other", organization_handle="other",
                    submitted_by="someone", hf_accounts=())
    again = merge_paper(edited, other)
    # the organisation is a pair: a curator's name without handle is not given another's handle
    assert (again.organization, again.organization_handle) == ("My Lab Name", None)
    assert again.submitted_by == "akhaliq" and again.hf_accounts == RICH.hf_accounts
    assert merge_paper(filled, RICH) == filled
