"""The generated Dockerfile and its Make targets, proven with a real Docker daemon.

No registry is reachable here, so the Dockerfile's default base image
(python:3.X-slim) cannot be pulled: the tests build a stand-in from Debian
packages once (tests/support/docker_base_image.py) and pass it as BASE_IMAGE, which
is exactly how a user picks another base. The Dockerfile itself is the one
users get.

Builds are the expensive part, so one image of the standard project is built
per session and shared (read-only) by the tests that only look at it; tests
that change the project work on their own copy.

Without Docker these tests skip with the reason; under CI they fail instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from filelock import FileLock
from support.ci import unavailable
from support.commands import make, run
from support.git import git_commit_all
from support.images import (
    IMAGE_REPOSITORY,
    build_args,
    docker_problem,
    image_tag,
    in_image,
    inspect_image,
)
from support.lock_files import pins, requirement_blocks
from support.project import STANDARD_ANSWERS, render

PACKAGE = "sales_forecast"
CACHED_MARKERS = ("Using cache", "CACHED")


def copy_project(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, symlinks=True)
    return destination


@pytest.fixture(scope="session")
def built_image(
    shared_tmp: Path, base_image: str, standard_locks: Path, index_env: dict[str, str]
) -> tuple[Path, str]:
    """The standard project, committed to git, and its image from `make docker-build`.

    The project also holds things that must stay out of the image: raw data,
    a .env file with a secret, and its tests.
    """
    project = shared_tmp / "docker-project"
    image = f"{IMAGE_REPOSITORY}:{image_tag('v1')}"
    with FileLock(str(shared_tmp / "docker-project.lock")):
        if not (project / ".built").exists():
            shutil.rmtree(project, ignore_errors=True)
            render(project, locks=standard_locks, **STANDARD_ANSWERS)
            (project / "data/raw/customers.csv").write_text("name,card\nAda,4111111111111111\n")
            (project / ".env").write_text("AWS_SECRET_ACCESS_KEY=not-for-images\n")
            (project / "src" / PACKAGE / ".env").write_text("TOKEN=not-for-images\n")
            git_commit_all(project)
            started = time.monotonic()
            make(project, "docker-build", *build_args(base_image, image_tag("v1")), env=index_env)
            (project / ".built").write_text(f"{time.monotonic() - started:.1f}\n")
    return project, image


# ---------------------------------------------------------------- building and running
@pytest.mark.slow
def test_docker_build_makes_a_labelled_non_root_image(built_image: tuple[Path, str]) -> None:
    project, image = built_image
    config = inspect_image(image)["Config"]
    labels = config["Labels"]
    head = run(["git", "rev-parse", "HEAD"], cwd=project).stdout.strip()
    assert labels["org.opencontainers.image.revision"] == head
    assert labels["org.opencontainers.image.version"] == "0.1.0"
    assert labels["org.opencontainers.image.title"] == "sales-forecast"
    assert "org.opencontainers.image.source" in labels
    assert config["Entrypoint"] == ["python", "-m", PACKAGE]
    assert config["User"] not in ("", "0", "root")
    assert "PYTHONUNBUFFERED=1" in config["Env"]
    assert "PYTHONDONTWRITEBYTECODE=1" in config["Env"]
    print(f"first image build: {(project / '.built').read_text().strip()} s")


@pytest.mark.slow
def test_docker_run_runs_the_entry_point(
    built_image: tuple[Path, str], base_image: str, index_env: dict[str, str]
) -> None:
    project, _ = built_image
    result = make(project, "docker-run", *build_args(base_image, image_tag("v1")), env=index_env)
    assert "Revenue by region" in result.stdout
    assert re.search(r"north\s+85\.00", result.stdout), result.stdout

    version = make(
        project,
        "docker-run",
        *build_args(base_image, image_tag("v1")),
        "ARGS=--version",
        env=index_env,
    )
    assert f"{PACKAGE} 0.1.0" in version.stdout


@pytest.mark.slow
def test_the_container_user_is_not_root(built_image: tuple[Path, str]) -> None:
    _, image = built_image
    assert in_image(image, "id", "-u").strip() != "0"
    # Nor can it change the installed code.
    probe = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "touch", image, f"/app/src/{PACKAGE}/x.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0


@pytest.mark.slow
def test_the_image_holds_exactly_the_locked_runtime_pins(built_image: tuple[Path, str]) -> None:
    project, image = built_image
    frozen = pins(in_image(image, "python", "-m", "pip", "freeze"))
    locked = pins((project / "requirements.txt").read_text())
    dev_only = pins((project / "requirements-dev.txt").read_text()).keys() - locked.keys()

    assert locked, "requirements.txt has no pins to compare with"
    assert frozen == locked
    assert dev_only, "requirements-dev.txt should add dev tools"
    assert not dev_only & frozen.keys()


@pytest.mark.slow
def test_the_image_leaves_out_data_secrets_tests_and_git(built_image: tuple[Path, str]) -> None:
    _, image = built_image
    found = in_image(
        image,
        "find", "/", "-xdev",
        "(", "-name", "customers.csv", "-o", "-name", ".env", "-o", "-name", ".git",
        "-o", "-name", "test_*.py", "-path", "/app/*", "-o", "-path", "/root/.cache/pip", ")",
        "-print",
        user="0",
    )  # fmt: skip
    assert found.strip() == ""
    app_files = in_image(image, "find", "/app", "-type", "f", "-not", "-name", "*.pyc").split()
    assert sorted(app_files) == sorted(
        f"/app/src/{PACKAGE}/{name}"
        for name in ("__init__.py", "__main__.py", "pipeline.py", "sample_data/sales.csv")
    )


@pytest.mark.slow
def test_a_code_only_change_rebuilds_from_the_cached_dependency_layer(
    built_image: tuple[Path, str], base_image: str, index_env: dict[str, str], tmp_path: Path
) -> None:
    original, old_image = built_image
    project = copy_project(original, tmp_path / "sales-forecast")
    main = project / "src" / PACKAGE / "__main__.py"
    main.write_text(main.read_text().replace("Revenue by region", "Revenue per region"))

    started = time.monotonic()
    result = make(
        project, "docker-build", *build_args(base_image, image_tag("code-change")), env=index_env
    )
    seconds = time.monotonic() - started
    print(f"image rebuild after a code-only change: {seconds:.1f} s")

    # The build output says the pip install step came from cache ...
    step = result.stdout.split("pip install --no-deps --require-hashes", 1)[1]
    next_step = step.split("\nStep ", 1)[0] if "\nStep " in step else step[:400]
    assert any(marker in next_step for marker in CACHED_MARKERS), result.stdout
    # ... and the images share every layer but the last, the package's.
    new_image = f"{IMAGE_REPOSITORY}:{image_tag('code-change')}"
    old_layers = inspect_image(old_image)["RootFS"]["Layers"]
    new_layers = inspect_image(new_image)["RootFS"]["Layers"]
    assert old_layers[:-1] == new_layers[:-1]
    assert old_layers[-1] != new_layers[-1]
    # And the new code is what runs.
    assert "Revenue per region" in in_image(new_image, "python", "-m", PACKAGE)


def tamper_with_tzdata(text: str) -> str:
    """As if the file on the index had been swapped: none of tzdata's hashes match."""
    entry = requirement_blocks(text).get("tzdata")
    assert entry, "the standard lock should pin tzdata"
    tampered = re.sub(
        r"sha256:([0-9a-f])", lambda m: "sha256:" + ("0" if m[1] != "0" else "1"), entry
    )
    return text.replace(entry, tampered)


