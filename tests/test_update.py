"""Updating: a project made from an older release takes the newer one with
`copier update` (the CLI a user runs) and keeps every edit its user made.

Each test works on a throwaway git repository of the template with two
releases: v0.1.0 is the working tree as it is, v0.2.0 adds what a user would
notice (a Make target, a reworded line in README and requirements.in, a change
to the starter code). Projects are rendered from v0.1.0, committed, edited the
way a user edits them, committed again, and then updated.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from support.commands import make, run
from support.git import git as run_git
from support.git import git_commit_all
from support.lock_files import LOCK_FILES, pins, without_index
from support.project import STANDARD_ANSWERS, TEMPLATE_ROOT, render

COPIER = Path(sys.executable).parent / "copier"
OLD, NEW = "v0.1.0", "v0.2.0"
# What v0.2.0 changes, as a user would see it in an updated project.
NEW_TARGET = "test-verbose"
NEW_README_TEST_LINE = "    make test    # the tests: pytest, quiet unless something fails"
NEW_REQUIREMENTS_WORDING = " One per line, as pip reads it."
NEW_STARTER_CODE_LINE = "# v0.2.0 starter code"
README_TEST_LINE = re.compile(r"^ +make test\b.*$", re.MULTILINE)
CONFLICT_MARKERS = ("<<<<<<< before updating", "=======", ">>>>>>> after updating")


# ---------------------------------------------------------------- helpers
def git(repo: Path, *args: str) -> str:
    return run_git(repo, *args).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)


def edit(path: Path, old: str | re.Pattern[str], new: str) -> None:
    """Replace the first match; fail loudly if it is gone, or the test would prove nothing."""
    text = path.read_text()
    if isinstance(old, re.Pattern):
        assert old.search(text), f"{path.name}: no line matches {old.pattern}"
        path.write_text(old.sub(new, text, count=1))
    else:
        assert old in text, f"{path.name}: {old!r} not found"
        path.write_text(text.replace(old, new, 1))


def release_v0_2_0(template: Path) -> None:
    """The changes of the newer release, made to the template's own files."""
    makefile = template / "template" / "Makefile.jinja"
    makefile.write_text(
        makefile.read_text()
        + f"\n.PHONY: {NEW_TARGET}\n\n{NEW_TARGET}: dev ## Run the tests, naming each one\n"
        "\t$(VENV)/bin/pytest -v $(PYTEST_ARGS)\n"
    )
    edit(template / "template" / "README.md.jinja", README_TEST_LINE, NEW_README_TEST_LINE)
    requirements_in = template / "template" / "requirements.in.jinja"
    first, rest = requirements_in.read_text().split("\n", 1)
    assert first.startswith("#"), "requirements.in.jinja no longer starts with a comment"
    requirements_in.write_text(f"{first}{NEW_REQUIREMENTS_WORDING}\n{rest}")
    for starter in [
        "src/{{package_name}}/pipeline.py.jinja",
        "src/{{package_name}}/__main__.py.jinja",
        "tests/test_cli.py.jinja",
        "tests/test_pipeline.py.jinja",
    ]:
        path = template / "template" / starter
        path.write_text(path.read_text() + f"\n{NEW_STARTER_CODE_LINE}\n")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository of the template with releases v0.1.0 and v0.2.0."""
    repo = tmp_path_factory.mktemp("template-releases") / "template"
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=TEMPLATE_ROOT
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE_ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "Release v0.1.0")
    git(repo, "tag", OLD)
    release_v0_2_0(repo)
    commit(repo, "Release v0.2.0")
    git(repo, "tag", NEW)
    return repo


def project_from(
    template_repo: Path, destination: Path, ref: str = OLD, locks: Path | None = None, **answers
) -> Path:
    """Render a release, and commit the result as a user's first commit.

    With `locks`, the lock files found there are committed too, as a user
    commits them after the first `make dev` (the session's standard locks
    were compiled from the same files a fresh project has).
    """
    render(
        destination,
        locks=locks,
        template=template_repo,
        vcs_ref=ref,
        **{**STANDARD_ANSWERS, **answers},
    )
    git_commit_all(destination, f"Project from the template, {ref}")
    return destination


def copier_update(project: Path, env: dict[str, str], *args: str, check: bool = True):
    """`copier update` as a user types it, from the template repo's own venv."""
    command = [str(COPIER), "update", "--defaults", "--conflict", "inline", *args]
    return run(command, cwd=project, env=env, check=check)


