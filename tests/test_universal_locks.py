"""A uv-engine lock holds on every platform a team uses, proven per platform.

pip's `--platform` does not evaluate environment markers; uv's
`--python-platform` does. So for each of the five targets, at the project's
Python: the lock installs (a dry run, hashes required, no dependencies
resolved beyond the lock), and it holds every package that resolving the same
.in files for that platform alone needs, at the same version. The Docker image
built from such a lock holds exactly its Linux part, and `make freeze-from-image`
says so.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from filelock import FileLock
from lockstep.pip_config import pip_settings, uv_index_environment
from lockstep.platforms import COMPILE_COMMAND, current_platform
from support.commands import make, run
from support.git import git_commit_all
from support.images import IMAGE_REPOSITORY, build_args, image_tag, in_image
from support.lock_files import LOCK_FILES, normalize, pins
from support.project import DEFAULT_ANSWERS, PYTHON_VERSION, locked_once

pytestmark = pytest.mark.slow

UV = str(Path(sys.executable).with_name("uv"))
# Our platform names (as a pip-tools lock records them) -> uv's target triples.
TARGETS = {
    "linux-x86_64": "x86_64-unknown-linux-gnu",
    "linux-aarch64": "aarch64-unknown-linux-gnu",
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "windows-x86_64": "x86_64-pc-windows-msvc",
}


@pytest.fixture(scope="session")
def uv_environment(index_env: dict[str, str]) -> dict[str, str]:
    """This machine's pip settings for uv, as the uv engine hands them over."""
    added, _ = uv_index_environment(pip_settings(sys.executable, index_env), index_env)
    return {**index_env, **added, "UV_CUSTOM_COMPILE_COMMAND": COMPILE_COMMAND}


@pytest.fixture(scope="session")
def default_uv_locks(shared_tmp: Path, index_env: dict[str, str]) -> Path:
    """The default project (Jupyter kernel, Docker and all) locked by the uv engine."""
    answers = {**DEFAULT_ANSWERS, "lock_engine": "uv"}
    return locked_once(shared_tmp, "default-uv-locks", answers, index_env)


def planned_install(
    project: Path, target: str, locks: tuple[str, ...], env: dict[str, str], scratch: Path
) -> dict[str, str]:
    """What installing the locks on `target` would put there: a dry run, hashes required."""
    command = [UV, "pip", "install", "--dry-run", "--quiet", "--no-deps", "--require-hashes"]
    command += ["--python-platform", target, "--python-version", PYTHON_VERSION]
    command += ["--target", str(scratch / target), "--output-format", "json"]
    for lock in locks:
        command += ["-r", lock]
    planned = json.loads(run(command, cwd=project, env=env).stdout)
    return {normalize(change["name"]): change["version"] for change in planned["changes"]}


def cooldown_cutoff(project: Path) -> str:
    """The cutoff of the project's MIN_RELEASE_AGE, as `make lock` computes it."""
    days = re.search(
        r"^MIN_RELEASE_AGE \?= (\d+)$", (project / "Makefile").read_text(), re.MULTILINE
    )
    moment = datetime.now(timezone.utc) - timedelta(days=int(days.group(1)))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def resolved_for_platform(project: Path, target: str, env: dict[str, str]) -> dict[str, str]:
    """The pins a resolution of the project's .in files for `target` alone needs
    (requirements-dev.in is constrained by the lock, as `make lock` does it)."""
    found: dict[str, str] = {}
    for requirements_in in ("requirements.in", "requirements-dev.in"):
        # --no-config: the project's [tool.uv.pip] asks for a universal
        # resolution; this one must be for `target` alone.
        command = [UV, "pip", "compile", "--quiet", "--no-config", "--no-header", "--no-annotate"]
        command += ["--python-platform", target, "--python-version", PYTHON_VERSION]
        # The same release cooldown the locks were compiled with.
        command += ["--exclude-newer", cooldown_cutoff(project), requirements_in]
        output = run(command, cwd=project, env=env).stdout
        found.update(pins(output))
    return found


