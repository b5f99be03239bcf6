"""Commit hooks: a fresh project passes them, and each guard refuses what it exists for.

Each answer combination gets one installed project per test module (a
`make dev` is the slow part); every test starts by resetting that project's
repository to the freshly rendered commit, so no test sees another's files.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import string
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.ci import unavailable
from support.commands import make, run
from support.git import with_identity
from support.lock_files import LOCK_FILES
from support.project import STANDARD_ANSWERS, render

pytestmark = pytest.mark.slow

FRESH_TAG = "fresh"


@dataclass
class Project:
    """An installed project whose repository can be reset to its first commit."""

    path: Path
    env: dict[str, str]

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(["git", *args], cwd=self.path, env=self.env, check=check)

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        """`git commit` as a user types it: the installed hooks run."""
        return self.git("commit", "-m", message, check=False)

    def reset_to_fresh(self) -> None:
        """Back to the rendered project, committed without running any hook."""
        if self.git("rev-parse", "--verify", "--quiet", FRESH_TAG, check=False).returncode:
            self.git("add", "-A")
            self.git("commit", "--quiet", "--no-verify", "-m", "Fresh project")
            self.git("tag", FRESH_TAG)
        self.git("reset", "--quiet", "--hard", FRESH_TAG)
        self.git("clean", "--quiet", "-d", "--force", "-x", "--exclude", ".venv")


def refused(result: subprocess.CompletedProcess[str], hook_id: str) -> str:
    """Assert the commit was refused by hook_id; return pre-commit's report."""
    report = result.stdout + result.stderr
    assert result.returncode != 0, f"the commit went through:\n{report}"
    assert f"- hook id: {hook_id}" in report, report
    return report


def went_through(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"the commit was refused:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def pre_commit_home(shared_tmp: Path) -> Path:
    """pre-commit's cache, shared by every test (and worker) of the session."""
    home = shared_tmp / "pre-commit-home"
    home.mkdir(exist_ok=True)
    return home


def git_identity_env(base: Mapping[str, str], pre_commit_home: Path) -> dict[str, str]:
    env = {**with_identity(base), "PRE_COMMIT_HOME": str(pre_commit_home)}
    # No AWS credentials on this "machine": the AWS key hook must work without.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return env


def installed(
    factory: pytest.TempPathFactory,
    name: str,
    env: dict[str, str],
    answers: Mapping[str, object],
    locks_from: Path | None = None,
) -> Project:
    """Render with answers and run `make dev`, as a user does right after `copier copy`."""
    path = render(factory.mktemp(name) / "sales-forecast", locks=locks_from, **answers)
    result = make(path, "dev", env=env)
    # Not a git repository yet: make dev says so and makes one for the hooks.
    assert "not in a git repository yet: running git init" in result.stdout, result.stdout
    assert (path / ".git" / "hooks" / "pre-commit").is_file()
    return Project(path, env)


@pytest.fixture(scope="module")
def standard(
    tmp_path_factory: pytest.TempPathFactory,
    standard_locks: Path,
    offline_env: dict[str, str],
    pre_commit_home: Path,
) -> Project:
    """Default answers without notebooks: Docker and ECR on, pandas only."""
    env = git_identity_env(offline_env, pre_commit_home)
    return installed(tmp_path_factory, "standard", env, STANDARD_ANSWERS, standard_locks)


@pytest.fixture(scope="module")
def minimal(
    tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str], pre_commit_home: Path
) -> Project:
    """No notebooks, no Docker, no starter dependencies (resolved from the wheelhouse)."""
    env = git_identity_env(offline_env, pre_commit_home)
    answers = {**STANDARD_ANSWERS, "docker": False, "dependencies": []}
    return installed(tmp_path_factory, "minimal", env, answers)


@pytest.fixture(scope="module")
def with_notebooks(
    tmp_path_factory: pytest.TempPathFactory, index_env: dict[str, str], pre_commit_home: Path
) -> Project:
    """Notebooks on, Docker off, starter dependencies the sample code does not all import."""
    env = git_identity_env(index_env, pre_commit_home)
    answers = {
        **STANDARD_ANSWERS,
        "notebooks": True,
        "docker": False,
        "dependencies": ["pandas", "numpy", "pyarrow"],
    }
    return installed(tmp_path_factory, "notebooks", env, answers)


