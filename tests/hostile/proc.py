"""Run `sitegen` in a child process with limits, and measure its time and peak memory."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Run:
    """A finished child: exit status, output, wall time, peak resident memory, CPU time."""

    status: int
    out: str
    err: str
    seconds: float
    maxrss_mb: float
    cpu_seconds: float = 0.0


def sitegen_env(**extra: str) -> dict[str, str]:
    """The environment for a child `python -m sitegen` that uses this worktree's code."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("SITEGEN_TODAY", "2026-11-28")
    env.update(extra)
    return env


def _limits(memory_mb: int | None, file_size: int | None, cpu_seconds: int | None):
    def apply() -> None:
        if memory_mb is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
        if file_size is not None:
            # A "full disk": writes past the limit fail with EFBIG instead of killing us.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    return apply


def start_sitegen(args: list[str], cwd: Path, **env: str) -> subprocess.Popen:
    """Start `python -m sitegen ARGS` (for tests that kill it or run two at once)."""
    return subprocess.Popen([sys.executable, "-m", "sitegen", *args], cwd=cwd,
                            env=sitegen_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, errors="replace")


def run_sitegen(args: list[str], cwd: Path, timeout: float = 120, memory_mb: int | None = 2048,
                file_size: int | None = None, cpu_seconds: int | None = None,
                **env: str) -> Run:
    """Run `python -m sitegen ARGS` to the end under limits; measure time and its own maxrss."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "sitegen", *args], cwd=cwd,
                                env=sitegen_env(**env), stdout=out, stderr=err,
                                preexec_fn=_limits(memory_mb, file_size, cpu_seconds))
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, wait_status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        if proc.returncode == -signal.SIGKILL and seconds >= timeout:
            raise AssertionError(f"sitegen {' '.join(args)} ran over {timeout} s")
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), seconds, usage.ru_maxrss / 1024,
                   usage.ru_utime + usage.ru_stime)
