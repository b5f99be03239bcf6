"""The release cooldown (min_release_age, MIN_RELEASE_AGE) against the real
index's upload times, with both engines.

six is the real history used: 1.16.0 was uploaded on 2021-05-05 and 1.17.0
on 2024-12-04, so a cutoff of 2024-06-01 must take 1.16.0, and no cutoff
1.17.0 (or newer). The project's dev tools are cut down to the engine (and
the build backend and the hook runner make dev needs), so each compile takes seconds."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lockstep.lockfile import pins
from support.commands import make, user_environment
from support.lock_files import LOCK_FILES as LOCKS
from support.project import render

pytestmark = pytest.mark.slow

CUTOFF = datetime(2024, 6, 1, tzinfo=timezone.utc)
# The cooldown, in days, that puts the cutoff on CUTOFF's day.
DAYS_TO_CUTOFF = (datetime.now(timezone.utc) - CUTOFF).days


@pytest.fixture
def index_with_upload_times() -> dict[str, str]:
    """The real index alone: this machine's pip configuration adds local
    folders, whose files carry no upload time, so no cutoff could hold there."""
    environment = user_environment()
    environment.pop("PIP_FIND_LINKS", None)
    return {**environment, "PIP_CONFIG_FILE": os.devnull}


def small_project(tmp_path: Path, engine: str, **answers: object) -> Path:
    project = render(tmp_path / "project", lock_engine=engine, ci="none", docker=False, **answers)
    (project / "requirements.in").write_text("six\n")
    (project / "requirements-dev.in").write_text(
        f"-c requirements.txt\n{engine}\nhatchling\npre-commit\n"
    )
    return project


@pytest.mark.parametrize("engine", ["pip-tools", "uv"])
def test_the_cooldown_leaves_out_releases_after_the_cutoff_unless_asked_for_by_name(
    tmp_path: Path, engine: str, index_with_upload_times: dict[str, str]
) -> None:
    # The answer sets the project's cooldown: no MIN_RELEASE_AGE on the command line.
    project = small_project(tmp_path, engine, min_release_age=DAYS_TO_CUTOFF)
    assert f"MIN_RELEASE_AGE ?= {DAYS_TO_CUTOFF}\n" in (project / "Makefile").read_text()
    locked = make(project, "lock", env=index_with_upload_times)
    assert f"leaving out releases uploaded after {CUTOFF:%Y-%m-%d}" in locked.stdout
    runtime = pins((project / "requirements.txt").read_text())
    assert runtime == {"six": "1.16.0"}
    dev_before = pins((project / "requirements-dev.txt").read_text())

    # A release younger than the cooldown is taken when the user names the package.
    upgraded = make(project, "upgrade-package", "P=six", env=index_with_upload_times)
    assert pins((project / "requirements.txt").read_text())["six"] != "1.16.0"
    dev_after = pins((project / "requirements-dev.txt").read_text())
    moved = {name for name in dev_before if dev_after.get(name) != dev_before[name]}
    assert moved == {"six"} & set(dev_before)
    if engine == "uv":
        assert "not for six, asked for by name" in upgraded.stdout
    else:  # pip has one cutoff for all: the run says it is lifted, and why
        assert "not applied: pip's cutoff holds for every package" in upgraded.stdout


@pytest.mark.parametrize("engine", ["pip-tools", "uv"])
def test_without_a_cooldown_a_fresh_lock_takes_the_newest_release(
    tmp_path: Path, engine: str, index_with_upload_times: dict[str, str]
) -> None:
    project = small_project(tmp_path, engine)
    locked = make(project, "lock", "MIN_RELEASE_AGE=0", env=index_with_upload_times)
    assert "Cooldown" not in locked.stdout
    six = pins((project / "requirements.txt").read_text())["six"]
    assert tuple(map(int, six.split("."))) >= (1, 17, 0)


@pytest.mark.parametrize("engine", ["pip-tools", "uv"])
def test_a_cooldown_that_leaves_nothing_installable_names_the_package_and_its_newest_old_release(
    tmp_path: Path, engine: str, index_with_upload_times: dict[str, str]
) -> None:
    project = small_project(tmp_path, engine)
    (project / "requirements.in").write_text("six>1.16.0\n")
    refused = make(
        project,
        "lock",
        f"MIN_RELEASE_AGE={DAYS_TO_CUTOFF}",
        env=index_with_upload_times,
        check=False,
    )
    assert refused.returncode != 0
    assert "the newest six old enough is 1.16.0" in refused.stderr
    assert "make lock MIN_RELEASE_AGE=0" in refused.stderr
    assert not (project / "requirements.txt").exists()
    assert not (project / "requirements-dev.txt").exists()


@pytest.mark.parametrize("days", ["-1", "seven", "1.5"])
def test_a_cooldown_that_is_not_a_number_of_days_is_refused_before_anything_runs(
    tmp_path: Path, days: str, index_with_upload_times: dict[str, str]
) -> None:
    project = small_project(tmp_path, "pip-tools")
    files_before = sorted(path.name for path in project.iterdir())
    refused = make(
        project, "lock", f"MIN_RELEASE_AGE={days}", env=index_with_upload_times, check=False
    )
    assert refused.returncode != 0
    assert f"MIN_RELEASE_AGE={days!r} is not a number of days" in refused.stderr
    assert "0 turns the cooldown off" in refused.stderr
    assert sorted(path.name for path in project.iterdir() if path.name != ".venv") == files_before


# What a fresh `pandas` lock resolved to at the end of 2024-06-01, two weeks
# before NumPy 2.0.0 (2024-06-16): pandas 2.2.2 (2024-04-10) on NumPy 1.26.4.
BEFORE_NUMPY_2 = {"pandas": "2.2.2", "numpy": "1.26.4"}


@pytest.mark.parametrize("engine", ["pip-tools", "uv"])
def test_as_of_resolves_the_runtime_lock_as_it_was_that_day_and_the_dev_lock_follows(
    tmp_path: Path, engine: str, index_with_upload_times: dict[str, str]
) -> None:
    project = small_project(tmp_path, engine)
    (project / "requirements.in").write_text("pandas\n")
    make(project, "lock", "MIN_RELEASE_AGE=0", env=index_with_upload_times)
    today = pins((project / "requirements.txt").read_text())
    assert today["numpy"].split(".")[0] != "1"
    dev_before = pins((project / "requirements-dev.txt").read_text())

    back = make(
        project, "lock", "AS_OF=2024-06-01", "MIN_RELEASE_AGE=0", env=index_with_upload_times
    )
    runtime = pins((project / "requirements.txt").read_text())
    assert {name: runtime[name] for name in BEFORE_NUMPY_2} == BEFORE_NUMPY_2
    assert "resolving afresh as of 2024-06-01 (2024-06-02T00:00:00Z)" in back.stdout
    assert f"numpy {today['numpy']} -> 1.26.4" in back.stdout
    # The dev lock's own pins stay; only what it shares with the runtime lock follows it.
    dev_after = pins((project / "requirements-dev.txt").read_text())
    moved = {name for name in dev_before if dev_after.get(name) != dev_before[name]}
    assert moved <= set(runtime)
    make(project, "check-lock", env=index_with_upload_times)


def test_a_pip_too_old_to_apply_the_cutoff_is_told_and_as_of_is_refused(
    tmp_path: Path, index_with_upload_times: dict[str, str]
) -> None:
    """pip before 26.1 ignores PIP_UPLOADED_PRIOR_TO without a word: a project
    whose dev lock holds pip back hears that its cooldown is off, and AS_OF,
    which would get today's answer, is refused with nothing changed."""
    project = small_project(tmp_path, "pip-tools")
    with (project / "requirements-dev.in").open("a") as handle:
        handle.write("pip<26.1\n")
    make(project, "dev", "MIN_RELEASE_AGE=0", env=index_with_upload_times)
    pip = pins((project / "requirements-dev.txt").read_text())["pip"]
    assert pip.startswith(("25.", "26.0")), pip  # the venv now runs the pinned pip
    with (project / "requirements.in").open("a") as handle:
        handle.write("# an edit, so the next make lock compiles\n")

    cooled = make(project, "lock", "MIN_RELEASE_AGE=30", env=index_with_upload_times)
    assert f"warning: the cooldown is not applied: pip {pip} in .venv ignores it" in cooled.stderr
    assert cooled.stderr.count("warning: the cooldown is not applied") == 1, cooled.stderr
    assert "Cooldown: leaving out releases" not in cooled.stdout  # it would contradict the warning
    before = {lock: (project / lock).read_bytes() for lock in LOCKS}
    refused = make(
        project,
        "lock",
        "AS_OF=2024-06-01",
        "MIN_RELEASE_AGE=0",
        env=index_with_upload_times,
        check=False,
    )
    assert refused.returncode != 0
    assert f"error: AS_OF needs pip 26.1 or newer, and .venv has pip {pip}" in refused.stderr
    assert "make upgrade-package P=pip" in refused.stderr and "Traceback" not in refused.stderr
    assert {lock: (project / lock).read_bytes() for lock in LOCKS} == before


