# The template manages this file: local edits meet the next copier update as a merge.
"""Reading lock files and writing files, for the scripts in tools/.

tools/locks.py, tools/upgrade_check.py and tools/freeze_from_image.py all
read `name==version` pins and write files that must never be seen half
written; this is the one place that knows how.

Standard library only: it runs before (and without) any venv.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# `name==version`, then an optional `; environment marker`.
PIN_RE = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)[ \t]*(?:;([^\\\n]*))?", re.MULTILINE
)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def pins(lock_text: str) -> dict[str, str]:
    """normalized name -> version, for every `name==version` line of a lock."""
    return {normalize(name): version for name, version, _ in PIN_RE.findall(lock_text)}


def requirement_blocks(lock_text: str) -> dict[str, str]:
    """normalized name -> its whole block (pin line, hash lines, annotations)."""
    blocks: dict[str, str] = {}
    current = None
    for line in lock_text.splitlines(keepends=True):
        match = PIN_RE.match(line)
        if match:
            current = normalize(match.group(1))
            blocks[current] = line
        elif current and line[:1] in {" ", "\t"}:
            blocks[current] += line
        else:
            current = None
    return blocks


def write_atomically(path: Path, text: str) -> None:
    """Replace a file in one step, keeping its mode (or a new file's mode)."""
    import tempfile

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if path.exists():
            mode = path.stat().st_mode
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    finally:
        Path(temporary).unlink(missing_ok=True)
