"""Rendering: every meaningful answer combination renders a complete project."""

from __future__ import annotations

import py_compile
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.commands import run
from support.project import DEFAULT_ANSWERS, TEMPLATE_ROOT, render

# The longest a module of the generated tools/ may be (issue 19).
MODULE_LINE_LIMIT = 400
# `${{ ... }}` is a GitHub Actions expression, meant to stay in the workflows.
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#")

COMBINATIONS = {
    "defaults": {},
    "minimal": {"notebooks": False, "docker": False, "ci": "none", "dependencies": []},
    "every-dependency": {
        "dependencies": [
            "pandas",
            "numpy",
            "pyarrow",
            "polars",
            "duckdb",
            "sqlalchemy",
            "requests",
            "boto3",
        ],
    },
    "no-pandas": {"dependencies": ["polars", "requests"], "license": "Apache-2.0"},
    "docker-without-ecr": {"docker": True, "ecr": False, "license": "BSD-3-Clause"},
    "proprietary-py310": {"python_version": "3.10", "license": "Proprietary", "lock_engine": "uv"},
}


@pytest.fixture(params=sorted(COMBINATIONS), scope="module")
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    answers = COMBINATIONS[request.param]
    project = render(tmp_path_factory.mktemp(request.param) / "project", **answers)
    return project, {**DEFAULT_ANSWERS, **answers}


def project_files(project: Path) -> list[Path]:
    return [path for path in project.rglob("*") if path.is_file()]


def test_the_contract_files_are_rendered(rendered):
    project, answers = rendered
    package = "sales_forecast"
    for name in [
        ".copier-answers.yml",
        ".python-version",
        "Makefile",
        "requirements.in",
        "requirements-dev.in",
        "pyproject.toml",
        "README.md",
        "LICENSE",
        ".gitignore",
        f"src/{package}/__init__.py",
        f"src/{package}/__main__.py",
        f"src/{package}/pipeline.py",
        "tests/test_pipeline.py",
        "tests/test_cli.py",
        "tools/locks.py",
        "data/raw/.gitkeep",
        "data/interim/.gitkeep",
        "data/processed/.gitkeep",
        "data/external/.gitkeep",
    ]:
        assert (project / name).is_file(), f"{name} missing"
    assert (project / "notebooks").is_dir() == answers.get("notebooks", True)


def test_nothing_is_left_unrendered(rendered):
    project, _ = rendered
    leftovers = [
        str(path.relative_to(project))
        for path in project_files(project)
        if UNRENDERED.search(path.read_text(encoding="utf-8", errors="replace"))
        or UNRENDERED.search(str(path.relative_to(project)))
    ]
    assert leftovers == []


def test_answers_are_recorded_and_python_version_written_once(rendered):
    project, answers = rendered
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["project_name"] == "Sales Forecast"
    assert recorded["python_version"] == answers["python_version"]
    assert "_commit" in recorded and "_src_path" in recorded
    assert (project / ".python-version").read_text().strip() == answers["python_version"]


