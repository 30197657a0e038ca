"""YAML front matter: a paper file's text <-> the mapping it holds.

The text is split at its `---` lines; the YAML is read with PyYAML's safe loader (aliases
and tags refused) and written back in block style, so that the same mapping always gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from sitegen.errors import ContentError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Line breaks `str.splitlines` knows besides "\n" (and "\r\n"): files with them take the
# general path of `split_front_matter`.
_ODD_BREAKS = re.compile("[\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Split a paper file into (YAML text, Markdown body, line number where the body starts).

    Lines are what `str.splitlines` makes of the text; a file with only `\n` line ends
    (every file sitegen writes) takes a fast path with the same result.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.startswith("---\n") and not _ODD_BREAKS.search(text):
        end = text.find("\n---\n", 3)
        if end < 0 and text.endswith("\n---"):
            end = len(text) - 4
        if end < 0:
            raise ContentError("front matter is not closed", path, 1, "end it with a '---' line")
        return text[4:end + 1], text[end + 5:], text.count("\n", 0, end + 1) + 2
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ContentError("no front matter", path, 1, "a paper file starts with a '---' line")
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip("\r\n") == "---":
            body = "".join(lines[number:])
            return "".join(lines[1:number - 1]), body, number + 1
    raise ContentError("front matter is not closed", path, 1, "end it with a '---' line")


def key_lines(yaml_text: str) -> dict[str, int]:
    """The file line of each top-level `key:` of the front matter (the first, if repeated):
    made once per file, so a file of 20,000 problems costs one pass, not one per problem."""
    lines: dict[str, int] = {}
    for number, line in enumerate(yaml_text.splitlines(), 2):
        key, colon, _ = line.partition(":")
        if colon and key and not key[0].isspace() and key[0] not in "#-":
            lines.setdefault(key, number)
    return lines


def bad_date_line(yaml_text: str) -> int | None:
    """The file line of the first date-like value that is not a real date."""
    for number, line in enumerate(yaml_text.splitlines(), 2):
        for found in re.finditer(r"\b(\d{4})-(\d\d?)-(\d\d?)\b", line):
            try:
                dt.date(*(int(g) for g in found.groups()))
            except ValueError:
                return number
    return None


def first_alias(yaml_text: str) -> int | None:
    """The file line of the first YAML alias, if any.

    Aliases let a few lines expand into a huge or self-referencing structure (a
    "billion laughs" list, `&a [*a]`); sitegen never writes them and paper files do not
    need them, so they are refused rather than expanded.
    """
    if "*" not in yaml_text:
        return None
    for event in yaml.parse(yaml_text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 2
    return None


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


def _strings(node: yaml.Node) -> bool:
    return type(node) is yaml.ScalarNode and node.tag == _STR


def load_yaml(text: str) -> Any:
    """What PyYAML's `load` with the safe `_Loader` returns, the common case built faster.

    libyaml composes the node tree; PyYAML's constructor, written in Python, then costs
    more than the parsing. Front matter is a mapping of text keys to text values and
    lists of text: those are taken straight from the nodes (exactly what the constructor
    would return). Any other value goes through the constructor, any other document
    shape wholly: the same values, the same errors.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if type(node) is not yaml.MappingNode or node.tag != _MAP or not all(
                _strings(key) for key, _ in node.value):
            return loader.construct_document(node)
        data: dict[str, Any] = {}
        for key, value in node.value:
            if _strings(value):
                data[key.value] = value.value
            elif type(value) is yaml.SequenceNode and value.tag == _SEQ and all(
                    _strings(item) for item in value.value):
                data[key.value] = [item.value for item in value.value]
            else:
                data[key.value] = loader.construct_document(value)
        return data
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, no line folding, no aliases (the
    reader refuses them; a shared date or list object would otherwise be written as one)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if any(ch in value for ch in "\r\x85\u2028\u2029"):  # YAML folds these unless escaped
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value and value == value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


class _CDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The same representers on libyaml's emitter, much faster; no aliases either."""

    def ignore_aliases(self, data: object) -> bool:
        return True


_CDumper.add_representer(str, _represent_str)
# Text libyaml emits exactly as the pure-Python emitter does (it escapes characters outside
# the BMP and NEL/LS/PS/BOM differently): such papers take the slower, canonical dumper.
# LS/PS are written double-quoted (see `_represent_str`): those take the canonical one too.
_C_SAFE_TEXT = r"[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*"


def _texts(value: Any) -> list[Any]:
    """The scalars of a front-matter value: itself, a list's items, a mapping's keys and
    values (`hf_accounts`)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    return [value]


def dump_front_matter(data: dict[str, Any]) -> str:
    """The YAML of a front-matter mapping, keys in the mapping's order."""
    texts = [v for value in data.values() for v in _texts(value) if isinstance(v, str)]
    dumper = _CDumper if all(re.fullmatch(_C_SAFE_TEXT, t) for t in texts) else _Dumper
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True,
                     width=1 << 30, default_flow_style=False)
