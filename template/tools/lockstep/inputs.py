# The template manages this file: local edits meet the next copier update as a merge.
"""The files a lock is compiled from, their fingerprint, and what they ask for.

A lock's inputs are its .in file, every file that includes or constrains
(`-r`, `-c`, nested, any name), and .python-version. Standard library only:
`make check-lock` reads them on a Python with no venv.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lockstep.lockfile import CONTENT_RE, INPUTS_RE, read_text, redact
from lockstep.stamp import included_names

PYTHON_VERSION_FILE = Path(".python-version")
COMMENT_RE = re.compile(r"(^|\s)#.*")
NAME_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)")


def input_files(requirements_in: Path) -> list[Path]:
    """The .in file, the files it includes (recursively), and .python-version."""
    seen: list[Path] = []
    pending = [requirements_in]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.append(path)
        pending += [path.parent / name for name in included_names(read_text(path))]
    return [*seen, PYTHON_VERSION_FILE]


def inputs_digest(requirements_in: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(requirements_in):
        # An included lock counts without its fingerprint lines, so they do
        # not make this fingerprint depend on itself.
        text = CONTENT_RE.sub("", INPUTS_RE.sub("", read_text(path)))
        digest.update(f"{path.as_posix()}\0{text}\0".encode())
    return digest.hexdigest()


def requirement_lines(requirements_in: Path, skip_locks: bool = True):
    """(file, line number, line without its comment, raw line) of every line
    of the files a lock is compiled from; a lock it includes (-c
    requirements.txt) is checked as a lock instead, when skip_locks."""
    for path in input_files(requirements_in)[:-1]:
        if skip_locks and path.suffix == ".txt" and INPUTS_RE.search(read_text(path)):
            continue
        for number, raw in enumerate(read_text(path).splitlines(), 1):
            yield path, number, COMMENT_RE.sub("", raw).strip(), raw


def unlockable_lines(requirements_in: Path) -> list[str]:
    """Requirement lines that cannot be pinned with a hash, named with their place."""
    found = []
    for path, number, line, raw in requirement_lines(requirements_in):
        if not line or (line.startswith("-") and not line.startswith(("-e", "--editable"))):
            continue
        url = re.search(r"\b[a-z][a-z0-9+.-]*://\S+", line)
        vcs = re.search(r"\b(git|hg|svn|bzr)\+", line)
        local = line.startswith((".", "/", "~", "-e", "--editable")) or "file:" in line
        local_archive = not url and re.search(r"\.(whl|zip|tar\.gz)\b", line)
        hashed = re.search(r"#sha256=|--hash[= ]", line)
        if vcs or local or local_archive or (url and not hashed):
            found.append(f"{path}:{number}: {redact(raw.strip())}")
    return found


def duplicated_lines(requirements_in: Path) -> list[str]:
    """A warning for each package an .in file names on two lines (the same
    markers): the compile takes both, so editing one line would not be enough."""
    from lockstep.lockfile import normalize

    first: dict[tuple[str, str], int] = {}
    found = []
    for number, raw in enumerate(read_text(requirements_in).splitlines(), 1):
        line = COMMENT_RE.sub("", raw).strip()
        if match := NAME_RE.match(line):
            key = (normalize(match.group(1)), " ".join(line.partition(";")[2].split()))
            if key in first:
                found.append(
                    f"warning: {requirements_in} names {key[0]} on lines {first[key]} and "
                    f"{number}: keep one line (the compile takes both)"
                )
            first.setdefault(key, number)
    return found


def requested(requirements_in: Path) -> dict[str, list[str]]:
    """normalized name -> the requirement lines naming it, in every file the
    lock is compiled from: what the user asked for, constraints included, and
    the pins of a lock it follows (-c requirements.txt), which it must keep."""
    from lockstep.lockfile import normalize

    named: dict[str, list[str]] = {}
    for _, _, line, _ in requirement_lines(requirements_in, skip_locks=False):
        line = line.removesuffix("\\").strip()
        match = NAME_RE.match(line)
        if match and not line.startswith("-"):
            named.setdefault(normalize(match.group(1)), []).append(line)
    return named
