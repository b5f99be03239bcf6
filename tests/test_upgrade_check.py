"""`make upgrade-check`: today's releases tried in a scratch copy, the committed locks untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support.commands import make
from support.lock_files import HELD_BACK, LOCK_FILES

pytestmark = pytest.mark.slow


@pytest.fixture
def project_one_release_behind(
    installed_project: Path,
    held_back_locks: Path,
    resolving_env: dict[str, str],
    tmp_path: Path,
) -> tuple[Path, dict[str, str]]:
    """An installed project whose committed locks hold tzdata at an old release,
    as a lock from last year would."""
    for lock in LOCK_FILES:
        shutil.copy2(held_back_locks / lock, installed_project / lock)
    scratch_tmp = tmp_path / "tmp"
    scratch_tmp.mkdir()
    return installed_project, {**resolving_env, "TMPDIR": str(scratch_tmp)}


def assert_scratch_copy_removed(output: str, env: dict[str, str]) -> None:
    match = re.search(r"scratch copy: (\S+)", output)
    assert match, "upgrade-check does not say where it works"
    scratch = Path(match.group(1))
    assert scratch.is_relative_to(env["TMPDIR"]), "the scratch copy is not in a temporary folder"
    assert not scratch.exists(), "the scratch copy was left behind"
    assert list(Path(env["TMPDIR"]).glob("upgrade-check-*")) == []


def locks(project: Path) -> dict[str, bytes]:
    return {name: (project / name).read_bytes() for name in LOCK_FILES}


def test_upgrade_check_reports_the_moved_pins_and_passing_tests_without_touching_the_locks(
    project_one_release_behind: tuple[Path, dict[str, str]], tmp_path: Path
):
    project, env = project_one_release_behind
    before = locks(project)
    venv_before = sorted(path.name for path in (project / ".venv").rglob("*.dist-info"))
    # Where the weekly CI job asks for the upgraded locks, to open its pull request.
    output = tmp_path / "upgrade"

    result = make(project, "upgrade-check", f"UPGRADE_CHECK_OUTPUT={output}", env=env)

    assert locks(project) == before, "upgrade-check rewrote the committed locks"
    assert sorted(path.name for path in (project / ".venv").rglob("*.dist-info")) == venv_before
    out = result.stdout
    name, version = HELD_BACK
    assert "== Pin changes (package old -> new)" in out
    changed = [line.strip() for line in out.splitlines() if line.strip().startswith(f"{name} ")]
    assert changed and changed[0].startswith(f"{name} {version} -> "), out
    assert "== Unified diff of the locks" in out
    assert f"-{name}=={version}" in out
    assert "--hash=" not in out.split("== Unified diff")[1], "hash lines clutter the diff"
    assert "== Test result: PASSED" in out
    # The copy's make dev sets up git without a word about it: it is not the user's folder.
    assert "git init" not in out + result.stderr
    assert_scratch_copy_removed(out, env)

    upgraded = (output / "requirements.txt").read_text()
    assert f"\n{name}=={version} " not in upgraded and f"\n{name}==" in upgraded
    assert "--hash=sha256:" in upgraded
    report = (output / "report.md").read_text()
    assert "PASSED" in report and f"{name} {version} -> " in report


def test_upgrade_check_with_no_pin_to_move_says_so_and_installs_and_tests_nothing(
    installed_project: Path, resolving_env: dict[str, str], tmp_path: Path
):
    # The session's locks were made today: today's releases move none of them.
    env = {**resolving_env, "TMPDIR": str(tmp_path / "tmp")}
    Path(env["TMPDIR"]).mkdir()
    before = locks(installed_project)
    venv_before = sorted(path.name for path in (installed_project / ".venv").rglob("*"))
    output = tmp_path / "upgrade"

    result = make(installed_project, "upgrade-check", f"UPGRADE_CHECK_OUTPUT={output}", env=env)

    out = result.stdout
    assert "== No pin moved: today's releases change nothing for this project" in out, out
    # Only the sections that ran: the locks compiled, nothing installed, no tests.
    for skipped in ("== make dev", "== make test", "== Pin changes", "== Test result"):
        assert skipped not in out, out
    assert not re.search(r"^ *\[ *1/\d+\]", out, re.MULTILINE), "the copy installed packages"
    assert "git init" not in out + result.stderr
    assert locks(installed_project) == before
    assert sorted(path.name for path in (installed_project / ".venv").rglob("*")) == venv_before
    assert_scratch_copy_removed(out, env)
    # The weekly job's summary says so, and its pull-request job gets the
    # committed locks back: nothing to propose.
    assert "**Result:** No pin moved" in (output / "report.md").read_text()
    assert {name: (output / name).read_bytes() for name in LOCK_FILES} == before


def test_upgrade_check_fails_loudly_with_the_pin_diff_when_the_new_releases_break_the_tests(
    project_one_release_behind: tuple[Path, dict[str, str]],
):
    project, env = project_one_release_behind
    name, version = HELD_BACK
    # A test that only holds for the old release: the upgrade breaks it.
    (project / "tests" / "test_relies_on_old_release.py").write_text(
        "from importlib.metadata import version\n\n\n"
        f"def test_the_old_{name}():\n"
        f'    assert version("{name}") == "{version}"\n'
    )
    before = locks(project)

    result = make(project, "upgrade-check", env=env, check=False)

    assert result.returncode != 0
    assert locks(project) == before
    assert "== Test result: FAILED" in result.stdout
    assert f"{name} {version} -> " in result.stdout, "the failure does not show the pin diff"
    assert_scratch_copy_removed(result.stdout, env)
