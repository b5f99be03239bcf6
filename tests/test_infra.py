"""The generated infra/: Terraform for the project's ECR repository, proven offline.

Scenarios a user would recognise: infra/ appears only when they asked for
Docker and ECR; its make targets say what to do when Terraform is missing;
it is formatted, valid and passes its own `terraform test`; checkov finds
immutable tags, scan on push and KMS encryption; the lifecycle policy it
plans obeys ECR's documented rules and keeps exactly the images it promises;
and `terraform apply` against a local AWS API (moto) creates exactly that,
with a second plan showing no changes.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.commands import make, run
from support.ecr_lifecycle import Image, expired_images
from support.ecr_policy_rules import problems
from support.project import render
from support.terraform_tools import (
    OFFLINE_PROVIDER_OVERRIDE,
    local_aws_api_override,
)

INFRA_TARGETS = ["infra-fmt", "infra-validate", "infra-test", "infra-plan"]
# Answers that differ from every default, to see them arrive in Terraform.
ECR_ANSWERS = {
    "notebooks": False,
    "aws_region": "eu-central-1",
    "ecr_repository_name": "team/sales-forecast",
    "ecr_keep_images": "5",
    "ecr_untagged_expire_days": "7",
}
KEEP, DAYS = 5, 7
ECR_CHECKS = {"CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"}  # immutable tags, KMS, scan on push


# ---------------------------------------------------------------- fixtures
def without_colours(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def terraform(infra: Path, *args: str, env: dict[str, str], check: bool = True):
    return run(["terraform", *args], cwd=infra, env=env, check=check)


@pytest.fixture(scope="module")
def offline_infra(tmp_path_factory: pytest.TempPathFactory, tf_env: dict[str, str]) -> Path:
    """infra/ of a project rendered with ECR_ANSWERS, initialised, with fake credentials.

    Planning new resources reaches no AWS API, so fake credentials are enough.
    """
    project = render(tmp_path_factory.mktemp("planned") / "sales-forecast", **ECR_ANSWERS)
    infra = project / "infra"
    (infra / "offline_override.tf").write_text(OFFLINE_PROVIDER_OVERRIDE)
    terraform(infra, "init", "-backend=false", env=tf_env)
    return infra


@pytest.fixture(scope="module")
def planned(offline_infra: Path, tf_env: dict[str, str]) -> dict:
    """`terraform show -json` of the plan of offline_infra."""
    terraform(offline_infra, "plan", "-out=offline.tfplan", env=tf_env)
    return json.loads(
        terraform(offline_infra, "show", "-json", "offline.tfplan", env=tf_env).stdout
    )


def planned_values(plan: dict, address: str) -> dict:
    resources = plan["planned_values"]["root_module"]["resources"]
    return next(resource["values"] for resource in resources if resource["address"] == address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def local_aws_api() -> str:
    """A moto server on loopback: an AWS API that holds nothing real."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


