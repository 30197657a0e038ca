"""Judge related papers against tag overlap, blind (docs/related.md).

    python bench/related_eval.py sheet SITE SHEET.txt KEY.json [--count 30] [--seed 18]
    python bench/related_eval.py score SITE JUDGEMENTS.tsv

`sheet` picks `--count` papers of SITE (a seeded draw among the papers of the newer half
of its days, so that each has an archive to match against) and writes, for each, its
title and abstract and the union of the top 5 of both methods, shuffled, numbered, with
no method named (SHEET.txt, for the judge), and which candidate came from which method
(KEY.json, not to read while judging). The judge writes JUDGEMENTS.tsv: one line per
candidate, `query slug<TAB>candidate slug<TAB>1 or 0` (relevant: a reader of the query
paper would want to be shown it). `score` recomputes both lists and prints each method's
precision@5 (a missing place counts as not relevant) and precision of what it shows.

The methods: `related`, the site's own lists (site/related.py); `tags`, the papers of the
same day or older sharing the most tags with it (then the larger share of their tags,
then the newer), as a "more in this tag" block would show.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.config import load_config  # noqa: E402
from sitegen.model import Paper, Site  # noqa: E402
from sitegen.site.assemble import assemble  # noqa: E402
from sitegen.site.related import SHOWN, each_related, related_papers  # noqa: E402
from sitegen.site.tagging import compile_rules  # noqa: E402
from sitegen.store.papers import load_papers  # noqa: E402


def load_site(root: Path) -> Site:
    papers, problems = load_papers(root)
    if any(p.severity == "error" for p in problems):
        raise SystemExit(f"{root}: {len(problems)} problems")
    return assemble(papers, compile_rules(load_config(root).tags).tags)


def tag_overlap(site: Site) -> dict[str, list[str]]:
    """Each paper's top `SHOWN` by shared tags among the papers of its day and older."""
    order = {paper.slug: index for index, paper in enumerate(site.papers)}  # newest first
    tagged = [(paper, set(paper.tags)) for paper in site.papers if paper.tags]
    out = {}
    for paper in site.papers:
        tags = set(paper.tags)
        scored = sorted((-len(tags & theirs), -len(tags & theirs) / len(tags | theirs),
                         order[other.slug], other.slug) for other, theirs in tagged
                        if other.date <= paper.date and other.slug != paper.slug
                        and tags & theirs)
        out[paper.slug] = [slug for *_, slug in scored[:SHOWN]]
    return out


def methods(site: Site) -> dict[str, dict[str, list[str]]]:
    related = {paper.slug: [item.slug for item in found]
               for paper, found in each_related(related_papers(site), site.days)}
    return {"related": related, "tags": tag_overlap(site)}


def pick(site: Site, count: int, seed: int) -> list[Paper]:
    newer = {day.date for day in site.days[:max(1, len(site.days) // 2)]}
    pool = [paper for paper in site.papers if paper.date in newer]
    return random.Random(seed).sample(pool, min(count, len(pool)))


def sheet(args: argparse.Namespace) -> None:
    site = load_site(args.site)
    by_slug = {paper.slug: paper for paper in site.papers}
    lists = methods(site)
    rng = random.Random(args.seed + 1)
    key: dict[str, dict[str, list[str]]] = {}
    lines = []
    for number, paper in enumerate(pick(site, args.count, args.seed), 1):
        shown = {name: lists[name][paper.slug] for name in lists}
        union = sorted({slug for found in shown.values() for slug in found})
        rng.shuffle(union)
        key[paper.slug] = shown
        lines += [f"=== {number}. {paper.slug}", f"TITLE: {paper.title}",
                  textwrap.fill("ABSTRACT: " + paper.abstract[:900], 100), ""]
        for slug in union:
            other = by_slug[slug]
            lines.append(f"  - {slug}: {other.title} | {other.abstract[:220]}")
        lines.append("")
    args.out.write_text("\n".join(lines), encoding="utf-8")
    args.key.write_text(json.dumps(key, indent=1), encoding="utf-8")


def score(args: argparse.Namespace) -> None:
    site = load_site(args.site)
    lists = methods(site)
    judged: dict[tuple[str, str], bool] = {}
    for line in args.judgements.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, candidate, verdict = line.split("\t")[:3]
            judged[query, candidate] = verdict.strip() == "1"
    queries = sorted({query for query, _ in judged})
    print("query | related | tags")
    for q in queries:
        print(q, *(sum(judged.get((q, slug), False) for slug in found[q])
                   for found in lists.values()), sep=" | ")
    for name, found in lists.items():
        relevant = sum(judged.get((q, slug), False) for q in queries for slug in found[q])
        shown = sum(len(found[q]) for q in queries)
        unjudged = [(q, s) for q in queries for s in found[q] if (q, s) not in judged]
        empty = sum(not found[q] for q in queries)
        print(f"{name}: precision@5 {relevant / (SHOWN * len(queries)):.2f} "
              f"({relevant} of {SHOWN * len(queries)}); of those shown "
              f"{relevant / max(1, shown):.2f} ({relevant} of {shown}); "
              f"empty lists {empty} of {len(queries)}; unjudged {len(unjudged)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True)
    make = commands.add_parser("sheet")
    make.add_argument("site", type=Path)
    make.add_argument("out", type=Path)
    make.add_argument("key", type=Path)
    make.add_argument("--count", type=int, default=30)
    make.add_argument("--seed", type=int, default=18)
    make.set_defaults(run=sheet)
    judge = commands.add_parser("score")
    judge.add_argument("site", type=Path)
    judge.add_argument("judgements", type=Path)
    judge.set_defaults(run=score)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
