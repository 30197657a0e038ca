"""The writer: atomic swap, unchanged files keep their inode and mtime, manifest-based
updates, guards and recovery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen import writer
from sitegen.errors import OutputError
from sitegen.model import Kept, Output
from sitegen.writer import MARKER, recover, write_outputs


def test_write_then_rewrite_keeps_unchanged_files(tmp_path):
    out = tmp_path / "_site"
    write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B")], out)
    os.utime(out / "a.html", (1_000_000, 1_000_000))
    stats = write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B2")], out)
    assert (stats.written, stats.unchanged) == (1, 1)
    assert (out / "a.html").stat().st_mtime == 1_000_000
    assert (out / "d/b.html").read_bytes() == b"B2"


def test_removed_pages_disappear(tmp_path):
    out = tmp_path / "_site"
    write_outputs([Output("a.html", b"A"), Output("b.html", b"B")], out)
    stats = write_outputs([Output("a.html", b"A")], out)
    assert stats.removed == 1 and not (out / "b.html").exists()


def test_refuses_a_folder_it_did_not_write(tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("x")
    with pytest.raises(OutputError, match="did not write"):
        write_outputs([Output("a.html", b"A")], out)
    assert (out / "thesis.tex").exists()


def test_collisions_and_escapes_are_refused(tmp_path):
    with pytest.raises(OutputError, match="two pages"):
        write_outputs([Output("a.html", b"1"), Output("a.html", b"2")], tmp_path / "o")
    with pytest.raises(OutputError):
        write_outputs([Output("../evil.html", b"1")], tmp_path / "o")
    assert not (tmp_path / "evil.html").exists()


def test_recover_restores_a_swapped_out_site(tmp_path):
    out = tmp_path / "_site"
    write_outputs([Output("a.html", b"A")], out)
    out.rename(tmp_path / "._site.old")  # killed between the two renames
    (tmp_path / "._site.new").mkdir()
    recover(out)
    assert (out / "a.html").read_bytes() == b"A" and (out / MARKER).exists()
    assert not (tmp_path / "._site.new").exists()


def test_the_swap_is_one_exchange_and_leaves_no_staging_folder(tmp_path, monkeypatch):
    calls = []
    real = writer.exchange_paths
    monkeypatch.setattr(writer, "exchange_paths", lambda a, b: calls.append((a, b)) or real(a, b))
    out = tmp_path / "_site"
    writer.write_outputs([Output("a.html", b"1")], out)
    assert calls == []  # nothing to exchange with yet: a plain rename
    writer.write_outputs([Output("a.html", b"2")], out)
    assert len(calls) == 1 and (out / "a.html").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_two_renames_are_the_fallback_where_exchange_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "exchange_paths", lambda a, b: False)
    out = tmp_path / "_site"
    writer.write_outputs([Output("a.html", b"1")], out)
    writer.write_outputs([Output("b.html", b"2")], out)
    assert sorted(p.name for p in out.iterdir()) == [".sitegen-output", "b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_first_write_then_update_only_changed_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B")], out)
    assert (stats.written, stats.unchanged) == (2, 0)
    inode = (out / "a.html").stat().st_ino
    stats = write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B2"),
                           Output("c.html", b"C")], out, stats.manifest)
    assert (stats.written, stats.unchanged, stats.removed) == (2, 1, 0)
    assert (out / "a.html").stat().st_ino == inode
    assert (out / "d" / "b.html").read_bytes() == b"B2"


def test_update_removes_files_no_longer_built_and_empty_folders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A"), Output("x/y/b.html", b"B")], out)
    stats = write_outputs([Output("a.html", b"A")], out, stats.manifest)
    assert stats.removed == 1
    assert not (out / "x").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "a.html"])


def test_a_file_can_become_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("page", b"file")], out)
    write_outputs([Output("page/index.html", b"folder")], out, stats.manifest)
    assert (out / "page" / "index.html").read_bytes() == b"folder"


def test_changed_file_on_disk_is_detected_without_manifest_trust(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A")], out)
    (out / "a.html").write_bytes(b"edited by hand")
    stats = write_outputs([Output("a.html", b"A")], out, stats.manifest)
    assert stats.written == 1 and (out / "a.html").read_bytes() == b"A"


def test_kept_needs_an_intact_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputError):
        write_outputs([Kept("a.html")], out)
    stats = write_outputs([Output("a.html", b"A")], out)
    (out / "a.html").unlink()
    with pytest.raises(OutputError, match="changed on disk"):
        write_outputs([Kept("a.html")], out, stats.manifest)



# perf's writer once updated the output in place, with a journal as its commit point, and
# `recover` rolled a committed journal forward. Since the merge with harden the whole new
# site is staged (unchanged files hard-linked) and exchanged in one atomic step, so that a
# kill at any moment leaves the old site or the new one whole (tests/test_faults.py).
# There is nothing to roll forward: any staging folder left behind is dropped.


def test_recover_drops_a_left_staging_folder_even_with_a_journal(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old"), Output("gone.html", b"x")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir()
    (staging / "a.html").write_bytes(b"new")
    (staging / ".sitegen-journal").write_text("sitegen-journal 1\nw a.html\nr gone.html\n")
    recover(out)
    assert (out / "a.html").read_bytes() == b"old" and (out / "gone.html").exists()
    assert not staging.exists()


def test_recover_drops_an_uncommitted_update(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir()
    (staging / "a.html").write_bytes(b"half-built")
    recover(out)
    assert (out / "a.html").read_bytes() == b"old" and not staging.exists()


def test_a_left_journal_never_touches_files_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir()
    (staging / ".sitegen-journal").write_text("sitegen-journal 1\nr ../victim\n")
    (tmp_path / "victim").write_text("keep me")
    recover(out)
    assert (tmp_path / "victim").read_text() == "keep me"
    assert (out / "a.html").read_bytes() == b"old"


def test_with_a_manifest_unchanged_files_are_linked_without_reading(tmp_path: Path,
                                                                     monkeypatch) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B")], out)
    before = (out / "a.html").stat()

    def no_reading(*args):
        raise AssertionError("an unchanged file was read back")

    monkeypatch.setattr(writer, "_same_bytes", no_reading)
    stats = write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B2")], out, stats.manifest)
    assert (stats.written, stats.unchanged) == (1, 1)
    after = (out / "a.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # The manifest's stats are the ones after the swap: the next build trusts them.
    assert writer.verified(out, stats.manifest).keys() == {"a.html", "d/b.html"}
    stats = write_outputs([Kept("a.html"), Output("d/b.html", b"B2")], out, stats.manifest)
    assert (stats.written, stats.unchanged) == (0, 2)
    assert (out / "a.html").stat().st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_update_leaves_the_old_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A"), Output("b.html", b"B")], out)
    (out / "a.html").unlink()
    with pytest.raises(OutputError, match="changed on disk"):
        write_outputs([Kept("a.html"), Output("b.html", b"B2")], out, stats.manifest)
    assert (out / "b.html").read_bytes() == b"B"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
