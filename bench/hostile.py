"""Import and build the hostile corpus in children; print time, peak memory and problems.

    python bench/hostile.py

The same flow as tests/test_hostile.py's fixture, as a one-off measurement for
docs/security.md.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import MINIMAL_CONFIG  # noqa: E402
from tests.hostile import checks, corpus  # noqa: E402
from tests.hostile.proc import run_sitegen  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = corpus.write_hostile_site(base, MINIMAL_CONFIG)
        before = checks.snapshot(base)
        for args in (["import", "-q", str(base / "page.txt")], ["build", "-q"]):
            run = run_sitegen(args, root)
            print(f"sitegen {args[0]}: exit {run.status}, {run.seconds:.2f} s, "
                  f"peak RSS {run.maxrss_mb:.0f} MB, {run.err.count(chr(10))} stderr lines")
        out = root / "_site"
        files = [p for p in out.rglob("*") if p.is_file()]
        print(f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
        problems = checks.site_problems(out, "/sub/static/")
        outside = checks.writes_outside(before, checks.snapshot(base), corpus.SITE_WRITES)
        print(f"{len(problems)} live-script/CSP/tree problems, {len(outside)} writes outside")
        return 1 if problems or outside else 0


if __name__ == "__main__":
    sys.exit(main())
