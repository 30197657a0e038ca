"""How well the built-in tag rules tag real papers: counts, a sample to judge, precision.

    python bench/tags_eval.py counts CORPUS.jsonl          # share of papers per tag
    python bench/tags_eval.py sample CORPUS.jsonl OUT.md   # the 100 papers to judge
    python bench/tags_eval.py score CORPUS.jsonl           # precision from the judgements

CORPUS.jsonl is what bench/tagcorpus.py makes of public copies of paper lists (not
committed: docs/tags-evaluation.md says which). "Before" is the rules and arXiv category
map as they were (bench/tagrules_before.json), "after" the built-in ones of
sitegen/site/tagrules.py. The demo site's papers (content/) are counted too.

The sample: 100 papers of the corpus, drawn with a fixed seed so that every tag either
rule set gave (when it was drawn) is seen at least 3 times (rarest tags first), the rest at
random. Every tag either rule set gives a sampled paper is judged by reading its title and
abstract, right (`y`) or wrong (`n`), in bench/tag_judgements.tsv (id, tag, verdict). Once
judgements exist, the sample is the papers judged (a change of rules then only asks for
the new tags of the same papers: `sample` lists them).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.model import Paper  # noqa: E402
from sitegen.site.tagging import TagRules, compile_rules  # noqa: E402
from sitegen.site.tagrules import DEFAULT_KEYWORDS, DEFAULT_RULES  # noqa: E402
from sitegen.store.papers import load_papers  # noqa: E402

BEFORE = REPO / "bench" / "tagrules_before.json"
JUDGEMENTS = REPO / "bench" / "tag_judgements.tsv"
SAMPLE_SIZE = 100
PER_TAG = 3
SEED = 17


def rule_sets() -> dict[str, TagRules]:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    return {"before": compile_rules(before),
            "after": compile_rules({"rules": DEFAULT_RULES, "keywords": DEFAULT_KEYWORDS})}


def corpus_papers(path: Path) -> list[Paper]:
    papers = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        papers.append(Paper(slug=row["id"], title=row["title"], date=dt.date(2025, 1, 1),
                            abstract=row["abstract"], categories=tuple(row["categories"])))
    return papers


def demo_papers() -> list[Paper]:
    papers, _ = load_papers(REPO)
    return list(papers)


def tags_of(papers: Iterable[Paper], rules: TagRules) -> dict[str, tuple[str, ...]]:
    return {p.slug: rules.tags(p) for p in papers}


def counts(corpus: Path) -> None:
    sets = rule_sets()
    for name, papers in (("demo", demo_papers()), ("corpus", corpus_papers(corpus))):
        by = {k: Counter(t for tags in tags_of(papers, r).values() for t in tags)
              for k, r in sets.items()}
        print(f"\n{name}: {len(papers)} papers; tag: before -> after (share of papers)")
        for tag in sorted(set(by["before"]) | set(by["after"])):
            b, a = by["before"][tag], by["after"][tag]
            print(f"  {tag:24} {b:5} ({100 * b / len(papers):4.1f}%) -> "
                  f"{a:5} ({100 * a / len(papers):4.1f}%)")


def draw(papers: list[Paper], union: dict[str, set[str]]) -> list[Paper]:
    """SAMPLE_SIZE papers: every tag seen at least PER_TAG times where it can be (rarest
    tags first), then the rest at random; a fixed seed."""
    rng = random.Random(SEED)
    by_tag: dict[str, list[Paper]] = {}
    for p in papers:
        for tag in union[p.slug]:
            by_tag.setdefault(tag, []).append(p)
    chosen: dict[str, Paper] = {}
    for tag in sorted(by_tag, key=lambda t: (len(by_tag[t]), t)):
        have = sum(1 for p in chosen.values() if tag in union[p.slug])
        pool = [p for p in by_tag[tag] if p.slug not in chosen]
        for p in rng.sample(pool, min(len(pool), max(0, PER_TAG - have))):
            chosen[p.slug] = p
    rest = [p for p in papers if p.slug not in chosen]
    for p in rng.sample(rest, max(0, SAMPLE_SIZE - len(chosen))):
        chosen[p.slug] = p
    return sorted(chosen.values(), key=lambda p: p.slug)


def assigned(papers: list[Paper]) -> tuple[dict, dict, dict[str, set[str]]]:
    sets = rule_sets()
    before, after = (tags_of(papers, sets[k]) for k in ("before", "after"))
    return before, after, {s: set(before[s]) | set(after[s]) for s in before}


def read_judgements() -> dict[tuple[str, str], str]:
    if not JUDGEMENTS.exists():
        return {}
    with JUDGEMENTS.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")),
                              delimiter="\t")
        return {(r["id"], r["tag"]): r["verdict"] for r in rows}


def the_sample(papers: list[Paper], union: dict[str, set[str]]) -> list[Paper]:
    """The papers judged (one the rules give no tag is listed with tag `-`), or (before
    any judgement) a new draw."""
    judged = {slug for slug, _ in read_judgements()}
    if judged:
        return [p for p in papers if p.slug in judged]
    return draw(papers, union)


def sample(corpus: Path, out: Path) -> None:
    papers = corpus_papers(corpus)
    before, after, union = assigned(papers)
    chosen = the_sample(papers, union)
    verdicts = read_judgements()
    lines = []
    todo = 0
    for p in chosen:
        new = sorted(t for t in union[p.slug] if (p.slug, t) not in verdicts)
        todo += len(new)
        lines += [f"## {p.slug}: {p.title}", "", p.abstract, "",
                  f"before: {', '.join(before[p.slug]) or '-'}; "
                  f"after: {', '.join(after[p.slug]) or '-'}; "
                  f"to judge: {', '.join(new) or '-'}", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(chosen)} papers, {todo} tags to judge -> {out}")


def score(corpus: Path) -> None:
    papers = corpus_papers(corpus)
    before, after, union = assigned(papers)
    chosen = the_sample(papers, union)
    verdicts = read_judgements()
    missing = [(p.slug, t) for p in chosen for t in sorted(union[p.slug])
               if (p.slug, t) not in verdicts]
    if missing:
        sys.exit(f"not judged yet: {missing[:10]} ({len(missing)} in all)")
    print("| tag | before: right / given | precision | after: right / given | precision |")
    print("|---|---|---|---|---|")
    totals = {"before": [0, 0], "after": [0, 0]}
    for tag in sorted({t for p in chosen for t in union[p.slug]}):
        cells = []
        for name, given in (("before", before), ("after", after)):
            marks = [verdicts[(p.slug, tag)] for p in chosen if tag in given[p.slug]]
            right = marks.count("y")
            totals[name][0] += right
            totals[name][1] += len(marks)
            cells += [f"{right} / {len(marks)}",
                      f"{100 * right / len(marks):.0f}%" if marks else "-"]
        print(f"| {tag} | " + " | ".join(cells) + " |")
    cells = []
    for name in ("before", "after"):
        right, given = totals[name]
        cells += [f"{right} / {given}", f"{100 * right / given:.0f}%"]
    print("| all tags | " + " | ".join(cells) + " |")
    right_before = [(p.slug, t) for p in chosen for t in before[p.slug]
                    if verdicts[(p.slug, t)] == "y"]
    kept = [(s, t) for s, t in right_before if t in after[s]]
    gained = [(p.slug, t) for p in chosen for t in after[p.slug]
              if t not in before[p.slug] and verdicts[(p.slug, t)] == "y"]
    print(f"\nRight tags kept: {len(kept)} of the {len(right_before)} the old rules gave "
          f"right; {len(gained)} right tags new. Lost: "
          + ", ".join(f"{t} ({s})" for s, t in right_before if t not in after[s]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("counts", "sample", "score"))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    args = parser.parse_args()
    if args.command == "counts":
        counts(args.corpus)
    elif args.command == "sample":
        sample(args.corpus, args.out or Path("tag-sample.md"))
    else:
        score(args.corpus)


if __name__ == "__main__":
    main()
