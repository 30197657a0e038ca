"""Generic output checkers: each parses an output the way its consumer would and lists problems.

- HTML: parsed with html5lib, an HTML5 parser that builds the same tree a browser does, so
  a payload that "looks escaped" but would run in a browser is caught.
- XML (feeds, sitemap): parsed by lxml with entities and network off; text nodes compared.
- JSON (feeds, search index): parsed strictly (no NaN); every string reachable.
- The file tree: snapshots before and after a run show any file written outside the site.

Every function returns a list of problem strings (empty is good) or the parsed value, so a
test can assert `== []` and show every finding at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import html5lib

HTML_NS = "http://www.w3.org/1999/xhtml"
#: Attributes whose value a browser treats as a URL to load or navigate to.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "data", "poster", "background", "cite", "srcset",
    "ping", "manifest", "codebase", "longdesc", "lowsrc", "dynsrc", "usemap", "xlink:href",
    "{http://www.w3.org/1999/xlink}href", "imagesrcset", "archive", "classid",
})
#: Elements that embed or redirect; the site's own pages never use them.
FORBIDDEN_ELEMENTS = frozenset({
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "style",
    "template", "noscript", "textarea", "xmp", "plaintext", "noembed", "noframes",
})
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return HTML_NS, tag


Html = bytes | str | ElementTree.Element


def parse_html(html: Html) -> ElementTree.Element:
    """An HTML document as a browser's parser builds it (html5lib, namespaced etree).

    An already parsed tree is returned as is, so a test parses each page once.
    """
    if isinstance(html, ElementTree.Element):
        return html
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)


def dangerous_url(value: str) -> bool:
    """True if a browser could run or render script from this URL (javascript:, data:, ...).

    Modelled on the WHATWG URL parser that browsers use: leading and trailing C0 controls
    and spaces are stripped and tab, LF and CR are removed anywhere (`jav\\tascript:` is
    `javascript:`); other controls inside the scheme make it no scheme at all (checked in
    Chromium: `javas\\x0ccript:` does not run).
    """
    url = _URL_TAB_OR_NEWLINE.sub("", value).strip("".join(map(chr, range(0x21))))
    return bool(_BAD_SCHEME.match(url))


def is_email_copy(rel: str) -> bool:
    """A digest's email-safe file (`digest/<name>/email.html`): styled inline on purpose,
    as mail clients drop style sheets; its CSP allows inline styles and nothing else."""
    return rel.startswith("digest/") and rel.endswith("/email.html")


def live_script_problems(html: Html, where: str = "",
                         allow_script_src: str | None = None,
                         inline_styles: bool | None = None) -> list[str]:
    """Everything in an HTML document that could run script or load foreign content.

    Allowed: `<script src=...>` without inline code whose src starts with
    `allow_script_src` (the site's own scripts; None allows any relative path) and
    `<script type="application/ld+json">` blocks whose text parses as JSON; `style=`
    attributes only with `inline_styles` (default: in a digest's email file, `where`).
    """
    if inline_styles is None:
        inline_styles = is_email_copy(where)
    problems: list[str] = []
    root = parse_html(html)
    prefix = f"{where}: " if where else ""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        ns, name = _local(element.tag)
        name = name.lower()
        label = name if ns == HTML_NS else f"{name} ({ns.rsplit('/', 1)[-1]})"
        if name == "script":
            problems += _script_problems(element, ns, label, allow_script_src, prefix)
        if name in FORBIDDEN_ELEMENTS and ns == HTML_NS:
            problems.append(f"{prefix}<{label}> element")
        if name == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"{prefix}<meta http-equiv=refresh>")
        if name == "form" and not (element.get("action") or "").startswith("/"):
            problems.append(f"{prefix}<form> posting off-site: {element.get('action')!r}")
        for attr, value in element.attrib.items():
            attr_name = _local(attr)[1].lower() if attr.startswith("{") else attr.lower()
            if attr_name.startswith("on"):
                problems.append(f"{prefix}event handler {attr_name}= on <{label}>")
            if attr_name == "style" and not inline_styles:
                problems.append(f"{prefix}style= attribute on <{label}>")
            if attr_name == "srcdoc":
                problems.append(f"{prefix}srcdoc= on <{label}>")
            if (attr.lower() in URL_ATTRIBUTES or attr_name in URL_ATTRIBUTES) and \
                    any(dangerous_url(part.strip().split(" ")[0])
                        for part in (value.split(",") if "srcset" in attr_name else [value])):
                problems.append(f"{prefix}{attr_name}={value[:60]!r} on <{label}>")
    return problems


def _script_problems(element: ElementTree.Element, ns: str, label: str,
                     allow_src: str | None, prefix: str) -> list[str]:
    kind = (element.get("type") or "").strip().lower()
    src = element.get("src")
    code = "".join(element.itertext())
    if ns == HTML_NS and kind == "application/ld+json" and not src:
        try:
            json.loads(code)
        except ValueError as exc:
            return [f"{prefix}ld+json block is not JSON ({exc})"]
        return []
    if ns != HTML_NS:
        return [f"{prefix}<{label}> element"]
    if not src:
        return [f"{prefix}inline <script>: {code[:60]!r}"]
    if code.strip():
        return [f"{prefix}<script src> with inline code"]
    if dangerous_url(src) or src.startswith("//") or "://" in src:
        return [f"{prefix}<script src={src[:60]!r}> not from the site"]
    if allow_src is not None and not src.startswith(allow_src):
        return [f"{prefix}<script src={src[:60]!r}> outside {allow_src}"]
    return []


def csp_problems(html: Html, where: str = "") -> list[str]:
    """The page must declare a CSP in <head> that forbids inline and foreign script."""
    root = parse_html(html)
    prefix = f"{where}: " if where else ""
    head = root.find(f"{{{HTML_NS}}}head")
    metas = [] if head is None else [
        m for m in head.iter(f"{{{HTML_NS}}}meta")
        if (m.get("http-equiv") or "").lower() == "content-security-policy"]
    if len(metas) != 1:
        return [f"{prefix}{len(metas)} CSP meta tags in <head> (want 1)"]
    # A meta CSP only guards what comes after it: only `<meta charset>` may come first.
    before = []
    for element in head:
        if element is metas[0]:
            break
        if not (element.tag == f"{{{HTML_NS}}}meta" and element.get("charset")):
            before.append(_local(element.tag)[1])
    if before:
        return [f"{prefix}the CSP meta tag comes after {before}"]
    policy = {}
    for directive in (metas[0].get("content") or "").split(";"):
        parts = directive.split()
        if parts:
            policy[parts[0].lower()] = parts[1:]
    script = policy.get("script-src", policy.get("default-src"))
    problems = []
    if script is None:
        problems.append(f"{prefix}CSP has no script-src or default-src")
    elif any(s in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")
             for s in script):
        problems.append(f"{prefix}CSP script-src allows {script}")
    if policy.get("object-src") != ["'none'"]:
        problems.append(f"{prefix}CSP object-src is not 'none'")
    if "base-uri" not in policy:
        problems.append(f"{prefix}CSP has no base-uri")
    return problems


def html_text(html: Html) -> str:
    """The text a reader sees (textContent of <body>), as a browser parses it."""
    root = parse_html(html)
    body = root.find(f"{{{HTML_NS}}}body")
    return "".join(body.itertext()) if body is not None else ""


def html_elements_text(html: Html, tag: str, cls: str | None = None,
                       tex: bool = False) -> list[str]:
    """The text of each `<tag>` (with `class` containing `cls`) of a page, in order; with
    `tex`, a formula (`<math alttext=...>`: titles render `$...$` math) reads as the TeX
    it was made from, between its dollars."""
    root = parse_html(html)
    text = _text_with_tex if tex else (lambda e: "".join(e.itertext()))
    return [text(e) for e in root.iter(f"{{{HTML_NS}}}{tag}")
            if cls is None or cls in (e.get("class") or "").split()]


def _text_with_tex(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "math":
            delimiter = "$$" if child.get("display") == "block" else "$"
            parts.append(delimiter + (child.get("alttext") or "") + delimiter)
        else:
            parts.append(_text_with_tex(child))
        parts.append(child.tail or "")
    return "".join(parts)


def html_title(html: Html) -> str:
    """The document title as a browser shows it."""
    root = parse_html(html)
    title = root.find(f".//{{{HTML_NS}}}title")
    return "".join(title.itertext()) if title is not None else ""


def parse_xml(data: bytes) -> Any:
    """A well-formed XML document (lxml, no entity expansion, no network); raises if not."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    return etree.fromstring(data, parser)


def xml_problems(data: bytes, where: str = "", html_in: Iterable[str] = ()) -> list[str]:
    """Not well-formed, a DOCTYPE/entity declaration, or live script in embedded HTML.

    `html_in` names elements (local names, e.g. "content", "description") whose text is
    HTML a feed reader will render: that HTML is checked with `live_script_problems`.
    """
    prefix = f"{where}: " if where else ""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return [f"{prefix}DOCTYPE or ENTITY declaration"]
    try:
        root = parse_xml(data)
    except Exception as exc:  # lxml.etree.XMLSyntaxError
        return [f"{prefix}not well-formed XML: {exc}"]
    problems: list[str] = []
    wanted = set(html_in)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _local(element.tag)[1] in wanted and element.text:
            problems += live_script_problems(element.text, f"{prefix}<{element.tag}>")
    return problems


def xml_texts(data: bytes) -> list[str]:
    """Every element's text and every attribute value of an XML document, unescaped."""
    root = parse_xml(data)
    found: list[str] = []
    for element in root.iter():
        if element.text:
            found.append(element.text)
        found += list(element.attrib.values())
    return found


def parse_json(data: bytes | str) -> Any:
    """Strict JSON: NaN, Infinity and duplicate keys are errors (a browser's JSON.parse agrees)."""

    def no_constants(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key in a JSON object")
        return dict(pairs)

    return json.loads(data, parse_constant=no_constants, object_pairs_hook=no_duplicates)


def json_problems(data: bytes | str, where: str = "", in_html: bool = False) -> list[str]:
    """Not strict JSON; or, for JSON put inside an HTML page, a sequence that ends the script."""
    prefix = f"{where}: " if where else ""
    try:
        parse_json(data)
    except ValueError as exc:
        return [f"{prefix}not valid JSON: {exc}"]
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if in_html and re.search(r"</script|<!--|<script", text, re.IGNORECASE):
        return [f"{prefix}JSON holds a sequence that ends or opens a <script> in HTML"]
    return []


def json_strings(value: Any) -> Iterator[str]:
    """Every string (keys too) in a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def snapshot(folder: Path, skip: Iterable[Path] = ()) -> dict[str, tuple[str, str]]:
    """Every file and symlink under `folder` (paths relative to it) with a content digest."""
    skipped = [p.resolve() for p in skip]
    found: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if (here / d).resolve() not in skipped]
        for name in filenames + [d for d in dirnames if (here / d).is_symlink()]:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            else:
                found[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def writes_outside(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]],
                   allowed: Iterable[str]) -> list[str]:
    """Files added, changed or removed between two snapshots outside the `allowed` prefixes."""
    prefixes = tuple(a.rstrip("/") + "/" for a in allowed)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return sorted(p for p in changed if not (p + "/").startswith(prefixes))


def tree_problems(out_dir: Path) -> list[str]:
    """Symlinks, special files, or paths that resolve outside the output folder."""
    problems: list[str] = []
    root = out_dir.resolve()
    for path in out_dir.rglob("*"):
        rel = path.relative_to(out_dir).as_posix()
        if path.is_symlink():
            problems.append(f"{rel}: a symlink")
        elif not (path.is_file() or path.is_dir()):
            problems.append(f"{rel}: not a regular file")
        if not path.resolve().is_relative_to(root):
            problems.append(f"{rel}: resolves outside the output folder")
        if any(part in ("..", "") for part in rel.split("/")) or "\\" in rel:
            problems.append(f"{rel}: odd path")
    return problems


def cli_error_problems(stderr: str) -> list[str]:
    """A refused input must give compiler-style messages and never a Python traceback."""
    problems: list[str] = []
    if "Traceback (most recent call last)" in stderr:
        problems.append("a Python traceback")
    if "internal error" in stderr:
        problems.append("an internal error (a bug)")
    if not re.search(r"(^|\n)\S[^\n]*: error: ", stderr) and "error" not in stderr:
        problems.append(f"no 'path: error: message' line in {stderr[:200]!r}")
    return problems


def site_problems(out_dir: Path, script_prefix: str | None = None) -> list[str]:
    """Every HTML, XML, JSON and BibTeX file of a built site through the checks above
    (`.bib`: tests/hostile/texchecks.py)."""
    problems = tree_problems(out_dir)
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(out_dir).as_posix()
        data = path.read_bytes()
        if path.suffix == ".html":
            tree = parse_html(data)
            problems += live_script_problems(tree, rel, script_prefix)
            problems += csp_problems(tree, rel)
        elif path.suffix == ".xml":
            # Atom summary and title are typed text; these three are HTML to a reader.
            problems += xml_problems(data, rel, html_in=("content", "encoded", "description"))
        elif path.suffix == ".json":
            problems += json_problems(data, rel)
        elif path.suffix == ".bib":
            from tests.hostile.texchecks import bibtex_problems

            problems += bibtex_problems(data, rel)
    return problems
