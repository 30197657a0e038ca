"""`sitegen serve`: build in memory, serve from memory, rebuild on change, reload the browser.

Nothing is written to disk. Paper files whose size and mtime did not change are not parsed
again. Every build attempt gets a new number; open pages listen on a Server-Sent Events
stream and reload when the number changes. A failed build keeps the last good site for
everything but HTML pages, which show the error (escaped) until the next good build.
The reload script is added to HTML responses here, never to `build` output.
"""

from __future__ import annotations

import html
import mimetypes
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitegen.build.outputs import build_outputs
from sitegen.config import CONFIG_FILE, Config, load_config
from sitegen.errors import ProblemsFound, SitegenError
from sitegen.store.paperfile import PaperFile
from sitegen.store.papers import load_papers, read_paper_file
from sitegen.urls import Urls
from sitegen.write.writer import check_outputs

#: Folders (and the config file) whose changes trigger a rebuild.
WATCHED = ("content", "templates", "themes", "static", CONFIG_FILE)
#: Where the server's own endpoints live, under the site's path.
INTERNAL = "__sitegen__/"
LIVERELOAD_JS = Path(__file__).with_name("livereload.js")
KEEPALIVE_SECONDS = 15.0

Log = Callable[[str], None]


@dataclass(frozen=True)
class Snapshot:
    """What the server shows: the last good files, and the errors of the latest build."""

    build: int
    prefix: str
    files: dict[str, bytes]
    errors: tuple[str, ...] = ()


@dataclass
class PaperCache:
    """Parsed paper files, reused while a file's size and mtime stay the same."""

    entries: dict[Path, tuple[tuple[int, int, int], PaperFile]] = field(default_factory=dict)
    hits: int = 0

    def read(self, file: Path, root: Path) -> PaperFile:
        try:
            stat = file.stat()
        except OSError:
            return read_paper_file(file, root)
        key = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        cached = self.entries.get(file)
        if cached and cached[0] == key:
            self.hits += 1
            return cached[1]
        result = read_paper_file(file, root)
        self.entries[file] = (key, result)
        return result


class SiteState:
    """The current snapshot and a condition that wakes the event streams on each build."""

    def __init__(self, root: Path, public_host: str, port: int, log: Log) -> None:
        self.root = root
        self.origin = f"http://{public_host}:{port}"
        self.log = log
        self.cache = PaperCache()
        self.changed = threading.Condition()
        self.snapshot = Snapshot(0, "/", {}, ("no build yet",))
        self.stopping = False

    def rebuild(self) -> Snapshot:
        """Build once; keep the last good files when it fails. Returns the new snapshot."""
        started = time.perf_counter()
        previous = self.snapshot
        prefix = previous.prefix
        try:
            config = load_config(self.root)
            prefix = Urls(config.site["base_url"]).prefix
            config = config.with_base_url(self.origin + prefix)
            files, warnings = self._build(config)
            snapshot = Snapshot(previous.build + 1, prefix, files)
            for warning in warnings:
                self.log(warning)
            self.log(f"built {len(files)} files in {time.perf_counter() - started:.2f} s; "
                     f"serving {self.origin}{prefix}")
        except ProblemsFound as exc:
            messages = tuple(str(p) for p in exc.problems if p.severity == "error")
            snapshot = Snapshot(previous.build + 1, prefix, previous.files, messages)
        except SitegenError as exc:
            snapshot = Snapshot(previous.build + 1, prefix, previous.files, (str(exc),))
        except Exception as exc:  # a template may raise anything; the server must live on
            snapshot = Snapshot(previous.build + 1, prefix, previous.files,
                                (f"internal error: {type(exc).__name__}: {exc}",))
        if snapshot.errors:  # paths relative to the site, as in `build` run from its folder
            snapshot = replace(snapshot, errors=tuple(
                m.replace(str(self.root) + os.sep, "") for m in snapshot.errors))
        for message in snapshot.errors:
            self.log(message)
        with self.changed:
            self.snapshot = snapshot
            self.changed.notify_all()
        return snapshot

    def _build(self, config: Config) -> tuple[dict[str, bytes], list[str]]:
        papers, problems = load_papers(self.root, self.cache.read)
        for gone in [file for file in self.cache.entries if not file.exists()]:
            del self.cache.entries[gone]
        if any(p.severity == "error" for p in problems):
            raise ProblemsFound(tuple(problems), "build stopped")
        _, outputs = build_outputs(config, papers, problems=problems)
        return check_outputs(outputs), [str(p) for p in problems]

    def wait_for_change(self, build: int, timeout: float) -> int:
        """Block until a build newer than `build` (or the timeout); return the latest number."""
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot.build != build or self.stopping,
                                  timeout)
            return self.snapshot.build


def inject(page: bytes, prefix: str, build: int) -> bytes:
    """Add the reload script to an HTML page, just before `</body>`."""
    tag = (f'<script src="{prefix}{INTERNAL}livereload.js" data-events="{prefix}{INTERNAL}'
           f'events" data-build="{build}" defer></script>\n').encode()
    index = page.lower().rfind(b"</body>")
    return page[:index] + tag + page[index:] if index >= 0 else page + tag


def error_page(snapshot: Snapshot) -> bytes:
    """The page shown instead of HTML while the latest build has failed."""
    items = "\n".join(f"<li><pre>{html.escape(m)}</pre></li>" for m in snapshot.errors)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Build failed · sitegen serve</title>\n"
        f'<link rel="stylesheet" href="{snapshot.prefix}{INTERNAL}error.css">\n</head>\n'
        '<body>\n<main id="sitegen-build-error">\n<h1>The site could not be built</h1>\n'
        f"<ol>\n{items}\n</ol>\n<p>Fix the file and save: this page reloads by itself. "
        "Other files are served from the last good build.</p>\n</main>\n</body>\n</html>\n"
    ).encode()


