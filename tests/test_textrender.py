"""Abstract math to MathML, notes to sanitized HTML: untrusted text stays inert."""

from __future__ import annotations

from sitegen.textrender import notes_to_html, preview, text_with_math


def test_inline_math_becomes_mathml_and_text_is_escaped():
    html = text_with_math("Cost <b>$O(n^2)$</b> & more")
    assert "<math" in html and "<msup>" in html
    assert "&lt;b&gt;" in html and "&amp; more" in html


def test_dollar_amounts_stay_text():
    assert text_with_math("costs $5 and $10 today") == "costs $5 and $10 today"


def test_tex_text_cannot_smuggle_html():
    html = text_with_math(r"$\text{<script>alert(1)</script>}$ $\href{javascript:x}{y}$")
    assert "<script" not in html and " href=" not in html
    assert "&lt;script&gt;" in html  # kept only as escaped alt text


def test_unconvertible_tex_is_shown_as_is():
    html = text_with_math(r"$\begin{nonsense}$")
    assert "\\begin{nonsense}" in html


def test_notes_are_markdown_and_sanitized():
    html = notes_to_html("**bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
                         "<script>alert(2)</script>")
    assert "<strong>bold</strong>" in html
    assert "javascript" not in html and "onerror" not in html and "<script" not in html


def test_preview_never_cuts_a_formula():
    text = "word " * 60 + "$a+b$ end"
    assert preview(text, 300).count("$") % 2 == 0
    assert preview("short", 300) == "short"


def test_urls_in_abstracts_become_links_without_trailing_punctuation():
    html = text_with_math('Code: https://github.com/a/b. See (https://x.org/p) "q"')
    assert '<a href="https://github.com/a/b" rel="nofollow noopener">' in html
    assert '</a>. See (<a href="https://x.org/p"' in html and "</a>) &quot;q&quot;" in html


def test_url_with_quotes_cannot_break_out_of_the_attribute():
    html = text_with_math('https://x.org/a"onmouseover="alert(1)')
    assert 'href="https://x.org/a"' in html and "onmouseover=\"" not in html
