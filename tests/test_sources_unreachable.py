"""sources/unreachable.py: no DNS, a refused connection or no route fail at once, naming the
host; retries are told on a terminal."""

from __future__ import annotations

import errno
import socket
import sys

import httpx
import pytest
from conftest import free_port
from fetchfakes import FakeClock, Script, json_answer

from sitegen.commands import fetch as fetch_command
from sitegen.errors import SourceError

URL = "https://api.test/api/daily_papers"


def raised_from(cause: BaseException) -> httpx.ConnectError:
    """An httpx.ConnectError raised from `cause`, as httpx raises it (through httpcore)."""
    try:
        try:
            raise cause
        except OSError as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as error:
        return error


@pytest.mark.parametrize("cause, said", [
    (socket.gaierror(-2, "Name or service not known"),
     "cannot resolve the host name 'api.test' (Name or service not known)"),
    (socket.gaierror(-3, "Temporary failure in name resolution"),
     "cannot resolve the host name 'api.test'"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
     "connection refused by api.test:443"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"),
     "cannot connect to api.test: the network is unreachable"),
])
def test_hopeless_connections_fail_at_the_first_attempt(cause: BaseException, said: str) -> None:
    clock = FakeClock()
    script = Script(raised_from(cause), json_answer([1]))
    with pytest.raises(SourceError) as caught:
        script.fetcher(clock).get(URL, None, lambda a: a, accept="*/*")
    assert len(script.requests) == 1 and clock.sleeps == []
    assert caught.value.message.startswith(said)
    assert caught.value.path == URL and caught.value.hint


def test_a_reset_connection_is_still_asked_again() -> None:
    script = Script(raised_from(ConnectionResetError(errno.ECONNRESET, "reset")), json_answer([1]))
    assert script.fetcher().get(URL, None, lambda a: a.body, accept="*/*") == b"[1]"
    assert len(script.requests) == 2


def test_each_retry_is_told(capsys: pytest.CaptureFixture[str]) -> None:
    told: list[str] = []
    script = Script(httpx.Response(503), json_answer([1]))
    script.fetcher(notify=told.append).get(URL, None, lambda a: a.body, accept="*/*")
    assert told == [f"{URL}: HTTP 503 Service Unavailable; asking again in 1 s (attempt 2 of 5)"]


def test_the_fetch_command_tells_retries_only_on_a_terminal(
        tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    options = fetch_command.FetchOptions(progress=True, use_cache=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert fetch_command.make_fetcher(tmp_path, options, None, 0.0).notify is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    fetcher = fetch_command.make_fetcher(tmp_path, options, None, 0.0)
    assert fetcher.notify is fetch_command.retry_notice
    fetcher.notify("HTTP 503; asking again in 2 s")
    assert capsys.readouterr().err == "sitegen: HTTP 503; asking again in 2 s\n"
    quiet = fetch_command.FetchOptions(progress=False, use_cache=False)
    assert fetch_command.make_fetcher(tmp_path, quiet, None, 0.0).notify is None


# --- for real, through the network stack -----------------------------------------------------

def test_fetch_from_a_refused_port_fails_at_once_naming_it(run_cli, site) -> None:
    port = free_port()
    status, out, err = run_cli("fetch", "hf", "--date", "2025-08-11", "--no-cache",
                               "--api-url", f"http://127.0.0.1:{port}", cwd=site)
    assert status == 1
    assert f"connection refused by 127.0.0.1:{port}" in err
    assert "gave up after" not in err and "1 request(s)" in out


def test_fetch_from_a_name_that_cannot_resolve_fails_at_once(run_cli, site) -> None:
    """`.invalid` never resolves (RFC 6761), with or without a network."""
    status, out, err = run_cli("fetch", "hf", "--date", "2025-08-11", "--no-cache",
                               "--api-url", "https://no-such-host.invalid", cwd=site)
    assert status == 1
    assert "cannot resolve the host name 'no-such-host.invalid'" in err
    assert "gave up after" not in err and "1 request(s)" in out
