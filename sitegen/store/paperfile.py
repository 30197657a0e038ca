"""A paper file's data <-> `Paper`: validation, every problem with its line, and the
mapping written back in `PAPER_KEYS` order.

Writing a paper read from disk gives the same bytes back, so a re-import with nothing new
is a zero diff.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

from sitegen.errors import ContentError
from sitegen.links import is_doi, is_handle, is_http_url
from sitegen.model import PAPER_KEYS, Account, Paper, Problem
from sitegen.store.frontmatter import (
    bad_date_line,
    dump_front_matter,
    first_alias,
    key_lines,
    load_yaml,
    split_front_matter,
)
from sitegen.store.limits import check_limits
from sitegen.urls import is_arxiv_id, strip_arxiv_version
from sitegen.util.textclean import has_controls, strip_controls

_INT_KEYS = ("rank", "upvotes", "comments", "github_stars")
_TEXT_KEYS = ("ai_summary", "primary_category", "comment", "journal_ref", "doi", "thumbnail",
              "organization", "organization_handle", "submitted_by")
#: Hugging Face user or organisation names: put into links to their pages
_HANDLE_KEYS = ("organization_handle", "submitted_by")
_LIST_KEYS = ("authors", "tags", "ai_keywords", "categories")
_BOOL_KEYS = ("hidden", "draft")
_DATE_KEYS = ("published", "updated")


@dataclass(frozen=True)
class PaperFile:
    """What one paper file held: the paper (None when unusable) and the problems found."""

    paper: Paper | None
    problems: tuple[Problem, ...]


def problem(path: str, message: str, hint: str | None = None, severity: str = "error",
             line: int | None = None) -> Problem:
    return Problem(path=path, message=message, line=line, hint=hint, severity=severity)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _cleaned(key: Any, value: Any, bad: Any) -> Any:
    """A front-matter value without control characters; warns once per key."""
    if isinstance(value, str) and has_controls(value):
        bad(str(key), f"control characters removed from '{key}'", severity="warning")
        return strip_controls(value)
    if isinstance(value, list) and any(isinstance(v, str) and has_controls(v) for v in value):
        bad(str(key), f"control characters removed from '{key}'", severity="warning")
        return [strip_controls(v) if isinstance(v, str) else v for v in value]
    return value


def paper_from_data(data: Any, slug: str, notes: str, path: str,
                    yaml_text: str = "") -> PaperFile:
    """Validate front-matter data and build a `Paper`; collect every problem on the way."""
    problems: list[Problem] = []
    lines: dict[str, int] = {}

    def bad(key: str, message: str, hint: str | None = None, severity: str = "error") -> None:
        if not lines and yaml_text:  # once per file: a lookup per problem was quadratic
            lines.update(key_lines(yaml_text))
        problems.append(problem(path, message, hint, severity, lines.get(key)))

    if not isinstance(data, dict):
        return PaperFile(None, (problem(path, "front matter must be a mapping of keys",
                                         "write 'key: value' lines", line=2),))
    data = {key: _cleaned(key, value, bad) for key, value in data.items()}
    if has_controls(notes):
        problems.append(problem(path, "control characters removed from the notes",
                                 severity="warning"))
        notes = strip_controls(notes)
    for key in data:
        if key not in PAPER_KEYS:
            close = difflib.get_close_matches(str(key), PAPER_KEYS, n=1)
            bad(str(key), f"unknown key '{key}'", f"did you mean '{close[0]}'?" if close
                else "see docs/content.md for the keys", severity="warning")
    check_limits({k: v for k, v in data.items() if k in PAPER_KEYS}, notes, bad)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("title", "missing or empty 'title'", "every paper needs a title")
    day = _as_date(data.get("date"))
    if day is None:
        bad("date", "missing or invalid 'date'", "write the day as YYYY-MM-DD")
    arxiv_id = data.get("id")
    if arxiv_id is not None:
        if not isinstance(arxiv_id, str):
            bad("id", f"'id' must be a quoted string, not {arxiv_id!r}",
                "quote it: id: '2408.01234'")
            arxiv_id = None
        else:
            arxiv_id = strip_arxiv_version(arxiv_id)
            if not is_arxiv_id(arxiv_id):
                bad("id", f"'id' {arxiv_id!r} is not an arXiv id", "e.g. '2408.01234'")
                arxiv_id = None
    values: dict[str, Any] = {}
    for key in _INT_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            bad(key, f"'{key}' must be a whole number")
        elif value is not None:
            values[key] = value
    for key in _TEXT_KEYS + ("abstract", "source"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            bad(key, f"'{key}' must be text")
        elif key == "doi" and value is not None and not is_doi(value):
            bad(key, f"'doi' {value[:80]!r} is not a DOI and is left out", "e.g. '10.1234/x.5'",
                severity="warning")
        elif key == "thumbnail" and value is not None and not is_http_url(value):
            bad(key, f"'thumbnail' {value[:80]!r} is not an http(s) URL and is left out",
                severity="warning")
        elif key in _HANDLE_KEYS and value is not None and not is_handle(value):
            bad(key, f"'{key}' {value[:80]!r} is not a Hugging Face name and is left out",
                "letters, digits, '-', '_' and '.'", severity="warning")
        elif value is not None:
            values[key] = value
    for key in _LIST_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            bad(key, f"'{key}' must be a list of text items")
        else:
            values[key] = tuple(value)
    for key in _BOOL_KEYS:
        value = data.get(key)
        if value is not None and not isinstance(value, bool):
            bad(key, f"'{key}' must be true or false, not {str(value)[:40]!r}",
                f"write '{key}: true' (or remove the line)")
        elif value:
            values[key] = True
    for key in _DATE_KEYS:
        if data.get(key) is not None:
            parsed = _as_date(data[key])
            if parsed is None:
                bad(key, f"'{key}' must be a date", "write YYYY-MM-DD")
            else:
                values[key] = parsed
    for key in ("links", "media_urls"):
        urls = data.get(key)
        if urls is None:
            continue
        if not isinstance(urls, list) or not all(isinstance(v, str) for v in urls):
            bad(key, f"'{key}' must be a list of URLs")
        else:
            for url in urls:
                if not is_http_url(url):
                    bad(key, f"link {url[:80]!r} is not an http(s) URL and is left out",
                        severity="warning")
            values[key] = tuple(url for url in urls if is_http_url(url))
    accounts = data.get("hf_accounts")
    if accounts is not None:
        values["hf_accounts"] = _accounts(accounts, bad)
    if any(p.severity == "error" for p in problems):
        return PaperFile(None, tuple(problems))
    assert isinstance(title, str) and day is not None
    paper = Paper(slug=slug, title=title, date=day, arxiv_id=arxiv_id, notes=notes, path=path,
                  **values)
    return PaperFile(paper, tuple(problems))


def _accounts(value: Any, bad: Any) -> tuple[Account, ...]:
    """`hf_accounts` (author name -> Hugging Face username) as `Account`s in file order;
    entries that are not a name and a valid username are left out with a warning."""
    if not isinstance(value, dict):
        bad("hf_accounts", "'hf_accounts' must map author names to usernames",
            "write 'Ada Lovelace: ada' lines under it")
        return ()
    kept: list[Account] = []
    for name, username in value.items():
        if isinstance(name, str) and strip_controls(name).strip() and isinstance(username, str) \
                and is_handle(username):
            kept.append(Account(strip_controls(name), username))
        else:
            bad("hf_accounts", f"account {str(name)[:40]!r}: {str(username)[:40]!r} is not an "
                "author name and a Hugging Face username; left out", severity="warning")
    return tuple(kept)


class _Unclosed(NamedTuple):
    """A construct YAML read to its end without finding its close: where it starts."""

    what: str
    line: int
    hint: str


#: YAML's context of an error -> (what is wrong at the context's line, the fix). The error
#: itself is noticed later (the next line, the end of the front matter): the mistake is
#: where the construct starts.
_UNCLOSED = {
    "quoted scalar": ("a quoted value that starts on this line is never closed",
                      "close the quote; inside '...' write a ' as ''"),
    "flow sequence": ("a [ list that starts on this line is never closed with ]",
                      "close it with ], or write the list as '- item' lines"),
    "flow mapping": ("a { mapping that starts on this line is never closed with }",
                     "close it with }"),
    "simple key": ("this line is neither 'key: value' nor a '- item' of a list",
                   "add the ':' after the key, or start a list item with '- '"),
}


def _unclosed(exc: yaml.YAMLError) -> _Unclosed | None:
    context, mark = getattr(exc, "context", None) or "", getattr(exc, "context_mark", None)
    for construct, (what, hint) in _UNCLOSED.items():
        if construct in context and mark is not None:
            return _Unclosed(what, mark.line + 2, hint)
    return None


def parse_paper(text: str, slug: str, path: str) -> PaperFile:
    """Parse the text of one paper file."""
    try:
        yaml_text, body, _ = split_front_matter(text, path)
    except ContentError as exc:
        return PaperFile(None, (problem(path, exc.message, exc.hint, line=exc.line),))
    try:
        alias = first_alias(yaml_text)
        if alias is not None:
            return PaperFile(None, (problem(
                path, "front matter uses a YAML alias (*name); aliases are not allowed",
                "write the value out in full", line=alias),))
        data = load_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        hint = "check quotes and indentation"
        unclosed = _unclosed(exc)
        if unclosed is not None and line is not None:  # point at where it starts
            reason = f"{unclosed.what} ({reason} on line {line})"
            line, hint = unclosed.line, unclosed.hint
        elif isinstance(exc, yaml.constructor.ConstructorError):
            reason = reason.replace("could not determine a constructor for the tag",
                                    "unsupported tag")
            hint = "YAML tags are not allowed; write plain text, numbers, dates and lists"
        return PaperFile(None, (problem(path, f"front matter is not valid YAML: {reason}",
                                         hint, line=line),))
    except (ValueError, OverflowError) as exc:  # e.g. `2025-13-45`: YAML reads it as a date
        hint = "write real dates as YYYY-MM-DD; quote other text that looks like a date"
        return PaperFile(None, (problem(path, f"front matter holds an impossible value: {exc}",
                                         hint, line=bad_date_line(yaml_text)),))
    return paper_from_data(data, slug, body.lstrip("\n"), path, yaml_text)




def paper_to_data(paper: Paper) -> dict[str, Any]:
    """The front-matter mapping of a paper, keys in `PAPER_KEYS` order, empty values left out."""
    raw: dict[str, Any] = {
        "id": paper.arxiv_id,
        "title": paper.title,
        "date": paper.date,
        "rank": paper.rank,
        "published": paper.published,
        "updated": paper.updated,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "tags": list(paper.tags),
        "links": list(paper.links),
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "github_stars": paper.github_stars,
        "ai_summary": paper.ai_summary,
        "ai_keywords": list(paper.ai_keywords),
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "thumbnail": paper.thumbnail,
        "media_urls": list(paper.media_urls),
        "organization": paper.organization,
        "organization_handle": paper.organization_handle,
        "submitted_by": paper.submitted_by,
        "hf_accounts": {account.name: account.username for account in paper.hf_accounts},
        "source": paper.source,
        "hidden": True if paper.hidden else None,
        "draft": True if paper.draft else None,
    }
    return {key: raw[key] for key in PAPER_KEYS
            if key in ("title", "date") or raw[key] not in (None, "", [], {})}


def paper_to_text(paper: Paper) -> str:
    """The file text of a paper: front matter, a blank line, then the notes."""
    notes = paper.notes.strip("\n")
    return f"---\n{dump_front_matter(paper_to_data(paper))}---\n" + (
        f"\n{notes}\n" if notes else "")
