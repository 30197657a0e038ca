"""A `.bib` file is safe for a citing LaTeX document (pdflatex with BibTeX or biber): no
TeX that reads or writes files, defines macros or changes catcodes can run from it.

`bibtex_problems` reads the text as TeX would, without running TeX: it lists every control
sequence and flags the dangerous ones (an explicit list, independent of the code under
test) and any not known to be inert; `^^` (TeX's character-code notation, `^^5cinput` is
`\\input`); characters that are special to TeX outside math (`~` is active, `#` a macro
parameter, `%` a comment, `^`/`_` only valid in math) unless escaped; braces as BibTeX
counts them (a field must not close early: what follows would be read as new fields).
`parse_problems` parses with pybtex (BibTeX's own grammar, strict) and checks that every
entry holds only the fields sitegen writes.
"""

from __future__ import annotations

import re

from sitegen.render.texsafe import MATH_COMMANDS, MATH_SYMBOLS

#: Control words that read or write files, run commands, define macros, or reach another
#: command by name: never allowed in a `.bib` file, whatever the allow-list says.
FORBIDDEN = frozenset(
    "input include InputIfFileExists IfFileExists openin openout read readline write "
    "immediate write18 special catcode lccode uccode mathcode def edef gdef xdef let "
    "futurelet newcommand renewcommand providecommand DeclareRobustCommand csname "
    "endcsname string expandafter noexpand scantokens everyjob everypar lowercase "
    "uppercase usepackage RequirePackage documentclass makeatletter makeatother "
    "afterassignment aftergroup jobname endinput closein closeout newread newwrite "
    "detokenize unexpanded pdfprimitive directlua luaexec ShellEscape url href "
    "label ref verb".split())
#: What `bib_escape` writes for TeX specials outside math.
TEXT_ESCAPES = frozenset("textbackslash textbraceleft textbraceright textasciitilde "
                         "textasciicircum".split())
FIELDS = frozenset({"title", "author", "year", "eprint", "archiveprefix", "primaryclass",
                    "doi", "url"})

_CONTROL = re.compile(r"\\([A-Za-z@]+|.?)", re.DOTALL)
_FIELD = re.compile(r"^  (\w+) = \{(.*)\},?$")
_VERBATIM = re.compile(r"[A-Za-z0-9:/?#\[\]@!$&'()*+,;=._~%-]*")


def _fields(text: str) -> list[tuple[str, str]]:
    """(name, value) of each field line, as sitegen writes them (one field a line)."""
    return [(m.group(1), m.group(2)) for line in text.splitlines()
            if (m := _FIELD.match(line))]


def tex_problems(value: str, where: str) -> list[str]:
    """What a citing document could run from one field's text."""
    problems: list[str] = []
    if "^^" in value:
        problems.append(f"{where}: ^^ (a character code, e.g. ^^5c is a backslash)")
    for match in _CONTROL.finditer(value):
        name = match.group(1)
        if name in FORBIDDEN or "@" in name:
            problems.append(f"{where}: forbidden control sequence \\{name}")
        elif name.isalpha() and name not in MATH_COMMANDS | TEXT_ESCAPES:
            problems.append(f"{where}: unknown control word \\{name}")
        elif not name.isalpha() and name not in MATH_SYMBOLS:
            problems.append(f"{where}: control symbol \\{name!r}")
    depth, in_math, position = 0, False, 0
    while position < len(value):
        char = value[position]
        if char == "\\":  # a control sequence: skip it (its name is checked above)
            found = _CONTROL.match(value, position)
            assert found is not None
            position = found.end()
            continue
        if char in "{}":
            depth += 1 if char == "{" else -1
            if depth < 0:
                problems.append(f"{where}: a '}}' closes the field early")
                break
        elif char == "$":
            in_math = not in_math
        elif char in "%#&" or (char in "~^_" and not in_math):
            problems.append(f"{where}: unescaped {char!r}" + ("" if in_math else " outside math"))
        position += 1
    if depth:
        problems.append(f"{where}: unbalanced braces")
    if in_math:
        problems.append(f"{where}: math not closed")
    return problems


def bibtex_problems(data: bytes, where: str = "") -> list[str]:
    """Every way one `.bib` file could make a citing document run TeX it should not."""
    problems: list[str] = []
    text = data.decode("utf-8")
    entries = [line for line in text.splitlines() if line.startswith("@")]
    if not entries:
        problems.append(f"{where}: no entry")
    for name, value in _fields(text):
        if name in ("url", "doi"):  # read verbatim (\url, biblatex): no TeX, no braces
            if not _VERBATIM.fullmatch(value):
                problems.append(f"{where}: {name} holds more than URL characters: {value!r}")
        else:
            problems += tex_problems(value, f"{where}: {name}")
    return problems + parse_problems(text, where)


def parse_problems(text: str, where: str) -> list[str]:
    """pybtex (strict) reads the file; each entry holds only sitegen's fields. Without
    pybtex (a test extra) this part is skipped: tests/test_hostile_bibtex.py requires it."""
    try:
        import pybtex.errors
        from pybtex.database import parse_string
    except ImportError:
        return []

    pybtex.errors.set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")
    except Exception as exc:  # noqa: BLE001 - any parse failure is the finding
        return [f"{where}: pybtex cannot parse it ({type(exc).__name__}: {exc})"]
    problems = []
    for key, entry in data.entries.items():
        extra = {name.lower() for name in entry.fields} - FIELDS
        if extra:
            problems.append(f"{where}: entry {key} has fields sitegen never writes: {extra}")
    return problems
