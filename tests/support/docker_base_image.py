"""Build the stand-in for the official python:3.X-slim image, from Debian packages.

No container registry is reachable from this machine, so the image tests
cannot pull `python:3.11-slim`. Instead this module bootstraps a minimal
Debian bookworm root file system with python3 and python3-venv (debootstrap,
from the same Debian mirror apt uses here), adds the host's CA bundle so pip
inside a build can reach the package index through a TLS-intercepting proxy,
and imports it as a local image. The tests pass it to the unchanged
Dockerfile as BASE_IMAGE.

The image is labelled with a hash of this file and reused while the label
matches, so only the first session on a machine pays for debootstrap.

Run by hand, in tests/:  python -m support.docker_base_image   (prints the image reference)
"""

from __future__ import annotations

import hashlib
import inspect
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = "bookworm"
# Debian bookworm's python3 is 3.11, so the stand-in matches a 3.11 project.
PYTHON_VERSION = "3.11"
IMAGE = f"template-test/python:{PYTHON_VERSION}-{SUITE}"
PACKAGES = ("python3", "python3-venv", "ca-certificates")
FALLBACK_MIRROR = "http://deb.debian.org/debian"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
LABEL = "org.example.template-test.builder-hash"
# Where the tests tag the images they build, each tag starting with the run id
# that tests/conftest.py puts in this variable for the whole session (all workers).
TEST_IMAGE_REPOSITORY = "template-test/sales-forecast"
RUN_ID_VARIABLE = "TEMPLATE_TEST_RUN_ID"


# What the image is made of, besides debootstrap: docker import's changes.
IMPORT_CHANGES = (
    "ENV LANG=C.UTF-8",
    # Python's ssl module and pip both read the (host's) bundle from here.
    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
    'CMD ["python3"]',
)


def builder_hash() -> str:
    """Changes whenever the recipe changes (not this file's other helpers),
    which invalidates the cached image."""
    recipe = repr((SUITE, PACKAGES, IMPORT_CHANGES)) + inspect.getsource(bootstrap_image)
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def debian_mirror() -> str:
    """The Debian mirror apt uses on this machine (deb822 or one-line sources)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for source in sources:
        try:
            text = source.read_text()
        except OSError:
            continue
        for match in re.finditer(r"(?:URIs:|^deb)\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.MULTILINE):
            uri = match.group(1).rstrip("/")
            if uri.endswith("/debian"):
                return uri
    return FALLBACK_MIRROR


def image_is_current(docker: str = "docker", image: str = IMAGE, recipe_hash: str = "") -> bool:
    result = subprocess.run(
        [
            docker,
            "image",
            "inspect",
            "--format",
            f'{{{{ index .Config.Labels "{LABEL}" }}}}',
            image,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == (recipe_hash or builder_hash())


def build(docker: str = "docker") -> str:
    """Return the stand-in image's reference, building it first if needed."""
    if image_is_current(docker):
        return IMAGE
    bootstrap_image(IMAGE, SUITE, PACKAGES, IMPORT_CHANGES, builder_hash(), docker)
    return IMAGE


def bootstrap_image(
    image: str,
    suite: str,
    packages: tuple[str, ...],
    changes: tuple[str, ...],
    recipe_hash: str,
    docker: str = "docker",
) -> None:
    """debootstrap `suite` with `packages`, add the host's CA bundle, import as `image`."""
    if shutil.which("debootstrap") is None:
        raise RuntimeError(
            "debootstrap is not installed: run `bash .ci/start-docker.sh` (or apt-get install debootstrap)"
        )
    with tempfile.TemporaryDirectory(prefix="stand-in-rootfs-") as work:
        rootfs = Path(work) / "rootfs"
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(packages)}",
                suite,
                str(rootfs),
                debian_mirror(),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # The host's bundle includes the proxy's CA; Debian's pip and Python's
        # ssl module both read this file.
        shutil.copy2(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
        # What the official image leaves out too: apt lists and caches.
        for leftover in ("var/lib/apt/lists", "var/cache/apt"):
            shutil.rmtree(rootfs / leftover, ignore_errors=True)
        tar = subprocess.Popen(
            ["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE
        )
        subprocess.run(
            [
                docker,
                "import",
                "--change",
                f"LABEL {LABEL}={recipe_hash}",
                *(option for change in changes for option in ("--change", change)),
                "-",
                image,
            ],
            stdin=tar.stdout,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        assert tar.stdout is not None
        tar.stdout.close()
        if tar.wait() != 0:
            raise RuntimeError("tar of the stand-in root file system failed")


def remove_test_images(run_id: str, docker: str = "docker") -> None:
    """Remove the images one test session built (the stand-in base stays cached)."""
    if shutil.which(docker) is None:
        return
    listing = subprocess.run(
        [docker, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", TEST_IMAGE_REPOSITORY],
        capture_output=True,
        text=True,
        check=False,
    )
    ours = [
        ref
        for ref in listing.stdout.split()
        if ref.startswith(f"{TEST_IMAGE_REPOSITORY}:{run_id}-")
    ]
    if ours:
        subprocess.run([docker, "image", "rm", "--force", *ours], capture_output=True, check=False)


if __name__ == "__main__":
    print(build())
    sys.exit(0)
