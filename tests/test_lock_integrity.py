"""The lock's promise in a real team's workflow: what .venv holds equals the
locks, the locks match their .in files, and pins move only when asked.

Each scenario is an everyday accident (a merge, a hand edit, Ctrl-C, a
lagging mirror, an odd path), run through `make` as a user runs it; each ends
with the promise kept or a refusal that names the problem and the fix, and
nothing lost.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.ci import unavailable
from support.commands import make, run
from support.git import git, git_commit_all
from support.lock_files import (
    COMPILE_SUMMARY,
    LOCK_FILES,
    PIN_CHANGE,
    assert_venv_holds_exactly_the_locks,
    locked_pins,
    without_index,
)
from support.project import (
    PYTHON_VERSION,
    STANDARD_ANSWERS,
    TEMPLATE_ROOT,
    assert_installed_for_development,
    render,
)


def lock_bytes(project: Path) -> dict[str, bytes]:
    return {name: (project / name).read_bytes() for name in LOCK_FILES}


def leftovers(project: Path) -> list[str]:
    """Temporary files a lock run must never leave behind."""
    return sorted(
        path.name
        for path in [*project.glob(".requirements*"), *project.glob(".venv/.*bootstrap*")]
        if path.is_file()
    )


def append(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)


def commit_everything_unchecked(project: Path) -> None:
    """The project as first committed (make dev made it a repository); the
    hooks' own passing on a fresh project is test_hooks.py's business."""
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "--no-verify", "-m", "Project from template")


def test_no_file_of_a_project_lists_the_lock_pairs_again():
    """tools/locks.py knows the pairs; the Makefile, doctor and hooks ask it."""
    pairs = "requirements.in requirements.txt requirements-dev.in requirements-dev.txt"
    for path in (TEMPLATE_ROOT / "template").rglob("*"):
        if path.is_file():
            assert pairs not in path.read_text(errors="replace"), path


# ---------------------------------------------------------------- stale and edited locks
@pytest.mark.slow
def test_a_lock_kept_with_ours_after_a_merge_is_recompiled_by_make_dev(
    installed_project: Path, index_env: dict[str, str], wheelhouse: Path
):
    env = {**index_env, "PIP_FIND_LINKS": str(wheelhouse)}
    append(installed_project / "requirements.in", "tabulate\n")
    # `git checkout --ours requirements.txt` leaves the lock newer than its input.
    future = time.time() + 60
    os.utime(installed_project / "requirements.txt", (future, future))

    result = make(installed_project, "dev", env=env)

    assert "Resolving requirements.txt from requirements.in" in result.stdout
    summary = next(COMPILE_SUMMARY.finditer(result.stdout))
    assert summary.group(1) == "requirements.txt" and summary.group(3), result.stdout
    changes = result.stdout[summary.end() + 1 :].splitlines()[: int(summary.group(3))]
    assert all(PIN_CHANGE.match(line) for line in changes), changes
    assert "+ tabulate" in result.stdout
    assert "tabulate" in locked_pins(installed_project)
    assert_venv_holds_exactly_the_locks(installed_project)
    make(installed_project, "check-lock", env=env)


@pytest.mark.slow
def test_a_hand_edited_lock_is_named_by_check_lock_the_hook_and_doctor_then_rewritten(
    installed_project: Path, index_env: dict[str, str]
):
    project = installed_project
    commit_everything_unchecked(project)
    pinned = locked_pins(project)
    runtime = (project / "requirements.txt").read_text()
    first_hash = re.search(r"--hash=sha256:([0-9a-f]{64})", runtime).group(1)
    (project / "requirements.txt").write_text(runtime.replace(first_hash, "0" * 64, 1))
    dev = (project / "requirements-dev.txt").read_text()
    (project / "requirements-dev.txt").write_text(
        re.sub(r"^ruff==\S+", "ruff==0.0.1", dev, count=1, flags=re.MULTILINE)
    )

    check = make(project, "check-lock", env=index_env, check=False)
    assert check.returncode != 0
    for lock in LOCK_FILES:
        assert f"{lock} was edited by hand" in check.stderr, check.stderr
    assert "make lock" in check.stderr

    doctor = make(project, "doctor", env=index_env, check=False)
    assert "FIX  locks" in doctor.stdout
    assert "requirements-dev.txt was edited by hand" in doctor.stdout

    git(project, "add", "requirements-dev.txt")
    hook = git(project, "commit", "-m", "bump ruff by hand", check=False)
    assert hook.returncode != 0
    assert "requirements-dev.txt was edited by hand" in hook.stdout + hook.stderr

    lock = make(project, "lock", env=index_env)
    assert "was edited by hand: rewriting it" in lock.stdout
    make(project, "check-lock", env=index_env)
    assert locked_pins(project) == pinned
    assert "0" * 64 not in (project / "requirements.txt").read_text()


@pytest.mark.slow
def test_two_branches_that_each_added_a_dependency_merge_and_make_lock_recovers(
    standard_project: Path, index_env: dict[str, str]
):
    project = standard_project
    git_commit_all(project)
    base = locked_pins(project)
    for branch, package in (("add-tabulate", "tabulate"), ("add-toolz", "toolz")):
        git(project, "checkout", "--quiet", "main")
        git(project, "checkout", "--quiet", "-b", branch)
        append(project / "requirements.in", f"{package}\n")
        make(project, "lock", env=index_env)
        git(project, "commit", "--quiet", "--no-verify", "-am", f"Add {package}")
    git(project, "checkout", "--quiet", "main")
    git(project, "merge", "--quiet", "--no-edit", "add-tabulate")
    merge = git(project, "merge", "--no-edit", "add-toolz", check=False)
    assert merge.returncode != 0, "the second merge was expected to conflict"
    assert "<<<<<<<" in (project / "requirements.txt").read_text()
    # The user resolves the input (both lines stay); the lock is make lock's job.
    requirements_in = (project / "requirements.in").read_text()
    kept = [line for line in requirements_in.splitlines() if not re.match(r"[<=>|]{7}", line)]
    (project / "requirements.in").write_text("\n".join(kept) + "\n")

    check = make(project, "check-lock", env=index_env, check=False)
    assert "requirements.txt has merge conflict markers: run make lock" in check.stderr

    result = make(project, "lock", env=index_env)

    assert "requirements.txt had merge conflict markers: recompiling it" in result.stdout
    assert "keeping the" in result.stdout and "pins both sides agree on" in result.stdout
    make(project, "check-lock", env=index_env)
    pinned = locked_pins(project)
    assert {"tabulate", "toolz"} <= set(pinned)
    assert {name: pinned[name] for name in base} == base
    for lock in LOCK_FILES:
        assert "<<<<<<<" not in (project / lock).read_text()


# ---------------------------------------------------------------- interrupts
PHASES = {
    "venv creation": (r"^Creating \.venv", 1.0),
    "tool bootstrap": (r"^Installing pip-tools from the pins", 1.0),
    "compile": (r"^Resolving requirements", 2.0),
    "sync": (r"^\s+\[\s*2/\d+\]", 0.0),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("phase", "signal_number"),
    [
        ("venv creation", signal.SIGINT),
        ("tool bootstrap", signal.SIGINT),
        ("compile", signal.SIGINT),
        ("compile", signal.SIGTERM),
        ("sync", signal.SIGINT),
    ],
    ids=["ctrl-c-venv", "ctrl-c-bootstrap", "ctrl-c-compile", "sigterm-compile", "ctrl-c-sync"],
)
def test_an_interrupted_first_make_dev_is_finished_by_the_next_make_dev(
    standard_project: Path, offline_env: dict[str, str], phase: str, signal_number: int
):
    project = standard_project
    # An edited requirements.in makes the first `make dev` pass through every
    # phase: venv, pip-tools from the dev lock's pins, both compiles, sync.
    append(project / "requirements.in", "# reviewed\n")
    pattern, delay = PHASES[phase]
    first = subprocess.Popen(
        ["make", "dev"],
        cwd=project,
        env=offline_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    for line in first.stdout:
        seen.append(line)
        if re.search(pattern, line):
            time.sleep(delay)
            # Ctrl-C reaches the whole foreground process group; so does `kill` of a job.
            os.killpg(first.pid, signal_number)
            break
    seen.append(first.communicate(timeout=300)[0])
    output = "".join(seen)
    assert re.search(pattern, output, re.MULTILINE), output
    assert first.returncode != 0, f"make dev finished before the signal:\n{output}"
    assert leftovers(project) == []

    result = make(project, "dev", env=offline_env)

    assert_venv_holds_exactly_the_locks(project)
    assert_installed_for_development(project)
    make(project, "check-lock", env=offline_env)
    assert leftovers(project) == []
    if phase == "tool bootstrap":
        assert "(hashes checked)" in output
    assert "No module named" not in result.stdout + result.stderr


# ---------------------------------------------------------------- pins that move
@pytest.mark.slow
def test_a_lagging_mirror_cannot_downgrade_pins_nobody_asked_to_move(
    installed_project: Path, wheelhouse: Path, index_env: dict[str, str], tmp_path: Path
):
    project = installed_project
    current = locked_pins(project)["pandas"]
    # The mirror has everything the locks pin except today's pandas, which
    # it has not caught up with, plus the package the user adds.
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for wheel in wheelhouse.glob("*.whl"):
        if not wheel.name.startswith(f"pandas-{current}-"):
            shutil.copy(wheel, mirror)
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    download += ["--only-binary", ":all:", "--dest", str(mirror), f"pandas<{current}", "tabulate"]
    run(download, cwd=tmp_path, env=index_env)
    older = re.match(r"pandas-([^-]+)-", next(mirror.glob("pandas-*.whl")).name).group(1)
    append(project / "requirements.in", "tabulate\n")
    before = lock_bytes(project)
    env = without_index(index_env, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(mirror))

    refused = make(project, "lock", env=env, check=False)

    assert refused.returncode != 0
    assert f"pandas {current} -> {older}" in refused.stderr, refused.stdout + refused.stderr
    assert "downgrade pins that nobody asked to move" in refused.stderr
    assert "make lock ALLOW_DOWNGRADE=1" in refused.stderr
    assert lock_bytes(project) == before
    assert leftovers(project) == []

    accepted = make(project, "lock", "ALLOW_DOWNGRADE=1", env=env)

    assert f"pandas {current} -> {older}" in accepted.stdout
    pinned = locked_pins(project)
    assert pinned["pandas"] == older and "tabulate" in pinned


@pytest.mark.slow
def test_a_downgrade_a_constraint_file_asks_for_goes_through_without_allow_downgrade(
    installed_project: Path, index_env: dict[str, str]
):
    project = installed_project
    current = locked_pins(project)["tzdata"]
    (project / "constraints.txt").write_text("tzdata<2025  # the team's pin\n")
    append(project / "requirements.in", "-c constraints.txt\n")

    result = make(project, "lock", env=index_env)

    moved = locked_pins(project)["tzdata"]
    assert moved.startswith("2024."), result.stdout + result.stderr
    assert f"tzdata {current} -> {moved}" in result.stdout
    make(project, "check-lock", env=index_env)


# ---------------------------------------------------------------- secrets in output
TOKEN = "s3cr3t-t0ken-42"


@pytest.mark.slow
def test_a_failing_sync_or_compile_never_prints_the_index_token(
    standard_project: Path, index_env: dict[str, str]
):
    env = without_index(
        index_env,
        PIP_INDEX_URL=f"https://ci-user:{TOKEN}@127.0.0.1:9/simple",
        PIP_RETRIES="0",
        PIP_TIMEOUT="2",
    )
    sync = make(standard_project, "dev", env=env, check=False)
    assert sync.returncode != 0
    assert "installing the locked packages failed" in sync.stderr
    assert "127.0.0.1" in sync.stdout + sync.stderr  # the failure is shown ...
    assert TOKEN not in sync.stdout + sync.stderr  # ... without the credentials

    append(standard_project / "requirements.in", "tabulate\n")
    compile_ = make(standard_project, "lock", env=env, check=False)
    assert compile_.returncode != 0
    assert TOKEN not in compile_.stdout + compile_.stderr


@pytest.mark.slow
def test_a_successful_make_dev_with_a_credentialed_extra_index_never_prints_the_token(
    installed_project: Path, index_env: dict[str, str], wheelhouse: Path
):
    env = {
        **index_env,
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_EXTRA_INDEX_URL": f"https://ci-user:{TOKEN}@127.0.0.1:9/simple",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
    }
    append(installed_project / "requirements.in", "tabulate\n")
    result = make(installed_project, "dev", env=env)
    assert "tabulate" in locked_pins(installed_project)
    assert TOKEN not in result.stdout + result.stderr
    for lock in LOCK_FILES:
        assert TOKEN not in (installed_project / lock).read_text()


# ---------------------------------------------------------------- requirements that cannot be locked
@pytest.mark.slow
@pytest.mark.parametrize(
    "line",
    [
        "mylib @ git+https://git.example.com/team/mylib.git@v1.2.0",
        "./libs/mylib",
        "-e ./libs/mylib",
        "mylib @ https://files.example.com/mylib-1.2.0.tar.gz",
        "mylib @ file:///srv/wheels/mylib-1.2.0-py3-none-any.whl",
    ],
    ids=["vcs", "path", "editable", "unhashed-archive", "file-url"],
)
def test_a_requirement_that_cannot_be_hash_locked_is_refused_before_anything_is_written(
    standard_project: Path, offline_env: dict[str, str], line: str
):
    append(standard_project / "requirements.in", f"{line}\n")
    before = lock_bytes(standard_project)

    result = make(standard_project, "lock", env=offline_env, check=False)

    assert result.returncode != 0
    assert "cannot be pinned with a hash" in result.stderr
    assert "requirements.in:" in result.stderr and line in result.stderr
    assert "publish the library to an index" in result.stderr
    assert "#sha256=" in result.stderr  # the archive-with-hash way
    assert "find-links" in result.stderr
    assert lock_bytes(standard_project) == before
    assert leftovers(standard_project) == []


# ---------------------------------------------------------------- real machines
def debian_system_python() -> Path:
    """Debian's and Ubuntu's own Python (apt's python3): its sysconfig names
    /usr/local-style install paths (the posix_local scheme), not a venv's."""
    for minor in range(10, 14):
        python = Path(f"/usr/bin/python3.{minor}")
        asked = [str(python), "-c", "import sysconfig; print(sysconfig.get_default_scheme())"]
        if (
            python.exists()
            and subprocess.run(asked, check=False, capture_output=True, text=True).stdout.strip()
            == "posix_local"
        ):
            return python
    unavailable("no Debian or Ubuntu system Python (/usr/bin/python3.X from apt)")


@pytest.mark.slow
def test_a_venv_made_by_debians_own_python_installs_the_project_from_src(
    tmp_path: Path, standard_locks: Path, offline_env: dict[str, str]
):
    # make dev installs the project in development mode (the venv step no
    # longer writes a .pth file of its own): so this is a make dev now.
    python = debian_system_python()
    version = run(
        [str(python), "-c", "import sys; print(*sys.version_info[:2], sep='.')"], cwd=tmp_path
    ).stdout.strip()
    if version != PYTHON_VERSION:
        unavailable(f"Debian's Python is {version}, the standard locks are for {PYTHON_VERSION}")
    project = render(tmp_path / "on-debian", locks=standard_locks, **STANDARD_ANSWERS)

    make(project, "dev", f"PYTHON={python}", env=offline_env)

    code = "import sales_forecast; print(sales_forecast.__file__)"
    found = run([".venv/bin/python", "-c", code], cwd=project)
    assert Path(found.stdout.strip()).is_relative_to(project / "src")
    assert not (project / ".venv" / "local").exists()  # no /usr/local-style folder
    assert_venv_holds_exactly_the_locks(project)


@pytest.mark.slow
def test_a_project_under_a_path_with_a_quote_and_spaces_works_and_so_does_its_worktree(
    tmp_path: Path, standard_locks: Path, offline_env: dict[str, str]
):
    parent = tmp_path / "team's data projects"
    project = render(parent / "sales forecast", locks=standard_locks, **STANDARD_ANSWERS)
    git_commit_all(project)

    first = make(project, "dev", env=offline_env)
    assert re.search(r"\[\s*1/\d+\]", first.stdout), "no progress shown while installing"
    make(project, "test", env=offline_env)
    # make dev wrote the commit hook itself (sparing a pre-commit start): the
    # very bytes pre-commit writes, the quote in the path quoted as it quotes it.
    hook = project / ".git" / "hooks" / "pre-commit"
    written = hook.read_bytes()
    assert "pre-commit installed at .git/hooks/pre-commit" in first.stdout
    run([".venv/bin/pre-commit", "install", "--overwrite"], cwd=project, env=offline_env)
    assert hook.read_bytes() == written

    worktree = parent / "sales forecast (review)"
    git(project, "worktree", "add", "--quiet", str(worktree), "-b", "review")
    make(worktree, "dev", env=offline_env)
    make(worktree, "test", env=offline_env)
    hook = git(worktree, "rev-parse", "--git-path", "hooks/pre-commit").stdout.strip()
    assert "pre-commit" in Path(worktree, hook).read_text()
    (worktree / "README.md").write_text((worktree / "README.md").read_text() + "\nReviewed.\n")
    git(worktree, "commit", "--quiet", "-am", "Review the README")  # the hooks run and pass
    assert sorted(path.name for path in parent.iterdir()) == sorted([project.name, worktree.name])


@pytest.mark.slow
def test_make_dev_and_make_test_work_under_a_global_core_hooks_path(
    standard_project: Path, offline_env: dict[str, str], tmp_path: Path
):
    global_config = tmp_path / "gitconfig"
    global_config.write_text(f"[core]\n\thooksPath = {tmp_path / 'company-hooks'}\n")
    env = {**offline_env, "GIT_CONFIG_GLOBAL": str(global_config)}

    first = make(standard_project, "dev", env=env)
    assert "core.hooksPath is set" in first.stdout
    assert "make lint" in first.stdout
    make(standard_project, "test", env=env)
    assert "core.hooksPath" not in make(standard_project, "dev", env=env).stdout


@pytest.mark.slow
def test_a_project_inside_another_repository_says_once_that_its_hooks_are_not_installed(
    standard_project: Path, offline_env: dict[str, str]
):
    git(standard_project.parent, "init", "--quiet")
    dev = make(standard_project, "dev", env=offline_env)
    test = make(standard_project, "test", env=offline_env)
    said = dev.stderr + test.stderr
    assert said.count("commit hooks not installed: this project is inside the git repository") == 1
    assert "git init here" in dev.stderr
    assert not (standard_project / ".git").exists()


@pytest.mark.slow
def test_two_make_dev_started_at_once_on_a_fresh_project_both_finish(
    standard_project: Path, offline_env: dict[str, str]
):
    runs = [
        subprocess.Popen(
            ["make", "dev"],
            cwd=standard_project,
            env=offline_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=600)[0] for process in runs]
    assert [process.returncode for process in runs] == [0, 0], "\n".join(outputs)
    assert "waiting for it" in "".join(outputs)
    assert "".join(outputs).count("Creating .venv") == 1
    assert_venv_holds_exactly_the_locks(standard_project)


@pytest.mark.slow
def test_a_deleted_python_version_file_is_named_with_its_fix(
    standard_project: Path, index_env: dict[str, str]
):
    (standard_project / ".python-version").unlink()
    dev = make(standard_project, "dev", env=index_env, check=False)
    assert dev.returncode != 0
    assert ".python-version is missing" in dev.stderr
    assert "git checkout -- .python-version" in dev.stderr
    assert "No rule to make target" not in dev.stderr
    doctor = make(standard_project, "doctor", env=index_env, check=False)
    assert "FIX  .python-version is missing" in doctor.stdout


@pytest.mark.slow
def test_upgrade_package_of_a_name_no_lock_pins_names_the_known_packages(
    installed_project: Path, offline_env: dict[str, str]
):
    before = lock_bytes(installed_project)
    result = make(installed_project, "upgrade-package", "P=pandsa", env=offline_env, check=False)
    assert result.returncode != 0
    assert "pandsa is not pinned in any lock" in result.stderr
    assert "Did you mean pandas" in result.stderr
    assert "The locks pin:" in result.stderr and "numpy" in result.stderr
    assert lock_bytes(installed_project) == before


@pytest.mark.slow
def test_a_commit_after_make_prod_says_the_hooks_need_make_dev(
    installed_project: Path, offline_env: dict[str, str]
):
    project = installed_project
    commit_everything_unchecked(project)
    make(project, "prod", env=offline_env)
    assert_venv_holds_exactly_the_locks(project, ("requirements.txt",))
    (project / "README.md").write_text((project / "README.md").read_text() + "\nMore.\n")

    refused = git(project, "commit", "-qam", "More README", check=False)
    assert refused.returncode != 0
    assert "run make dev, then commit again" in refused.stderr

    make(project, "dev", env=offline_env)
    git(project, "commit", "-qam", "More README")


@pytest.mark.slow
def test_a_package_installed_by_hand_is_reported_by_doctor_and_removed_by_make_dev(
    installed_project: Path, index_env: dict[str, str], offline_env: dict[str, str]
):
    project = installed_project
    run([str(project / ".venv/bin/python"), "-m", "pip", "install", "-q", "tabulate"], project)

    doctor = make(project, "doctor", env=index_env, check=False)
    assert re.search(r"FIX  venv.*not in the locks: tabulate", doctor.stdout), doctor.stdout

    dev = make(project, "dev", env=offline_env)
    assert "Removing 1 package(s) the locks do not list: tabulate" in dev.stdout
    assert_venv_holds_exactly_the_locks(project)
    doctor = make(project, "doctor", env=index_env, check=False)
    assert "OK   venv in sync" in doctor.stdout
