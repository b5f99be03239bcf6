"""git as the tests run it: with an identity of their own, since the machine
running them may have none configured."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from support.commands import run, user_environment

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def with_identity(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (a user's shell by default) with the test identity for commits and tags."""
    return {**(user_environment() if env is None else env), **IDENTITY}


def git(
    repo: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`git <args>` in `repo`, as the test identity, in `env` (a user's shell by default)."""
    return run(["git", *args], cwd=repo, env=with_identity(env), check=check)


def git_commit_all(project: Path, message: str = "Initial commit") -> None:
    """Make `project` a repository on `main` whose first commit holds every file."""
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", message)
