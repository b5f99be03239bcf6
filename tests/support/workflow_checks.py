"""The linters GitHub workflows are checked with, run offline: GitHub's
workflow schema (check-jsonschema's vendored copy), actionlint and zizmor.
All three come in wheels pinned in requirements-dev.txt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
# Any proxy that is used makes the call fail: proves nothing is downloaded.
NO_NETWORK = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}


def check_jsonschema(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema against one of its built-in (vendored) schemas."""
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, **NO_NETWORK},
        check=False,
    )


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "actionlint"), "-no-color", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def zizmor(*paths: Path) -> list[dict]:
    """zizmor's findings as the auditor persona sees them (its most thorough)."""
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=auditor", "--format=json", *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, **NO_NETWORK},
        check=False,
    )
    assert result.returncode in (0, 10, 11, 12, 13, 14), result.stderr
    return json.loads(result.stdout)
