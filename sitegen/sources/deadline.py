"""A hard deadline for one HTTP request, whatever the server does.

httpx has no overall timeout: its read timeout restarts with every byte, so a server that
trickles one byte a second (in the headers or the body) holds a request for ever
(encode/httpx#1450). A `Watchdog` closes that gap with public interfaces only: httpcore's
`trace` extension reports each connection it opens, and when the time is up a timer thread
shuts those sockets down (`shutdown`, which wakes a blocked `recv` at once; `close` from
another thread would not). The request then fails with a transport error that the caller
reads as "deadline passed" (`fired`). Connections reused from the pool were opened by an
earlier request of the same client: the `Sockets` registry the client's requests share
holds those too.
"""

from __future__ import annotations

import socket
import threading
import time
import weakref
from typing import Any

import httpx

_CONNECTED = ("connection.connect_tcp.complete", "connection.start_tls.complete")


class Sockets:
    """The sockets a client's requests opened (weakly held: a closed connection's socket
    goes away with it), so a deadline can reach a pooled connection a request reuses."""

    def __init__(self) -> None:
        self._open: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        """Remember a socket httpcore just connected."""
        with self._lock:
            self._open.add(sock)

    def shut_all(self) -> None:
        """Shut every remembered socket down (a socket closed meanwhile is skipped)."""
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            try:  # the base method: an SSLSocket's own would drop its TLS state first
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass


class Watchdog:
    """Ends one request (redirects included) `seconds` after it started."""

    def __init__(self, seconds: float, sockets: Sockets) -> None:
        self.seconds = seconds
        self.sockets = sockets
        self.ends = time.monotonic() + seconds
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        self.fired = True
        self.sockets.shut_all()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's `trace` extension: remember each socket a connection opens."""
        if event in _CONNECTED and info.get("return_value") is not None:
            sock = info["return_value"].get_extra_info("socket")
            if isinstance(sock, socket.socket):
                self.sockets.add(sock)
                if self.fired:  # connected after the deadline: shut it too
                    self.sockets.shut_all()

    def left(self) -> float:
        """Seconds before the deadline (negative once past)."""
        return self.ends - time.monotonic()

    def expired(self) -> bool:
        """True once the deadline has passed (checked between chunks of the body)."""
        return self.fired or self.left() <= 0

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        """`base` with no phase longer than the time left, so no single wait outlasts the
        deadline by more than the timer's own delay."""
        left = max(self.left(), 0.01)

        def cap(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(connect=cap(base.connect), read=cap(base.read),
                             write=cap(base.write), pool=cap(base.pool))
