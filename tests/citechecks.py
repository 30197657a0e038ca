"""Strict readers of the bulk citation files (render/citations.py) for the tests.

`strict_bibtex` parses a `.bib` file with bibtexparser and with pybtex in strict mode and
fails on any block either cannot read, on a duplicate key, or when the two disagree on
the entries. `strict_ris` checks RIS line by line (every line a known tag, `TAG  - value`;
records open with `TY` and close with `ER`; nothing outside a record but blank lines),
then reads it with rispy and compares.
"""

from __future__ import annotations

import re

from conftest import require

#: The RIS tags sitegen writes (render/citations.py, `ris_record`).
RIS_TAGS = {"TY", "TI", "AU", "PY", "DA", "AB", "KW", "DO", "DP", "N1", "UR", "ER"}
_RIS_LINE = re.compile(r"([A-Z][A-Z0-9])  - (.*)\Z")


def strict_bibtex(text: str) -> list[tuple[str, dict[str, str]]]:
    """The (key, fields) of every entry, in order, read by both parsers, strictly."""
    try:
        import bibtexparser
        import pybtex.errors
        from pybtex.database import parse_string
    except ImportError:
        require(False, "bibtexparser or pybtex is not installed (pip install -e '.[test]')")
        raise
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    entries = [(entry.key, {field.key: field.value for field in entry.fields})
               for entry in library.entries]
    keys = [key for key, _ in entries]
    assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
    pybtex.errors.set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")  # raises on any error, duplicate keys included
    finally:
        pybtex.errors.set_strict_mode(False)
    assert list(data.entries.keys()) == keys
    for key, fields in entries:
        entry = data.entries[key]
        assert entry.type == "misc"
        if "title" in fields:
            # pybtex, as BibTeX, reads any run of whitespace as one space
            assert entry.fields["title"] == " ".join(fields["title"].split())
        if "author" in fields:
            assert len(entry.persons["author"]) == _top_level_names(fields["author"])
    return entries


def _top_level_names(value: str) -> int:
    """How many names BibTeX sees: ` and ` outside braces separates them."""
    depth, names = 0, 1
    for index, char in enumerate(value):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and value.startswith(" and ", index):
            names += 1
    return names


def strict_ris(text: str) -> list[dict[str, list[str]]]:
    """Every record as {tag: [values]}, in order, checked line by line, then with rispy."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    assert text.endswith("ER  - \n"), "the file must end with a record's end"
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if not line:
            assert current is None, f"line {number}: a blank line inside a record"
            continue
        match = _RIS_LINE.match(line)
        assert match, f"line {number}: not `TAG  - value`: {line!r}"
        tag, value = match.groups()
        assert tag in RIS_TAGS, f"line {number}: unknown tag {tag}"
        assert value == value.strip(), f"line {number}: padded value"
        if tag == "TY":
            assert current is None, f"line {number}: TY inside a record"
            current = {"TY": [value]}
            continue
        assert current is not None, f"line {number}: {tag} outside a record"
        if tag == "ER":
            assert value == "", f"line {number}: ER with a value"
            assert "TI" in current and "PY" in current, f"line {number}: record without TI/PY"
            records.append(current)
            current = None
            continue
        assert value, f"line {number}: empty {tag}"
        current.setdefault(tag, []).append(value)
    assert current is None
    try:
        import rispy
    except ImportError:
        require(False, "rispy is not installed (pip install -e '.[test]')")
        raise
    read = rispy.loads(text)
    assert [entry["title"] for entry in read] == [record["TI"][0] for record in records]
    assert [entry.get("authors", []) for entry in read] == [record.get("AU", [])
                                                          for record in records]
    return records
