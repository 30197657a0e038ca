"""`sitegen mail`: send the newest digest's email-safe file over SMTP (Python's smtplib).

The workflow's optional mail step runs it after the build (docs/deploy.md, "Mailing the
digest"). Everything secret comes from the environment, where the workflow puts its
repository secrets; nothing here prints a host, an address, a user or a password.
"""

from __future__ import annotations

import html
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.site.digests import MONTHLY, WEEKLY, digest_key

#: The environment variables the command reads (the workflow maps secrets to them).
HOST, PORT, USER, PASSWORD = ("SITEGEN_SMTP_HOST", "SITEGEN_SMTP_PORT", "SITEGEN_SMTP_USER",
                              "SITEGEN_SMTP_PASSWORD")
SECURITY, SENDER, RECIPIENTS = "SITEGEN_SMTP_SECURITY", "SITEGEN_MAIL_FROM", "SITEGEN_MAIL_TO"
#: How the connection is secured, and its usual port.
PORTS = {"starttls": 587, "ssl": 465, "none": 25}
KINDS = {"weekly": WEEKLY, "monthly": MONTHLY}
TIMEOUT = 60  # seconds for each SMTP exchange
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_URL = re.compile(r'<meta property="og:url" content="([^"]*)">')


@dataclass(frozen=True)
class NewestDigest:
    """The newest digest of a kind in a built site: its name and email file."""

    slug: str
    email: Path


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send, from the environment."""

    host: str
    port: int
    security: str
    user: str
    password: str
    sender: str
    recipients: tuple[str, ...]


def newest_digest(out: Path, kind: str, missing_ok: bool = False) -> NewestDigest | None:
    """The newest `kind` ("weekly" or "monthly") digest with an email file under `out`
    (none yet: None if `missing_ok`, else an error)."""
    wanted = KINDS[kind]
    found = []
    folder = out / "digest"
    for entry in (sorted(folder.iterdir()) if folder.is_dir() else []):
        key = digest_key(entry.name)
        if key is not None and key[0] == wanted and (entry / "email.html").is_file():
            found.append((key[1], key[2], entry))
    if not found:
        if missing_ok:
            return None
        raise SitegenError(f"no {kind} digest in {folder}: none has settled yet, or the "
                           "site is not built (run 'sitegen build' first)")
    newest = max(found)[2]
    return NewestDigest(newest.name, newest / "email.html")


def smtp_settings(env: Mapping[str, str]) -> SmtpSettings:
    """The SMTP settings from `env`; an error names the missing variable, never a value."""
    def need(name: str) -> str:
        value = env.get(name, "").strip()
        if not value:
            raise SitegenError(f"sitegen mail: {name} is not set",
                               hint="set it from a repository secret (docs/deploy.md)")
        return value

    security = env.get(SECURITY, "").strip().lower() or "starttls"
    if security not in PORTS:
        raise SitegenError(f"sitegen mail: {SECURITY} must be starttls, ssl or none")
    port_text = env.get(PORT, "").strip()
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise SitegenError(f"sitegen mail: {PORT} must be a port number")
    recipients = tuple(a.strip() for a in need(RECIPIENTS).replace(";", ",").split(",")
                       if a.strip())
    user = env.get(USER, "").strip()
    host = need(HOST)
    if security == "none" and user and host not in ("localhost", "127.0.0.1", "::1"):
        raise SitegenError(f"sitegen mail: {SECURITY} = none would send the password "
                           "unencrypted; use starttls or ssl (none is for a relay on this "
                           "machine)")
    return SmtpSettings(host, int(port_text) if port_text else PORTS[security],
                        security, user, env.get(PASSWORD, "") if user else "",
                        need(SENDER), recipients)


def digest_message(data: bytes, sender: str, slug: str) -> EmailMessage:
    """The email of a digest file: its title as the subject, a short text part (the web
    address) and the HTML as it is. Recipients go in the envelope only (a newsletter does
    not show its list): the To header is the sender."""
    text = data.decode("utf-8")
    title_match = _TITLE.search(text)
    url_match = _URL.search(text)
    subject = html.unescape(title_match[1]).strip() if title_match else f"Digest {slug}"
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = sender
    domain = sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(f"digest-{slug}", domain=domain)
    web = html.unescape(url_match[1]) if url_match else ""
    message.set_content(f"{message['Subject']}\n\nRead this digest on the web: {web}\n"
                        if web else f"{message['Subject']}\n")
    message.add_alternative(text, subtype="html")
    return message


def send_digest(out: Path, kind: str, env: Mapping[str, str] | None = None,
                dry_run: bool = False) -> str:
    """Mail the newest `kind` digest of the site built in `out`; return what was done
    (no secret in it)."""
    digest = newest_digest(out, kind)
    assert digest is not None
    if dry_run:
        return f"would mail the {kind} digest {digest.slug} ({digest.email})"
    settings = smtp_settings(os.environ if env is None else env)
    try:
        Address(addr_spec=settings.sender)
    except (ValueError, IndexError):
        raise SitegenError(f"sitegen mail: {SENDER} is not an email address") from None
    message = digest_message(digest.email.read_bytes(), settings.sender, digest.slug)
    try:
        _send(settings, message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SitegenError(f"sitegen mail: the SMTP server refused the login "
                           f"(code {exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SitegenError(f"sitegen mail: the SMTP server refused "
                           f"{len(exc.recipients)} recipient(s)") from None
    except smtplib.SMTPResponseException as exc:
        raise SitegenError(f"sitegen mail: the SMTP server answered {exc.smtp_code}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SitegenError(f"sitegen mail: could not send ({type(exc).__name__})") from None
    count = len(settings.recipients)
    return f"mailed the {kind} digest {digest.slug} to {count} recipient{'s' if count != 1 else ''}"


def _send(settings: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with smtp:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password)
        refused = smtp.send_message(message, settings.sender, list(settings.recipients))
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
