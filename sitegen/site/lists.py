"""Reading lists as the site shows them: each paper reference found in the store.

Pure: the list files (store/lists.py) and the site's papers in, `ReadingList`s and the
problems out. A reference is an arXiv id (a version suffix or an `arXiv:` prefix is
dropped) or a paper file's slug; one that names no stored paper is an error on its line,
with the command that adds the paper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sitegen.model import ListLink, ListSession, Paper, Problem, ReadingList, Site
from sitegen.urls import is_arxiv_id, strip_arxiv_version

if TYPE_CHECKING:
    from sitegen.store.lists import ListFile, PaperRef


def _key(text: str) -> str:
    text = text.strip()
    if text[:6].lower() == "arxiv:":
        text = text[6:].strip()
    return strip_arxiv_version(text) if is_arxiv_id(strip_arxiv_version(text)) else text


def resolve_lists(files: Sequence[ListFile], papers: Iterable[Paper]
                  ) -> tuple[tuple[ReadingList, ...], list[Problem]]:
    """The lists with their papers, and a problem per reference not in the store (the
    list is shown without it)."""
    found: dict[str, Paper] = {}
    for paper in papers:
        found[paper.slug] = paper
        if paper.arxiv_id:
            found.setdefault(paper.arxiv_id, paper)
    lists, problems = [], []
    for file in files:
        sessions = []
        for session in file.sessions:
            shown = []
            for ref in session.papers:
                paper = found.get(_key(ref.text))
                if paper is None:
                    problems.append(_missing(file.path, ref))
                else:
                    shown.append(paper)
            sessions.append(ListSession(session.date, session.presenter, tuple(shown),
                                        session.notes))
        lists.append(ReadingList(file.slug, file.title, file.intro, tuple(sessions)))
    return tuple(lists), problems


def _missing(path: str, ref: PaperRef) -> Problem:
    key = _key(ref.text)
    if is_arxiv_id(key):
        hint = f"add it to the store with `sitegen add {key}`"
    else:
        hint = ("write its arXiv id, or the name of its file in content/papers/ without "
                "`.md`")
    return Problem(path, f"paper {ref.text[:80]!r} is not in the store", ref.line, hint)


def with_lists(site: Site, files: Sequence[ListFile]) -> tuple[Site, list[Problem]]:
    """`site` with its reading lists (their papers as the site has them: tagged)."""
    if not files:
        return site, []
    lists, problems = resolve_lists(files, site.papers)
    return replace(site, lists=lists), problems


def lists_by_paper(lists: Iterable[ReadingList]) -> dict[str, tuple[ListLink, ...]]:
    """The lists each paper is on (by slug), in the lists' order, each once."""
    on: dict[str, list[ListLink]] = {}
    for reading in lists:
        link = ListLink(reading.slug, reading.title)
        for paper in reading.papers:
            on.setdefault(paper.slug, []).append(link)
    return {slug: tuple(links) for slug, links in on.items()}
