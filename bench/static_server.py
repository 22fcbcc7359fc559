"""A static file server for the benchmark mirror, in its own process: HTTP/1.1 with
keep-alive, one thread per connection, no logging.

    python bench/static_server.py FOLDER PORT
"""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Content-Length is always sent

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    folder, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(QuietHandler, directory=folder)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
