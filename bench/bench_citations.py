"""Time the `.bib` stage with and without the bulk citation files (render/citations.py)
on a synthetic 10,000-paper archive, from scratch and for a new day with the last build's
units kept.

Run from the repository root: `python bench/bench_citations.py`. The papers are the demo's
69 (content/papers/, real abstracts) repeated with distinct titles, 30 per day, tagged by
the built-in rules. Prints CPU seconds (best of three) and the bytes made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.build.outputs import assemble_site  # noqa: E402
from sitegen.config import parse_config  # noqa: E402
from sitegen.incremental.digests import Digests, paper_digest  # noqa: E402
from sitegen.incremental.pagecache import PageCache  # noqa: E402
from sitegen.incremental.units import CachedRunner  # noqa: E402
from sitegen.model import Output  # noqa: E402
from sitegen.render.citations import citation_stage  # noqa: E402
from sitegen.render.metadata import bib_stage  # noqa: E402
from sitegen.store.papers import load_papers  # noqa: E402
from sitegen.urls import Urls  # noqa: E402

PER_PAGE = 100


def best(function, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.process_time()
        result = function()
        times.append(time.process_time() - started)
    return min(times), result


def papers_for(count: int) -> list:
    stored, _ = load_papers(Path(__file__).resolve().parent.parent)
    first = dt.date(2025, 8, 11)
    return [dataclasses.replace(p, slug=f"{p.slug}-{i}", title=f"{p.title} {i}",
                                date=first - dt.timedelta(days=i // 30), rank=i % 30 + 1,
                                authors=("Ada Lovelace", "Alan Turing"))
            for i, p in enumerate(stored[i % len(stored)] for i in range(count))]


def run(stage_of, site, urls, state=None, intact=(), memo=None):
    cache = PageCache(Digests(memo or {}), state)
    cache.verified(set(intact))
    outputs = list(CachedRunner(cache).run(stage_of(site, urls), batched=True))
    return outputs, cache.saved()


def main() -> None:
    config = parse_config('[site]\nbase_url = "https://example.org/sub/"\n')
    urls = Urls(config.site["base_url"])
    papers = papers_for(10_030)
    old = assemble_site(config, papers[30:])  # the archive before the new day
    new = assemble_site(config, papers)
    memo = {id(p): (p, paper_digest(p)) for site in (old, new) for p in site.papers}
    stages = {"paper .bib only": bib_stage,
              "with bulk files": lambda site, urls: citation_stage(site, urls, PER_PAGE)}
    for name, stage_of in stages.items():
        seconds, (outputs, state) = best(lambda s=stage_of: run(s, old, urls, memo=memo))
        made = [o for o in outputs if isinstance(o, Output)]
        size = sum(len(o.data) for o in made)
        print(f"{name}: from scratch {seconds:.3f} s CPU, {len(made)} files, "
              f"{size / 1e6:.1f} MB")
        intact = [o.path for o in made]
        seconds, (outputs, _) = best(lambda s=stage_of, st=state, i=intact: run(
            s, new, urls, st, i, memo))
        remade = [o for o in outputs if isinstance(o, Output)]
        print(f"{name}: a new day of 30 {seconds:.3f} s CPU, {len(remade)} files made, "
              f"{sum(len(o.data) for o in remade) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