ERROR_CSS = (b"body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;"
             b"padding:0 1rem}h1{color:#b00020}pre{white-space:pre-wrap;background:#fdecea;"
             b"padding:.5rem;border-left:4px solid #b00020}\n")


class Handler(BaseHTTPRequestHandler):
    """Serves the state's snapshot; `state` is set on a subclass per server."""

    state: SiteState
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # requests are not logged; builds are

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:  # noqa: N802
        snapshot = self.state.snapshot
        path = unquote(urlsplit(self.path).path)
        prefix = snapshot.prefix
        if not path.startswith(prefix):
            if path.rstrip("/") == prefix.rstrip("/") or path == "/":
                return self._redirect(prefix)
            return self._not_found(snapshot, body)
        rel = path[len(prefix):]
        if rel == INTERNAL + "events":
            return self._events(snapshot.build)
        if rel == INTERNAL + "livereload.js":
            return self._send(200, "text/javascript", LIVERELOAD_JS.read_bytes(), body)
        if rel == INTERNAL + "error.css":
            return self._send(200, "text/css", ERROR_CSS, body)
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        if rel not in snapshot.files and rel + "/index.html" in snapshot.files:
            return self._redirect(path + "/")
        if rel not in snapshot.files and rel + ".html" in snapshot.files:
            rel += ".html"  # `papers/x` serves `papers/x.html`, as GitHub Pages does
        wants_html = rel.endswith(".html") or (
            rel not in snapshot.files and "text/html" in self.headers.get("Accept", ""))
        if snapshot.errors and wants_html:
            return self._send(500, "text/html", inject(error_page(snapshot), prefix,
                                                       snapshot.build), body)
        if rel not in snapshot.files:
            return self._not_found(snapshot, body)
        return self._send(200, _content_type(rel), self._page(snapshot, rel), body)

    def _page(self, snapshot: Snapshot, rel: str) -> bytes:
        data = snapshot.files[rel]
        return inject(data, snapshot.prefix, snapshot.build) if rel.endswith(".html") else data

    def _not_found(self, snapshot: Snapshot, body: bool) -> None:
        if "404.html" in snapshot.files:
            return self._send(404, "text/html", self._page(snapshot, "404.html"), body)
        return self._send(404, "text/plain", b"not found\n", body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, content_type: str, data: bytes, body: bool = True) -> None:
        if content_type.startswith("text/") or content_type.endswith(("json", "xml")):
            content_type += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, build: int) -> None:
        """A Server-Sent Events stream: the build number now and after every rebuild."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            while not self.state.stopping:
                self.wfile.write(f"event: build\ndata: {build}\n\n".encode())
                self.wfile.flush()
                latest = build
                while latest == build and not self.state.stopping:
                    latest = self.state.wait_for_change(build, KEEPALIVE_SECONDS)
                    if latest == build:
                        self.wfile.write(b": keepalive\n\n")
                        self.wfile.flush()
                build = latest
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded


def _content_type(path: str) -> str:
    if path.endswith(".js"):
        return "text/javascript"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def _watch_filter(root: Path) -> Callable[[object, str], bool]:
    watched = [root / name for name in WATCHED]

    def keep(change: object, path: str) -> bool:
        candidate = Path(path)
        return any(candidate == w or candidate.is_relative_to(w) for w in watched)

    return keep


class DevServer:
    """The whole of `serve`: a state, an HTTP server and a file watcher, each in a thread."""

    def __init__(self, root: Path, bind: str = "127.0.0.1", port: int = 8000,
                 log: Log = print, debounce_ms: int = 200) -> None:
        self.root = root.resolve()
        self.log = log
        self.debounce_ms = debounce_ms
        handler = type("BoundHandler", (Handler,), {})
        try:
            self.httpd = ThreadingHTTPServer((bind, port), handler)
        except OSError as exc:
            raise SitegenError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}",
                               hint="choose another --port") from None
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        public = "localhost" if bind in ("0.0.0.0", "::", "") else bind  # noqa: S104
        self.state = SiteState(self.root, public, self.port, log)
        handler.state = self.state
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """The site's address on this server, sub-path included."""
        return self.state.origin + self.state.snapshot.prefix

    def start(self) -> DevServer:
        """Watch, build once, then serve; returns once a change would be noticed."""
        watcher = threading.Thread(target=self._watch, daemon=True)
        watcher.start()
        if not self._watching.wait(timeout=10):
            self.log("warning: the file watcher did not start; changes may be missed")
        self.state.rebuild()
        server = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        server.start()
        self._threads += [watcher, server]
        return self

    def _watch(self) -> None:
        import watchfiles

        # The watches exist once the first timeout passes (an empty set with
        # yield_on_timeout): only then may `start` return.
        for changes in watchfiles.watch(self.root, watch_filter=_watch_filter(self.root),
                                        debounce=self.debounce_ms, step=50,
                                        stop_event=self._stop, rust_timeout=200,
                                        yield_on_timeout=True, raise_interrupt=False):
            self._watching.set()
            if not changes:
                continue
            names = sorted({os.path.relpath(path, self.root) for _, path in changes})
            self.log(f"changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
            self.state.rebuild()

    def stop(self) -> None:
        """Stop watching and serving; wake the event streams so their threads end."""
        self._stop.set()
        with self.state.changed:
            self.state.stopping = True
            self.state.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def serve(root: Path, bind: str, port: int, log: Log) -> None:
    """Run the development server until Ctrl-C."""
    server = DevServer(root, bind, port, log).start()
    log(f"serving {server.url} (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        log("stopping")
    finally:
        server.stop()
