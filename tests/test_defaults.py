"""What a user gets without typing answers: the name from the folder, a slug
that keeps the words of an accented name, no invented author, and never a
traceback from the template's side."""

from __future__ import annotations

import re
from pathlib import Path

import ascii_letters
import pytest
import tomllib
import yaml
from support.commands import make
from support.project import PYTHON_VERSION, copier_cli, render


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Données Café", "donnees-cafe", "donnees_cafe"),
        ("Straße Ærø Łódź", "strasse-aero-lodz", "strasse_aero_lodz"),
        ("Cafe\u0301 Forecast", "cafe-forecast", "cafe_forecast"),  # decomposed é
        ("2024 Budget", "project-2024-budget", "project_2024_budget"),
    ],
)
def test_an_accented_project_name_gives_an_ascii_slug_that_keeps_the_words(
    tmp_path: Path, name: str, slug: str, package: str
):
    project = render(tmp_path / "project", project_name=name)
    assert (answers(project)["project_slug"], answers(project)["package_name"]) == (slug, package)
    assert (project / "src" / package / "__init__.py").is_file()


def test_a_name_with_nothing_to_spell_in_ascii_asks_for_the_slug_and_says_why(tmp_path: Path):
    result = copier_cli(
        tmp_path / "project", "project_name=東京の売上", f"python_version={PYTHON_VERSION}"
    )
    assert result.returncode != 0
    assert "project_slug is empty" in result.stderr
    assert "nothing in the project name" in result.stderr and "-d project_slug=" in result.stderr
    assert not (tmp_path / "project").exists() or not any((tmp_path / "project").iterdir())


def test_the_ascii_table_is_the_one_the_script_makes():
    assert ascii_letters.main(["--check"]) == 0, "run python scripts/ascii_letters.py --write"


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("sales-forecast", "Sales Forecast"),
        ("weekly_kpis", "Weekly Kpis"),
        ("Sales Forecast EU", "Sales Forecast EU"),
    ],
)
def test_the_project_name_defaults_to_the_destination_folder(
    tmp_path: Path, folder: str, name: str
):
    result = copier_cli(tmp_path / folder, f"python_version={PYTHON_VERSION}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert answers(tmp_path / folder)["project_name"] == name


@pytest.mark.parametrize(
    ("folder", "package"), [("pytest", "pytest_project"), ("json", "json_project")]
)
def test_a_folder_named_like_a_taken_module_still_renders_with_defaults(
    tmp_path: Path, folder: str, package: str
):
    result = copier_cli(tmp_path / folder, f"python_version={PYTHON_VERSION}")
    assert result.returncode == 0, result.stderr
    assert answers(tmp_path / folder)["package_name"] == package
    assert (tmp_path / folder / "src" / package / "__init__.py").is_file()


def test_no_invented_author_lands_in_the_license_or_the_metadata(tmp_path: Path):
    result = copier_cli(tmp_path / "sales-forecast", f"python_version={PYTHON_VERSION}")
    assert result.returncode == 0, result.stderr
    project = tmp_path / "sales-forecast"
    license_text = (project / "LICENSE").read_text(encoding="utf-8")
    assert re.search(
        r"^Copyright \(c\) \d{4} The Sales Forecast authors$", license_text, re.MULTILINE
    )
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "authors" not in metadata
    rendered = "\n".join(
        path.read_text(errors="replace") for path in project.rglob("*") if path.is_file()
    )
    assert "Data Team" not in rendered and "data-team@example.com" not in rendered


def test_an_author_given_lands_in_the_license_and_the_metadata(tmp_path: Path):
    project = render(
        tmp_path / "project", author_name="Ana Lima", author_email="ana.lima@example.org"
    )
    assert "Copyright (c)" in (license_text := (project / "LICENSE").read_text())
    assert license_text.splitlines()[2].endswith(" Ana Lima")
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["authors"] == [{"name": "Ana Lima", "email": "ana.lima@example.org"}]


@pytest.mark.slow
def test_copier_copy_defaults_into_a_folder_with_spaces_and_capitals_passes_make_test(
    tmp_path: Path, index_env: dict[str, str]
):
    """No -d at all: every answer is a default (Python 3.12 too, which this
    machine has), and the project resolves its locks against the real index,
    as a first user's does."""
    destination = tmp_path / "Q3 Sales Forecast"
    result = copier_cli(destination)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    given = answers(destination)
    assert (given["project_name"], given["project_slug"]) == (
        "Q3 Sales Forecast",
        "q3-sales-forecast",
    )

    tests = make(destination, "test", env=index_env)
    assert re.search(r"\b\d+ passed\b", tests.stdout), tests.stdout
