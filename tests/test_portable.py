"""Without the POSIX-only parts (macOS and Windows users run build and serve): no `fcntl`,
no `os.fork`, no `renameat2`, no `os.sync`, no `os.geteuid`, no folder opened as a file nor
`dir_fd` (as on Windows). Each has a fallback; these tests mask them."""

from __future__ import annotations

import filecmp
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from sitegen.errors import SitegenError
from sitegen.util import fileid, fileio, lock, parallel
from sitegen.util.lock import locked

#: Run `sitegen ARGS` with the POSIX-only parts masked, as on a system without them.
MASKED = """
import ctypes, os, sys
sys.modules["fcntl"] = None            # `import fcntl` raises ImportError
del os.fork                           # no fork: one process
del os.sync                           # Windows has none
del os.geteuid                        # no user ids (Windows)
_open = os.open
def windows_open(path, flags, mode=0o777, *, dir_fd=None):
    if dir_fd is not None:
        raise NotImplementedError("masked: dir_fd unavailable on this platform")
    if os.path.isdir(path):  # Windows opens no folder
        raise PermissionError(13, "masked: Permission denied", path)
    return _open(path, flags, mode)
os.open = windows_open
def no_library(*args, **kwargs):
    raise OSError("masked: no C library functions (renameat2)")
ctypes.CDLL = no_library
from sitegen.util import lock, parallel
assert lock.lock_kind() == "file" and not parallel.can_fork()
from sitegen.cli import main
sys.exit(main(sys.argv[1:]))
"""


def masked_sitegen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", MASKED, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_build_check_and_import_work_with_every_posix_part_masked(
        tmp_path: Path, sample_page: Path, run_cli) -> None:
    """Same bytes as a build with them, two processes asked for (none forked)."""
    masked, normal = tmp_path / "masked", tmp_path / "normal"
    for root in (masked, normal):
        (root / "content" / "papers").mkdir(parents=True)
        (root / "sitegen.toml").write_text('[site]\ntitle = "T"\nbase_url = '
                                           '"https://example.org/sub/"\n[build]\nworkers = 2\n')
    done = masked_sitegen("import", str(sample_page), "--year", "2025", cwd=masked)
    assert done.returncode == 0, done.stderr
    for _ in range(2):  # a first build, then one that swaps an existing output
        done = masked_sitegen("build", cwd=masked)
        assert done.returncode == 0, done.stderr
    done = masked_sitegen("check", cwd=masked)
    assert done.returncode == 0, done.stderr + done.stdout
    assert not (masked / ".sitegen.lock").exists()  # the O_EXCL lock file is removed
    assert run_cli("import", str(sample_page), "--year", "2025", cwd=normal)[0] == 0
    assert run_cli("build", cwd=normal)[0] == 0
    compared = filecmp.dircmp(masked / "_site", normal / "_site")
    assert _same_tree(compared), "the masked build differs"


def _same_tree(compared: filecmp.dircmp) -> bool:
    _, mismatch, errors = filecmp.cmpfiles(compared.left, compared.right, compared.common_files,
                                           shallow=False)
    return (not compared.left_only and not compared.right_only and not mismatch and not errors
            and all(_same_tree(sub) for sub in compared.subdirs.values()))


# --- the O_EXCL lock file, where there is no kernel lock -------------------------------------

@pytest.fixture
def file_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "fcntl", None)
    monkeypatch.setattr(lock, "msvcrt", None)
    assert lock.lock_kind() == "file"


def test_the_lock_file_names_its_owner_and_goes_away(tmp_path: Path, file_locks: None) -> None:
    path = tmp_path / ".x.lock"
    with locked(path, "x"):
        assert path.read_text() == f"{os.getpid()} {socket.gethostname()}\n"
        with pytest.raises(SitegenError, match="another sitegen process") as caught, \
                locked(path, "x", wait=0.3):
            pass
        assert caught.value.hint is not None and f"delete {path}" in caught.value.hint
    assert not path.exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path, file_locks: None) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = tmp_path / ".x.lock"
    path.write_text(f"{dead.pid} {socket.gethostname()}\n")
    with locked(path, "x", wait=2.0):
        assert path.read_text().startswith(f"{os.getpid()} ")