def add_an_unpinned_package(text: str) -> str:
    """A hand-added line without version or hash, as a hurried fix might add."""
    return text + "six\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (tamper_with_tzdata, "THESE PACKAGES DO NOT MATCH THE HASHES"),
        (add_an_unpinned_package, "all requirements must have their versions pinned with =="),
    ],
    ids=["tampered-hash", "unpinned-package"],
)
def test_a_lock_that_is_not_exactly_hashed_fails_the_build(
    built_image: tuple[Path, str],
    base_image: str,
    index_env: dict[str, str],
    tmp_path: Path,
    change,
    message: str,
) -> None:
    original, _ = built_image
    project = copy_project(original, tmp_path / "sales-forecast")
    lock = project / "requirements.txt"
    lock.write_text(change(lock.read_text()))

    tag = image_tag(f"bad-lock-{change.__name__}".replace("_", "-"))
    # make docker-build refuses before Docker starts: the lock's own
    # fingerprint shows the hand edit.
    result = make(project, "docker-build", *build_args(base_image, tag), env=index_env, check=False)
    assert result.returncode != 0
    assert "requirements.txt was edited by hand" in result.stderr
    # And the image itself refuses it too, for a build that skips make.
    direct = ["docker", "build", "--force-rm", "--tag", f"{IMAGE_REPOSITORY}:{tag}"]
    direct += ["--build-arg", f"BASE_IMAGE={base_image}", "."]
    result = run(direct, cwd=project, env=index_env, check=False)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    missing = subprocess.run(
        ["docker", "image", "inspect", f"{IMAGE_REPOSITORY}:{tag}"],
        capture_output=True,
        check=False,
    )
    assert missing.returncode != 0, "a failed build must not leave a tagged image"


