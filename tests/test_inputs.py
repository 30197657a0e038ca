"""The input check (inputs.py): the digest the no-change check compares."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from sitegen.build.pipeline import build_site
from sitegen.config import load_config
from sitegen.incremental.inputs import inputs_digest
from tests.conftest import write_paper


def test_the_inputs_digest_sees_every_change_of_the_content(site: Path) -> None:
    """The no-op check: any edit, addition or removal under content/ (or a linked folder)
    changes the digest; nothing changed, nothing does."""
    write_paper(site, "a", "---\ntitle: A\ndate: 2025-08-11\n---\n")
    config = load_config(site)
    seen = {inputs_digest(config, site / "_site")}

    def changed() -> None:
        time.sleep(0.01)  # a new mtime even on coarse clocks
        now = inputs_digest(config, site / "_site")
        assert now not in seen
        assert inputs_digest(config, site / "_site") == now  # and stable
        seen.add(now)

    paper = site / "content" / "papers" / "a.md"
    with open(paper, "r+b") as handle:  # in place: same size, same inode
        handle.write(b"---\ntitle: B")
    changed()
    write_paper(site, "b", "---\ntitle: B\ndate: 2025-08-11\n---\n")
    changed()
    (site / "content" / "extra").mkdir()
    changed()
    (site / "content" / "extra" / "note.txt").write_text("x")
    changed()
    (site / "content" / "papers" / "b.md").unlink()
    changed()
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "x.html").write_text("x")
    changed()


def test_a_linked_papers_folder_and_a_link_loop_are_listed_once(site: Path, tmp_path: Path
                                                               ) -> None:
    """The input check follows links (a linked papers folder is allowed), each folder once:
    a link back up ends; a build through the link reads the papers and sees their edits."""
    elsewhere = tmp_path / "store"
    elsewhere.mkdir()
    (elsewhere / "a.md").write_text("---\ntitle: A\ndate: 2025-08-11\n---\n", encoding="utf-8")
    shutil.rmtree(site / "content" / "papers", ignore_errors=True)
    (site / "content").mkdir(exist_ok=True)
    (site / "content" / "papers").symlink_to(elsewhere)
    (elsewhere / "loop").symlink_to(site / "content")  # content/papers/loop -> content
    config = load_config(site)
    listed: dict = {}
    first = inputs_digest(config, site / "_site", listed)
    assert set(listed[str(site / "content" / "papers")]) == {"a.md"}
    assert build_site(config, site / "_site").site is not None
    assert inputs_digest(config, site / "_site") == first
    time.sleep(0.01)
    (elsewhere / "a.md").write_text("---\ntitle: B\ndate: 2025-08-11\n---\n", encoding="utf-8")
    assert inputs_digest(config, site / "_site") != first
    build_site(config, site / "_site")
    assert "B" in (site / "_site" / "papers" / "a.html").read_text(encoding="utf-8")