def fresh(project: Project) -> Project:
    project.reset_to_fresh()
    return project


# ---------------------------------------------------------------- a fresh project


@pytest.mark.parametrize("combination", ["standard", "minimal", "with_notebooks"])
def test_a_fresh_project_passes_every_hook_on_the_first_run(
    combination: str, request: pytest.FixtureRequest
):
    project = fresh(request.getfixturevalue(combination))
    project.git("add", "-A")

    result = run(
        [".venv/bin/pre-commit", "run", "--all-files"],
        cwd=project.path,
        env=project.env,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # No hook changed a file: the template renders already clean.
    assert project.git("status", "--porcelain").stdout == ""
    assert "Failed" not in result.stdout


def test_a_second_make_dev_leaves_the_installed_hooks_alone(standard: Project):
    fresh(standard)
    result = make(standard.path, "dev", env=standard.env)
    assert "pre-commit installed" not in result.stdout
    assert "git init" not in result.stdout


# ---------------------------------------------------------------- secrets


def fake_aws_keys() -> tuple[str, str]:
    key_id = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    secret_key = "".join(
        secrets.choice(string.ascii_letters + string.digits + "/+") for _ in range(40)
    )
    return key_id, secret_key


def test_an_aws_secret_access_key_in_a_commit_is_refused(standard: Project):
    project = fresh(standard)
    key_id, secret_key = fake_aws_keys()
    settings = project.path / "deploy" / "aws.ini"
    settings.parent.mkdir()
    settings.write_text(
        f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret_key}\n"
    )
    project.git("add", "deploy/aws.ini")

    report = refused(project.commit("Add deployment settings"), "aws-key-pattern")
    assert "deploy/aws.ini" in report

    # The fix: name the variables the keys come from, not their values.
    settings.write_text(
        "[default]\n# Credentials come from the environment:\n"
        "# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never from this file.\n"
    )
    project.git("add", "deploy/aws.ini")
    went_through(project.commit("Add deployment settings"))


def test_a_secret_key_configured_on_this_machine_is_refused_even_without_a_label(
    standard: Project,
):
    project = fresh(standard)
    _, secret_key = fake_aws_keys()
    notes = project.path / "notes.md"
    notes.write_text(f"Temporary token for the demo: {secret_key}\n")
    project.git("add", "notes.md")
    env = {**project.env, "AWS_SECRET_ACCESS_KEY": secret_key}

    result = run(["git", "commit", "-m", "Notes"], cwd=project.path, env=env, check=False)
    refused(result, "detect-aws-credentials")

    notes.write_text("The demo reads its token from AWS_SECRET_ACCESS_KEY.\n")
    project.git("add", "notes.md")
    went_through(run(["git", "commit", "-m", "Notes"], cwd=project.path, env=env, check=False))


PEM_KEY = """\
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
-----END RSA PRIVATE KEY-----
"""


def test_a_pem_private_key_in_a_commit_is_refused(standard: Project):
    project = fresh(standard)
    key = project.path / "deploy" / "id_rsa"
    key.parent.mkdir()
    key.write_text(PEM_KEY)
    project.git("add", "deploy/id_rsa")

    report = refused(project.commit("Add deploy key"), "detect-private-key")
    assert "deploy/id_rsa" in report

    # The fix: keep the key out of git for good.
    project.git("rm", "--quiet", "--cached", "deploy/id_rsa")
    with (project.path / ".gitignore").open("a") as gitignore:
        gitignore.write("\n# Deploy keys live in the secret store\n/deploy/id_rsa\n")
    project.git("add", ".gitignore")
    went_through(project.commit("Ignore the deploy key"))
    assert "deploy/id_rsa" not in project.git("ls-files").stdout


