"""Write the locks of the tools a project runs from venvs of their own:
template/tools/copier-requirements.txt (make template-update) and
template/tools/audit-requirements.txt (make audit).

    python scripts/tool_locks.py --write   # write them (after `make lock` moved copier or pip-audit)
    python scripts/tool_locks.py --check   # fail if one is stale (tests/test_tool_locks.py)

The template is tested with the copier and pip-audit that this repository's
own requirements.txt pins, so that lock is the one source of truth: each
project file is the tool's block and the blocks of everything it needs,
copied from it with their hashes (pip-compile's `# via` lines give the
graph). A project installs it with `pip install --require-hashes`.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import generated_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "template" / "tools"))
from lockstep import lockfile

SOURCE = ROOT / "requirements.txt"
TOOLS = ROOT / "template" / "tools"
# tool -> (its project lock, the make target that installs it, the venv it goes to)
LOCKS = {
    "copier": (TOOLS / "copier-requirements.txt", "make template-update", ".venv/tools/copier"),
    "pip-audit": (TOOLS / "audit-requirements.txt", "make audit", ".venv/tools/pip-audit"),
}
OUTPUT = LOCKS["copier"][0]
HEADER = """\
# The template manages this file: local edits meet the next copier update as a merge.
# The {tool} that `{target}` installs into {venv},
# apart from the project's own dependencies: the version the template was
# tested with, and what it needs, each hash-checked (pip --require-hashes).
# Generated from the template repository's requirements.txt by
# scripts/tool_locks.py; it arrives with each template update.
"""


def tool_closure(lock: str, tool: str) -> list[str]:
    """The tool's block of the lock and the blocks of everything it needs."""
    return lockfile.closure(lockfile.requirement_blocks(lock), tool)


def document(tool: str) -> str:
    _, target, venv = LOCKS[tool]
    header = HEADER.format(tool=tool, target=target, venv=venv)
    return header + "".join(tool_closure(SOURCE.read_text(encoding="utf-8"), tool))


def pinned_copier(text: str) -> str:
    return lockfile.pins(text).get("copier", "")


def main(argv: list[str]) -> int:
    return generated_file.main_for_files(
        argv,
        description=__doc__.splitlines()[0],
        outputs={path: partial(document, tool) for tool, (path, _, _) in LOCKS.items()},
        fix="it does not match the pins of requirements.txt: run python scripts/tool_locks.py --write",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
