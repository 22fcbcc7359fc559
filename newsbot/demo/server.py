"""A small HTTP server on 127.0.0.1 for a dict of pages: the offline demo site, the
crawl tests and the benchmarks all use it. It never listens on another address."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import unquote, urlsplit


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0  # seconds before answering (to test timeouts)
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection after this many body bytes (a server that dies mid-answer).
    drop_after: int | None = None


class ServedInThread:
    """An HTTP server on 127.0.0.1 in a daemon thread: started, stopped, or used in a
    `with` block."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    def serve(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LocalSite(ServedInThread):
    """Serves `pages` (path with query -> Page) on 127.0.0.1 at a free port, in a thread.

    A path may map to a list of pages: each request takes the next, the last one stays
    (a server that fails, then recovers).
    """

    def __init__(self, pages: Mapping[str, Page | list[Page]], port: int = 0):
        self.pages = dict(pages)
        self.log: list[tuple[float, str]] = []  # (monotonic time, path) of every request
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
                site.requests.append(path)
                site.log.append((time.monotonic(), path))
                entry = site.pages.get(path)
                page: Page | None = (
                    entry.pop(0)
                    if isinstance(entry, list) and len(entry) > 1
                    else (entry[0] if isinstance(entry, list) else entry)
                )
                if page is None:
                    page = Page(b"<html><body><h1>404</h1></body></html>", status=404)
                if page.delay:
                    time.sleep(page.delay)
                # The crawler may have given up (a timeout test): nothing left to answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(page.status)
                    self.send_header("Content-Type", page.content_type)
                    self.send_header("Content-Length", str(len(page.body)))
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if page.drop_after is None:
                        self.wfile.write(page.body)
                    else:
                        self.wfile.write(page.body[: page.drop_after])
                        self.wfile.flush()
                        self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                return  # the crawl's own log records every request

        self.serve(Handler, port)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