# ---------------------------------------------------------------- rendering
@pytest.mark.parametrize(
    ("docker", "ecr", "has_infra"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_infra_is_generated_only_for_docker_with_ecr(tmp_path, docker, ecr, has_infra):
    project = render(tmp_path / "p", notebooks=False, docker=docker, ecr=ecr)
    assert (project / "infra").is_dir() == has_infra
    help_text = make(project, "help", env=dict(os.environ)).stdout
    for target in INFRA_TARGETS:
        assert (f"  {target} " in help_text) == has_infra, target
    readme = (project / "README.md").read_text()
    assert ("make infra-test" in readme) == has_infra


def test_infra_defaults_are_the_answers(tmp_path):
    infra = render(tmp_path / "p", **ECR_ANSWERS) / "infra"
    variables = (infra / "variables.tf").read_text()
    assert 'default     = "eu-central-1"' in variables
    assert 'default     = "team/sales-forecast"' in variables
    assert f"default     = {KEEP}\n" in variables
    assert f"default     = {DAYS}\n" in variables
    assert "{{" not in (infra / "README.md").read_text()
    assert "team/sales-forecast" in (infra / "README.md").read_text()


def test_infra_targets_say_how_to_get_terraform_when_it_is_missing(tmp_path):
    project = render(tmp_path / "p", notebooks=False)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        folder
        for folder in env["PATH"].split(os.pathsep)
        if not (Path(folder) / "terraform").exists()
    )
    for target in INFRA_TARGETS:
        result = make(project, target, env=env, check=False)
        assert result.returncode != 0, target
        assert "'terraform' was not found" in result.stderr, target
        assert "Install Terraform >= 1.7" in result.stderr, target
        assert "TERRAFORM=/path/to/terraform" in result.stderr, target


# ---------------------------------------------------------------- terraform, offline
@pytest.mark.slow
def test_terraform_is_formatted_valid_and_passes_its_own_tests(tmp_path, tf_env):
    project = render(tmp_path / "sales-forecast", **ECR_ANSWERS)
    validate = make(project, "infra-validate", env=tf_env)
    assert "The configuration is valid" in validate.stdout
    tested = make(project, "infra-test", env=tf_env)
    runs = (project / "infra/tests/ecr.tftest.hcl").read_text().count('\nrun "')
    assert f"Success! {runs} passed, 0 failed." in without_colours(tested.stdout), tested.stdout


@pytest.mark.slow
def test_infra_validate_fails_on_unformatted_terraform(tmp_path, tf_env):
    project = render(tmp_path / "sales-forecast", notebooks=False)
    main_tf = project / "infra/main.tf"
    main_tf.write_text(
        main_tf.read_text().replace("force_delete         = false", "force_delete=false")
    )
    result = make(project, "infra-validate", env=tf_env, check=False)
    assert result.returncode != 0
    assert "main.tf" in result.stdout + result.stderr
    make(project, "infra-fmt", env=tf_env)
    terraform(project / "infra", "fmt", "-check", "-recursive", env=tf_env)


@pytest.mark.slow
def test_a_bad_variable_is_refused_with_its_rule(offline_infra, tf_env):
    result = terraform(
        offline_infra, "plan", "-var", "untagged_expire_days=0", env=tf_env, check=False
    )
    assert result.returncode != 0
    assert "untagged_expire_days must be a whole number of days, 1 or more" in " ".join(
        result.stderr.split()
    )


@pytest.mark.slow
def test_checkov_finds_immutable_tags_scan_on_push_and_kms(tmp_path):
    # checkov runs from its own venv, which make dev makes from requirements-checkov.txt.
    checkov = Path(sys.prefix) / "tools" / "checkov" / "bin" / "checkov"
    assert checkov.exists(), f"{checkov} is missing: run make dev (it makes checkov's venv)"
    infra = render(tmp_path / "sales-forecast", notebooks=False) / "infra"
    command = [str(checkov), "--directory", str(infra), "--framework", "terraform"]
    command += ["--check", ",".join(sorted(ECR_CHECKS)), "--skip-download", "--output", "json"]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    env.pop("BC_API_KEY", None)
    result = run(command, cwd=tmp_path, env=env, check=False)
    report = json.loads(result.stdout)
    passed = {check["check_id"] for check in report["results"]["passed_checks"]}
    failed = {check["check_id"] for check in report["results"]["failed_checks"]}
    assert (passed, failed) == (ECR_CHECKS, set()), result.stdout[-3000:]


# ---------------------------------------------------------------- the planned policy
@pytest.mark.slow
def test_the_plan_carries_the_answers_and_the_safe_settings(planned):
    assert planned["variables"]["aws_region"]["value"] == "eu-central-1"
    repository = planned_values(planned, "aws_ecr_repository.this")
    assert repository["name"] == "team/sales-forecast"
    assert repository["image_tag_mutability"] == "IMMUTABLE"
    assert repository["image_scanning_configuration"] == [{"scan_on_push": True}]
    assert repository["encryption_configuration"][0]["encryption_type"] == "KMS"
    assert repository["force_delete"] is False


@pytest.mark.slow
def test_the_planned_lifecycle_policy_obeys_every_documented_ecr_rule(planned):
    policy_text = planned_values(planned, "aws_ecr_lifecycle_policy.this")["policy"]
    assert problems(policy_text) == []


def image_history(now: datetime, tagged: int, untagged_ages: list[float]) -> list[Image]:
    """`tagged` images pushed a day apart (some with a second tag), then untagged leftovers."""
    images = [
        Image(
            name=f"tagged-{n}",
            pushed_at=now - timedelta(days=tagged - n, hours=1),
            tags=(f"sha{n:07x}",) + (("release",) if n % 4 == 0 else ()),
        )
        for n in range(tagged)
    ]
    images += [
        Image(name=f"untagged-{age}d", pushed_at=now - timedelta(days=age)) for age in untagged_ages
    ]
    return images


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tagged", "untagged_ages"),
    [
        (12, [0.5, 3, DAYS - 0.1, DAYS + 0.1, 30, 400]),
        (KEEP, [DAYS + 1]),
        (KEEP + 1, []),
        (2, [1, 2]),
        (0, [DAYS * 10]),
    ],
    ids=["long-history", "exactly-keep", "one-more-than-keep", "young-project", "only-untagged"],
)
def test_the_policy_keeps_the_newest_tagged_images_and_expires_only_old_untagged_ones(
    planned, tagged, untagged_ages
):
    policy = json.loads(planned_values(planned, "aws_ecr_lifecycle_policy.this")["policy"])
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    images = image_history(now, tagged, untagged_ages)
    expired = expired_images(policy, images, now)

    tagged_images = sorted((i for i in images if i.tags), key=lambda i: i.pushed_at)
    kept_tagged = [i.name for i in tagged_images if i.name not in expired]
    assert kept_tagged == [i.name for i in tagged_images[-KEEP:]]
    untagged_expired = {i.name for i in images if not i.tags and i.name in expired}
    assert untagged_expired == {
        i.name for i in images if not i.tags and now - i.pushed_at > timedelta(days=DAYS)
    }


