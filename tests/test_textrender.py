"""Abstract math to MathML, notes to sanitized HTML: untrusted text stays inert."""

from __future__ import annotations

from sitegen.render.textrender import notes_to_html, preview, text_with_math


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


def test_allow_lists_hold_nothing_that_runs_or_loads():
    from sitegen.render.textrender import MATHML_ATTRIBUTES, MATHML_TAGS, NOTE_ATTRIBUTES, NOTE_TAGS
    risky_tags = {"script", "style", "iframe", "object", "embed", "form", "input", "button",
                  "link", "meta", "base", "svg", "math", "textarea", "template", "noscript",
                  "annotation-xml", "maction", "frame", "frameset", "video", "audio", "source"}
    assert not (NOTE_TAGS | (MATHML_TAGS - {"math"})) & risky_tags
    attributes = set(MATHML_ATTRIBUTES).union(*NOTE_ATTRIBUTES.values())
    assert not {a for a in attributes if a.startswith("on")}
    assert not attributes & {"style", "href", "xlink:href", "src", "action", "formaction",
                             "srcdoc", "srcset", "class", "id", "name"} - {"href", "src"}
    assert {k for k, v in NOTE_ATTRIBUTES.items() if v & {"href", "src"}} == {"a", "img"}


def test_mathml_cannot_carry_links_or_html():
    html = text_with_math(r"$\href{https://evil.example}{x}$ $\style{color:red}{y}$ "
                          r"$\class{c}{z}$ $\unicode{60}script$")
    from tests.hostile import checks
    root = checks.parse_html(f"<!doctype html><body>{html}")
    names = {a for e in root.iter() if isinstance(e.tag, str) for a in e.attrib}
    assert names <= {"alttext", "{http://www.w3.org/2000/xmlns/}xmlns", "display", "mathvariant", "stretchy", "fence",
                     "separator", "lspace", "rspace"}, names
    assert checks.live_script_problems(root) == []


def test_notes_links_keep_only_safe_schemes():
    html = notes_to_html("[a](http://x.example/) [b](mailto:a@b.c) [c](/sub/papers/x.html) "
                         "[d](javascript:x) [e](data:text/html,x) [f](vbscript:x) "
                         "[g](JaVaScRiPt:x) ![h](data:image/png;base64,AAAA)")
    assert "javascript" not in html.lower() and "data:" not in html and "vbscript" not in html
    assert 'href="http://x.example/"' in html and 'href="mailto:a@b.c"' in html
    assert 'href="/sub/papers/x.html"' in html
    assert 'rel="nofollow noopener"' in html


def test_over_nested_notes_render_as_escaped_text():
    html = notes_to_html("".join("  " * i + "- <b>x</b>\n" for i in range(1000)))
    assert html.startswith('<pre class="notes-raw">') and "&lt;b&gt;" in html


def test_deep_nesting_is_cut_off_early_and_normal_nesting_is_markdown():
    import time

    from sitegen.render.textrender import MAX_NESTING
    started = time.perf_counter()
    assert notes_to_html("> " * (MAX_NESTING + 1) + "x").startswith('<pre class="notes-raw">')
    assert notes_to_html("".join("  " * i + "- x\n" for i in range(3 * MAX_NESTING))) \
        .startswith('<pre class="notes-raw">')
    assert time.perf_counter() - started < 5  # bounded, not a benchmark
    assert notes_to_html("> " * 10 + "x").count("<blockquote>") == 10
    assert notes_to_html("".join("    " * i + "- x\n" for i in range(20))).count("<ul>") == 20


def test_many_brackets_are_cut_off_before_markdown_goes_quadratic():
    import time

    from sitegen.render import textrender
    from sitegen.render.textrender import MAX_BRACKETS
    started = time.perf_counter()
    assert notes_to_html("[x](" * 20000).startswith('<pre class="notes-raw">')
    assert notes_to_html("[^" * 20000).startswith('<pre class="notes-raw">')
    assert time.perf_counter() - started < 5  # bounded, not a benchmark
    # up to MAX_BRACKETS links render, in paragraphs of at most MAX_PARAGRAPH_BRACKETS
    per = textrender.MAX_PARAGRAPH_BRACKETS
    links = "\n\n".join(" ".join(f"[l{i}](https://x.example/{i})" for i in range(k, k + per))
                         for k in range(0, MAX_BRACKETS, per))
    assert notes_to_html(links).count("<a href=") == MAX_BRACKETS


def test_escape_text_escapes_as_jinja_does_with_or_without_markupsafe_speedups(monkeypatch):
    from markupsafe import escape

    from sitegen.render import textrender

    samples = ["plain", "<a href=\"x\">'&'</a>", "日本語 & 🚀", 42, ""]
    for value in samples:
        assert textrender.escape_text(value) == str(escape(value))
    monkeypatch.setattr(textrender, "_escape_inner", None)
    for value in samples:
        assert textrender.escape_text(value) == str(escape(value))
