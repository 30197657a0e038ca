"""User text -> safe HTML: abstracts with TeX math as MathML, curator notes as Markdown.

Everything here treats its input as untrusted. Plain text is escaped; the MathML that
latex2mathml makes (which passes `\\text{<script>}` through raw) and the HTML that Markdown
makes are both cleaned by nh3 with explicit allow-lists.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3

try:  # markupsafe's C escaping, without making a Markup object for every string
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - another markupsafe version
    _escape_inner = None

# Pandoc's rule: `$` opens when followed by a non-space, closes when preceded by a non-space
# and not followed by a digit, so "$5 and $10" stays text.
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<display>[^$]+?)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s$\\])?)\$(?!\d)"
)

MATHML_TAGS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "mfenced", "semantics", "annotation",
    "mmultiscripts", "mprescripts", "none",
})
MATHML_ATTRIBUTES = frozenset({
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "movablelimits", "columnalign", "rowspacing", "columnspacing", "width",
    "height", "depth", "linethickness", "notation", "open", "close", "separators",
    "scriptlevel", "displaystyle", "minsize", "maxsize", "largeop", "symmetric", "form",
    "columnlines", "rowlines", "frame", "framespacing", "encoding", "xmlns",
})

NOTE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "q", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul", "img", "dl", "dt", "dd", "kbd", "s",
})
NOTE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                   "td": {"align"}, "th": {"align"}, "abbr": {"title"}}


def escape_text(value: object) -> str:
    """HTML-escape a value exactly as Jinja's autoescape does (`&<>"'` as `&amp;` `&lt;`
    `&gt;` `&#34;` `&#39;`), for HTML built in Python: a plain `str`, several times
    faster than `markupsafe.escape` for the many short strings of a page."""
    text = str(value)
    if _escape_inner is not None:
        return _escape_inner(text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


@lru_cache(maxsize=8192)
def tex_to_html(tex: str, display: bool) -> str:
    """One TeX formula -> sanitized MathML, or the escaped TeX itself if it cannot convert."""
    from latex2mathml.converter import convert as latex_to_mathml  # slow import: when needed

    try:
        mathml = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on bad TeX
        delim = "$$" if display else "$"
        return f'<span class="tex">{html.escape(delim + tex + delim)}</span>'
    clean = nh3.clean(mathml, tags=set(MATHML_TAGS), attributes={"*": set(MATHML_ATTRIBUTES)},
                      link_rel=None, strip_comments=True)
    # The TeX source as a text alternative, for copy and for readers without MathML.
    return clean.replace("<math ", f'<math alttext="{html.escape(tex)}" ', 1)


_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?*_)]}"


def url_end(url: str) -> int:
    """Where a URL found in text ends: trailing punctuation left outside, and a `)` only
    when the URL holds no `(` it closes. Linear: the brackets are counted once (counting
    them again for each `)` stripped was quadratic in a run of `)`)."""
    opened, closed = url.count("("), url.count(")")
    end = len(url)
    while end and url[end - 1] in _URL_TRAILING:
        if url[end - 1] == ")":
            if opened >= closed:
                break
            closed -= 1
        end -= 1
    return end


def linkify(text: str) -> str:
    """Escape plain text, turning http(s) URLs into links (trailing punctuation left outside)."""
    if "://" not in text:  # most text: no URL to look for
        return html.escape(text)
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        url = url[:url_end(url)]
        end = match.start() + len(url)
        parts.append(html.escape(text[position:match.start()]))
        parts.append(f'<a href="{html.escape(url)}" rel="nofollow noopener">{html.escape(url)}</a>')
        position = end
    parts.append(html.escape(text[position:]))
    return "".join(parts)


#: Formulas converted to MathML per text; later ones are shown as their TeX. Real abstracts
#: hold a few dozen at most; an abstract of thousands of distinct formulas would cost
#: seconds a page and a huge MathML (docs/security.md, round two).
MAX_FORMULAS = 100


def text_with_math(text: str, links: bool = True) -> str:
    """Plain text with `$...$` / `$$...$$` math -> HTML (escaped text, MathML formulas);
    URLs outside formulas become links unless `links` is false (previews inside links)."""
    escape = linkify if links else html.escape
    if "$" not in text:  # most abstracts: no formula to look for
        return escape(text)
    parts: list[str] = []
    position = 0
    for count, match in enumerate(_MATH.finditer(text)):
        parts.append(escape(text[position:match.start()]))
        display = match.group("display") is not None
        tex = (match.group("display") or match.group("inline")).strip()
        if count < MAX_FORMULAS:
            parts.append(tex_to_html(tex, display))
        else:
            parts.append(f'<span class="tex">{html.escape(match.group(0))}</span>')
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def preview(text: str, limit: int = 320) -> str:
    """The start of an abstract, cut at a word boundary, never inside a `$...$` formula."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if cut.count("$") % 2:  # do not cut a formula in half
        cut = cut[:cut.rfind("$")]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:") + "…"


MAX_NESTING = 100
MAX_BRACKETS = 1000
#: `[` and `<` in one paragraph (text between blank lines): Python-Markdown's inline
#: patterns for links (`[`) and for autolinks and raw HTML (`<`) cost time quadratic in
#: them within a paragraph (Python-Markdown#161, #798). Real paragraphs hold a few.
MAX_PARAGRAPH_BRACKETS = 200
MAX_PARAGRAPH_ANGLES = 200
MAX_ANGLES = 2000
_QUOTES = re.compile(r"[>\s]*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _too_complex(notes: str) -> bool:
    """True for notes Python-Markdown would take seconds or minutes over.

    It recurses once per nesting level (indent or `>`), and its link, autolink and raw
    HTML patterns are quadratic in the `[` and `<` of a paragraph (8,000 `[` took 7 s,
    16,000 23 s, found by fuzzing; a 128 kB note of `<http://` took 2 minutes). Real
    notes stay far below these limits. A linear pre-scan.
    """
    if notes.count("[") > MAX_BRACKETS or notes.count("<") > MAX_ANGLES:
        return True
    for paragraph in _PARAGRAPH_BREAK.split(notes):
        if paragraph.count("[") > MAX_PARAGRAPH_BRACKETS or \
                paragraph.count("<") > MAX_PARAGRAPH_ANGLES:
            return True
    for line in notes.splitlines():
        line = line.expandtabs(4)
        indent = len(line) - len(line.lstrip(" "))
        quotes = _QUOTES.match(line).group(0).count(">")  # type: ignore[union-attr]
        if indent > 4 * MAX_NESTING or quotes > MAX_NESTING:
            return True
    return False


def notes_to_html(notes: str) -> str:
    """The curator's Markdown notes -> sanitized HTML (links: http(s), mailto, site paths)."""
    if not notes.strip():
        return ""
    # Python-Markdown recurses once per nesting level and copies the text each time
    # (~1000 nested list levels take seconds and hundreds of MB, then exhaust the stack)
    # and is quadratic in `[`. Such notes are shown as the text they are.
    if _too_complex(notes):
        return f'<pre class="notes-raw">{html.escape(notes)}</pre>'
    import markdown  # slow import: only sites with notes need it

    try:
        raw = markdown.markdown(notes, extensions=["extra", "sane_lists"], output_format="html")
    except RecursionError:
        return f'<pre class="notes-raw">{html.escape(notes)}</pre>'
    return nh3.clean(raw, tags=set(NOTE_TAGS), attributes={k: set(v) for k, v in
                                                           NOTE_ATTRIBUTES.items()},
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener",
                     strip_comments=True)
