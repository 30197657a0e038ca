"""The writer: atomic swap, unchanged files keep their mtime, guards and recovery."""

from __future__ import annotations

import os

import pytest

from sitegen.errors import OutputError
from sitegen.model import Output
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
    from sitegen import writer
    from sitegen.model import Output
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
    from sitegen import writer
    from sitegen.model import Output
    monkeypatch.setattr(writer, "exchange_paths", lambda a, b: False)
    out = tmp_path / "_site"
    writer.write_outputs([Output("a.html", b"1")], out)
    writer.write_outputs([Output("b.html", b"2")], out)
    assert sorted(p.name for p in out.iterdir()) == [".sitegen-output", "b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]
