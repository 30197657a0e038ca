"""The writer: atomic swap, unchanged files keep their inode and mtime, manifest-based
updates, the kept staging folder (double buffering), guards and recovery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.errors import OutputError
from sitegen.model import Kept, Output
from sitegen.write import writer
from sitegen.write.writer import MARKER, recover, write_outputs


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
    assert not (tmp_path / "._site.old").exists()
    write_outputs([Output("b.html", b"B")], out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.html"]


def test_recover_keeps_the_previous_site_as_the_staging_folder(tmp_path):
    out = tmp_path / "_site"
    write_outputs([Output("a.html", b"A")], out)
    write_outputs([Output("a.html", b"A2")], out)
    (tmp_path / "._site.new").rename(tmp_path / "._site.old")  # killed after the 2nd rename
    recover(out)
    assert (tmp_path / "._site.new").is_dir() and not (tmp_path / "._site.old").exists()
    assert (out / "a.html").read_bytes() == b"A2"


def test_the_swap_is_one_exchange_and_keeps_the_previous_site(tmp_path, monkeypatch):
    calls = []
    real = writer.exchange_paths
    monkeypatch.setattr(writer, "exchange_paths", lambda a, b: calls.append((a, b)) or real(a, b))
    out = tmp_path / "_site"
    writer.write_outputs([Output("a.html", b"1")], out)
    assert calls == []  # nothing to exchange with yet: a plain rename
    writer.write_outputs([Output("a.html", b"2")], out)
    assert len(calls) == 1 and (out / "a.html").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.new", "_site"]
    # The staging folder holds the previous site (its changed file: written over next time),
    # and a .gitignore that keeps it out of git, which never reaches the output.
    assert (tmp_path / "._site.new" / "a.html").read_bytes() == b"1"
    assert (tmp_path / "._site.new" / ".gitignore").read_text().endswith("\n*\n")
    writer.write_outputs([Output("a.html", b"3")], out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.html"]
    assert (tmp_path / "._site.new" / ".gitignore").exists()


def test_two_renames_are_the_fallback_where_exchange_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "exchange_paths", lambda a, b: False)
    out = tmp_path / "_site"
    writer.write_outputs([Output("a.html", b"1")], out)
    writer.write_outputs([Output("b.html", b"2")], out)
    assert sorted(p.name for p in out.iterdir()) == [".sitegen-output", "b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.new", "_site"]
    writer.write_outputs([Output("b.html", b"3")], out)
    assert (out / "b.html").read_bytes() == b"3"


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


def test_a_file_can_become_a_folder_and_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("page", b"file")], out)
    stats = write_outputs([Output("page/index.html", b"folder")], out, stats.manifest)
    assert (out / "page" / "index.html").read_bytes() == b"folder"
    stats = write_outputs([Output("page", b"file")], out, stats.manifest)
    assert (out / "page").read_bytes() == b"file"
    stats = write_outputs([Output("page/index.html", b"folder")], out, stats.manifest)
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
# `recover` rolled a committed journal forward. Since the merge with harden the new site is
# made in the staging folder and exchanged in one atomic step, so that a kill at any moment
# leaves the old site or the new one whole (tests/test_faults.py). The staging folder is
# kept (it holds the previous site) and is listed, never trusted, by the next build: what
# a killed build left in it never reaches the output.


def test_a_left_staging_folder_never_leaks_into_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs([Output("a.html", b"old"), Output("gone.html", b"x")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir(exist_ok=True)
    (staging / "a.html").write_bytes(b"half-built")
    (staging / ".sitegen-journal").write_text("sitegen-journal 1\nw a.html\nr gone.html\n")
    (staging / "deep" / "er").mkdir(parents=True)
    (staging / "deep" / "er" / "junk.html").write_bytes(b"junk")
    recover(out)
    assert (out / "a.html").read_bytes() == b"old" and (out / "gone.html").exists()
    write_outputs([Output("a.html", b"old"), Output("b.html", b"B")], out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        MARKER, "a.html", "b.html"]


def test_links_in_the_staging_folder_are_never_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("keep me")
    write_outputs([Output("a.html", b"A")], out)
    staging = tmp_path / ".out.new"
    staging.mkdir(exist_ok=True)
    (staging / "d").symlink_to(victim)
    (staging / "b.html").symlink_to(victim / "index.html")
    write_outputs([Output("a.html", b"A"), Output("d/index.html", b"D"),
                   Output("b.html", b"B")], out)
    assert (victim / "index.html").read_text() == "keep me"
    assert sorted(p.name for p in victim.iterdir()) == ["index.html"]
    assert (out / "d" / "index.html").read_bytes() == b"D" and not (out / "d").is_symlink()
    assert (out / "b.html").read_bytes() == b"B" and not (out / "b.html").is_symlink()


def test_the_staging_folder_is_updated_not_rebuilt(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    pages = [Output(f"p{i}/index.html", b"page %d" % i) for i in range(20)]
    stats = write_outputs(pages, out)
    stats = write_outputs(pages, out, stats.manifest)  # the staging folder: all linked now
    calls: list[str] = []
    for name in ("link", "mkdir", "unlink", "rmdir"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda *a, _real=real, _n=name, **k:
                            calls.append(_n) or _real(*a, **k))
    pages[3] = Output("p3/index.html", b"changed")
    stats = write_outputs(pages + [Output("new/index.html", b"N")], out, stats.manifest)
    assert (stats.written, stats.unchanged) == (2, 19)
    # p3's old name unlinked (its file is the output's too), new/ made (and the staging
    # folder, which exists), the staging folder's .gitignore removed and made again after
    # the swap: nothing else, no link.
    assert sorted(calls) == ["mkdir", "mkdir", "unlink", "unlink", "unlink"]
    staging = tmp_path / ".out.new"
    old_p3 = staging / "p3" / "index.html"
    assert old_p3.read_bytes() == b"page 3" and old_p3.stat().st_nlink == 1
    assert (staging / "p4" / "index.html").stat().st_ino == (out / "p4/index.html").stat().st_ino
    # Changed again: the staging folder's own old p3 is written over in place.
    calls.clear()
    inode = old_p3.stat().st_ino
    pages[3] = Output("p3/index.html", b"again, longer than before")
    stats = write_outputs(pages + [Output("new/index.html", b"N")], out, stats.manifest)
    assert (out / "p3" / "index.html").stat().st_ino == inode
    assert (out / "p3" / "index.html").read_bytes() == b"again, longer than before"
    # new/index.html (unchanged) is linked into the staging folder, which lacked it
    assert sorted(calls) == ["link", "mkdir", "mkdir", "unlink", "unlink"]
    pages[3] = Output("p3/index.html", b"short")
    stats = write_outputs(pages, out, stats.manifest)
    assert (out / "p3" / "index.html").read_bytes() == b"short"
    assert not (out / "new").exists()


def test_nothing_in_the_output_changes_before_the_commit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A"), Output("b.html", b"B")], out)
    site = writer.SiteWriter(out, stats.manifest)
    site.put(Output("a.html", b"A2"))
    site.put(Output("c/c.html", b"C"))
    assert (tmp_path / ".out.new" / "a.html").read_bytes() == b"A2"  # written as it came
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.html", "b.html"]
    assert (out / "a.html").read_bytes() == b"A"
    with pytest.raises(OutputError, match="two pages"):
        site.put(Output("a.html", b"again"))
    stats = site.commit()
    assert (stats.written, stats.unchanged, stats.removed) == (2, 0, 1)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.html", "c"]


def test_a_forked_part_is_merged_and_clashes_are_found(tmp_path: Path) -> None:
    out = tmp_path / "out"
    site = writer.SiteWriter(out)
    site.put(Output("a.html", b"A"))
    state = (site.files, site.restat, site.wrote)
    site.part()  # as in a forked process: its own files on the same staging folder
    site.put(Output("s/1.json", b"1"))
    part = site.part_result()
    site.files, site.restat, site.wrote = state
    site.merge(part)
    stats = site.commit()
    assert stats.written == 2 and (out / "s" / "1.json").read_bytes() == b"1"
    again = writer.SiteWriter(out, stats.manifest)
    again.put(Output("s/1.json", b"1"))
    with pytest.raises(OutputError, match="two pages"):
        again.merge(part)


def test_a_file_and_a_folder_of_the_same_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="both a file and a folder"):
        write_outputs([Output("a", b"1"), Output("a/b/c.html", b"2")], tmp_path / "o")
    with pytest.raises(OutputError, match="both a file and a folder"):
        write_outputs([Output("a/b/c.html", b"2"), Output("a", b"1")], tmp_path / "o")
    assert not (tmp_path / "o").exists()


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
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.new", "out"]


def test_a_failed_update_leaves_the_old_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stats = write_outputs([Output("a.html", b"A"), Output("b.html", b"B")], out)
    (out / "a.html").unlink()
    with pytest.raises(OutputError, match="changed on disk"):
        write_outputs([Kept("a.html"), Output("b.html", b"B2")], out, stats.manifest)
    assert (out / "b.html").read_bytes() == b"B"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.new", "out"]


def test_put_kept_is_put_of_each_kept_file(tmp_path: Path) -> None:
    """`put_kept(paths)` (a kept group's files in one call) gives what `put(Kept(path))`
    gives for each: the same manifest, the same errors."""
    from sitegen.write.writer import SiteWriter

    out = tmp_path / "out"
    files = [Output(f"d/{n}.html", str(n).encode()) for n in range(5)]
    first = write_outputs(files, out)
    second = write_outputs([Output("d/0.html", b"0"), *map(Kept, (f.path for f in files[1:]))],
                           out, first.manifest)  # the staging folder now lags: links made
    manifests = []
    for batch in (False, True):
        manifest = second.manifest if not batch else manifests[0][1]
        writer = SiteWriter(out, manifest)
        if batch:
            writer.put_kept([f.path for f in files])
        else:
            writer.put_all(map(Kept, (f.path for f in files)))
        stats = writer.commit()
        manifests.append((stats.written, stats.manifest))
        assert (out / "d" / "3.html").read_bytes() == b"3"
    assert manifests[0][1] == manifests[1][1] and manifests[1][0] == 0
    writer = SiteWriter(out, manifests[1][1])
    with pytest.raises(OutputError, match="two pages would be written"):
        writer.put_kept(["d/1.html", "d/1.html"])
    (out / "d" / "2.html").write_bytes(b"changed")
    writer = SiteWriter(out, manifests[1][1])
    with pytest.raises(OutputError, match="changed on disk"):
        writer.put_kept(["d/1.html", "d/2.html"])
