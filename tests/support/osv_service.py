"""A local stand-in for OSV's query API (POST /v1/query), serving the real
advisory records in tests/support/osv/ (copied from osv.dev in OSV's own
format): pip-audit's OSV service runs against it unchanged (`--osv-url`),
since this machine reaches no vulnerability service.

Each record is returned for a package version inside one of its ECOSYSTEM
ranges, as osv.dev answers; every request is recorded for the tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

RECORDS = [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((Path(__file__).parent / "osv").glob("*.json"))
]


def affects(record: dict, name: str, version: Version) -> bool:
    for affected in record["affected"]:
        if canonicalize_name(affected["package"]["name"]) != name:
            continue
        for span in affected.get("ranges", []):
            if span["type"] != "ECOSYSTEM":
                continue
            introduced, fixed = Version("0"), None
            for event in span["events"]:
                if "introduced" in event:
                    introduced = Version(event["introduced"])
                if "fixed" in event:
                    fixed = Version(event["fixed"])
            if introduced <= version and (fixed is None or version < fixed):
                return True
    return False


class OsvService(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.queries: list[dict] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1/query"


@contextmanager
def osv_service() -> Iterator[OsvService]:
    """`with osv_service() as osv:` serves on osv.url until the block ends."""
    server = OsvService()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: OsvService

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.queries.append(query)
        name = canonicalize_name(query["package"]["name"])
        version = Version(query["version"])
        vulns = [record for record in RECORDS if affects(record, name, version)]
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200 if self.path == "/v1/query" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass  # the test output shows what matters
