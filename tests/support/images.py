"""The images the Docker tests build, and whether Docker is there to build them.

Every image a session builds is tagged `IMAGE_REPOSITORY:<run id>-<name>`, so
the session's end removes its own images and nobody else's (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from support import docker_base_image
from support.commands import run

IMAGE_REPOSITORY = docker_base_image.TEST_IMAGE_REPOSITORY


def docker_problem(base_image: bool = True) -> str | None:
    """Why Docker tests cannot run here, or None: no docker CLI, no daemon, or
    (for tests that need the stand-in `base_image`) no way to build it."""
    if shutil.which("docker") is None:
        return "the docker CLI is not installed (bash .ci/start-docker.sh installs and starts it)"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return f"the Docker daemon is not answering (bash .ci/start-docker.sh starts it): {info.stderr.strip()[-200:]}"
    if (
        base_image
        and shutil.which("debootstrap") is None
        and not docker_base_image.image_is_current()
    ):
        return "debootstrap is missing, so the stand-in base image cannot be built (bash .ci/start-docker.sh installs it)"
    return None


def image_tag(name: str) -> str:
    """A tag that starts with the session's run id (read when called: tests/conftest.py
    sets it once pytest is configured, after this module is imported)."""
    return f"{os.environ.get(docker_base_image.RUN_ID_VARIABLE, 'manual')}-{name}"


def build_args(base_image: str, tag: str) -> list[str]:
    """`make docker-build` arguments for IMAGE_REPOSITORY:tag on `base_image`."""
    # --force-rm: the classic builder would keep the container of a failed step.
    return [
        f"BASE_IMAGE={base_image}",
        f"IMAGE_NAME={IMAGE_REPOSITORY}",
        f"IMAGE_TAG={tag}",
        "DOCKER_BUILD_ARGS=--force-rm",
    ]


def inspect_image(image: str) -> dict:
    return json.loads(run(["docker", "image", "inspect", image], cwd=Path.cwd()).stdout)[0]


def in_image(image: str, *command: str, user: str | None = None) -> str:
    """The output of `command` run in a container of `image`, with no network."""
    docker = ["docker", "run", "--rm", "--network", "none", "--entrypoint", command[0]]
    if user is not None:
        docker += ["--user", user]
    return run([*docker, image, *command[1:]], cwd=Path.cwd()).stdout
