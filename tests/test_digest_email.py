"""The email-safe copy of a digest: no script, no relative URL, no external (or any
non-inline) CSS, valid HTML a strict parser reads, laid out for a 600 px mail view."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import html5lib

from tests.feedtools import build, write_simple_paper
from tests.hostile import checks

HOSTILE_INTRO = """\
A week of <b onclick="alert(1)">news</b>. See [the day](../../2025/08/04/),
[home](/sub/), ![chart](chart.png) and [evil](javascript:alert(1)).

<style>body { background: url(https://evil.example/x.png) }</style>
<link rel="stylesheet" href="https://evil.example/mail.css">
<script src="https://evil.example/x.js"></script>
<img src="x" onerror="alert(1)"> <iframe src="https://evil.example/"></iframe>
"""


def email_problems(data: bytes) -> list[str]:
    """What makes an HTML file unsafe to send as mail: scripts, event handlers, relative
    or non-web URLs, style sheets (linked or in <style>), a parse error; [] if none."""
    problems = []
    try:
        document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)
    except html5lib.html5parser.ParseError as exc:
        return [f"parse error: {exc}"]
    for element in document.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("script", "style", "link", "iframe", "object", "embed", "form", "base"):
            problems.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if name.startswith("on"):
                problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "background", "srcset"):
                parts = urlsplit(value.strip())
                if parts.scheme not in ("http", "https", "mailto") or \
                        parts.scheme != "mailto" and not parts.netloc:
                    problems.append(f"{tag} {name}={value!r} is not an absolute web URL")
            if name == "style" and ("url(" in value or "@import" in value
                                    or "expression" in value):
                problems.append(f"{tag} style loads something: {value!r}")
    return problems


def _site(root: Path) -> dict[str, bytes]:
    for day, title in (("2025-08-04", "Monday <b>bold</b> & $x^2$"),
                       ("2025-08-05", '<script>alert("t")</script> Tuesday'),
                       ("2025-08-13", "Next week")):
        write_simple_paper(root, title[:6].strip("<>").lower() + day[-2:], title, day,
                           upvotes=3, tags=["vision", "<img src=x onerror=alert(1)>"],
                           links=["https://github.com/a/b", "https://example.org/p"],
                           authors=["Ann <Onclick>", "Bob"], arxiv_id=None,
                           abstract="First sentence [link](javascript:x). Second.")
    intros = root / "content" / "digests"
    intros.mkdir(parents=True)
    (intros / "2025-W32.md").write_text(HOSTILE_INTRO, encoding="utf-8")
    return build(root)


def test_the_email_copy_has_no_script_no_relative_url_and_no_external_css(site: Path
                                                                          ) -> None:
    files = _site(site)
    email = files["digest/2025-W32/email.html"]
    assert email_problems(email) == []
    text = email.decode()
    assert 'href="https://example.org/sub/2025/08/04/"' in text  # the intro's links
    assert 'src="https://example.org/sub/digest/2025-W32/chart.png"' in text
    assert "Monday &lt;b&gt;bold&lt;/b&gt; &amp; $x^2$" in text  # titles are text
    assert 'href="https://example.org/sub/papers/' in text
    assert 'max-width:600px' in text and "evil.example" not in text
    tree = checks.parse_html(email)  # the site's own checks: the CSP forbids every script
    assert checks.csp_problems(tree, "email") == []
    assert checks.live_script_problems(tree, "digest/2025-W32/email.html") == []
    # the web page is not mail-safe (a style sheet, a script): the check tells them apart
    assert email_problems(files["digest/2025-W32/index.html"]) != []
    # the same hostile digest in its feeds: no live script in the entry's HTML, strict JSON
    feed = files["digest/weekly.xml"]
    assert checks.xml_problems(feed, "digest/weekly.xml", html_in=("content",)) == []
    assert not re.search(rb"<(summary|title)[^>]*type=", feed)  # text: markup shown, not run
    assert b"&lt;script&gt;alert(\"t\")&lt;/script&gt; Tuesday</summary>" in feed  # as text
    assert checks.json_problems(files["digest/weekly.json"], "digest/weekly.json") == []
    assert b"evil.example" not in feed  # the intro's style, link, script and frame are gone
    assert b"2025-W32" in feed  # the digest is in it


def test_the_checker_finds_what_it_looks_for() -> None:
    good = (b"<!doctype html><html><head><title>t</title></head><body>"
            b'<a href="https://example.org/">x</a></body></html>')
    assert email_problems(good) == []
    for bad in (b'<a href="/sub/x">x</a>', b'<a href="x.html">x</a>', b"<script>x</script>",
                b'<link rel="stylesheet" href="https://e.org/a.css">', b"<style>p{}</style>",
                b'<p onclick="x">x</p>', b'<img src="//e.org/x.png">',
                b'<p style="background:url(https://e.org/x)">x</p>', b"<p>x</div>"):
        assert email_problems(good.replace(b"<body>", b"<body>" + bad)) != [], bad


def test_the_email_lists_ten_papers_a_tag_and_links_the_rest_on_the_page(site: Path) -> None:
    for rank in range(1, 13):
        write_simple_paper(site, f"v{rank}", f"Vision paper {rank}", "2025-08-04", rank=rank,
                           upvotes=100 - rank, tags=["vision"])
    write_simple_paper(site, "next", "Next week", "2025-08-13", rank=1)
    files = build(site)
    email = files["digest/2025-W32/email.html"].decode()
    page = files["digest/2025-W32/index.html"].decode()
    assert "Vision paper 10<" in email and "Vision paper 11<" not in email
    assert 'href="https://example.org/sub/digest/2025-W32/#group-1"' in email
    assert "2 more on the web" in email
    assert 'id="group-1"' in page and "Vision paper 12<" in page  # the page lists all
    feed = files["digest/weekly.xml"].decode()
    assert "Vision paper 10&lt;" in feed and "Vision paper 11&lt;" not in feed
    assert "2 more on the web" in feed
