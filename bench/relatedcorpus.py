"""A site of real machine-learning papers, for judging related papers (docs/related.md).

    python bench/relatedcorpus.py SITE SOURCE...

SOURCEs are local copies of public paper lists, read as `bench/tagcorpus.py` reads them (a
CSV with titles, abstracts and arXiv categories; a folder of Hugging Face daily-papers
JSON files): never committed here. Writes SITE/sitegen.toml and one paper file a paper
into SITE/content/papers/, `PER_DAY` papers a day on consecutive days ending `END`: the
CSV rows first, in an order shuffled with a fixed seed (they have no dates), then the
daily papers in the order of their files (by date). Categories are kept (the default tag
rules map some to tags). Deterministic: the same sources give the same site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import tagcorpus  # noqa: E402

from sitegen.model import Paper  # noqa: E402
from sitegen.store.papers import write_papers  # noqa: E402
from sitegen.urls import paper_slug  # noqa: E402

PER_DAY = 30
END = dt.date(2026, 8, 21)
SEED = 18
CONFIG = """\
[site]
title = "Related papers: a real sample"
base_url = "http://localhost:8000/"
"""


def sample(sources: list[Path]) -> list[dict]:
    """The papers in site order, oldest first."""
    papers = tagcorpus.corpus(sources)
    undated = [p for p in papers if p["source"] != "hf-daily"]
    random.Random(SEED).shuffle(undated)
    return undated + [p for p in papers if p["source"] == "hf-daily"]


def to_paper(record: dict, date: dt.date, rank: int) -> Paper:
    arxiv = record["id"] if re.fullmatch(r"\d{4}\.\d{4,5}", record["id"]) else None
    categories = tuple(c for c in record["categories"] if re.fullmatch(r"[\w.-]+", c))
    return Paper(slug=paper_slug(record["title"], arxiv), title=record["title"], date=date,
                 abstract=record["abstract"], arxiv_id=arxiv, rank=rank,
                 categories=categories,
                 primary_category=categories[0] if categories else None, source="arxiv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("sources", type=Path, nargs="+")
    args = parser.parse_args()
    records = sample(args.sources)
    days = (len(records) + PER_DAY - 1) // PER_DAY
    papers = [to_paper(record, END - dt.timedelta(days=days - 1 - i // PER_DAY),
                       i % PER_DAY + 1) for i, record in enumerate(records)]
    (args.site / "content" / "papers").mkdir(parents=True, exist_ok=True)
    (args.site / "sitegen.toml").write_text(CONFIG, encoding="utf-8")
    write_papers(args.site, papers)
    print(f"{len(papers)} papers on {days} days -> {args.site}")


if __name__ == "__main__":
    main()
