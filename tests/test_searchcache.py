"""The search index's cache files: chunked pickles, damaged or foreign files read as nothing."""

from __future__ import annotations

from pathlib import Path

from sitegen.incremental import searchcache


def _fmt(code: bytes = b"code") -> dict:
    return {"format": searchcache.file_format(), "code": code}


def test_chunks_round_trip_and_a_truncated_file_keeps_its_first_chunks(tmp_path: Path) -> None:
    path = tmp_path / searchcache.BASE_PAPERS_FILE
    writer = searchcache.Chunks(path, _fmt())
    chunks = [{bytes([i, j]): ("analysis", f"record {i}-{j}") for j in range(50)}
              for i in range(3)]
    for chunk in chunks:
        writer.add(chunk)
    assert not path.exists()  # replaced only on close
    writer.close()
    assert list(searchcache.read_chunks(path, b"code")) == chunks
    assert list(searchcache.read_chunks(path, b"other code")) == []
    data = path.read_bytes()
    path.write_bytes(data[:-20])
    assert list(searchcache.read_chunks(path, b"code")) == chunks[:2]
    path.write_bytes(b"not a pickle")
    assert list(searchcache.read_chunks(path, b"code")) == []
    assert list(searchcache.read_chunks(tmp_path / "missing.bin", b"code")) == []


def test_save_header_and_entries_and_old_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / "search-0a1b2c.bin").write_bytes(b"format 3 cache")
    (tmp_path / ".search-base.tmp").write_bytes(b"left by a killed build")
    path = tmp_path / searchcache.RECENT_FILE
    searchcache.save(path, {**_fmt(), "key": "k"}, {b"p": ("a", "r")}, ("segment", 1))
    assert not (tmp_path / "search-0a1b2c.bin").exists()
    assert not (tmp_path / ".search-base.tmp").exists()
    head = searchcache.header(path, b"code")
    assert head["key"] == "k"
    assert searchcache.entries(path, head) == {b"p": ("a", "r")}
    assert searchcache.body(path, head) == ({b"p": ("a", "r")}, ("segment", 1))
    assert searchcache.body(path, {}) == ({}, None)  # no header read: nothing trusted
    assert searchcache.header(path, b"new code") == {}
    path.write_bytes(path.read_bytes()[:-5])  # a truncated body: no entries, no error
    assert searchcache.entries(path, searchcache.header(path, b"code")) == {}
    assert searchcache.body(path, searchcache.header(path, b"code")) == ({}, None)
