"""What the related lists cost alone, in process, at several archive sizes (docs/related.md).

    python bench/related_cost.py 10000 20000 50000

For each size, on bench/corpus.py's synthetic papers: the full computation (`related_papers`
with the build cache's store, from nothing: what `sitegen build --clean` pays), then one
new day of 30 papers from the state it kept (best of 3: what a daily build pays), in CPU
seconds, with the size of the kept state, and the fold's and the listing's cost per paper.
The papers are frozen out of the garbage collector's reach first, as a build does
(build/pipeline.py `_long_lived`).
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from sitegen.incremental.digests import Digests, paper_digest  # noqa: E402
from sitegen.incremental.relatedstore import CachedRelatedStore  # noqa: E402
from sitegen.model import Paper, Site  # noqa: E402
from sitegen.site.assemble import assemble  # noqa: E402
from sitegen.site.related import Archive, Stems, related_papers  # noqa: E402


def papers_of(records: list[corpus.Record], start: int = 0) -> list[Paper]:
    return [Paper(slug=f"p{start + i}", title=r.title, date=r.date, abstract=r.abstract,
                  rank=1) for i, r in enumerate(records)]


def per_paper(site: Site) -> tuple[float, float]:
    """CPU microseconds per paper of the fold and of the listing."""
    stems, archive, fold, listing = Stems(), Archive(), 0.0, 0.0
    for day in site.days[::-1]:
        started = time.process_time()
        profiles = archive.add_day(day.papers, stems)
        fold += time.process_time() - started
        started = time.process_time()
        first = archive.papers - len(day.papers)
        for index, profile in enumerate(profiles):
            archive.related(first + index, profile, stems)
        listing += time.process_time() - started
    count = len(site.papers)
    return fold / count * 1e6, listing / count * 1e6


def measure(n: int, folder: Path) -> str:
    base = papers_of(corpus.generate(n))
    day = papers_of(corpus.extra_day(n, after=1), start=n)
    old, new = assemble(base, None), assemble(base + day, None)
    memo = Digests()  # the papers' digests, as loading leaves them (lookups)
    for paper in old.papers + new.papers:
        memo[id(paper)] = (paper, paper_digest(paper))
    gc.freeze()
    path = folder / f"related-{n}.pickle"
    started = time.process_time()
    related_papers(old, CachedRelatedStore(path, memo=memo))
    full = time.process_time() - started
    kept = path.read_bytes()
    days = []
    for _ in range(3):
        path.write_bytes(kept)
        started = time.process_time()
        related_papers(new, CachedRelatedStore(path, memo=memo))
        days.append(time.process_time() - started)
    fold, listing = per_paper(old)
    gc.unfreeze()
    return (f"{n} papers: full {full:.2f} s, +1 day {min(days):.3f} s "
            f"(runs {', '.join(f'{d:.3f}' for d in days)}), kept state "
            f"{len(kept) / 1e6:.1f} MB; per paper: fold {fold:.0f} us, listing {listing:.0f} us")


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10000]
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            print(measure(n, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