def test_requirements_in_lists_exactly_the_chosen_dependencies(rendered):
    project, answers = rendered
    lines = [
        line.strip()
        for line in (project / "requirements.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == list(answers.get("dependencies", ["pandas"]))
    dev_lines = (project / "requirements-dev.in").read_text().splitlines()
    assert "-c requirements.txt" in dev_lines
    assert ("ipykernel" in dev_lines) == answers.get("notebooks", True)


def test_python_files_compile(rendered):
    project, _ = rendered
    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)


# Every combination of the answers that bring make targets or change their help.
HELP_COMBINATIONS = {
    f"{parts}-{notebooks}-{ci}-{engine}": {
        "docker": parts != "no-docker",
        "ecr": parts == "docker-ecr",
        "notebooks": notebooks == "notebooks",
        "ci": ci,
        "lock_engine": engine,
    }
    for parts in ("no-docker", "docker", "docker-ecr")
    for notebooks in ("notebooks", "no-notebooks")
    for ci in ("github", "none")
    for engine in ("pip-tools", "uv")
}


@pytest.mark.parametrize("name", sorted(HELP_COMBINATIONS))
def test_every_make_help_line_fits_a_terminal(name: str, tmp_path: Path):
    """`make` alone prints a line per target under 100 characters wide; the
    longer story of each target is on the docs page (docs/make-targets.md)."""
    project = render(tmp_path / "project", **HELP_COMBINATIONS[name])
    lines = run(["make"], cwd=project).stdout.splitlines()
    assert len(lines) > 15
    assert [line for line in lines if len(line) >= 100] == []


def test_the_template_repositorys_own_make_help_fits_a_terminal():
    lines = run(["make", "help"], cwd=TEMPLATE_ROOT).stdout.splitlines()
    assert len(lines) > 8
    assert [line for line in lines if len(line) >= 100] == []


def test_makefile_help_lists_the_contract_targets(rendered):
    project, _ = rendered
    result = run(["make"], cwd=project)
    for target in [
        "help",
        "venv",
        "lock",
        "upgrade",
        "upgrade-package",
        "dev",
        "prod",
        "test",
        "lint",
        "format",
        "check-lock",
        "clean",
        "doctor",
    ]:
        assert re.search(rf"^  {re.escape(target)}\s", result.stdout, re.MULTILINE), target


MANAGED_HEADER = (
    "# The template manages this file: local edits meet the next copier update as a merge."
)


def test_every_script_in_tools_says_the_template_manages_it(rendered):
    """Whoever opens a tools/ file to change it reads first that the template
    owns it: the header is its first line, or the one after the #! line."""
    project, _ = rendered
    scripts = sorted(
        path
        for path in (project / "tools").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    assert any(path.parent.name == "lockstep" for path in scripts)
    for path in scripts:
        assert MANAGED_HEADER in path.read_text().splitlines()[:2], path.name


def test_no_module_of_the_helper_code_is_over_400_lines(rendered):
    """tools/ is read when something fails: one job a module, each short."""
    project, _ = rendered
    sizes = {
        path.relative_to(project).as_posix(): len(path.read_text().splitlines())
        for path in (project / "tools").rglob("*.py")
    }
    assert sizes and max(sizes.values()) <= MODULE_LINE_LIMIT, sizes


def test_the_makefile_names_each_target_once_with_its_phony_line_beside_it(rendered):
    """Reading the Makefile top to bottom: a target's prerequisites are all on
    its own line (never added further down), and `.PHONY: name` sits just
    above it instead of in a list elsewhere."""
    project, _ = rendered
    lines = (project / "Makefile").read_text().splitlines()
    targets = [line.split(":")[0] for line in lines if re.match(r"^[a-z][a-z-]*:", line)]
    assert targets and len(targets) == len(set(targets)), targets
    for number, line in enumerate(lines):
        if line.startswith(".PHONY:"):
            names = line.split(":", 1)[1].split()
            assert len(names) == 1 and lines[number + 1].startswith(f"{names[0]}:"), line
    phony = {line.split()[1] for line in lines if line.startswith(".PHONY:")}
    assert set(targets) <= phony, set(targets) - phony


def test_license_matches_the_answer(rendered):
    project, answers = rendered
    text = (project / "LICENSE").read_text()
    expected = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "BSD-3-Clause": "BSD 3-Clause License",
        "Proprietary": "All rights reserved",
    }[answers.get("license", "MIT")]
    assert expected in text
    # No author was given, so the copyright is the project's authors', not an invented name.
    assert "The Sales Forecast authors" in text


def test_data_stays_out_of_git_but_its_folders_are_kept(rendered, tmp_path: Path):
    project = shutil.copytree(rendered[0], tmp_path / "project")
    subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
    (project / "data" / "raw" / "sales-2026.csv").write_text("a,b\n1,2\n")

    def ignored(path: str) -> bool:
        result = subprocess.run(["git", "check-ignore", "--quiet", path], cwd=project, check=False)
        return result.returncode == 0

    assert ignored("data/raw/sales-2026.csv")
    assert ignored("data/processed/features.parquet")
    assert ignored(".venv/bin/python")
    assert ignored(".env")
    assert not ignored("data/raw/.gitkeep")
    assert not ignored("requirements.txt")


@pytest.mark.parametrize(
    "project_name",
    ["Ab", "Sales Forecast", "Revenue forecasting for the regional sales operations team"],
)
def test_the_code_a_project_starts_with_is_formatted_whatever_its_name_is_long(
    tmp_path: Path, project_name: str
):
    """The package name is written into src/ and tests/: its length must not
    decide whether ruff format (the format hook, make lint) passes on day one."""
    project = render(tmp_path / "project", project_name=project_name)
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
