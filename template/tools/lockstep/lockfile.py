# The template manages this file: local edits meet the next copier update as a merge.
"""The lock file format: pins, their blocks, the fingerprint lines, conflict
markers, and writing a file so that it is never seen half written.

The locks follow pip's hash-checking mode [1] (every requirement pinned with
`==` and its hashes), as pip-compile --generate-hashes writes them [2], plus
three lines of this template's own at the end: the platform the lock holds
for, the fingerprint of its inputs and the fingerprint of its own content.
This is the one place that reads and writes that format: tools/, the
template's tests and its scripts import it.

Standard library only: `make check-lock` runs it on a Python with no venv.

[1] https://pip.pypa.io/en/stable/topics/secure-installs/#hash-checking-mode
[2] https://pip-tools.readthedocs.io/en/stable/
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

# `name==version`, then an optional `; environment marker`.
PIN_RE = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)[ \t]*(?:;([^\\\n]*))?", re.MULTILINE
)
INPUTS_LINE = "# inputs-sha256: "
CONTENT_LINE = "# lock-sha256: "
PLATFORM_LINE = "# resolved-for: "
UNIVERSAL = "universal"
# Matches the hex digest only, not the line's end: the inputs fingerprint of
# requirements-dev.txt has always been computed that way (locks written by
# earlier releases stay current).
INPUTS_RE = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})\b", re.MULTILINE)
CONTENT_RE = re.compile(r"^# lock-sha256: ([0-9a-f]{64})\b.*\n?", re.MULTILINE)
PLATFORM_RE = re.compile(r"^# resolved-for: (\S+)", re.MULTILINE)
CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)", re.MULTILINE)
# Lines that must never reach a lock: they leak private index URLs (and the
# tokens in them) or machine-local paths.
LEAKY_LINE_RE = re.compile(
    r"^\s*(--index-url|--extra-index-url|--find-links|-i\s|-f\s|--trusted-host)", re.MULTILINE
)

# The credentials in a URL (whatever stands between :// and @) become ****.
CREDENTIALS_RE = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    return CREDENTIALS_RE.sub("****@", text)


def normalize(name: str) -> str:
    """A project name as indexes compare them (PEP 503; packaging's
    canonicalize_name, which a Python without a venv may not have)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def pins(lock_text: str) -> dict[str, str]:
    """normalized name -> version, for every `name==version` line of a lock."""
    return {normalize(name): version for name, version, _ in PIN_RE.findall(lock_text)}


def pins_with_markers(lock_text: str) -> list[tuple[str, str, str]]:
    """(normalized name, version, marker or '') of every pin line."""
    return [(normalize(n), v, m.strip()) for n, v, m in PIN_RE.findall(lock_text)]


def entries(lock_text: str) -> list[tuple[str, str, str, str]]:
    """(normalized name, version, marker or '', its whole block: pin line, hash
    lines, annotations) of every pin, in order. A universal lock may pin one
    name twice, at other versions under other markers (mlflow 1.x off Windows,
    3.x on it), so each entry keeps its own block."""
    found: list[list[str]] = []
    current = None
    for line in lock_text.splitlines(keepends=True):
        match = PIN_RE.match(line)
        if match:
            name, version, marker = match.groups()
            current = [normalize(name), version, (marker or "").strip(), line]
            found.append(current)
        elif current and line[:1] in {" ", "\t"}:
            current[3] += line
        else:
            current = None
    return [(name, version, marker, block) for name, version, marker, block in found]


def requirement_blocks(lock_text: str) -> dict[str, str]:
    """normalized name -> its whole block (a name pinned twice: the last one)."""
    return {name: block for name, _, _, block in entries(lock_text)}


def via_parents(block: str) -> set[str]:
    """The packages a pip-compile `# via` annotation names as requiring this one."""
    parents = set()
    for line in block.splitlines()[1:]:
        text = line.strip().lstrip("#").strip().removeprefix("via")
        for name in text.split(","):
            name = name.strip()
            if name and not name.startswith("-") and re.fullmatch(r"[A-Za-z0-9._-]+", name):
                parents.add(normalize(name))
    return parents


def closure(blocks: dict[str, str], package: str) -> list[str]:
    """The blocks of `package` and of everything it needs (read from the
    `# via` annotations), so it installs from pins with hashes alone."""
    wanted = {normalize(package)}
    while True:
        more = {name for name, block in blocks.items() if via_parents(block) & wanted}
        if more <= wanted:
            return [blocks[name] for name in sorted(wanted) if name in blocks]
        wanted |= more


def content_digest(lock_text: str) -> str:
    """Fingerprint of a lock's content: everything but its own fingerprint line."""
    return hashlib.sha256(CONTENT_RE.sub("", lock_text).encode()).hexdigest()


def seal(text: str, platform: str, inputs: str, input_names: str) -> str:
    """A compiled lock with the three closing lines make lock writes."""
    text = text.rstrip("\n") + (
        f"\n{PLATFORM_LINE}{platform}\n{INPUTS_LINE}{inputs}\n"
        f"# (fingerprint of {input_names}: run make lock after editing them)\n"
    )
    return text + content_line(text)


def content_line(text: str) -> str:
    return f"{CONTENT_LINE}{content_digest(text)} (of this file: written by make lock)\n"


def resolved_for(lock_text: str) -> str | None:
    """The platform a lock was resolved for (`universal` for every platform)."""
    match = PLATFORM_RE.search(lock_text)
    return match.group(1) if match else None


def has_conflict_markers(text: str) -> bool:
    return bool(CONFLICT_RE.search(text))


def conflict_sides(text: str) -> tuple[str, str]:
    """The two versions of a file left with merge conflict markers (ours, theirs)."""
    sides: tuple[list[str], list[str]] = ([], [])
    state = "both"
    for line in text.splitlines(keepends=True):
        marker = line[:7]
        if marker == "<" * 7:
            state = "ours"
        elif marker == "|" * 7 and state == "ours":
            state = "base"
        elif marker == "=" * 7 and state in {"ours", "base"}:
            state = "theirs"
        elif marker == ">" * 7 and state == "theirs":
            state = "both"
        elif state == "both":
            sides[0].append(line)
            sides[1].append(line)
        elif state == "ours":
            sides[0].append(line)
        elif state == "theirs":
            sides[1].append(line)
    return "".join(sides[0]), "".join(sides[1])


def our_side(text: str) -> str:
    """A lock as this branch had it, when a merge left conflict markers in it."""
    return conflict_sides(text)[0] if has_conflict_markers(text) else text


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