@pytest.mark.parametrize("as_of", ["2999-01-01", "June-2024", "2024-13-01"])
def test_as_of_that_is_not_a_past_day_is_refused_before_anything_runs(
    tmp_path: Path, as_of: str, index_with_upload_times: dict[str, str]
) -> None:
    project = small_project(tmp_path, "pip-tools")
    refused = make(project, "lock", f"AS_OF={as_of}", env=index_with_upload_times, check=False)
    assert refused.returncode != 0
    assert f"AS_OF={as_of!r} is not a past day: give one as YYYY-MM-DD" in refused.stderr
    assert not (project / "requirements.txt").exists()


# The weekly check's scratch copy installs the dev tools its locks pin, so its
# cutoff must leave them recent enough (pip 26.1 reads PIP_UPLOADED_PRIOR_TO):
# certifi 2026.7.22 was uploaded on 2026-07-22, the next release on 2026-10-18.
RECENT_CUTOFF = datetime(2026, 9, 1, tzinfo=timezone.utc)


def test_the_weekly_upgrade_check_honours_the_cooldown_and_lists_what_it_held_back(
    tmp_path: Path, index_with_upload_times: dict[str, str]
) -> None:
    days = (datetime.now(timezone.utc) - RECENT_CUTOFF).days
    project = small_project(tmp_path, "uv", min_release_age=days, dependencies=[], notebooks=False)
    (project / "requirements.in").write_text("certifi\n")
    dev_in = project / "requirements-dev.in"
    dev_in.write_text(dev_in.read_text() + "pytest\n")
    make(project, "lock", env=index_with_upload_times)
    assert pins((project / "requirements.txt").read_text()) == {"certifi": "2026.7.22"}
    committed = {lock: (project / lock).read_bytes() for lock in LOCKS}
    output = tmp_path / "report"

    checked = make(
        project, "upgrade-check", f"UPGRADE_CHECK_OUTPUT={output}", env=index_with_upload_times
    )
    assert "== Held back by the cooldown" in checked.stdout
    assert "  certifi 2026.7.22 (newest: 2026.10" in checked.stdout, checked.stdout
    # The locks were made with the same cooldown a moment ago: nothing to try.
    assert "== No pin moved: today's releases change nothing" in checked.stdout
    # What the check proposes keeps the cooldown; the committed locks are untouched.
    assert pins((output / "requirements.txt").read_text()) == {"certifi": "2026.7.22"}
    assert "### Held back by the cooldown" in (output / "report.md").read_text()
    assert {lock: (project / lock).read_bytes() for lock in LOCKS} == committed
