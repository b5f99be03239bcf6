"""Building: a rendered project's own `make` workflow, run as a user runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.commands import make, run
from support.git import git_commit_all
from support.lock_files import (
    LEAKY_LINE,
    LOCK_FILES,
    assert_failed_lock_changed_nothing,
    break_the_next_compile,
    hashed_pins,
    locked_pins,
    requirement_blocks,
)
from support.project import PYTHON_VERSION, assert_installed_for_development, render

pytestmark = pytest.mark.slow


def venv_imports(project: Path, module: str) -> bool:
    result = subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", f"import {module}"],
        check=False,
        capture_output=True,
    )
    return result.returncode == 0


def test_a_fresh_project_with_default_answers_goes_green_on_first_make_dev(
    tmp_path: Path, index_env: dict[str, str], wheelhouse: Path
):
    # pip configured the way a team behind a private mirror would have it: an
    # extra index and find-links. Neither may leak into the committed locks.
    private_index = tmp_path / "private-index" / "simple"
    private_index.mkdir(parents=True)
    env = {
        **index_env,
        "PIP_EXTRA_INDEX_URL": private_index.as_uri(),
        "PIP_FIND_LINKS": str(wheelhouse),
    }
    project = render(tmp_path / "sales-forecast")

    make(project, "dev", env=env)
    tests = make(project, "test", env=env)
    assert re.search(r"\b5 passed\b", tests.stdout), tests.stdout
    make(project, "lint", env=env)
    output = make(project, "run", env=env).stdout
    assert "north" in output and "85.00" in output

    for name in LOCK_FILES:
        text = (project / name).read_text()
        assert "make lock" in text.split("\n\n")[0], f"{name} header does not say how to relock"
        assert not LEAKY_LINE.search(text), f"{name} carries index or find-links options"
        assert str(private_index) not in text and str(wheelhouse) not in text
        assert (project / name).stat().st_mode & 0o644 == 0o644, f"{name} is not readable by all"
        blocks = requirement_blocks(text)
        assert blocks, f"{name} pins nothing"
        unhashed = [pin for pin, block in blocks.items() if "--hash=sha256:" not in block]
        assert unhashed == [], f"{name}: pins without hashes"
    runtime = requirement_blocks((project / "requirements.txt").read_text())
    dev = requirement_blocks((project / "requirements-dev.txt").read_text())
    assert "pandas" in runtime and "numpy" in runtime
    assert {"pytest", "ruff", "pip-tools", "ipykernel"} <= set(dev)
    assert "pytest" not in runtime


def test_a_second_make_dev_resolves_nothing_and_installs_nothing(
    installed_project: Path, offline_env: dict[str, str]
):
    site_packages = next((installed_project / ".venv" / "lib").glob("python*/site-packages"))
    before = sorted(path.name for path in site_packages.iterdir())
    locks_before = {name: (installed_project / name).read_bytes() for name in LOCK_FILES}
    result = make(installed_project, "dev", env=offline_env)
    # Quiet when there is nothing to do: no resolving, no installing, no
    # output. (make dev always asks tools/locks.py, which compares the
    # fingerprints, so `make -q dev` no longer answers "up to date".)
    assert result.stdout == "" and result.stderr == ""
    assert {name: (installed_project / name).read_bytes() for name in LOCK_FILES} == locks_before
    assert sorted(path.name for path in site_packages.iterdir()) == before


def test_adding_a_package_to_requirements_in_then_make_dev_installs_and_pins_it(
    installed_project: Path, index_env: dict[str, str], wheelhouse: Path
):
    env = {**index_env, "PIP_FIND_LINKS": str(wheelhouse)}
    old_pins = hashed_pins((installed_project / "requirements.txt").read_text())
    with (installed_project / "requirements.in").open("a") as handle:
        handle.write("tabulate\n")
    assert not venv_imports(installed_project, "tabulate")

    make(installed_project, "dev", env=env)

    new_pins = hashed_pins((installed_project / "requirements.txt").read_text())
    assert "tabulate" in new_pins and "--hash=sha256:" in new_pins["tabulate"]
    assert venv_imports(installed_project, "tabulate")
    # Only what was asked for moved: every earlier pin is kept as it was.
    assert {name: new_pins[name] for name in old_pins} == old_pins
    make(installed_project, "check-lock", env=env)


def test_check_lock_names_the_stale_lock_after_an_edit_without_relocking(
    standard_project: Path, index_env: dict[str, str]
):
    make(standard_project, "check-lock", env=index_env)
    with (standard_project / "requirements.in").open("a") as handle:
        handle.write("tabulate\n")
    result = make(standard_project, "check-lock", env=index_env, check=False)
    assert result.returncode != 0
    assert "requirements.txt is stale" in result.stderr
    assert "make lock" in result.stderr
    assert "requirements-dev.txt" not in result.stderr  # its inputs did not change yet


@pytest.mark.parametrize("failure", ["unsatisfiable requirement", "network down"])
def test_a_lock_that_cannot_be_compiled_leaves_the_old_lock_byte_identical(
    installed_project: Path, index_env: dict[str, str], failure: str
):
    env = break_the_next_compile(installed_project, index_env, failure)
    assert_failed_lock_changed_nothing(installed_project, env)


def test_a_missing_interpreter_is_named_by_make_dev_and_make_doctor(
    standard_project: Path, index_env: dict[str, str]
):
    (standard_project / ".python-version").write_text("3.99\n")

    doctor = make(standard_project, "doctor", env=index_env, check=False)
    assert doctor.returncode != 0
    assert "FIX  Python 3.99 (from .python-version) not found" in doctor.stdout
    assert "pyenv install 3.99" in doctor.stdout

    dev = make(standard_project, "dev", env=index_env, check=False)
    assert dev.returncode != 0
    assert "Python 3.99 (from .python-version) was not found" in dev.stderr
    assert "uv python install 3.99" in dev.stderr
    assert not (standard_project / ".venv").exists()


def other_python() -> str | None:
    """An installed interpreter of another minor version, if this machine has one."""
    for minor in ("3.12", "3.10", "3.13", "3.11"):
        if minor == PYTHON_VERSION:
            continue
        for candidate in sorted(Path.home().glob(f".pyenv/versions/{minor}.*/bin/python{minor}")):
            return str(candidate)
        if found := shutil.which(f"/usr/bin/python{minor}"):
            return found
    return None


def test_a_venv_made_with_another_python_version_is_rebuilt(
    standard_project: Path, index_env: dict[str, str]
):
    other = other_python()
    if other is None:
        pytest.skip("no interpreter of another minor version on this machine")
    run([other, "-m", "venv", "--without-pip", ".venv"], cwd=standard_project)

    result = make(standard_project, "venv", env=index_env)

    assert f"was not made for Python {PYTHON_VERSION}" in result.stdout
    version = run(
        [
            str(standard_project / ".venv/bin/python"),
            "-c",
            "import sys; print('%d.%d' % sys.version_info[:2])",
        ],
        cwd=standard_project,
    )
    assert version.stdout.strip() == PYTHON_VERSION


def test_a_fresh_clone_installs_its_committed_locks_without_changing_them(
    standard_project: Path, offline_env: dict[str, str], tmp_path: Path
):
    git_commit_all(standard_project)
    clone = tmp_path / "clone"
    run(["git", "clone", "--quiet", str(standard_project), str(clone)], cwd=tmp_path)

    result = make(clone, "dev", env=offline_env)

    assert "Resolving" not in result.stdout
    assert run(["git", "status", "--porcelain"], cwd=clone).stdout == ""
    # The venv gets the pip the lock pins, hash-checked, before the sync (not
    # Python's bundled pip, replaced a moment later): the sync leaves it be.
    pinned_pip = locked_pins(clone)["pip"]
    pip = run([".venv/bin/python", "-m", "pip", "--version"], cwd=clone).stdout
    assert pip.startswith(f"pip {pinned_pip} "), pip
    assert not re.search(r"^\s+\[\s*\d+/\d+\] pip==", result.stdout, re.MULTILINE), result.stdout
    make(clone, "test", env=offline_env)


def test_make_prod_keeps_runtime_packages_only_and_make_dev_brings_tools_back(
    installed_project: Path, offline_env: dict[str, str]
):
    # No side copy of packaging, as after a project's first make lock (which
    # installs pip-tools, and packaging with it, into the venv).
    shutil.rmtree(installed_project / ".venv" / "tools" / "lockstep", ignore_errors=True)
    make(installed_project, "prod", env=offline_env)
    assert venv_imports(installed_project, "pandas")
    assert not venv_imports(installed_project, "pytest")
    assert not venv_imports(installed_project, "packaging")
    # make doctor then needs no index: the sync kept the venv's packaging aside.
    no_index = {**offline_env, "PIP_FIND_LINKS": ""}
    doctor = make(installed_project, "doctor", env=no_index, check=False).stdout
    unsynced = r"^FIX  venv: .*missing or at another version: .*run make dev"
    assert re.search(unsynced, doctor, re.MULTILINE), doctor
    assert "Installing packaging" not in doctor, doctor
    make(installed_project, "dev", env=offline_env)
    assert venv_imports(installed_project, "pytest")


def test_the_project_is_installed_for_development_and_make_prod_keeps_it(
    installed_project: Path, offline_env: dict[str, str]
):
    assert_installed_for_development(installed_project)
    pyproject = installed_project / "pyproject.toml"
    pyproject.write_text(
        re.sub(r"(?m)^description = .*$", 'description = "Renamed"', pyproject.read_text())
    )

    make(installed_project, "prod", env=offline_env)

    assert not venv_imports(installed_project, "hatchling")  # the backend went with the dev tools
    assert_installed_for_development(installed_project)
    # Installed again for the new pyproject.toml, so its metadata is current.
    code = "import importlib.metadata as m; print(m.metadata('sales-forecast')['Summary'])"
    summary = run([".venv/bin/python", "-c", code], cwd=installed_project).stdout
    assert summary.strip() == "Renamed"


def test_upgrade_package_without_a_name_says_how_to_call_it(
    installed_project: Path, offline_env: dict[str, str]
):
    result = make(installed_project, "upgrade-package", env=offline_env, check=False)
    assert result.returncode != 0
    assert "make upgrade-package P=<name>" in result.stderr
