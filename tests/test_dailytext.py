"""The Daily Papers text parser: chrome, dates, titles, abstracts, links, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.errors import ContentError
from sitegen.sources.dailytext import (
    decode_page,
    extract_links,
    infer_year,
    normalise_title,
    parse_date_line,
    parse_page,
)

TODAY = dt.date(2026, 11, 28)
ABSTRACT = ("We study things at length. This abstract is long enough to look like one, and it "
            "has two sentences at least. ") * 2


def parse(text: str, year: int | None = 2025):
    return parse_page(decode_page(text.encode("utf-8"), "page.txt"), "page.txt", TODAY, year)


def test_sample_page_has_69_papers_on_aug_11(sample_page):
    page = parse_page(decode_page(sample_page.read_bytes(), "s"), "s", TODAY, 2025)
    assert len(page.papers) == 69
    assert {p.date for p in page.papers} == {dt.date(2025, 8, 11)}
    assert page.papers[0].title.startswith("CIF-Bench")
    assert [p.rank for p in page.papers] == list(range(1, 70))
    assert all(p.abstract for p in page.papers)


def test_bom_crlf_stray_spaces_and_missing_chrome():
    text = "\ufeff  Aug 11  \r\n\r\n  A Title  \r\n   \r\n" + ABSTRACT + "  \r\n"
    page = parse(text)
    assert [(p.title, p.abstract) for p in page.papers] == [("A Title", ABSTRACT.strip())]


def test_several_date_lines_give_several_days():
    text = f"Aug 11\n\nFirst\n\n{ABSTRACT}\n\nAug 12\n\nSecond\n\n{ABSTRACT}\n"
    page = parse(text)
    assert [(p.title, p.date) for p in page.papers] == [
        ("First", dt.date(2025, 8, 11)), ("Second", dt.date(2025, 8, 12))]


def test_title_without_abstract_is_kept_with_a_warning():
    text = f"Aug 11\n\nLonely Title\n\nNext Title\n\n{ABSTRACT}\n"
    page = parse(text)
    assert [(p.title, bool(p.abstract)) for p in page.papers] == [
        ("Lonely Title", False), ("Next Title", True)]
    assert len(page.problems) == 1
    assert page.problems[0].severity == "warning"
    assert page.problems[0].line == 3
    assert "Lonely Title" in page.problems[0].message


def test_short_abstract_is_still_an_abstract():
    page = parse("Aug 11\n\nTitle One\n\nShort abstract.\n\nTitle Two\n\nAnother short one.\n")
    assert [(p.title, p.abstract) for p in page.papers] == [
        ("Title One", "Short abstract."), ("Title Two", "Another short one.")]


def test_duplicates_within_a_file_keep_the_first_day():
    text = (f"Aug 12\n\nSame Paper\n\n{ABSTRACT}\n\nAug 11\n\nsame   paper!\n\n{ABSTRACT}\n")
    page = parse(text)
    assert len(page.papers) == 1
    assert page.duplicates == 1
    assert page.papers[0].date == dt.date(2025, 8, 11)


def test_unicode_html_and_tex_stay_exactly_as_written():
    title = "<b>Bold</b> & $x^2$ 大型语言模型 🚀 {{ not_jinja }}"
    abstract = "Text with <script>alert(1)</script> and $\\alpha_1 * \\beta$ and 中文摘要。"
    page = parse(f"Aug 11\n\n{title}\n\n{abstract}\n")
    assert (page.papers[0].title, page.papers[0].abstract) == (title, abstract)


def test_year_inference_takes_the_latest_date_not_in_the_future():
    assert infer_year(8, 11, TODAY) == 2026
    assert infer_year(12, 15, TODAY) == 2025
    assert infer_year(2, 29, TODAY) == 2024
    page = parse(f"Dec 15\n\nT\n\n{ABSTRACT}\n", year=None)
    assert page.papers[0].date == dt.date(2025, 12, 15)


def test_date_lines():
    assert parse_date_line("Aug 11") == (8, 11, None)
    assert parse_date_line("September 3, 2024") == (9, 3, 2024)
    assert parse_date_line("Sept. 3") == (9, 3, None)
    assert parse_date_line("Augmented 11") is None
    assert parse_date_line("Aug 41") is None


def test_links_strip_trailing_punctuation_and_keep_balanced_parens():
    text = ("Code: https://github.com/a/b. Project (https://a.github.io/p/), "
            "model https://huggingface.co/x/y; wiki https://en.wikipedia.org/wiki/A_(b)!")
    assert extract_links(text) == ("https://github.com/a/b", "https://a.github.io/p/",
                                   "https://huggingface.co/x/y",
                                   "https://en.wikipedia.org/wiki/A_(b)")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"\xff\xfe\xfa not utf8", "UTF-8"),
])
def test_junk_files_are_refused_with_the_reason(data, reason):
    with pytest.raises(ContentError) as info:
        decode_page(data, "junk.txt")
    assert reason in info.value.message
    assert "junk.txt" in str(info.value)


def test_page_without_papers_is_refused():
    with pytest.raises(ContentError, match="no papers found"):
        parse("Daily Papers\n\nSubscribe\n\nAug 11\n")


def test_paper_before_any_date_line_is_refused_with_its_line():
    with pytest.raises(ContentError) as info:
        parse(f"new\n\nA Title\n\n{ABSTRACT}\n\nAug 11\n\nB\n\n{ABSTRACT}\n")
    assert info.value.line == 3


def test_text_without_date_lines_is_not_a_page():
    with pytest.raises(ContentError, match="no papers found"):
        parse(f"A Title\n\n{ABSTRACT}\n")


def test_normalised_title_ignores_case_space_and_punctuation():
    assert normalise_title("Hello,  World!") == normalise_title("hello world")


_line = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                              blacklist_characters="\ufeff\x85"), min_size=1, max_size=80)


def _ok_title(s: str) -> bool:
    from sitegen.sources.dailytext import CHROME_LINES
    s = s.strip()
    return bool(s) and s.casefold() not in CHROME_LINES and parse_date_line(s) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_line.filter(_ok_title), _line.filter(lambda s: s.strip())),
                min_size=1, max_size=6, unique_by=lambda t: normalise_title(t[0]) or t[0]))
def test_random_pages_give_back_every_title_and_abstract(entries):
    # Abstracts long enough to look like one, so a title is never mistaken for a missing abstract.
    entries = [(t.strip(), (a.strip() + " " + ABSTRACT).strip()) for t, a in entries]
    text = "Daily Papers\n\nAug 11\n\n" + "".join(f"{t}\n\n{a}\n\n" for t, a in entries)
    page = parse(text)
    assert [(p.title, p.abstract) for p in page.papers] == entries


def test_control_characters_are_removed_on_import():
    page = parse_page(decode_page(f"Aug 11\n\nTi\x07tle\x1b[31m\x7f\n\nAb\x0bstract\x85 {ABSTRACT}"
                                  .encode(), "p"), "p", TODAY, 2025)
    assert page.papers[0].title == "Title[31m"
    assert page.papers[0].abstract.startswith("Abstract ")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_page_or_a_clean_refusal(text):
    try:
        page = parse_page(decode_page(("Aug 11\n\n" + text).encode("utf-8", "surrogatepass"),
                                      "p"), "p", TODAY)
    except ContentError as exc:
        assert exc.path == "p"
        return
    for paper in page.papers:
        assert paper.title == paper.title.strip() and paper.title
        assert all(ord(c) >= 32 or c in "\t\n\r" for c in paper.title + paper.abstract)


@pytest.mark.parametrize("line", ["Aug 11, 0000", "Feb 30, 2025", "Feb 30"])
def test_a_date_line_that_is_no_real_date_is_refused_with_its_line(line: str) -> None:
    # `Aug 11, 0000` was silently dated to the current year (year 0 read as "no year")
    page = f"Aug 10\n\nFirst paper\n\nIts abstract.\n\n{line}\n\nSecond paper\n\nAbstract.\n"
    with pytest.raises(ContentError, match="is not a real date") as caught:
        parse_page(page, "page.txt", dt.date(2026, 11, 28))
    assert caught.value.line == 7 and line in caught.value.message
