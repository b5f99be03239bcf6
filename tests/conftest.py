"""Shared fixtures: the session-wide locks, wheels and environments, the
standard project, the stand-in base image. What is not a fixture (render,
run, make, the answers, the image and Terraform helpers) is in tests/support/.

Installing the same packages in many projects is the slow part of this
suite, and pip's HTTP cache does not help against a registry that sends no
cache headers. So one session-wide setup compiles the locks of a standard
project once and downloads their wheels into a wheelhouse; tests that only
need to *install* those locks reuse both, offline. Tests that are about
resolving (a first render, adding a package) use the real index.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from support import docker_base_image
from support.ci import unavailable
from support.commands import make, run, user_environment
from support.images import docker_problem
from support.lock_files import HELD_BACK, LOCK_FILES
from support.project import STANDARD_ANSWERS, TEMPLATE_ROOT, locked_once, render
from support.terraform_tools import (
    find_provider_mirror,
    terraform_binary,
    terraform_env,
    write_cli_config,
)


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all pytest-xdist workers of this session share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def index_env() -> dict[str, str]:
    """Environment for make in a rendered project, resolving against the real index."""
    return user_environment()


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
            download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            download += ["--require-hashes", "--only-binary", ":all:", "--dest", str(wheels)]
            locks = [standard_locks / lock for lock in LOCK_FILES]
            # make audit's own venv: its lock may pin other versions, so apart.
            for group in (locks, [TEMPLATE_ROOT / "template" / "tools" / "audit-requirements.txt"]):
                requirements = [option for lock in group for option in ("-r", str(lock))]
                run([*download, *requirements], cwd=standard_locks, env=index_env)
            (wheels / ".complete").touch()
    return wheels


@pytest.fixture(scope="session")
def offline_env(index_env: dict[str, str], wheelhouse: Path) -> dict[str, str]:
    """Environment that installs from the wheelhouse only: no index at all."""
    return {**index_env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}


@pytest.fixture(scope="session")
def held_back_locks(shared_tmp: Path, standard_locks: Path, resolving_env: dict[str, str]) -> Path:
    """The standard locks with tzdata held at an old release, made once per session."""
    name, version = HELD_BACK
    project = shared_tmp / "held-back-locks"
    with FileLock(str(shared_tmp / "held-back-locks.lock")):
        if not (project / ".complete").exists():
            shutil.rmtree(project, ignore_errors=True)
            render(project, locks=standard_locks, **STANDARD_ANSWERS)
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
    yield render(tmp_path / "sales-forecast", locks=standard_locks, **STANDARD_ANSWERS)


@pytest.fixture
def installed_project(standard_project: Path, offline_env: dict[str, str]) -> Path:
    """The standard project after a successful `make dev` (offline, from the wheelhouse)."""
    make(standard_project, "dev", env=offline_env)
    return standard_project


# ---------------------------------------------------------------- docker images
@pytest.fixture(scope="session")
def base_image(shared_tmp: Path) -> str:
    """The stand-in for python:3.X-slim, built once per machine and cached."""
    problem = docker_problem()
    if problem:
        unavailable(f"Docker tests: {problem}")
    with FileLock(str(shared_tmp / "docker-base-image.lock")):
        return docker_base_image.build()


def pytest_configure(config: pytest.Config) -> None:
    """One run id per session, inherited by the xdist workers, to tag test images."""
    os.environ.setdefault(docker_base_image.RUN_ID_VARIABLE, uuid.uuid4().hex[:8])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove this session's images once every worker is done (in the controller)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    docker_base_image.remove_test_images(os.environ[docker_base_image.RUN_ID_VARIABLE])
