"""Two writers at once: the second waits for the first, or gives up with a message."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from sitegen.errors import SitegenError
from sitegen.lock import locked, output_lock

HOLD = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(float(sys.argv[2]))")


def hold(path, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_writer_gives_up_with_a_message(tmp_path):
    lock = tmp_path / ".x.lock"
    proc = hold(lock, 5)
    try:
        with pytest.raises(SitegenError, match="another sitegen process"), \
                locked(lock, "the output folder", wait=0.3):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_second_build_waits_for_the_first(run_cli, site, capsys):
    proc = hold(output_lock(site / "_site"), 1.0)
    started = time.monotonic()
    status, _, err = run_cli("build", cwd=site)
    proc.wait()
    assert status == 0, err
    assert "waiting for another sitegen process" in err
    assert time.monotonic() - started >= 0.5


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    lock = tmp_path / ".x.lock"
    proc = hold(lock, 60)
    proc.kill()
    proc.wait()
    with locked(lock, "x", wait=0.5):
        pass