# ---------------------------------------------------------------- apply, against a local AWS API
@pytest.mark.slow
def test_apply_against_a_local_aws_api_creates_exactly_the_planned_repository(
    tmp_path, tf_env, local_aws_api
):
    import boto3

    infra = render(tmp_path / "sales-forecast", **ECR_ANSWERS) / "infra"
    (infra / "local_aws_api_override.tf").write_text(local_aws_api_override(local_aws_api))
    terraform(infra, "init", "-backend=false", env=tf_env)
    terraform(infra, "apply", "-auto-approve", env=tf_env)
    outputs = json.loads(terraform(infra, "output", "-json", env=tf_env).stdout)

    ecr = boto3.client(
        "ecr",
        region_name="eu-central-1",
        endpoint_url=local_aws_api,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    (repository,) = ecr.describe_repositories(repositoryNames=["team/sales-forecast"])[
        "repositories"
    ]
    assert repository["repositoryUri"] == outputs["repository_url"]["value"]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"

    stored = ecr.get_lifecycle_policy(repositoryName="team/sales-forecast")
    expected = json.loads(outputs["lifecycle_policy"]["value"])
    assert json.loads(stored["lifecyclePolicyText"]) == expected
    assert problems(stored["lifecyclePolicyText"]) == []

    second = terraform(infra, "plan", "-detailed-exitcode", env=tf_env, check=False)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "No changes." in second.stdout


def test_nothing_in_the_template_points_at_this_machine():
    """The provider mirror and the local AWS API live in the tests, never in what users get."""
    template = Path(__file__).resolve().parents[1] / "template"
    infra = template / "{% if docker and ecr %}infra{% endif %}"
    assert infra.is_dir()
    machine_details = {
        template: ["/opt/tf-plugins", "filesystem_mirror", "TF_PLUGIN_MIRROR"],
        infra: ["127.0.0.1", "localhost", "endpoints", "skip_credentials_validation"],
    }
    for folder, details in machine_details.items():
        for path in folder.rglob("*"):
            if path.is_file():
                text = path.read_text(errors="replace")
                for detail in details:
                    assert detail not in text, f"{detail} in {path}"
