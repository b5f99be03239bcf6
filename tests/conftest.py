"""Shared fixtures: render the template, and run what it renders.

Rendering is done in-process with copier's API (fast); everything a user
would run (make, pip, pytest in the project) is a real subprocess.

Installing the same packages in many projects is the slow part of this
suite, and pip's HTTP cache does not help against a registry that sends no
cache headers. So one session-wide setup compiles the locks of a standard
project once and downloads their wheels into a wheelhouse; tests that only
need to *install* those locks reuse both, offline. Tests that are about
resolving (a first render, adding a package) use the real index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import copier
import pytest
from filelock import FileLock

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
# Render for the interpreter that runs the tests, so `make venv` finds it.
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"

DEFAULT_ANSWERS: dict[str, object] = {
    "project_name": "Sales Forecast",
    "python_version": PYTHON_VERSION,
}
# The standard project of the build tests: default answers without the
# Jupyter kernel, which only adds install time to tests that are not about it.
STANDARD_ANSWERS: dict[str, object] = {**DEFAULT_ANSWERS, "notebooks": False}
LOCK_FILES = ("requirements.txt", "requirements-dev.txt")


def render(destination: Path, **answers: object) -> Path:
    """Render the template's working tree (HEAD plus uncommitted changes)."""
    copier.run_copy(
        str(TEMPLATE_ROOT),
        str(destination),
        data={**DEFAULT_ANSWERS, **answers},
        defaults=True,
        unsafe=False,
        vcs_ref="HEAD",
        quiet=True,
    )
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


def render_standard(destination: Path, locks: Path) -> Path:
    """Render the standard project and put in the locks found in `locks`
    (the session's standard locks were compiled from these very files)."""
    project = render(destination, **STANDARD_ANSWERS)
    for lock in LOCK_FILES:
        shutil.copy2(locks / lock, project / lock)
    return project


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


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all pytest-xdist workers of this session share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


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


@pytest.fixture(scope="session")
def index_env() -> dict[str, str]:
    """Environment for make in a rendered project, resolving against the real index."""
    return user_environment()


def locked_once(shared_tmp: Path, name: str, answers: dict[str, object], env) -> Path:
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


@pytest.fixture(scope="session")
def standard_locks(shared_tmp: Path, index_env: dict[str, str]) -> Path:
    """Locks of the standard project, compiled once per session (real index)."""
    return locked_once(shared_tmp, "standard-locks", STANDARD_ANSWERS, index_env)


@pytest.fixture(scope="session")
def uv_standard_locks(shared_tmp: Path, index_env: dict[str, str]) -> Path:
    """The standard project with the uv lock engine, locked once per session
    (real index): universal locks, for Linux, macOS and Windows."""
    answers = {**STANDARD_ANSWERS, "lock_engine": "uv"}
    return locked_once(shared_tmp, "uv-standard-locks", answers, index_env)


