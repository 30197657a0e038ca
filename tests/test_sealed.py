"""Cache files sealed with the user's key (util/sealed.py): only what this user's sitegen
wrote is ever unpickled; links, foreign files and other keys read as nothing."""

from __future__ import annotations

import io
import os
import pickle
import stat
from pathlib import Path

import pytest

from sitegen.util import sealed


@pytest.fixture
def key_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key folder of this test alone."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_a_sealed_file_reads_back_and_a_tampered_one_does_not(tmp_path, key_home):
    path = tmp_path / "state.pickle"
    sealed.write_sealed(path, pickle.dumps({"x": 1}))
    assert sealed.load_pickle(path) == {"x": 1}
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    assert sealed.read_sealed(path) is None and sealed.load_pickle(path) is None
    path.write_bytes(path.read_bytes()[:-1])  # cut short
    assert sealed.read_sealed(path) is None
    assert sealed.read_sealed(tmp_path / "missing") is None


def test_the_key_is_the_users_made_once_and_kept_outside_the_site(tmp_path, key_home):
    key = sealed.cache_key()
    key_file = key_home / "sitegen" / sealed.KEY_FILE
    assert key_file.read_bytes() == key and len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert sealed.cache_key() == key
    assert [p.name for p in key_file.parent.iterdir()] == [sealed.KEY_FILE]  # no temp left


def test_a_file_sealed_with_another_users_key_is_not_read(tmp_path, key_home, monkeypatch):
    path = tmp_path / "state.pickle"
    sealed.write_sealed(path, pickle.dumps("mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    assert sealed.cache_key() != (key_home / "sitegen" / sealed.KEY_FILE).read_bytes()
    assert sealed.read_sealed(path) is None and sealed.load_pickle(path) is None


@pytest.mark.parametrize("spoil", ["group-readable", "symlink", "short"])
def test_a_key_file_anyone_else_could_know_is_not_used(tmp_path, key_home, spoil):
    folder = key_home / "sitegen"
    folder.mkdir(parents=True)
    key_file = folder / sealed.KEY_FILE
    known = b"k" * 32
    if spoil == "symlink":
        (tmp_path / "elsewhere").write_bytes(known)
        os.chmod(tmp_path / "elsewhere", 0o600)
        key_file.symlink_to(tmp_path / "elsewhere")
    else:
        key_file.write_bytes(known if spoil != "short" else b"k")
        os.chmod(key_file, 0o640 if spoil == "group-readable" else 0o600)
    assert sealed.cache_key() not in (known, b"k")
    assert sealed.cache_key() == sealed.cache_key()  # this process's own key


def test_links_are_never_followed(tmp_path, key_home):
    real = tmp_path / "real"
    real.mkdir()
    sealed.write_sealed(real / "state.pickle", pickle.dumps(1))
    assert sealed.load_pickle(real / "state.pickle") == 1
    (tmp_path / "linked").symlink_to(real)  # a linked cache folder
    assert sealed.read_sealed(tmp_path / "linked" / "state.pickle") is None
    with pytest.raises(OSError):
        sealed.write_sealed(tmp_path / "linked" / "new.pickle", b"x")
    assert not (real / "new.pickle").exists()
    (real / "alias.pickle").symlink_to(real / "state.pickle")  # a linked cache file
    assert sealed.read_sealed(real / "alias.pickle") is None
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (real / "out.bin").symlink_to(victim)
    with sealed.open_file(real / "out.bin", "wb") as handle:  # replaces the link
        handle.write(b"new")
    assert victim.read_bytes() == b"precious" and not (real / "out.bin").is_symlink()
    with pytest.raises(OSError):
        sealed.check_folder(tmp_path / "linked")


def test_a_fifo_named_like_a_cache_file_is_not_waited_for(tmp_path, key_home):
    os.mkfifo(tmp_path / "papers.pickle")
    assert sealed.read_sealed(tmp_path / "papers.pickle") is None


def test_frames_one_after_another(tmp_path, key_home):
    buffer = io.BytesIO()
    for value in ({"a": 1}, [2], "three"):
        sealed.dump(value, buffer)
    buffer.seek(0)
    assert [sealed.load(buffer) for _ in range(3)] == [{"a": 1}, [2], "three"]
    with pytest.raises(EOFError):
        sealed.load(buffer)
    one = io.BytesIO()
    sealed.dump("x" * 100, one)
    for bad in (pickle.dumps("plain pickle", protocol=0), one.getvalue()[:-2]):
        with pytest.raises(sealed.Rejected):
            sealed.load(io.BytesIO(bad))


def test_a_file_sealed_by_its_stat_is_the_version_sealed_only(tmp_path, key_home):
    """`by_stat`: the payload's MAC is skipped only for the very file version sealed (its
    inode, size and times); any other version is checked by its MAC as usual."""
    path = tmp_path / "state.pickle"
    sealed.write_sealed(path, pickle.dumps("v1"), by_stat=True)
    seal = tmp_path / ".state.pickle.seal"
    assert len(seal.read_bytes()) == 32
    assert sealed.load_pickle(path, by_stat=True) == "v1"
    plain = tmp_path / "plain.pickle"
    plain.write_bytes(path.read_bytes())  # a copy: another inode, its MAC still good
    os.link(seal, tmp_path / ".plain.pickle.seal")
    assert sealed.load_pickle(plain, by_stat=True) == "v1"
    forged = pickle.dumps("forged")  # another file, with the seal of the sealed one
    path.unlink()
    path.write_bytes(sealed.MAGIC + len(forged).to_bytes(8, "big") + b"\0" * 32 + forged)
    assert sealed.read_sealed(path, by_stat=True) is None


def test_a_seal_made_with_another_key_is_not_trusted(tmp_path, key_home, monkeypatch):
    path = tmp_path / "state.pickle"
    sealed.write_sealed(path, pickle.dumps("mine"), by_stat=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    assert sealed.read_sealed(path, by_stat=True) is None
