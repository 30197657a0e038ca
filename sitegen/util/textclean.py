"""Characters no output can carry: control characters, lone surrogates, non-characters.

Titles and abstracts come from copied web pages and hand-written files. C0/C1 control
characters (other than tab and line breaks) are invalid in XML feeds and parse errors in
HTML; a lone surrogate (reachable through a YAML `"\\ud800"` escape) cannot even be
encoded as UTF-8. They carry no meaning in a paper's metadata, so they are removed where
text enters sitegen (import and store reading), with a warning naming the field.
"""

from __future__ import annotations

import re

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """`text` without control characters (tab, LF and CR kept), surrogates or non-characters."""
    return _UNWANTED.sub("", text)


def has_controls(text: str) -> bool:
    """True if `strip_controls` would change `text`."""
    return _UNWANTED.search(text) is not None
