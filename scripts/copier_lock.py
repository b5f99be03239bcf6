"""Write template/tools/copier-requirements.txt: the copier a project's `make template-update` installs.

    python scripts/copier_lock.py --write   # write the file (after `make lock` moved copier)
    python scripts/copier_lock.py --check   # fail if it is stale (tests/test_copier_lock.py)

The template is tested with the copier that this repository's own
requirements.txt pins, so that lock is the one source of truth: the
project's file is copier's block and the blocks of everything copier needs,
copied from it with their hashes (pip-compile's `# via` lines give the
graph). A project installs it with `pip install --require-hashes`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import generated_file

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "requirements.txt"
OUTPUT = ROOT / "template" / "tools" / "copier-requirements.txt"
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
HEADER = """\
# The template manages this file: local edits meet the next copier update as a merge.
# The copier that `make template-update` installs into .venv/tools/copier,
# apart from the project's own dependencies: the version the template was
# tested with, and what it needs, each hash-checked (pip --require-hashes).
# Generated from the template repository's requirements.txt by
# scripts/copier_lock.py; it arrives with each template update.
"""


def blocks(lock: str) -> dict[str, tuple[str, set[str]]]:
    """package -> (its block of the lock, the packages its `# via` names)."""
    found: dict[str, tuple[str, set[str]]] = {}
    current = None
    lines: list[str] = []
    for line in lock.splitlines():
        match = REQUIREMENT.match(line)
        if match:
            current = match.group(1).lower()
            lines = [line]
            found[current] = ("", set())
        elif current and line.startswith(" "):
            lines.append(line)
        else:
            current = None
            continue
        if current:
            via = set()
            for annotation in lines:
                text = annotation.strip().removeprefix("#").strip().removeprefix("via").strip()
                if annotation.strip().startswith("#") and text and not text.startswith("-r"):
                    via.add(text.lower())
            found[current] = ("\n".join(lines), via)
    return found


def copier_closure(lock: str) -> list[str]:
    graph = blocks(lock)
    needed = {"copier"}
    grew = True
    while grew:
        grew = False
        for package, (_, via) in graph.items():
            if package not in needed and via & needed:
                needed.add(package)
                grew = True
    return [graph[package][0] for package in sorted(needed)]


def document() -> str:
    return HEADER + "\n".join(copier_closure(SOURCE.read_text(encoding="utf-8"))) + "\n"


def pinned_copier(text: str) -> str:
    match = re.search(r"^copier==(\S+)", text, re.MULTILINE)
    return match.group(1) if match else ""


def main(argv: list[str]) -> int:
    return generated_file.main(
        argv,
        description=__doc__.splitlines()[0],
        output=OUTPUT,
        text=document,
        fix="it does not match the copier pinned in requirements.txt:"
        " run python scripts/copier_lock.py --write",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