def recorded_version(project: Path) -> str:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"]


def tree(project: Path) -> dict[str, bytes]:
    """Every file outside .git and .venv, with its bytes."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not {".git", ".venv"} & set(path.relative_to(project).parts)
    }


def unmerged(project: Path) -> list[str]:
    return git(project, "diff", "--name-only", "--diff-filter=U").split()


# ---------------------------------------------------------------- the whole story
@pytest.mark.slow
def test_a_project_takes_the_next_release_and_keeps_every_user_edit(
    tmp_path: Path, template_repo: Path, standard_locks: Path, offline_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast", locks=standard_locks)
    assert recorded_version(project) == OLD

    # A user's month of work: a new direct dependency (relocked), a module with
    # its test, a better description and a section in the README.
    with (project / "requirements.in").open("a") as requirements_in:
        requirements_in.write("python-dateutil>=2.8\n")
    make(project, "lock", env=offline_env)
    module = project / "src" / "sales_forecast" / "weekly.py"
    module.write_text(
        '"""Weekly totals."""\n\n\ndef weekly_total(values: list[float]) -> float:\n'
        "    return round(sum(values), 2)\n"
    )
    user_test = project / "tests" / "test_weekly.py"
    user_test.write_text(
        "from sales_forecast.weekly import weekly_total\n\n\n"
        "def test_weekly_total_adds_the_days():\n    assert weekly_total([1.5, 2.25]) == 3.75\n"
    )
    readme = project / "README.md"
    edit(readme, "A reproducible data project\n", "Forecasts weekly sales per region.\n")
    with readme.open("a") as handle:
        handle.write("\n## Data sources\n\nDaily extracts from the sales warehouse.\n")
    commit(project, "Weekly totals, python-dateutil, README")
    mine = {
        name: (project / name).read_bytes()
        for name in ["src/sales_forecast/weekly.py", "tests/test_weekly.py", *LOCK_FILES]
    }

    copier_update(project, offline_env, "--vcs-ref", NEW)

    assert recorded_version(project) == NEW
    # The release arrived ...
    assert f"\n{NEW_TARGET}: dev ##" in (project / "Makefile").read_text()
    assert NEW_README_TEST_LINE in readme.read_text()
    requirements = (project / "requirements.in").read_text()
    assert NEW_REQUIREMENTS_WORDING in requirements.splitlines()[0]
    # ... next to everything the user did, with nothing left to resolve.
    assert "python-dateutil>=2.8" in requirements.splitlines()
    assert "Forecasts weekly sales per region." in readme.read_text()
    assert readme.read_text().endswith("Daily extracts from the sales warehouse.\n")
    assert {name: (project / name).read_bytes() for name in mine} == mine
    assert unmerged(project) == []
    assert not list(project.rglob("*.rej"))
    for name, content in tree(project).items():
        assert CONFLICT_MARKERS[0].encode() not in content, f"{name} has conflict markers"

    # The locks were left alone, so the reworded requirements.in makes them stale:
    stale = make(project, "check-lock", env=offline_env, check=False)
    assert stale.returncode != 0 and "requirements.txt is stale" in stale.stderr, stale.stderr
    make(project, "dev", env=offline_env)
    make(project, "check-lock", env=offline_env)
    assert "python-dateutil" in (project / "requirements.txt").read_text()
    tests = make(project, "test", env=offline_env)
    assert re.search(r"\b6 passed\b", tests.stdout), tests.stdout
    verbose = make(project, NEW_TARGET, env=offline_env)
    assert "test_weekly_total_adds_the_days PASSED" in verbose.stdout


# ---------------------------------------------------------------- merging rules
def test_a_line_both_the_user_and_the_template_changed_is_left_as_conflict_markers(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast")
    user_line = "    make test    # unit tests of the forecast and its data checks"
    edit(project / "README.md", README_TEST_LINE, user_line)
    commit(project, "README: say what the tests cover")

    copier_update(project, index_env, "--vcs-ref", NEW)

    readme = (project / "README.md").read_text()
    # Neither side won: both lines are there, between markers, for the user.
    for marker in CONFLICT_MARKERS:
        assert re.search(rf"^{re.escape(marker)}$", readme, re.MULTILINE), readme
    ours = readme.index(CONFLICT_MARKERS[0])
    assert ours < readme.index(user_line) < readme.index("=======")
    assert readme.index("=======") < readme.index(NEW_README_TEST_LINE)
    assert unmerged(project) == ["README.md"]
    # The conflict held back nothing else of the release.
    assert f"\n{NEW_TARGET}: dev ##" in (project / "Makefile").read_text()
    assert recorded_version(project) == NEW


def test_the_starter_code_is_the_users_after_the_first_render(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast")
    pipeline = project / "src" / "sales_forecast" / "pipeline.py"
    pipeline.write_text(pipeline.read_text() + "\n\n# the team's own change\n")
    (project / "tests" / "test_cli.py").unlink()
    commit(project, "Own the pipeline; drop the CLI test")
    before = {
        name: content
        for name, content in tree(project).items()
        if name.startswith(("src/", "tests/"))
    }

    copier_update(project, index_env, "--vcs-ref", NEW)

    # v0.2.0 changed all four starter files: the edited one, the deleted one
    # and the two the user left alone. None of the changes is applied, and the
    # deleted test does not come back.
    after = {
        name: content
        for name, content in tree(project).items()
        if name.startswith(("src/", "tests/"))
    }
    assert after == before
    assert recorded_version(project) == NEW


# ---------------------------------------------------------------- changing an answer
OPTIONAL_PARTS = {
    # option: (answers with the part, answers without it, what `-d` turns it on/off)
    "notebooks": ({"notebooks": True}, {"notebooks": False}, "notebooks"),
    # Off, docker takes infra/ with it; back on, ECR is asked again and
    # --defaults answers yes (copier keeps no answer to a skipped question).
    "docker": ({"docker": True}, {"docker": False}, "docker"),
    "ecr": ({"docker": True, "ecr": True}, {"docker": True, "ecr": False}, "ecr"),
}


@pytest.mark.parametrize("option", sorted(OPTIONAL_PARTS))
def test_changing_an_answer_on_update_removes_and_adds_the_optional_part(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str], option: str
):
    with_part, without_part, answer = OPTIONAL_PARTS[option]
    # What the part is, as this version of the template renders it.
    expected_with = tree(render(tmp_path / "probe-with", **{**STANDARD_ANSWERS, **with_part}))
    expected_without = tree(
        render(tmp_path / "probe-without", **{**STANDARD_ANSWERS, **without_part})
    )
    part = sorted(set(expected_with) - set(expected_without))
    if not part:
        pytest.skip(f"this version of the template renders no files for {option}=true")

    project = project_from(template_repo, tmp_path / "sales-forecast", **with_part)
    assert set(tree(project)) == set(expected_with)
    own_file = None
    if option == "notebooks":
        # The user's own notebook stays; the template's notebook goes even if
        # edited (git still has it).
        own_file = project / "notebooks" / "02-forecast.ipynb"
        own_file.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n')
        starter = project / part[0]
        starter.write_text(starter.read_text().replace("sales", "weekly sales", 1))
        commit(project, "A notebook of our own")

    copier_update(project, index_env, "--vcs-ref", OLD, "-d", f"{answer}=false")
    files = set(tree(project)) - ({own_file.relative_to(project).as_posix()} if own_file else set())
    assert files == set(expected_without), f"{option}=false left or lost files"
    if own_file:
        assert own_file.exists()
    commit(project, f"Without {option}")

    copier_update(project, index_env, "--vcs-ref", OLD, "-d", f"{answer}=true")
    files = set(tree(project)) - ({own_file.relative_to(project).as_posix()} if own_file else set())
    assert files == set(expected_with), f"{option}=true did not bring the part back"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())[answer] is True


# ---------------------------------------------------------------- the one-line update
def test_an_update_on_a_dirty_tree_is_refused_and_changes_nothing(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast")
    with (project / "README.md").open("a") as readme:
        readme.write("\nWork in progress.\n")
    (project / "notes.txt").write_text("untracked\n")
    before = tree(project)

    refused = make(project, "template-update", f"VERSION={NEW}", env=index_env, check=False)
    assert refused.returncode != 0
    assert (
        "uncommitted changes" in refused.stderr
        and "template-update changed nothing" in refused.stderr
    )
    assert "README.md" in refused.stderr and "notes.txt" in refused.stderr
    assert tree(project) == before
    assert not (project / ".venv" / "tools" / "copier").exists(), "copier was installed anyway"

    # copier itself refuses too, for those who type the command.
    direct = copier_update(project, index_env, "--vcs-ref", NEW, check=False)
    assert direct.returncode != 0 and "dirty" in direct.stderr
    assert tree(project) == before
    assert recorded_version(project) == OLD


def test_make_template_update_outside_git_says_how_to_start(
    tmp_path: Path, index_env: dict[str, str]
):
    project = render(tmp_path / "sales-forecast", **STANDARD_ANSWERS)
    before = tree(project)

    refused = make(project, "template-update", env=index_env, check=False)

    assert refused.returncode != 0
    assert "needs the project in git" in refused.stderr and "git init" in refused.stderr
    assert tree(project) == before


@pytest.mark.slow
def test_make_template_update_installs_copier_apart_and_says_what_is_left_to_do(
    tmp_path: Path, template_repo: Path, standard_locks: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast", locks=standard_locks)
    edit(project / "README.md", README_TEST_LINE, "    make test    # what we test")
    commit(project, "README wording")
    # A VERSION from the environment (CI often sets one) must not steer the update.
    env = {**index_env, "VERSION": "v9.9.9"}

    result = make(project, "template-update", f"VERSION={NEW}", env=env)

    assert recorded_version(project) == NEW
    # The copier installed is the one the template pins (tools/copier-requirements.txt).
    pinned = pins((project / "tools" / "copier-requirements.txt").read_text()).get("copier")
    version = run([str(project / ".venv/tools/copier/bin/copier"), "--version"], cwd=project).stdout
    assert pinned and pinned in version
    assert f"Installing copier=={pinned} from tools/copier-requirements.txt" in result.stdout
    # The update says what it changed, then what is left to do.
    assert "What the update changed" in result.stdout
    assert re.search(r"^  UU README\.md$", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^ +M requirements\.in$", result.stdout, re.MULTILINE), result.stdout
    assert "Resolve the <<<<<<< markers the update left in:\n  README.md" in result.stdout
    assert "run make dev (or make lock) to regenerate the locks" in result.stdout
    # The copier venv lives in the ignored .venv: only the update itself is in git status.
    changed = {line[3:] for line in git(project, "status", "--porcelain").splitlines()}
    assert changed == {".copier-answers.yml", "Makefile", "README.md", "requirements.in"}
    # The project's own environment was not touched by copier's dependencies.
    site_packages = list((project / ".venv" / "lib").glob("python*/site-packages/copier"))
    assert site_packages == []


def test_the_template_update_target_is_listed_by_make_help(
    tmp_path: Path, index_env: dict[str, str]
):
    project = render(tmp_path / "sales-forecast", **STANDARD_ANSWERS)
    listed = make(project, "help", env=index_env).stdout
    assert re.search(r"^\s+template-update\s+\S", listed, re.MULTILINE), listed


# ---------------------------------------------------------------- releases
def test_every_changelog_entry_says_what_it_brings_and_what_a_project_must_do():
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    entries = re.split(r"^## ", changelog, flags=re.MULTILINE)[1:]
    assert entries, "CHANGELOG.md has no release entries"
    for number, entry in enumerate(entries):
        heading = entry.splitlines()[0]
        # Work merged for the next release gathers under "Unreleased", at the top.
        if not (number == 0 and heading == "Unreleased"):
            assert re.match(r"^v\d+\.\d+\.\d+ \(\d{4}-\d{2}-\d{2}\)$", heading), heading
        assert "### What an update brings" in entry, heading
        assert re.search(r"^### Action needed\n\n\S", entry, re.MULTILINE), heading
    assert entries[-1].startswith("v0.1.0 "), "the oldest entry should be v0.1.0"


# ---------------------------------------------------------------- newer releases
def doctor_lines(project: Path, env: dict[str, str]) -> list[str]:
    result = make(project, "doctor", env={**env, "COPIER": str(COPIER)}, check=False)
    return [line for line in result.stdout.splitlines() if "template updates" in line]


def test_make_doctor_says_when_a_newer_template_release_is_out(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    old = project_from(template_repo, tmp_path / "old")
    assert doctor_lines(old, index_env) == [
        (
            "FIX  template updates: release 0.2.0 of the template is out (this project has"
            " 0.1.0): run make template-update (the template's CHANGELOG.md says what it brings)"
        )
    ]
    new = project_from(template_repo, tmp_path / "new", ref=NEW)
    assert doctor_lines(new, index_env) == ["OK   template updates: on the newest template release"]


def test_make_doctor_does_not_hang_or_fail_on_an_unreachable_template(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast")
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text().replace(str(template_repo), str(tmp_path / "gone"))
    )
    assert doctor_lines(project, index_env) == [
        (
            "OK   template updates: not checked (copier check-update failed: offline,"
            " or the template's repository is out of reach)"
        )
    ]
    # No .venv to install copier into: it says which command checks, and makes none.
    result = make(project, "doctor", env=index_env, check=False)
    assert (
        "OK   template updates: not checked (no .venv to install copier into yet):"
        " make template-check checks\n" in result.stdout
    )
    assert not (project / ".venv").exists()


def the_tested_copier() -> str:
    lock = (TEMPLATE_ROOT / "template" / "tools" / "copier-requirements.txt").read_text()
    return f"copier=={pins(lock)['copier']}"


def test_make_doctor_installs_the_tested_copier_to_say_a_newer_template_release_is_out(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "old")
    make(project, "venv", env=index_env)  # a fresh project: .venv, and no copier in it yet

    result = make(project, "doctor", env=index_env, check=False)

    lines = [line for line in result.stdout.splitlines() if "template updates" in line]
    assert lines[0] == (
        f"     template updates: installing {the_tested_copier()}, the tested copier,"
        " into .venv/tools/copier ..."
    )
    assert re.fullmatch(r"     template updates: copier installed in \d+ s", lines[1]), lines
    assert lines[2:] == [
        (
            "FIX  template updates: release 0.2.0 of the template is out (this project has"
            " 0.1.0): run make template-update (the template's CHANGELOG.md says what it brings)"
        )
    ]
    # Installed once: the next doctor just asks.
    again = make(project, "doctor", env=index_env, check=False).stdout
    assert "installing" not in again and "release 0.2.0 of the template is out" in again


def test_make_doctor_offline_says_which_command_checks_for_a_newer_template_release(
    tmp_path: Path, template_repo: Path, index_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast")
    make(project, "venv", env=index_env)
    offline = without_index(
        index_env, PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_RETRIES="0", PIP_TIMEOUT="3"
    )

    result = make(project, "doctor", env=offline, check=False)

    assert result.stdout.splitlines()[-3] == (
        "OK   template updates: not checked (installing copier failed: offline?):"
        " make template-check checks"
    ), result.stdout
    assert not (project / ".venv" / "tools" / "copier").exists()


@pytest.mark.slow
def test_make_template_update_relock_leaves_the_locks_current(
    tmp_path: Path, template_repo: Path, standard_locks: Path, offline_env: dict[str, str]
):
    project = project_from(template_repo, tmp_path / "sales-forecast", locks=standard_locks)
    env = {**offline_env, "COPIER": str(COPIER)}

    result = make(project, "template-update", f"VERSION={NEW}", "RELOCK=1", env=env)

    assert recorded_version(project) == NEW
    assert re.search(r"^ +M requirements\.in$", result.stdout, re.MULTILINE), result.stdout
    assert "run make dev (or make lock)" not in result.stdout
    make(project, "check-lock", env=env)
    changed = {line[3:] for line in git(project, "status", "--porcelain").splitlines()}
    # requirements.in changed, so its lock was recompiled (the dev lock only if it must).
    assert {"requirements.in", "requirements.txt"} <= changed
