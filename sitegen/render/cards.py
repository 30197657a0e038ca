"""What a paper's card shows, in one place: the card partial (`partials/paper_card.html`,
through the template global `card_of`) and the search doc store (`search/documents.py`)
both read it, so a card looks the same wherever a paper is listed.

Pure: plain data from a `Paper`; the template escapes it, the search page puts it into
text nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus

from sitegen.links import arxiv_abs_url, arxiv_pdf_url, classify_link
from sitegen.model import Link, Paper
from sitegen.render.textrender import preview

#: Authors named on a card before "et al.".
AUTHORS_SHOWN = 3
#: The longest TL;DR a card shows (an `ai_summary` is one sentence; a first sentence of an
#: abstract may run on).
TLDR_CHARS = 280

# The end of a sentence: `.`, `!` or `?` before a space and a capital, digit or opening
# mark, not after a one-letter initial ("J. Smith") or a common abbreviation, not inside
# `$...$` math (checked by counting dollars).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "Sec.",
                  "No.", "approx.", "resp.")


@dataclass(frozen=True)
class Card:
    """A card's data besides the paper's title, date, tags and slug (read from the paper).

    `authors`: the first few; `more_authors`: how many "et al." stands for. `tldr`: the
    source's one-line summary, else the abstract's first sentence (`tldr_source` says which:
    "summary", "abstract" or "" when there is none). `links`: direct links (arXiv, PDF, code,
    project, Hugging Face); `find`: for a paper without an arXiv id, searches for its title
    on Hugging Face and arXiv. Counts are None where unknown."""

    authors: tuple[str, ...]
    more_authors: int
    organization: str | None
    upvotes: int | None
    stars: int | None
    comments: int | None
    tldr: str
    tldr_source: str
    links: tuple[Link, ...]
    find: tuple[Link, ...]
    thumbnail: str | None


def first_sentence(text: str) -> str:
    """The first sentence of `text` (at most `TLDR_CHARS`, cut at a word)."""
    text = " ".join(text.split())
    start = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[:match.start()]
        if head.count("$") % 2 or head.endswith(_ABBREVIATIONS) or re.search(
                r"(?:^|\s)[A-Z]\.$", head):
            continue
        start = match.start()
        break
    sentence = text[:start] if start else text
    return preview(sentence, TLDR_CHARS)


def search_links(title: str) -> tuple[Link, ...]:
    """Searches for a title on Hugging Face papers and on arXiv (titles only)."""
    words = " ".join(title.split())[:250]
    return (Link("find-hf", "Search Hugging Face",
                 "https://huggingface.co/papers?q=" + quote_plus(words)),
            Link("find-arxiv", "Search arXiv",
                 "https://arxiv.org/search/?searchtype=title&query=" + quote_plus(words)))


_ORDER = {"arxiv": 0, "pdf": 1, "code": 2, "project": 3, "hf": 4}


def card_links(paper: Paper) -> tuple[Link, ...]:
    """The card's direct links: arXiv and PDF (from the id), the first code and project
    links, the Hugging Face page; short labels (the card is small)."""
    found: dict[str, Link] = {}
    if paper.arxiv_id:
        found["arxiv"] = Link("arxiv", "arXiv", arxiv_abs_url(paper.arxiv_id))
        found["pdf"] = Link("pdf", "PDF", arxiv_pdf_url(paper.arxiv_id))
    for url in paper.links:
        link = classify_link(url)
        if link.kind not in found and link.kind in _ORDER:
            label = {"code": "Code", "project": "Project", "hf": "HF"}.get(link.kind, link.label)
            found[link.kind] = Link(link.kind, label, url)
    return tuple(sorted(found.values(), key=lambda link: _ORDER[link.kind]))


def card_of(paper: Paper) -> Card:
    """The card of a paper."""
    if paper.ai_summary:
        tldr, source = preview(" ".join(paper.ai_summary.split()), TLDR_CHARS), "summary"
    elif paper.abstract.strip():
        tldr, source = first_sentence(paper.abstract), "abstract"
    else:
        tldr, source = "", ""
    authors = paper.authors[:AUTHORS_SHOWN]
    if len(paper.authors) == AUTHORS_SHOWN + 1:  # "et al." for one name saves nothing
        authors = paper.authors
    return Card(
        authors=authors,
        more_authors=len(paper.authors) - len(authors),
        organization=paper.organization,
        upvotes=paper.upvotes,
        stars=paper.github_stars,
        comments=paper.comments,
        tldr=tldr,
        tldr_source=source,
        links=card_links(paper),
        find=() if paper.arxiv_id else search_links(paper.title),
        thumbnail=paper.thumbnail,
    )
