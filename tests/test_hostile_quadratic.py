"""Issue 20, item 3: input that took quadratic time stays roughly linear. Each case is a
growth bound (CPU at size 2N over size N, `tests/hostile/growth.py`) at a size the old
code took seconds to minutes over, or work counted; never an absolute time."""

from __future__ import annotations

import pytest

from sitegen.render import textrender
from sitegen.render.textrender import linkify, notes_to_html, text_with_math
from sitegen.sources.dailytext import extract_links
from tests.hostile.growth import LINEAR, growth


def raw(html: str) -> bool:
    return html.startswith('<pre class="notes-raw">')


@pytest.mark.parametrize("unit", ["<http://", "<a ", "<a href='", "<mailto:", "<x@y.z",
                                  "[a](b) ", "![a](b) ", "[^"])
def test_notes_of_one_long_paragraph_stay_linear(unit: str) -> None:
    # 4,000 `<http://` in one paragraph took 1.7 s, 8,000 6.5 s, a 128 kB note 2 minutes
    ratio, at_n, at_2n = growth(notes_to_html, lambda n: unit * n, 4000)
    assert ratio < LINEAR, (unit, at_n, at_2n)
    assert raw(notes_to_html(unit * 4000))  # shown as the text it is


def test_notes_of_many_ordinary_paragraphs_still_render_and_stay_linear() -> None:
    paragraph = " ".join(f"[l{i}](https://x.example/{i}) <https://y.example/{i}>"
                         for i in range(30))

    def notes(n: int) -> str:
        return "\n\n".join([paragraph] * n)

    html = notes_to_html(notes(10))
    assert not raw(html) and html.count("<a href=") == 10 * 60
    ratio, at_n, at_2n = growth(notes_to_html, notes, 6, repeat=2)
    assert ratio < LINEAR, (at_n, at_2n)


