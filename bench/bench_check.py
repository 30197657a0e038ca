"""Time `check` of the built output on a synthetic 10,000-paper archive.

Run from the repository root: `python bench/bench_check.py`. The papers are the demo's 69
(content/papers/) repeated with distinct titles and slugs, 20 per day. Prints CPU seconds
of the in-memory build and of the output check (links, anchors, XML, JSON).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.build.outputs import build_outputs  # noqa: E402
from sitegen.commands.check import check_outputs  # noqa: E402
from sitegen.config import parse_config  # noqa: E402
from sitegen.store.papers import load_papers  # noqa: E402
from sitegen.urls import Urls  # noqa: E402


def main() -> None:
    stored, _ = load_papers(Path(__file__).resolve().parent.parent)
    papers = [dataclasses.replace(p, slug=f"{p.slug}-{i}", title=f"{p.title} {i}", arxiv_id=None,
                                  date=dt.date(2025, 8, 11) - dt.timedelta(days=i // 20))
              for i, p in enumerate(stored[i % len(stored)] for i in range(10_000))]
    config = parse_config('[site]\nbase_url = "https://example.org/sub/"\n')
    started = time.process_time()
    _, outputs = build_outputs(config, papers)
    build_seconds = time.process_time() - started
    files = {o.path: o.data for o in outputs}
    started = time.process_time()
    problems = check_outputs(files, Urls(config.site["base_url"]), "_site")
    check_seconds = time.process_time() - started
    size = sum(map(len, files.values())) / 1e6
    print(f"{len(files)} files, {size:.0f} MB: build {build_seconds:.1f} s CPU, "
          f"check of the output {check_seconds:.1f} s CPU, {len(problems)} problems")


if __name__ == "__main__":
    main()
