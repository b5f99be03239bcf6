"""The template, its answers, and the one way the tests render it.

Rendering is done in-process with copier's API (fast); `copier_cli` is the
command line a user types, for the tests that are about it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import copier
from filelock import FileLock

from support.commands import make, run
from support.lock_files import LOCK_FILES

TEMPLATE_ROOT = Path(__file__).resolve().parents[2]
# Render for the interpreter that runs the tests, so `make venv` finds it.
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"

DEFAULT_ANSWERS: dict[str, object] = {
    "project_name": "Sales Forecast",
    "python_version": PYTHON_VERSION,
}
# The standard project of the build tests: default answers without the
# Jupyter kernel, which only adds install time to tests that are not about it.
# The session's standard locks (conftest.py) are compiled from its files.
STANDARD_ANSWERS: dict[str, object] = {**DEFAULT_ANSWERS, "notebooks": False}


def render(
    destination: Path,
    *,
    locks: Path | None = None,
    template: Path = TEMPLATE_ROOT,
    vcs_ref: str = "HEAD",
    **answers: object,
) -> Path:
    """Render `template` at `vcs_ref` into `destination`, with DEFAULT_ANSWERS
    updated by `answers`. The default is this template's working tree (HEAD
    plus uncommitted changes).

    With `locks`, the lock files found in that folder are put into the
    project, as a user commits them after the first `make dev` (they must
    have been compiled from the same .in files, e.g. the session's standard
    locks for STANDARD_ANSWERS).
    """
    copier.run_copy(
        str(template),
        str(destination),
        data={**DEFAULT_ANSWERS, **answers},
        defaults=True,
        unsafe=False,
        vcs_ref=vcs_ref,
        quiet=True,
    )
    if locks is not None:
        for lock in LOCK_FILES:
            shutil.copy2(locks / lock, destination / lock)
    return destination


def copier_cli(destination: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    """`copier copy --defaults <template> <destination>` as a user types it,
    with each of `answers` ("question=value") passed as -d."""
    command = [str(Path(sys.executable).with_name("copier")), "copy", "--defaults"]
    command += ["--vcs-ref", "HEAD", "--quiet"]
    for answer in answers:
        command += ["-d", answer]
    return subprocess.run(
        [*command, str(TEMPLATE_ROOT), str(destination)],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def locked_once(
    shared_tmp: Path, name: str, answers: Mapping[str, object], env: Mapping[str, str]
) -> Path:
    """A project rendered with `answers` and locked by its `make lock` (real
    index), once per session for all workers."""
    project = shared_tmp / name
    with FileLock(str(shared_tmp / f"{name}.lock")):
        if not (project / ".complete").exists():
            shutil.rmtree(project, ignore_errors=True)
            render(project, **answers)
            make(project, "lock", env=env)
            (project / ".complete").touch()
    return project


def assert_installed_for_development(project: Path, slug: str = "sales-forecast") -> None:
    """The project is installed as pip installs a project in development: its
    console script is in .venv/bin and importlib.metadata knows its version."""
    script = run([str(project / ".venv" / "bin" / slug), "--version"], cwd=project).stdout
    code = f"import importlib.metadata as m; print(m.version({slug!r}))"
    known = run([str(project / ".venv" / "bin" / "python"), "-c", code], cwd=project).stdout
    assert known.strip() == "0.1.0" and script.strip().endswith(" 0.1.0"), (script, known)