@pytest.fixture(scope="session")
def tf_env(index_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment in which the project's make runs Terraform offline, or a skip saying why not."""
    from terraform_tools import (
        find_provider_mirror,
        terraform_binary,
        terraform_env,
        unavailable,
        write_cli_config,
    )

    if terraform_binary() is None:
        unavailable("terraform is not installed")
    mirror = find_provider_mirror()
    if mirror is None:
        unavailable(
            "no local copy of the hashicorp/aws provider (set TF_PLUGIN_MIRROR to a "
            "filesystem mirror holding registry.terraform.io/hashicorp/aws)"
        )
    config = write_cli_config(tmp_path_factory.mktemp("terraform-config"), mirror)
    return terraform_env(index_env, config)


@pytest.fixture(scope="session")
def wheelhouse(shared_tmp: Path, standard_locks: Path, index_env: dict[str, str]) -> Path:
    """Every wheel the standard locks pin, downloaded once per session."""
    wheels = shared_tmp / "wheelhouse"
    with FileLock(str(shared_tmp / "wheelhouse.lock")):
        if not (wheels / ".complete").exists():
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            command += ["--require-hashes", "--only-binary", ":all:", "--dest", str(wheels)]
            for lock in LOCK_FILES:
                command += ["-r", str(standard_locks / lock)]
            run(command, cwd=standard_locks, env=index_env)
            (wheels / ".complete").touch()
    return wheels


@pytest.fixture(scope="session")
def offline_env(index_env: dict[str, str], wheelhouse: Path) -> dict[str, str]:
    """Environment that installs from the wheelhouse only: no index at all."""
    return {**index_env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}


# tzdata comes in through pandas; holding it at an old release (one pandas
# still accepts) gives the check a pin that today's releases move.
HELD_BACK = ("tzdata", "2024.1")


@pytest.fixture(scope="session")
def held_back_locks(shared_tmp: Path, standard_locks: Path, resolving_env: dict[str, str]) -> Path:
    """The standard locks with tzdata held at an old release, made once per session."""
    name, version = HELD_BACK
    project = shared_tmp / "held-back-locks"
    with FileLock(str(shared_tmp / "held-back-locks.lock")):
        if not (project / ".complete").exists():
            shutil.rmtree(project, ignore_errors=True)
            render_standard(project, standard_locks)
            # `P=name==version` moves one pin to an exact version, as a user
            # going back to a known-good release would.
            make(project, "upgrade-package", f"P={name}=={version}", env=resolving_env)
            assert f"\n{name}=={version} " in (project / "requirements.txt").read_text()
            (project / ".complete").touch()
    return project


@pytest.fixture(scope="session")
def resolving_env(index_env: dict[str, str], wheelhouse: Path) -> dict[str, str]:
    """Resolve against the real index; the session's wheels save downloading them again."""
    return {**index_env, "PIP_FIND_LINKS": str(wheelhouse)}


@pytest.fixture
def standard_project(tmp_path: Path, standard_locks: Path) -> Iterator[Path]:
    """A freshly rendered standard project with the session's locks committed in."""
    yield render_standard(tmp_path / "sales-forecast", standard_locks)


@pytest.fixture
def installed_project(standard_project: Path, offline_env: dict[str, str]) -> Path:
    """The standard project after a successful `make dev` (offline, from the wheelhouse)."""
    make(standard_project, "dev", env=offline_env)
    return standard_project


def locked_pins(project: Path, locks: tuple[str, ...] = LOCK_FILES) -> dict[str, str]:
    """normalized name -> version, as the project's locks pin them."""
    pinned = {}
    for lock in locks:
        for name, version in re.findall(
            r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)",
            (project / lock).read_text(),
            re.MULTILINE,
        ):
            pinned[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pinned


def assert_venv_holds_exactly_the_locks(project: Path, locks: tuple[str, ...] = LOCK_FILES) -> None:
    """What pip itself says is installed equals what the locks pin (pip and
    setuptools may stay when no lock pins them, as in any venv)."""
    freeze = run(
        [str(project / ".venv/bin/python"), "-m", "pip", "freeze", "--all"], cwd=project
    ).stdout
    installed = {
        re.sub(r"[-_.]+", "-", name).lower(): version
        for name, version in re.findall(r"^([^=\s]+)==(\S+)$", freeze, re.MULTILINE)
    }
    pinned = locked_pins(project, locks)
    assert {name: installed.get(name) for name in pinned} == pinned
    assert set(installed) - set(pinned) <= {"pip", "setuptools", "wheel"}, freeze


def git_commit_all(project: Path, message: str = "Initial commit") -> None:
    run(["git", "init", "--quiet", "--initial-branch=main"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit",
            "--quiet",
            "-m",
            message,
        ],
        cwd=project,
    )


# ---------------------------------------------------------------- docker images (test_docker.py)
def pytest_configure(config: pytest.Config) -> None:
    """One run id per session, inherited by the xdist workers, to tag test images."""
    import uuid

    from docker_base_image import RUN_ID_VARIABLE

    os.environ.setdefault(RUN_ID_VARIABLE, uuid.uuid4().hex[:8])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove this session's images once every worker is done (in the controller)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from docker_base_image import RUN_ID_VARIABLE, remove_test_images

    remove_test_images(os.environ[RUN_ID_VARIABLE])
