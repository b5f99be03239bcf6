"""A project's lock files: what they pin, and the checks the lock scenarios share.

The format itself (pins, blocks, names) is read with the generated
project's own tools/lockstep/lockfile.py: one reader for the tools, the
tests and the scripts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lockstep.lockfile import LEAKY_LINE_RE as LEAKY_LINE
from lockstep.lockfile import PIN_RE, normalize, pins, requirement_blocks

from support.commands import make, run

__all__ = [
    "COMPILE_SUMMARY",
    "HELD_BACK",
    "LEAKY_LINE",
    "LOCK_FILES",
    "PIN_CHANGE",
    "PIN_RE",
    "assert_failed_lock_changed_nothing",
    "assert_venv_holds_exactly_the_locks",
    "break_the_next_compile",
    "hashed_pins",
    "locked_pins",
    "normalize",
    "pins",
    "requirement_blocks",
    "without_index",
]

LOCK_FILES = ("requirements.txt", "requirements-dev.txt")
# tzdata comes in through pandas; holding it at an old release (one pandas
# still accepts) gives the upgrade check a pin that today's releases move.
HELD_BACK = ("tzdata", "2024.1")
# The line a compile prints for each lock (make lock, make dev), then one line
# per pin that moved: `+ name version (new)`, `- name version (no longer
# needed)` or `  name old -> new`. (The docs' samples are held to the code
# that prints these lines: tests/support/doc_samples.py.)
COMPILE_SUMMARY = re.compile(
    r"^(requirements(?:-dev)?\.txt): (\d+) pins resolved in [\d.]+ s; "
    r"(?:(\d+) changed:|no existing pin moved\.)$",
    re.MULTILINE,
)
PIN_CHANGE = re.compile(r"^  (?:[+-] \S+ \S+ \((?:new|no longer needed)\)|  \S+ \S+ -> \S+)$")


def locked_pins(project: Path, locks: tuple[str, ...] = LOCK_FILES) -> dict[str, str]:
    """normalized name -> version, as the project's locks pin them."""
    pinned: dict[str, str] = {}
    for lock in locks:
        pinned.update(pins((project / lock).read_text()))
    return pinned


def hashed_pins(lock_text: str) -> dict[str, str]:
    """normalized name -> its pin line and hash lines: its block without the
    `# via` annotations, which name what needs it and may change alone."""
    return {
        name: "".join(
            line for line in block.splitlines(keepends=True) if not line.lstrip().startswith("#")
        )
        for name, block in requirement_blocks(lock_text).items()
    }


def assert_venv_holds_exactly_the_locks(project: Path, locks: tuple[str, ...] = LOCK_FILES) -> None:
    """What pip itself says is installed equals what the locks pin (pip and
    setuptools may stay when no lock pins them, as in any venv)."""
    freeze = run(
        [str(project / ".venv/bin/python"), "-m", "pip", "freeze", "--all"], cwd=project
    ).stdout
    installed = pins(freeze)
    pinned = locked_pins(project, locks)
    assert {name: installed.get(name) for name in pinned} == pinned
    assert set(installed) - set(pinned) <= {"pip", "setuptools", "wheel"}, freeze


def without_index(env: dict[str, str], **settings: str) -> dict[str, str]:
    """No pip configuration of this machine: only the settings given."""
    env = {**env, "PIP_CONFIG_FILE": os.devnull, **settings}
    for name in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_INDEX_URL"):
        if name not in settings:
            env.pop(name, None)
    return env


def break_the_next_compile(
    project: Path, index_env: dict[str, str], failure: str
) -> dict[str, str]:
    """Ask for something that cannot be resolved, or cut the index off; the
    environment to run make in."""
    env = dict(index_env)
    with (project / "requirements.in").open("a") as handle:
        if failure == "unsatisfiable requirement":
            handle.write("pandas==0.0.0.1\n")
        else:
            handle.write("tabulate\n")
            # The only index is a closed port on loopback, and no pip config
            # file adds a mirror behind it: nothing can be fetched.
            env = without_index(
                env, PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_RETRIES="0", PIP_TIMEOUT="3"
            )
    return env


def assert_failed_lock_changed_nothing(project: Path, env: dict[str, str]) -> None:
    before = {name: (project / name).read_bytes() for name in LOCK_FILES}

    result = make(project, "lock", env=env, check=False)

    assert result.returncode != 0
    assert "requirements.txt was left unchanged" in result.stderr
    assert {name: (project / name).read_bytes() for name in LOCK_FILES} == before
    assert list(project.glob(".requirements*.tmp")) == []