def random_text(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def fake_base64_private_key() -> str:
    body = base64.b64encode(secrets.token_bytes(96)).decode()
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
    return base64.b64encode(pem.encode()).decode()


# Each secret a data project gets tempted to paste into code, the hook that
# refuses it, and the fix: read it from the environment instead. Values are
# made up per run, so no real-looking secret is stored in this repository.
SECRET_CASES = {
    "github-token": lambda: f'GITHUB_TOKEN = "ghp_{random_text(36)}"\n',
    "slack-webhook": lambda: (
        'ALERTS_URL = "https://hooks.slack.com/services/'
        f'T{random_text(10).upper()}/B{random_text(10).upper()}/{random_text(24)}"\n'
    ),
    "database-url-with-password": lambda: (
        f'WAREHOUSE_URL = "postgresql://analyst:{random_text(16)}@db.internal:5432/sales"\n'
    ),
    "base64-private-key": lambda: f'SIGNING_KEY = "{fake_base64_private_key()}"\n',
    "key-split-across-concatenation": lambda: (
        f'GITHUB_TOKEN = "ghp_{random_text(18)}" + "{random_text(18)}"\n'
    ),
}
SECRET_HOOKS = {"key-split-across-concatenation": "split-secret-pattern"}


@pytest.mark.parametrize("case", sorted(SECRET_CASES))
def test_a_secret_pasted_into_the_code_is_refused(standard: Project, case: str):
    project = fresh(standard)
    settings = project.path / "src" / "sales_forecast" / "settings.py"
    settings.write_text('"""Connection settings."""\n\n' + SECRET_CASES[case]())
    project.git("add", "-A")

    report = refused(project.commit("Add settings"), SECRET_HOOKS.get(case, "detect-secrets"))
    assert "src/sales_forecast/settings.py" in report

    # The fix: the code names the variable; the value stays out of git.
    settings.write_text(
        '"""Connection settings."""\n\nimport os\n\nSECRET = os.environ.get("SALES_SECRET", "")\n'
    )
    project.git("add", "-A")
    went_through(project.commit("Add settings"))
    assert project.git("status", "--porcelain").stdout == ""


def test_an_env_file_is_refused_and_an_env_example_is_not(standard: Project):
    project = fresh(standard)
    (project.path / ".env").write_text("WAREHOUSE_USER=analyst\n")
    # .env is in .gitignore; -f is the accident.
    project.git("add", "-f", ".env")

    report = refused(project.commit("Add settings"), "no-env-files")
    assert ".env.example" in report and ".env" in report

    project.git("rm", "--quiet", "--cached", ".env")
    (project.path / ".env.example").write_text("WAREHOUSE_USER=\n")
    project.git("add", ".env.example")
    went_through(project.commit("Add settings"))
    assert project.git("ls-files", ".env*").stdout.split() == [".env.example"]


def test_make_lint_catches_what_a_no_verify_commit_let_in(standard: Project):
    """CI runs make lint over every file in git, so skipping the hooks does not help."""
    project = fresh(standard)
    csv = project.path / "exports" / "sales-2024.csv"
    csv.parent.mkdir()
    csv.write_text("date,units\n" + "2024-01-01,12\n" * 400_000)
    assert csv.stat().st_size > 5_000_000
    settings = project.path / "src" / "sales_forecast" / "settings.py"
    settings.write_text(SECRET_CASES["github-token"]())
    project.git("add", "-A")
    project.git("commit", "--quiet", "--no-verify", "-m", "Skip the hooks")

    result = make(project.path, "lint", env=project.env, check=False)

    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "exports/sales-2024.csv (" in report and "exceeds 1024 KB" in report
    assert "- hook id: detect-secrets" in report and "src/sales_forecast/settings.py" in report


# ---------------------------------------------------------------- dependencies


def test_importing_a_package_that_is_not_declared_is_refused(standard: Project):
    project = fresh(standard)
    module = project.path / "src" / "sales_forecast" / "stats.py"
    module.write_text(
        '"""Summary statistics."""\n\nimport numpy as np\n\n\n'
        "def spread(values: list[float]) -> float:\n"
        '    """Standard deviation of the values."""\n'
        "    return float(np.std(values))\n"
    )
    project.git("add", "-A")

    # numpy is installed (pandas needs it), but requirements.in does not say so.
    report = refused(project.commit("Add spread"), "deptry")
    assert "numpy" in report and "DEP003" in report

    # The fix: declare it, relock, commit the three files together.
    with (project.path / "requirements.in").open("a") as requirements:
        requirements.write("numpy\n")
    make(project.path, "lock", env=project.env)
    project.git("add", "-A")
    went_through(project.commit("Add spread"))
    assert "numpy" in project.git("show", "HEAD:requirements.in").stdout


def test_requirements_in_edited_without_make_lock_is_refused(standard: Project):
    project = fresh(standard)
    requirements = project.path / "requirements.in"
    requirements.write_text(requirements.read_text().replace("\npandas\n", "\npandas>=2\n"))
    assert "pandas>=2" in requirements.read_text()
    project.git("add", "requirements.in")

    report = refused(project.commit("Require pandas 2"), "lock-drift")
    assert "make lock" in report and "requirements.txt" in report

    make(project.path, "lock", env=project.env)
    project.git("add", "requirements.in", *LOCK_FILES)
    went_through(project.commit("Require pandas 2"))


# ---------------------------------------------------------------- data


def test_a_5_mb_csv_forced_past_the_gitignore_is_refused(standard: Project):
    project = fresh(standard)
    csv = project.path / "data" / "raw" / "sales-2024.csv"
    row = "2024-01-01,north,12,9.99\n"
    csv.write_text("date,region,units,unit_price\n" + row * (5 * 1024 * 1024 // len(row)))
    assert csv.stat().st_size > 5_000_000
    # data/ is ignored; -f is exactly the accident the hook is for.
    assert project.git("add", "data/raw/sales-2024.csv", check=False).returncode != 0
    project.git("add", "-f", "data/raw/sales-2024.csv")
    (project.path / "DATA.md").write_text("Sales 2024 lives in s3://bucket/raw/sales-2024.csv\n")
    project.git("add", "DATA.md")

    report = refused(project.commit("Add 2024 sales"), "check-added-large-files")
    assert "data/raw/sales-2024.csv" in report

    # The fix: leave the file out of git; the note about where it lives goes in.
    project.git("rm", "--quiet", "--cached", "data/raw/sales-2024.csv")
    went_through(project.commit("Add 2024 sales"))
    assert "sales-2024.csv" not in project.git("ls-files").stdout
    assert csv.exists()


# ---------------------------------------------------------------- notebooks


def notebook_with_outputs() -> dict[str, object]:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 3,
                "id": "total",
                "metadata": {},
                "outputs": [
                    {
                        "name": "stdout",
                        "output_type": "stream",
                        "text": ["north 85.0 (customer list: ...)\n"],
                    }
                ],
                "source": ['print("north", 85.0)'],
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_a_notebook_is_committed_with_its_outputs_stripped(with_notebooks: Project):
    project = fresh(with_notebooks)
    notebook = project.path / "notebooks" / "02-totals.ipynb"
    notebook.write_text(json.dumps(notebook_with_outputs(), indent=1) + "\n")
    project.git("add", "notebooks/02-totals.ipynb")

    refused(project.commit("Add totals notebook"), "nbstripout")
    # The hook stripped the file in place; what is staged still has outputs.
    assert json.loads(notebook.read_text())["cells"][0]["outputs"] == []

    project.git("add", "notebooks/02-totals.ipynb")
    went_through(project.commit("Add totals notebook"))
    committed = json.loads(project.git("show", "HEAD:notebooks/02-totals.ipynb").stdout)
    cell = committed["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["source"] == ['print("north", 85.0)']


# ---------------------------------------------------------------- docker and terraform


def test_a_dockerfile_mistake_is_refused_by_hadolint(standard: Project):
    project = fresh(standard)
    dockerfile = project.path / "jobs" / "backfill" / "Dockerfile"
    dockerfile.parent.mkdir(parents=True)
    # `latest` moves under you: the image-level version of an unpinned dependency.
    dockerfile.write_text("FROM python:latest\nCOPY . /app\n")
    project.git("add", "-A")

    report = refused(project.commit("Add backfill image"), "hadolint")
    assert "DL3007" in report

    dockerfile.write_text("FROM python:3.11-slim\nCOPY . /app\n")
    project.git("add", "-A")
    went_through(project.commit("Add backfill image"))


UNFORMATTED_TF = 'variable "team" {\ndefault="data"\n    type = string\n}\n'


def test_unformatted_terraform_is_formatted_before_it_is_committed(standard: Project):
    if shutil.which("terraform", path=standard.env["PATH"]) is None:
        unavailable("terraform is not installed")
    project = fresh(standard)
    module = project.path / "infra" / "team.tf"
    module.parent.mkdir(exist_ok=True)
    module.write_text(UNFORMATTED_TF)
    project.git("add", "infra/team.tf")

    refused(project.commit("Tag resources with the team"), "terraform-fmt")
    assert 'default = "data"' in module.read_text()

    project.git("add", "infra/team.tf")
    went_through(project.commit("Tag resources with the team"))
    assert 'default = "data"' in project.git("show", "HEAD:infra/team.tf").stdout


def test_without_terraform_the_format_hook_says_it_skipped(standard: Project):
    project = fresh(standard)
    module = project.path / "infra" / "team.tf"
    module.parent.mkdir(exist_ok=True)
    module.write_text(UNFORMATTED_TF)
    project.git("add", "infra/team.tf")
    no_terraform = os.pathsep.join(
        entry
        for entry in project.env["PATH"].split(os.pathsep)
        if not Path(entry, "terraform").exists()
    )
    env = {**project.env, "PATH": no_terraform}

    result = run(["git", "commit", "-m", "Team"], cwd=project.path, env=env, check=False)

    went_through(result)
    # git shows the hooks' report on stderr.
    assert "terraform is not installed: skipped terraform fmt" in result.stderr


# ---------------------------------------------------------------- make lint / make format


def test_make_lint_refuses_what_make_format_then_fixes(standard: Project):
    project = fresh(standard)
    module = project.path / "src" / "sales_forecast" / "report.py"
    untidy = 'import sys,os\nTITLE = {  "name":"Revenue" }   \n\n\n'
    module.write_text(untidy)
    project.git("add", "-A")

    lint = make(project.path, "lint", env=project.env, check=False)
    assert lint.returncode != 0
    assert "- hook id: ruff-check" in lint.stdout, lint.stdout

    module.write_text(untidy)  # the fixing hooks that lint ran also fixed it
    make(project.path, "format", env=project.env)
    assert module.read_text() == 'TITLE = {"name": "Revenue"}\n'
    project.git("add", "-A")
    make(project.path, "lint", env=project.env)


def test_make_lint_before_the_first_git_add_checks_the_new_files_and_not_the_ignored(
    standard: Project,
):
    project = fresh(standard)
    project.git("rm", "-r", "--quiet", "--cached", ".")  # as before the first git add
    first = make(project.path, "lint", env=project.env)
    checked = re.findall(
        r"^(ruff lint|check yaml|check toml)\b.*\.Passed$", first.stdout, re.MULTILINE
    )
    assert len(checked) == 3, first.stdout  # they were all "(no files to check)Skipped"

    broken = "def total():\n    return units * 2\n"  # ruff cannot fix an undefined name
    module = project.path / "src" / "sales_forecast" / "report.py"
    ignored = project.path / "build" / "scratch.py"
    ignored.parent.mkdir()
    for path in (module, ignored):
        path.write_text(broken)
    lint = make(project.path, "lint", env=project.env, check=False)
    assert lint.returncode != 0
    assert "- hook id: ruff-check" in lint.stdout and "report.py" in lint.stdout, lint.stdout
    assert "scratch.py" not in lint.stdout

    untidy = 'import sys,os\nTITLE = {  "name":"Revenue" }   \n\n\n'
    for path in (module, ignored):
        path.write_text(untidy)
    make(project.path, "format", env=project.env)
    assert module.read_text() == 'TITLE = {"name": "Revenue"}\n'
    assert ignored.read_text() == untidy
