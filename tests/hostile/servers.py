"""Hostile HTTP servers on 127.0.0.1, written on raw sockets: they do what `http.server`
will not (trickle bytes for ever, keep a connection open and turn slow on its second
request). Each records how many bytes it sent, so a test can tell a client that hung up
from one still listening."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

OK_BODY = b'[{"paper": {"id": "2608.00001", "title": "Quick"}}]'


class Trickler:
    """Answers each request on a connection in turn from `plan`: `"ok"` (a whole JSON
    answer, the connection kept alive), `"headers"` (a status line, then one header byte
    every `interval` s, for ever) or `"body"` (whole headers announcing 1 MB, then one body
    byte every `interval` s, for ever). The last step repeats."""

    def __init__(self, *plan: str, interval: float = 0.05) -> None:
        self.plan = plan or ("body",)
        self.interval = interval
        self.sent = 0
        self.requests = 0
        self.hung_up = threading.Event()
        self._stop = threading.Event()

    def _step(self, conn: socket.socket, index: int) -> bool:
        """Answer one request; False when the client went away."""
        step = self.plan[min(index, len(self.plan) - 1)]
        try:
            if step == "ok":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(OK_BODY), OK_BODY))
                self.sent += len(OK_BODY)
                return True
            if step == "headers":
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1000000\r\n\r\n[")
            while not self._stop.is_set():
                time.sleep(self.interval)
                conn.sendall(b"a" if step == "headers" else b" ")
                self.sent += 1
        except OSError:
            pass
        self.hung_up.set()
        return False

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            index = 0
            buffer = b""
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    self.hung_up.set()
                    break
                buffer += data
                while b"\r\n\r\n" in buffer:
                    _, buffer = buffer.split(b"\r\n\r\n", 1)
                    self.requests += 1
                    if not self._step(conn, index):
                        return
                    index += 1

    @contextmanager
    def running(self) -> Iterator[str]:
        """The server's base URL while the block runs."""
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.2)
        port = listener.getsockname()[1]

        def accept() -> None:
            while not self._stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            self._stop.set()
            listener.close()
            thread.join(timeout=5)
