"""The curator's digest intros, `content/digests/<name>.md`: Markdown put at the top of the
digest of that week (`2026-W37.md`) or month (`2026-09.md`). Optional; rendered later
like a paper's notes (sanitized: render/textrender.py `notes_to_html`).

A file that cannot be an intro (a name that is no week or month, bytes that are not
UTF-8, too long, a link out of the folder) is an error naming the file and line, so a
curator learns of it at build time rather than finding the intro missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sitegen.model import Problem
from sitegen.site.digests import digest_key
from sitegen.store.limits import MAX_NOTES
from sitegen.util.fileio import leaves
from sitegen.util.textclean import has_controls, strip_controls

INTROS_DIR = Path("content") / "digests"
#: Four times the notes' limit in bytes: UTF-8 text of MAX_NOTES characters (up to 4 bytes
#: each) fits.
MAX_INTRO_BYTES = 4 * MAX_NOTES


@dataclass(frozen=True)
class Intro:
    """One digest's intro: the digest's name (`2026-W37`), the file it came from (relative
    to the site) and its Markdown."""

    name: str
    path: str
    markdown: str


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_intro(file: Path, rel: str) -> tuple[Intro | None, list[Problem]]:
    """One intro file -> the intro (None if it is unusable) and its problems."""
    name = file.name[:-3]
    if digest_key(name) is None:
        return None, [Problem(rel, f"'{file.name}' names no week or month",
                              hint="name it like 2026-W37.md (ISO week) or 2026-09.md")]
    try:
        if leaves(file, file.parent):
            return None, [Problem(rel, "links to a file outside content/digests; not read",
                                  hint="replace the link by the file")]
        with open(file, "rb") as handle:
            data = handle.read(MAX_INTRO_BYTES + 1)
    except (OSError, RuntimeError) as exc:  # unreadable, a folder, a symlink loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        return None, [Problem(rel, f"cannot read the intro: {reason}")]
    if len(data) > MAX_INTRO_BYTES:
        return None, [Problem(rel, f"the intro is over {MAX_INTRO_BYTES:,} bytes",
                              hint="shorten it")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, "is not UTF-8 text", _line_at(data, exc.start),
                              "save the file as UTF-8")]
    text = text.replace("\r\n", "\n")
    problems = []
    if len(text.strip()) > MAX_NOTES:
        return None, [Problem(rel, f"the intro has {len(text.strip()):,} characters, at "
                              f"most {MAX_NOTES:,}", hint="shorten it")]
    if has_controls(text):
        at = next(i for i, char in enumerate(text) if strip_controls(char) != char)
        problems.append(Problem(rel, "control characters left out", text.count("\n", 0, at) + 1,
                                severity="warning"))
        text = strip_controls(text)
    return Intro(name, rel, text.strip("\n")), problems


def load_intros(root: Path) -> tuple[dict[str, Intro], list[Problem]]:
    """Every intro under `root`'s `content/digests/`, by digest name, and the problems
    found. No folder: no intros. Files not ending in `.md`, and hidden ones, are not
    intros (a README, an editor's backup)."""
    folder = root / INTROS_DIR
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}, []
    intros: dict[str, Intro] = {}
    problems: list[Problem] = []
    for name in names:
        if not name.endswith(".md") or name.startswith("."):
            continue
        rel = (INTROS_DIR / name).as_posix()
        intro, found = read_intro(folder / name, rel)
        problems += found
        if intro is not None:
            intros[intro.name] = intro
    return intros, problems
