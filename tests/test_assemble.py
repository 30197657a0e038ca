"""assemble.py: papers -> Site."""

from __future__ import annotations

import datetime as dt
import random

from sitegen.model import Paper
from sitegen.site.assemble import day_order, in_day_order


def test_a_days_order_is_day_order_with_or_without_distinct_ranks() -> None:
    """The fast path (distinct ranks) and the general one give `day_order`'s order."""
    rng = random.Random(3)
    for _ in range(300):
        size = rng.randrange(1, 12)
        ranks = rng.choice([list(range(1, size + 1)), [rng.choice([None, 1, 2, 3])
                                                        for _ in range(size)]])
        rng.shuffle(ranks)
        papers = [Paper(slug=f"s{rng.randrange(5)}-{i}", title=rng.choice("ABC"),
                        date=dt.date(2025, 8, 11), rank=rank,
                        upvotes=rng.choice([None, 0, 5, 9])) for i, rank in enumerate(ranks)]
        assert in_day_order(papers) == tuple(sorted(papers, key=day_order))