def test_a_paragraph_over_the_caps_is_shown_as_text_one_under_them_as_markdown() -> None:
    def links(k: int) -> str:
        return " ".join(f"[l{i}](https://x.example/{i})" for i in range(k))

    assert not raw(notes_to_html(links(textrender.MAX_PARAGRAPH_BRACKETS)))
    assert raw(notes_to_html(links(textrender.MAX_PARAGRAPH_BRACKETS + 1)))
    assert raw(notes_to_html("<b>x</b> " * (textrender.MAX_PARAGRAPH_ANGLES // 2 + 1)))


@pytest.mark.parametrize("render", [linkify, text_with_math, extract_links])
def test_a_url_followed_by_many_closing_brackets_stays_linear(render) -> None:
    # 200 kB took 50 s in linkify and in import's link extraction (reachable from HF's
    # summary): each `)` stripped counted the brackets again
    ratio, at_n, at_2n = growth(render, lambda n: "see https://x.org/a" + ")" * n + " end",
                                100_000)
    assert ratio < LINEAR, (at_n, at_2n)
    assert "https://x.org/a)" not in str(render("see https://x.org/a))) end"))


def test_extract_links_of_many_distinct_urls_stays_linear() -> None:
    ratio, at_n, at_2n = growth(extract_links, lambda n: " ".join(
        f"https://x{i}.org/" for i in range(n)), 8_000)
    assert ratio < LINEAR, (at_n, at_2n)


def test_an_abstract_of_many_distinct_formulas_converts_at_most_max_formulas(monkeypatch):
    # 1.2 MB of distinct formulas took 22 s and 360 MB: each is a latex2mathml conversion
    from latex2mathml import converter

    calls = []
    real = converter.convert
    monkeypatch.setattr(converter, "convert", lambda *a, **k: calls.append(1) or real(*a, **k))
    textrender.tex_to_html.cache_clear()
    text = " ".join(f"$x_{{{i}}}$" for i in range(5000))
    html = text_with_math(text)
    assert len(calls) == textrender.MAX_FORMULAS
    assert html.count("<math") == textrender.MAX_FORMULAS
    assert "$x_{4999}$" in html  # the rest shown as their TeX


def test_tags_sharing_one_slug_get_distinct_slugs_in_linear_time() -> None:
    # thousands of names with the ASCII slug `a` ("a", "a一", "a丁", ...): once each tried
    # every number taken before it; now each gets a hash of its name (urls.stable_slug)
    import datetime as dt

    from sitegen.model import Paper
    from sitegen.site.assemble import assemble
    from sitegen.urls import short_hash

    def site_of(n: int):
        names = ("a",) + tuple("a" + chr(0x4E00 + k) for k in range(n - 1))
        return [Paper(slug="p", title="P", date=dt.date(2026, 8, 11), tags=names)]

    slugs = [t.slug for t in assemble(site_of(50), None).tags]
    assert len(set(slugs)) == 50 and "a" in slugs and f"a-{short_hash('a一')}" in slugs
    ratio, at_n, at_2n = growth(lambda papers: assemble(papers, None), site_of, 3000)
    assert ratio < LINEAR, (at_n, at_2n)


def test_a_paper_file_of_thousands_of_problems_stays_linear() -> None:
    # 20,000 unknown keys took 39 s: each problem's line was looked up by splitting the
    # front matter again
    from sitegen.store.paperfile import parse_paper

    def text(n: int) -> str:
        return "---\ntitle: T\ndate: 2026-08-11\n" + "".join(f"k{i}: v\n" for i in range(n)) \
            + "---\n"

    result = parse_paper(text(3), "t", "t.md")
    assert [p.line for p in result.problems] == [4, 5, 6]
    ratio, at_n, at_2n = growth(lambda t: parse_paper(t, "t", "t.md"), text, 4000)
    assert ratio < LINEAR, (at_n, at_2n)


def test_what_one_paper_may_bring_is_bounded_with_the_key_and_the_limit() -> None:
    # 5,000 tags made a 2.1 GB site (each tag page shows the paper with all its tags)
    from sitegen.store import limits
    from sitegen.store.paperfile import parse_paper

    tags = "".join(f"- t{i}\n" for i in range(limits.LIST_LIMITS["tags"] + 1))
    result = parse_paper(f"---\ntitle: T\ndate: 2026-08-11\ntags:\n{tags}---\n", "t", "t.md")
    assert result.paper is None
    [problem] = result.problems
    assert problem.line == 4 and "'tags' has 101 items, at most 100" in problem.message
    assert "docs/content.md" in (problem.hint or "")


def test_hugging_face_media_and_accounts_are_bounded_too() -> None:
    # a mapping escaped the list rule: a million-entry hf_accounts was read whole
    from sitegen.store import limits
    from sitegen.store.paperfile import parse_paper

    head = "---\ntitle: T\ndate: 2026-08-11\n"
    media = "".join(f"- https://m.test/{i}.png\n" for i in range(limits.LIST_LIMITS["media_urls"] + 1))
    [problem] = parse_paper(f"{head}media_urls:\n{media}---\n", "t", "t.md").problems
    assert problem.line == 4 and "'media_urls' has 101 items, at most 100" in problem.message
    accounts = "".join(f"  A{i}: u{i}\n" for i in range(limits.LIST_LIMITS["hf_accounts"] + 1))
    result = parse_paper(f"{head}hf_accounts:\n{accounts}---\n", "t", "t.md")
    assert result.paper is None
    [problem] = result.problems
    assert problem.line == 4 and "'hf_accounts' has 10,001 entries, at most 10,000" in problem.message
    long_name = "A" * (limits.MAX_ITEM + 1)
    result = parse_paper(f"{head}hf_accounts:\n  ? {long_name}\n  : ada\n---\n", "t", "t.md")
    assert result.paper is None
    assert "a name in 'hf_accounts' has 2,001 characters" in result.problems[0].message
    fine = parse_paper(f"{head}hf_accounts:\n  Ada Lovelace: ada\nmedia_urls:\n"
                       "- https://m.test/a.mp4\n---\n", "t", "t.md")
    assert fine.problems == () and fine.paper is not None
    assert fine.paper.media_urls == ("https://m.test/a.mp4",)
