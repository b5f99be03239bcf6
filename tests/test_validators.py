"""Every validator rejects bad answers with its message and writes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.project import PYTHON_VERSION, TEMPLATE_ROOT, copier_cli

# question, bad value, words the message must contain
BAD_ANSWERS = [
    ("project_name", "   ", "must not be empty"),
    ("project_name", "", "must not be empty"),
    ("project_slug", "Sales Forecast", "lower-case letters, digits and single hyphens"),
    ("project_slug", "sales--forecast", "lower-case letters, digits and single hyphens"),
    ("project_slug", "9lives", "starting with a letter"),
    ("package_name", "my-pkg", "not a valid import name"),
    ("package_name", "2fast", "not a valid import name"),
    ("package_name", "class", "keyword or standard-library module"),
    ("package_name", "json", "keyword or standard-library module"),
    # A module the project installs: from the runtime lock (pandas, and six
    # under it), the dev lock (pytest's _pytest), the notebook kernel's
    # dependencies (traitlets), and the project's own tests/ folder.
    ("package_name", "pandas", "a module of pandas, which the project installs"),
    ("package_name", "six", "a module of six, which the project installs"),
    ("package_name", "_pytest", "a module of pytest, which the project installs"),
    ("package_name", "traitlets", "a module of traitlets, which the project installs"),
    ("package_name", "tests", "the project's own tests/ folder"),
    ("project_name", "Sales\nForecast", "one line of text"),
    ("description", "Sales\nforecast", "one line of text"),
    ("description", "Sales\tforecast", "one line of text"),
    ("author_name", " ", "only spaces"),
    ("author_name", "Ana\nLima", "one line of text"),
    ("author_email", "not-an-email", "not an e-mail address"),
    ("author_email", "a@b", "not an e-mail address"),
    ("aws_region", "us-east", "not an AWS region code"),
    ("aws_region", "US-EAST-1", "not an AWS region code"),
    ("ecr_repository_name", "Sales-Forecast", "ECR's naming rules"),
    ("ecr_repository_name", "sales__forecast/", "ECR's naming rules"),
    ("ecr_repository_name", "x", "ECR's naming rules"),
    ("ecr_keep_images", "0", "whole number of 1 or more"),
    ("ecr_keep_images", "-1", "whole number of 1 or more"),
    ("ecr_keep_images", "three", "whole number of 1 or more"),
    ("ecr_untagged_expire_days", "0", "whole number of days"),
    ("ecr_untagged_expire_days", "1.5", "whole number of days"),
    ("dependencies", '["tensorflow"]', "tensorflow"),
    ("dependencies", '["pandas", "scikit-learn"]', "scikit-learn"),
    ("python_version", "3.9", "3.9"),
    ("ci", "jenkins", "jenkins"),
    ("license", "GPL", "GPL"),
    ("lock_engine", "poetry", "poetry"),
    ("min_release_age", "-1", "whole number of days, 0 (no cooldown) or more"),
    ("min_release_age", "1.5", "whole number of days, 0 (no cooldown) or more"),
]


def copier_copy(destination: Path, **answers: str) -> subprocess.CompletedProcess[str]:
    given = {"project_name": "Sales Forecast", "python_version": PYTHON_VERSION, **answers}
    return copier_cli(destination, *(f"{question}={value}" for question, value in given.items()))


@pytest.mark.parametrize(
    ("question", "value", "message"), BAD_ANSWERS, ids=[f"{q}={v!r}" for q, v, _ in BAD_ANSWERS]
)
def test_a_bad_answer_is_rejected_with_its_message_and_writes_nothing(
    tmp_path: Path, question: str, value: str, message: str
):
    destination = tmp_path / "project"
    result = copier_copy(destination, **{question: value})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert question in output
    assert message in output
    assert not destination.exists() or not any(destination.iterdir())


def test_every_validated_question_is_covered():
    import yaml

    questions = {
        name
        for document in yaml.safe_load_all(
            (TEMPLATE_ROOT / "copier.yml").read_text().replace("!include", "#")
        )
        if document
        for name, spec in document.items()
        if isinstance(spec, dict) and ("validator" in spec or "choices" in spec)
    }
    tested = {question for question, _, _ in BAD_ANSWERS}
    assert questions - tested == set()
    for question in questions:
        assert sum(q == question for q, _, _ in BAD_ANSWERS) >= 2 or question in {
            "python_version",
            "ci",
            "license",
            "lock_engine",
        }, question


def test_good_answers_render(tmp_path: Path):
    result = copier_copy(
        tmp_path / "project",
        package_name="sales_core",
        ecr_repository_name="team/sales-forecast",
        aws_region="eu-central-1",
        ecr_keep_images="10",
        author_email="ana@example.org",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "project" / "src" / "sales_core" / "__main__.py").is_file()
