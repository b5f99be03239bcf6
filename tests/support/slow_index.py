"""A slow package index: a proxy on 127.0.0.1 that forwards each index page
request to the real index (https://pypi.org/simple) after a delay, one
request at a time, so that a compile takes long enough to be watched. The
pages name their files on files.pythonhosted.org, fetched directly."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

REAL_INDEX = "https://pypi.org"


class SlowIndex(HTTPServer):
    request_queue_size = 128  # uv asks for many pages at once: they wait their turn

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.url = f"http://127.0.0.1:{self.server_address[1]}/simple"


class _Handler(BaseHTTPRequestHandler):
    server: SlowIndex

    def do_GET(self) -> None:
        time.sleep(self.server.delay)
        asked = urllib.request.Request(
            REAL_INDEX + self.path, headers={"Accept": self.headers.get("Accept", "*/*")}
        )
        try:
            with urllib.request.urlopen(asked, timeout=60) as answer:
                status, kind, body = answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as refused:
            status, kind, body = refused.code, "text/plain", refused.read()
        # No caching headers: every compile asks again, and waits again.
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def slow_index(delay: float) -> Iterator[str]:
    """`with slow_index(0.5) as url:` serves the real index at url, each page `delay` s late."""
    server = SlowIndex(delay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
