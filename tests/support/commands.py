"""Running commands as a user runs them in a shell."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest


def user_environment() -> dict[str, str]:
    """The environment of a user's shell: this test venv and the outer
    `make test` (whose MAKEFLAGS/MAKELEVEL would make a project's make print
    "Entering directory" lines) left out."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    env["PATH"] = os.pathsep.join(
        entry for entry in env["PATH"].split(os.pathsep) if not entry.startswith(sys.prefix)
    )
    return env


def run(
    command: list[str], cwd: Path, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command as a user would; on an unexpected exit, show its output."""
    result = subprocess.run(
        command,
        check=False,
        cwd=cwd,
        env=dict(env) if env is not None else user_environment(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def make(project: Path, *targets: str, env: Mapping[str, str], check: bool = True):
    return run(["make", *targets], cwd=project, env=env, check=check)
