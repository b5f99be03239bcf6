"""Build the stand-in for GitHub's `ubuntu-24.04` runner image, from Debian packages.

act runs each job in a container of the image named for its `runs-on` label.
GitHub's images cannot be pulled here, so this one is bootstrapped like the
stand-in base image of the Docker tests (tests/support/docker_base_image.py): Debian
trixie, with what GitHub's runner has before any setup step that the
generated workflows rely on: bash, git, make, the Docker CLI, Node, and one system
Python (trixie's 3.13) that is *not* the Python of the projects under test.
No other python3.X is on PATH: a job that needs the project's Python must
set it up, exactly as on GitHub (GitHub's runner has 3.12 only).

Run by hand, in tests/:  python -m support.act_runner_image   (prints the image reference)
"""

from __future__ import annotations

import hashlib
import inspect
import sys

from support.docker_base_image import bootstrap_image, image_is_current

SUITE = "trixie"
SYSTEM_PYTHON = "3.13"
IMAGE = "template-test/act-runner:ubuntu-24.04-stand-in"
PACKAGES = (
    "bash",
    "git",
    "make",
    "python3",
    "python3-venv",
    "ca-certificates",
    "docker-cli",
    # act evaluates hashFiles() with node in the job container, as GitHub has it.
    "nodejs",
)
IMPORT_CHANGES = (
    "ENV LANG=C.UTF-8",
    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
    # Where hosted runners keep set-up tools; the setup-python stand-in links here.
    "ENV RUNNER_TOOL_CACHE=/opt/hostedtoolcache",
    'CMD ["bash"]',
)


def recipe_hash() -> str:
    recipe = repr((SUITE, PACKAGES, IMPORT_CHANGES)) + inspect.getsource(bootstrap_image)
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def build(docker: str = "docker") -> str:
    """Return the runner image's reference, building it first if needed."""
    if not image_is_current(docker, IMAGE, recipe_hash()):
        bootstrap_image(IMAGE, SUITE, PACKAGES, IMPORT_CHANGES, recipe_hash(), docker)
    return IMAGE


if __name__ == "__main__":
    print(build())
    sys.exit(0)
