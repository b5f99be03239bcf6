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

import sys
from pathlib import Path

import generated_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "template" / "tools"))
from lockstep import lockfile

SOURCE = ROOT / "requirements.txt"
OUTPUT = ROOT / "template" / "tools" / "copier-requirements.txt"
HEADER = """\
# The template manages this file: local edits meet the next copier update as a merge.
# The copier that `make template-update` installs into .venv/tools/copier,
# apart from the project's own dependencies: the version the template was
# tested with, and what it needs, each hash-checked (pip --require-hashes).
# Generated from the template repository's requirements.txt by
# scripts/copier_lock.py; it arrives with each template update.
"""


def copier_closure(lock: str) -> list[str]:
    """copier's block of the lock and the blocks of everything it needs."""
    return lockfile.closure(lockfile.requirement_blocks(lock), "copier")


def document() -> str:
    return HEADER + "".join(copier_closure(SOURCE.read_text(encoding="utf-8")))


def pinned_copier(text: str) -> str:
    return lockfile.pins(text).get("copier", "")


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
