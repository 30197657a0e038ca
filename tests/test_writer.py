"""The writer: atomic swap, manifest-based updates, the journal and its recovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import OutputError
from sitegen.model import Kept, Output
from sitegen.writer import JOURNAL, MARKER, recover, write_outputs


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


def test_recover_rolls_a_committed_journal_forward(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old"), Output("gone.html", b"x")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir()
    (staging / "a.html").write_bytes(b"new")
    (staging / JOURNAL).write_text("sitegen-journal 1\nw a.html\nr gone.html\n")
    recover(out)
    assert (out / "a.html").read_bytes() == b"new"
    assert not (out / "gone.html").exists() and not staging.exists()


def test_recover_drops_an_uncommitted_update(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir()
    (staging / "a.html").write_bytes(b"half-built")
    recover(out)
    assert (out / "a.html").read_bytes() == b"old" and not staging.exists()


def test_journal_paths_cannot_leave_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir()
    (staging / JOURNAL).write_text("sitegen-journal 1\nr ../victim\n")
    (tmp_path / "victim").write_text("keep me")
    with pytest.raises(OutputError):
        recover(out)
    assert (tmp_path / "victim").read_text() == "keep me"