# ---------------------------------------------------------------- freeze-from-image
@pytest.mark.slow
def test_freeze_from_image_recovers_the_pins_of_an_image_built_before_a_dependency_change(
    built_image: tuple[Path, str], index_env: dict[str, str], tmp_path: Path
) -> None:
    original, old_image = built_image
    project = copy_project(original, tmp_path / "sales-forecast")
    lock = project / "requirements.txt"
    old_pins = pins(lock.read_text())
    # The dependency change: tzdata moved on in the lock after the image was built.
    changed = re.sub(r"^tzdata==\S+", "tzdata==2099.1", lock.read_text(), flags=re.MULTILINE)
    lock.write_text(changed)

    result = make(project, "freeze-from-image", f"IMAGE={old_image}", env=index_env)

    recovered = project / "requirements.recovered.txt"
    assert pins(recovered.read_text()) == old_pins
    assert f"tzdata: {old_pins['tzdata']} -> 2099.1" in result.stdout
    assert lock.read_text() == changed, "the lock itself is never rewritten"

    custom = make(
        project, "freeze-from-image", f"IMAGE={old_image}", "OUTPUT=pins-v1.txt", env=index_env
    )
    assert pins((project / "pins-v1.txt").read_text()) == old_pins, custom.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("", "name the image to read: make freeze-from-image IMAGE=<ref>"),
        (f"{IMAGE_REPOSITORY}:never-built", "is not here and could not be pulled"),
        ("BASE", "has Python but no pip"),
    ],
    ids=["no-image-named", "image-does-not-exist", "image-without-pip"],
)
def test_freeze_from_image_refuses_bad_input_and_writes_nothing(
    standard_project: Path, base_image: str, index_env: dict[str, str], image: str, message: str
) -> None:
    image = base_image if image == "BASE" else image  # the stand-in has python3 but no pip
    before = sorted(path.name for path in standard_project.iterdir())

    result = make(
        standard_project, "freeze-from-image", f"IMAGE={image}", env=index_env, check=False
    )

    assert result.returncode != 0
    assert message in result.stderr
    assert "Nothing was written" in result.stderr
    assert sorted(path.name for path in standard_project.iterdir()) == before


# ---------------------------------------------------------------- no Docker to talk to
# Make checks for Docker before anything reads the locks, so these need none:
# a project just rendered is enough (and keeps them fast, with no index).
@pytest.fixture
def rendered_project(tmp_path: Path) -> Path:
    return render(tmp_path / "sales-forecast", **STANDARD_ANSWERS)


def test_docker_build_without_docker_says_how_to_get_it(
    rendered_project: Path, index_env: dict[str, str]
) -> None:
    result = make(
        rendered_project,
        "docker-build",
        "DOCKER=docker-is-not-installed",
        env=index_env,
        check=False,
    )
    assert result.returncode != 0
    assert "'docker-is-not-installed' was not found: install Docker" in result.stderr


def test_docker_build_with_the_daemon_down_says_so(
    rendered_project: Path, index_env: dict[str, str], tmp_path: Path
) -> None:
    if shutil.which("docker") is None:
        unavailable(f"Docker tests: {docker_problem()}")
    env = {**index_env, "DOCKER_HOST": f"unix://{tmp_path}/no-daemon.sock"}
    for target in ("docker-build", "docker-run", "freeze-from-image"):
        result = make(rendered_project, target, "IMAGE=anything:1", env=env, check=False)
        assert result.returncode != 0
        assert "the Docker daemon is not answering" in result.stderr, target
    assert not (rendered_project / "requirements.recovered.txt").exists()


@pytest.mark.slow
def test_docker_run_before_docker_build_says_what_to_build(
    standard_project: Path, base_image: str, index_env: dict[str, str]
) -> None:
    result = make(
        standard_project,
        "docker-run",
        f"IMAGE_NAME={IMAGE_REPOSITORY}",
        "IMAGE_TAG=never-built",
        env=index_env,
        check=False,
    )
    assert result.returncode != 0
    assert "build it with make docker-build IMAGE_TAG=never-built" in result.stderr


# ---------------------------------------------------------------- docker switched off
def test_without_docker_the_project_has_no_image_files_or_targets(tmp_path: Path) -> None:
    project = render(tmp_path / "no-docker", **{**STANDARD_ANSWERS, "docker": False})
    for name in (
        ".dockerignore",
        "Dockerfile",
        "tools/freeze_from_image.py",
        "tools/require_docker.sh",
    ):
        assert not (project / name).exists(), name
    makefile = (project / "Makefile").read_text()
    for target in ("docker-build", "docker-run", "freeze-from-image"):
        assert target not in makefile
    help_text = run(["make", "help"], cwd=project).stdout
    assert "docker" not in help_text.lower()
