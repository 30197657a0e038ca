"""Time tagging and feed generation on a synthetic 10,000-paper archive.

Run from the repository root: `python bench/bench_feeds.py`. The papers are the demo's
69 (content/papers/) repeated with distinct titles, 20 per day. Prints CPU seconds,
best of three.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.build.outputs import assemble_site  # noqa: E402
from sitegen.config import parse_config  # noqa: E402
from sitegen.incremental.digests import Digests, paper_digest  # noqa: E402
from sitegen.incremental.feedcache import FeedCache  # noqa: E402
from sitegen.incremental.pagecache import PageCache  # noqa: E402
from sitegen.incremental.units import CachedRunner  # noqa: E402
from sitegen.render.feeds import feed_outputs  # noqa: E402
from sitegen.render.metadata import bib_outputs, bib_stage  # noqa: E402
from sitegen.site.assemble import assemble  # noqa: E402
from sitegen.site.tagging import compile_rules, tag_papers  # noqa: E402
from sitegen.store.papers import load_papers  # noqa: E402
from sitegen.urls import Urls  # noqa: E402


def best(function, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        function()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    stored, _ = load_papers(Path(__file__).resolve().parent.parent)
    papers = [dataclasses.replace(p, slug=f"{p.slug}-{i}", title=f"{p.title} {i}",
                                  date=dt.date(2025, 8, 11) - dt.timedelta(days=i // 20),
                                  authors=("Ada Lovelace", "Alan Turing"))
              for i, p in enumerate(stored[i % len(stored)] for i in range(10_000))]
    config = parse_config('[site]\nbase_url = "https://example.org/sub/"\n')
    urls = Urls(config.site["base_url"])
    rules = compile_rules(config.tags)
    seconds = best(lambda: [rules.tags(p) for p in papers])
    print(f"tag 10,000 papers (built-in rules): {seconds:.3f} s")
    site = assemble_site(config, papers)
    feeds = list(feed_outputs(site, config, urls))
    print(f"feeds ({len(feeds)} files, {len(site.tags)} tags, limit "
          f"{config.feeds['limit']}): {best(lambda: list(feed_outputs(site, config, urls))):.3f} s")
    print(f".bib files for 10,000 papers: {best(lambda: bib_outputs(site, urls)):.3f} s")
    # What a rebuild costs with the caches of the last build (tags, feed entries, .bib).
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        digests = {id(p): (p, paper_digest(p)) for p in papers}
        tag_papers(papers, rules, cache / "tags.pickle", digests=dict(digests))
        seconds = best(lambda: tag_papers(papers, rules, cache / "tags.pickle",
                                          digests=dict(digests)))
        print(f"tag 10,000 papers, all kept from the last build: {seconds:.3f} s")
        list(feed_outputs(site, config, urls, FeedCache(cache / "feeds.pickle")))
        seconds = best(lambda: list(feed_outputs(site, config, urls,
                                                 FeedCache(cache / "feeds.pickle"))))
        print(f"feeds, all entries kept from the last build: {seconds:.3f} s")
        known = dict(digests)  # as in a build: the tagged papers' digests are known too
        tagged = assemble(tag_papers(papers, rules, digests=known), lambda p: p.tags)
        last = PageCache(Digests(known))
        made = list(CachedRunner(last).run(bib_stage(tagged, urls)))
        state = last.saved()
        by_file = {"pages": {path: found for record in state["units"].values()
                             for path, found in zip(record[1], record[3] or (), strict=True)}}

        def kept_bibs(units: bool) -> None:
            pages = PageCache(Digests(known), state if units else by_file)
            pages.verified({output.path for output in made})
            list(CachedRunner(pages).run(bib_stage(tagged, urls), batched=True))
        print(f".bib files, all kept from the last build: {best(lambda: kept_bibs(False)):.3f} s"
              f" file by file, {best(lambda: kept_bibs(True)):.3f} s by day")


if __name__ == "__main__":
    main()
