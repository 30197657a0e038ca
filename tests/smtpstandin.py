"""A small SMTP server on 127.0.0.1 for the mail tests: EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
RSET, NOOP, QUIT (RFC 5321's minimum and the login smtplib uses); it keeps what it got."""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    """One message as the server got it."""

    sender: str
    recipients: list[str]
    data: bytes
    login: tuple[str, str] | None


@dataclass
class StandIn:
    """The server's state: the login it accepts (None: no AUTH offered), what it got."""

    login: tuple[str, str] | None = None
    messages: list[Received] = field(default_factory=list)
    port: int = 0


def _handler(state: StandIn) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 stand-in ESMTP")
            sender, recipients, logged = "", [], None
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.reply("250-stand-in")
                    if state.login:
                        self.reply("250-AUTH PLAIN")
                    self.reply("250 8BITMIME")
                elif verb == "HELO":
                    self.reply("250 stand-in")
                elif verb == "AUTH":
                    parts = line.split()
                    token = base64.b64decode(parts[2]).split(b"\0") if len(parts) == 3 else []
                    given = tuple(p.decode() for p in token[1:]) if len(token) == 3 else None
                    if given == state.login:
                        logged = given
                        self.reply("235 2.7.0 accepted")
                    else:
                        self.reply("535 5.7.8 refused")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].strip().split()[0].strip("<>"), []
                    self.reply("250 ok")
                elif verb == "RCPT":
                    address = line.split(":", 1)[1].strip().strip("<>")
                    if address.endswith("@refused.example"):
                        self.reply("550 no such user")
                    else:
                        recipients.append(address)
                        self.reply("250 ok")
                elif verb == "DATA":
                    self.reply("354 go on")
                    lines = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    state.messages.append(Received(sender, recipients, b"".join(lines),
                                                   logged))
                    self.reply("250 queued")
                elif verb in ("RSET", "NOOP"):
                    self.reply("250 ok")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not here")

    return Handler


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(state: StandIn) -> _Server:
    """Serve `state` on a free port of 127.0.0.1 (its number in `state.port`) in a thread;
    call `shutdown()` and `server_close()` on the result when done."""
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