def test_a_living_owner_or_another_host_is_waited_for(tmp_path: Path, file_locks: None) -> None:
    path = tmp_path / ".x.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for owner in (f"{holder.pid} {socket.gethostname()}", "1 another-host.example"):
            path.write_text(owner + "\n")
            with pytest.raises(SitegenError), locked(path, "x", wait=0.3):
                pass
            assert path.read_text() == owner + "\n"
    finally:
        holder.kill()
        holder.wait()


def test_an_ownerless_lock_file_is_stale_only_once_old(tmp_path: Path, file_locks: None) -> None:
    """An empty file: left by the kernel-lock kind (stale), or just created by an owner
    about to write its line (not stale yet)."""
    path = tmp_path / ".x.lock"
    path.write_text("")
    with pytest.raises(SitegenError), locked(path, "x", wait=0.3):
        pass
    old = time.time() - lock.OWNERLESS_SECONDS - 5
    os.utime(path, (old, old))
    with locked(path, "x", wait=2.0):
        assert path.read_text().startswith(f"{os.getpid()} ")


def test_two_processes_exclude_each_other_with_file_locks(tmp_path: Path) -> None:
    script = ("import sys, time; sys.modules['fcntl'] = None\n"
              "from sitegen.util.lock import locked, lock_kind\n"
              "assert lock_kind() == 'file'\n"
              "from pathlib import Path\n"
              "with locked(Path(sys.argv[1]), 'x'):\n"
              "    with open(sys.argv[2], 'a') as log: log.write('in\\n')\n"
              "    time.sleep(0.3)\n"
              "    with open(sys.argv[2], 'a') as log: log.write('out\\n')\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log = tmp_path / "log"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / ".x.lock"), str(log)],
                              env=env, stderr=subprocess.DEVNULL) for _ in range(3)]
    assert [proc.wait(timeout=60) for proc in procs] == [0, 0, 0]
    assert log.read_text() == "in\nout\n" * 3  # never two inside at once


# --- no fork, no renameat2, no os.sync -------------------------------------------------------

def test_without_fork_the_work_stays_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    assert not parallel.can_fork()
    assert parallel.fork_call(lambda: 1) is None  # the caller does the work itself


def test_without_renameat2_exchange_says_no(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.setattr(sys, "platform", "darwin")
    assert fileio.exchange_paths(a, b) is False  # the writer then renames twice
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(fileio.ctypes, "CDLL", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    assert fileio.exchange_paths(a, b) is False


def test_without_os_sync_each_file_is_flushed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flushed: list[int] = []
    monkeypatch.delattr(os, "sync")
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd))
    fileio.atomic_write_all([(tmp_path / "a", b"1"), (tmp_path / "b", b"2")])
    assert (tmp_path / "a").read_bytes() == b"1" and len(flushed) >= 2


def test_the_lock_file_refuses_a_link_or_a_fifo(tmp_path: Path, file_locks: None) -> None:
    """As the kernel-lock kind does: never follow a committed link, never block on a fifo."""
    target = tmp_path / "elsewhere"
    link = tmp_path / ".link.lock"
    link.symlink_to(target)
    with pytest.raises(SitegenError, match="symbolic link"), locked(link, "x", wait=0.3):
        pass
    assert not target.exists()
    fifo = tmp_path / ".fifo.lock"
    os.mkfifo(fifo)
    with pytest.raises(SitegenError, match="not a regular file"), locked(fifo, "x", wait=0.3):
        pass


def test_without_user_ids_every_file_is_the_users(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """Windows has no `os.geteuid` (and every `st_uid` is 0): the build cache's owner checks
    then pass instead of raising AttributeError (an internal error, exit 70)."""
    st = os.stat(tmp_path)
    assert fileid.owned_by_me(st)
    assert not fileid.owned_by_me(os.stat_result((st.st_mode, 0, 0, 0, os.geteuid() + 1, 0, 0,
                                                  0, 0, 0)))
    monkeypatch.delattr(os, "geteuid")
    assert fileid.owned_by_me(os.stat_result((st.st_mode, 0, 0, 0, 12345, 0, 0, 0, 0, 0)))