@pytest.mark.parametrize("platform", sorted(TARGETS))
def test_the_universal_lock_installs_and_holds_what_the_platform_needs(
    platform: str, default_uv_locks: Path, uv_environment: dict[str, str], tmp_path: Path
) -> None:
    target = TARGETS[platform]
    for lock in LOCK_FILES:
        assert "# resolved-for: universal" in (default_uv_locks / lock).read_text()
    planned = planned_install(default_uv_locks, target, LOCK_FILES, uv_environment, tmp_path)
    needed = resolved_for_platform(default_uv_locks, target, uv_environment)

    assert needed, "the platform's own resolution found no packages"
    different = {
        name: (version, planned.get(name, "missing"))
        for name, version in needed.items()
        if planned.get(name) != version
    }
    assert not different, f"{platform}: needed version vs the lock's: {different}"
    # The packages only some platforms need are carried with their markers.
    assert ("appnope" in planned) == platform.startswith("macos")
    assert ("colorama" in planned) == platform.startswith("windows")


def test_a_pip_tools_lock_lacks_what_other_platforms_need(
    standard_locks: Path, uv_environment: dict[str, str]
) -> None:
    """The gap the uv engine closes: pip-compile on Linux leaves Windows' colorama out."""
    lock_text = (standard_locks / "requirements-dev.txt").read_text()
    assert f"# resolved-for: {current_platform()}" in lock_text
    windows = TARGETS["windows-x86_64"]
    needed = resolved_for_platform(standard_locks, windows, uv_environment)
    assert "colorama" in needed
    assert "colorama" not in pins(lock_text)


# ---------------------------------------------------------------- the image
@pytest.fixture(scope="session")
def uv_built_image(
    shared_tmp: Path,
    base_image: str,
    uv_standard_locks: Path,
    index_env: dict[str, str],
) -> tuple[Path, str]:
    """The standard project on the uv engine, and its image from `make docker-build`.

    Its requirements.in adds tqdm, which needs colorama on Windows only: the
    lock carries colorama with a marker, the image has none.
    """
    project = shared_tmp / "uv-docker-project"
    image = f"{IMAGE_REPOSITORY}:{image_tag('uv-engine')}"
    with FileLock(str(shared_tmp / "uv-docker-project.lock")):
        if not (project / ".built").exists():
            shutil.rmtree(project, ignore_errors=True)
            shutil.copytree(
                uv_standard_locks, project, ignore=shutil.ignore_patterns(".venv", ".complete")
            )
            with (project / "requirements.in").open("a") as requirements_in:
                requirements_in.write("tqdm\n")
            make(project, "lock", env=index_env)
            git_commit_all(project)
            make(
                project,
                "docker-build",
                *build_args(base_image, image_tag("uv-engine")),
                env=index_env,
            )
            (project / ".built").touch()
    return project, image


def test_the_image_from_a_universal_lock_holds_exactly_its_linux_part(
    uv_built_image: tuple[Path, str], uv_environment: dict[str, str], tmp_path: Path
) -> None:
    project, image = uv_built_image
    frozen = pins(in_image(image, "python", "-m", "pip", "freeze"))
    linux = planned_install(
        project, TARGETS["linux-x86_64"], ("requirements.txt",), uv_environment, tmp_path
    )
    assert linux, "the lock's Linux part is empty"
    assert frozen == linux
    # The image installs with plain pip: no uv in it.
    assert "uv" not in frozen


def test_freeze_from_image_counts_only_the_lock_entries_for_the_image_platform(
    uv_built_image: tuple[Path, str], index_env: dict[str, str], tmp_path: Path
) -> None:
    original, image = uv_built_image
    project = Path(shutil.copytree(original, tmp_path / "sales-forecast", symlinks=True))
    lock = project / "requirements.txt"
    assert re.search(r"^colorama==\S+ ; sys_platform == 'win32'", lock.read_text(), re.MULTILINE)

    faithful = make(project, "freeze-from-image", f"IMAGE={image}", env=index_env).stdout
    assert "The image holds exactly the pins of requirements.txt." in faithful
    assert "colorama" not in faithful
    assert "for other platforms or Pythons, not counted: 1." in faithful

    # A real difference is still reported, and so are entries whose markers hold on Linux.
    tzdata = pins(lock.read_text())["tzdata"]
    changed = re.sub(r"^tzdata==\S+", "tzdata==2099.1", lock.read_text(), flags=re.MULTILINE)
    lock.write_text(changed + "linux-only==1.0 ; sys_platform == 'linux'\n")
    differences = make(project, "freeze-from-image", f"IMAGE={image}", env=index_env).stdout
    assert f"  ~ tzdata: {tzdata} -> 2099.1" in differences
    assert "+ linux-only==1.0 (only in requirements.txt)" in differences
    assert "colorama" not in differences
