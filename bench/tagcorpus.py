"""A real sample of machine-learning papers for measuring the built-in tag rules.

    python bench/tagcorpus.py OUT.jsonl SOURCE...

Each SOURCE is a local copy of public data (never committed here: it is someone else's
file; docs/tags-evaluation.md says which were used and where they come from):
- a CSV file with a title column (`title`/`titles`/`Title`), an abstract column
  (`abstract`/`summary`/`summaries`/`Summary`) and, if it has one, arXiv categories
  (`terms`/`categories`/`category`/`tags`: a Python-style list, or space-separated);
- a folder of JSON files as Hugging Face daily-papers scrapers save them: lists of
  `{"title", "paper_url", "details": {"abstract"}}`.

Writes one JSON object a line: {"id", "title", "abstract", "categories", "source"}, the id
the arXiv id where known, else `<source>:<row>`. Papers are deduplicated by title; an
abstract shorter than 300 characters (a scraper's placeholder) or holding Hugging Face's
"Librarian Bot" comment (a scraper took the comment for the abstract: it lists other
papers' titles) is left out.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

MIN_ABSTRACT = 300
NOT_AN_ABSTRACT = "Librarian Bot"
_ARXIV = re.compile(r"(\d{4}\.\d{4,5})")
_COLUMNS = {
    "title": ("title", "titles", "Title"),
    "abstract": ("abstract", "summary", "summaries", "Summary", "Abstract"),
    "categories": ("terms", "categories", "category", "tags", "Category"),
}


def _column(row: dict[str, str], kind: str) -> str:
    return next((row[c] for c in _COLUMNS[kind] if row.get(c)), "")


def _categories(value: str) -> list[str]:
    value = value.strip()
    if value.startswith("["):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return []
        return [str(c) for c in parsed]
    return value.split()


def from_csv(path: Path) -> Iterator[dict]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            yield {"id": f"{path.stem}:{i}", "title": _column(row, "title"),
                   "abstract": _column(row, "abstract"),
                   "categories": _categories(_column(row, "categories")),
                   "source": path.name}


def from_daily_papers(folder: Path) -> Iterator[dict]:
    for path in sorted(folder.glob("*.json")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(items, dict):
            items = items.get("papers", [])
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            details = item.get("details") or {}
            match = _ARXIV.search(item.get("paper_url") or "")
            if match:
                yield {"id": match.group(1), "title": item.get("title") or "",
                       "abstract": details.get("abstract") or "", "categories": [],
                       "source": "hf-daily"}


def corpus(sources: list[Path]) -> list[dict]:
    """Every paper of the sources, deduplicated by title, abstracts long enough."""
    seen: set[str] = set()
    out = []
    for source in sources:
        papers = from_daily_papers(source) if source.is_dir() else from_csv(source)
        for paper in papers:
            paper["title"] = " ".join(paper["title"].split())
            paper["abstract"] = " ".join(paper["abstract"].split())
            key = re.sub(r"\W+", " ", paper["title"].lower()).strip()
            if not key or key in seen or len(paper["abstract"]) < MIN_ABSTRACT \
                    or NOT_AN_ABSTRACT in paper["abstract"]:
                continue
            seen.add(key)
            out.append(paper)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("sources", type=Path, nargs="+")
    args = parser.parse_args()
    papers = corpus(args.sources)
    with args.out.open("w", encoding="utf-8") as handle:
        for paper in papers:
            handle.write(json.dumps(paper, ensure_ascii=False) + "\n")
    print(f"{len(papers)} papers -> {args.out}")


if __name__ == "__main__":
    main()
