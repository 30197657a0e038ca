"""What `import` and `fetch` may write: exactly what `build` accepts.

A paper file `build` refuses (over a size limit, an impossible value) would stop every
later build until someone deletes it, so each paper is written to text and read back with
the store's own reader (the same rules and limits) before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sitegen.model import Paper, Problem
from sitegen.store.paperfile import paper_to_text, parse_paper
from sitegen.store.papers import MAX_PAPER_BYTES, PAPERS_DIR

#: A new paper file's name: an arXiv id (`/` as `-`) or a title slug with its hash. Files
#: already in the store keep the names their authors gave them.
SAFE_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")


def unwritable(papers: Iterable[Paper], existing: set[str] | frozenset[str] = frozenset()
               ) -> list[Problem]:
    """The errors `build` would find in these papers' files, found before writing them;
    `existing` are the slugs of files already in the store (any name is theirs to keep)."""
    problems: list[Problem] = []
    for paper in papers:
        where = (PAPERS_DIR / f"{paper.slug}.md").as_posix()
        if paper.slug not in existing and not SAFE_SLUG.match(paper.slug):
            problems.append(Problem(where, f"unsafe file name {paper.slug[:80]!r}"))
            continue
        text = paper_to_text(paper)
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_PAPER_BYTES:
            problems.append(Problem(where, f"the paper file would be {size >> 20} MB, over "
                                    f"{MAX_PAPER_BYTES >> 20} MB"))
            continue
        result = parse_paper(text, paper.slug, where)
        problems += [p for p in result.problems if p.severity == "error"]
    return problems


def first_refusal(problems: list[Problem]) -> str:
    """One line saying how many papers would be refused and why the first is."""
    first = problems[0]
    line = f":{first.line}" if first.line else ""
    return (f"{len(problems)} paper(s) would be refused by build; first: "
            f"{first.path}{line}: {first.message}")
