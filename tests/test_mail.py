"""`sitegen mail` against a local SMTP stand-in: the newest digest is sent as HTML with a
text part, recipients in the envelope only, and no secret is ever printed."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smtpstandin import StandIn, start
from tests.test_digests import _voted
from tests.test_incremental import build

SECRET = "hunter2-very-secret"


@pytest.fixture
def smtp() -> Iterator[StandIn]:
    state = StandIn(login=("digest-bot", SECRET))
    server = start(state)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def built(site: Path) -> Path:
    for day in (4, 11, 20):  # weeks 32, 33 settle (20 is 3 days after 33's Sunday)
        _voted(site, day, day)
    build(site)
    config = site / "sitegen.toml"
    config.write_text(config.read_text() + '\n[digests]\nmail = "weekly"\n')
    return site


def _env(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> None:
    values = {"SITEGEN_SMTP_HOST": "127.0.0.1", "SITEGEN_SMTP_PORT": str(port),
              "SITEGEN_SMTP_SECURITY": "none", "SITEGEN_SMTP_USER": "digest-bot",
              "SITEGEN_SMTP_PASSWORD": SECRET, "SITEGEN_MAIL_FROM": "papers@lab.example",
              "SITEGEN_MAIL_TO": "ada@example.org, grace@example.org", **extra}
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_mail_sends_the_newest_weekly_digest(built: Path, smtp: StandIn, run_cli,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, smtp.port)
    status, out, err = run_cli("mail", cwd=built)
    assert (status, err) == (0, "")
    assert out == "mailed the weekly digest 2025-W33 to 2 recipients\n"
    (got,) = smtp.messages
    assert got.login == ("digest-bot", SECRET)
    assert (got.sender, got.recipients) == ("papers@lab.example",
                                            ["ada@example.org", "grace@example.org"])
    message = email.message_from_bytes(got.data, policy=email.policy.default)
    assert message["Subject"] == "Test Papers: Week 33, 2025"
    assert message["To"] == "papers@lab.example"  # the list stays in the envelope
    sent = message.get_body(("html",)).get_content().encode()
    assert sent.replace(b"\r\n", b"\n") == (
        built / "_site" / "digest" / "2025-W33" / "email.html").read_bytes()
    assert "https://example.org/sub/digest/2025-W33/" in message.get_body(("plain",)).get_content()


def test_mail_failures_are_one_line_without_secrets(built: Path, smtp: StandIn, run_cli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, smtp.port, SITEGEN_SMTP_PASSWORD="wrong-" + SECRET)
    status, out, err = run_cli("mail", cwd=built)
    assert status == 1 and "refused the login (code 535)" in err
    _env(monkeypatch, smtp.port, SITEGEN_MAIL_TO="x@refused.example")
    status, out, err = run_cli("mail", cwd=built)
    assert status == 1 and "refused 1 recipient(s)" in err
    monkeypatch.delenv("SITEGEN_SMTP_HOST")
    status, out, err = run_cli("mail", cwd=built)
    assert status == 1 and "SITEGEN_SMTP_HOST is not set" in err
    _env(monkeypatch, 1)  # nothing listens on port 1
    status, out, err = run_cli("mail", cwd=built)
    assert status == 1 and "could not send" in err and "Traceback" not in err
    for text in (out, err):
        assert SECRET not in text and "127.0.0.1" not in text and "ada@" not in text
    assert smtp.messages == []


def test_mail_newest_and_dry_run_send_nothing(built: Path, smtp: StandIn, run_cli,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, smtp.port)
    assert run_cli("mail", "--newest", cwd=built)[:2] == (0, "2025-W33\n")
    status, out, _ = run_cli("mail", "--dry-run", cwd=built)
    assert status == 0 and "would mail the weekly digest 2025-W33" in out
    # no monthly digest yet: the workflow's step gets no name and mails nothing
    status, out, err = run_cli("mail", "--kind", "monthly", "--newest", cwd=built)
    assert (status, out) == (0, "") and "no monthly digest yet" in err
    status, _, err = run_cli("mail", "--kind", "monthly", cwd=built)
    assert status == 1 and "no monthly digest" in err
    config = built / "sitegen.toml"
    config.write_text(config.read_text().replace('mail = "weekly"', 'mail = "off"'))
    for args in (("mail",), ("mail", "--newest")):  # off: the default of a new site
        status, out, err = run_cli(*args, cwd=built)
        assert (status, out) == (0, "") and "mailing is off" in err
    assert smtp.messages == []


def test_mail_refuses_an_unencrypted_login_to_another_machine(
        built: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, 2525, SITEGEN_SMTP_HOST="smtp.lab.example")
    status, _, err = run_cli("mail", cwd=built)
    assert status == 1 and "would send the password unencrypted" in err
