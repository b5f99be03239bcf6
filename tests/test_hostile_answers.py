"""Free-text answers cannot break a project: whatever a user types as the
project's name, description or author, every rendered file stays valid in
its own format and the text reads back exactly as typed.

`-d 'description=Reads C:\\data files'` once rendered a pyproject.toml that
pytest could not read, and `-d 'description=Counts "words"'` a SyntaxError
in __init__.py. Each answer set below is one class of hostile character,
given to every free-text question at once, with every optional part on.
"""

from __future__ import annotations

import ast
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import markdown
import pytest
import tomllib
import yaml
from support.ci import unavailable
from support.commands import make, run, user_environment
from support.images import IMAGE_REPOSITORY, docker_problem, image_tag
from support.project import STANDARD_ANSWERS, render

EVERYTHING = {"docker": True, "ecr": True, "ci": "github", "notebooks": True}
# One class of hostile character per set, each with the others' neighbours
# (a trailing quote, a trailing backslash) where they do the most harm.
HOSTILE = {
    "backslash": "Reads C:\\data\\new files from D:\\",
    "double quote": 'Counts "words" and ends with a quote"',
    "single quote": "It's O'Brien's forecast'",
    "dollar": "Costs $HOME ${PATH} $(whoami) %{x} in $",
    "jinja": "{{ project_name }} {% if x %}{# note #}",
    "non-ascii": "Données café – 東京の売上 😀 naïve",
    "markdown": "*bold* _it_ `code` [link](x) <b>tag</b> &amp; # 1. not a list",
}
FREE_TEXT = ("project_name", "description", "author_name")


def hostile(text: str) -> dict[str, object]:
    """The standard answers with every optional part on and `text` as every free-text answer."""
    return {**STANDARD_ANSWERS, **EVERYTHING, **dict.fromkeys(FREE_TEXT, text)}


def files(project: Path, *suffixes: str) -> list[Path]:
    return [
        path
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.parts and path.name.endswith(suffixes)
    ]


def markdown_text(markup: str) -> list[str]:
    """The text of each heading and paragraph as a reader sees it."""
    rendered = markdown.markdown(markup)
    blocks = re.findall(r"<(h1|p)>(.*?)</\1>", rendered, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", body)) for _, body in blocks]


def dockerfile_label(dockerfile: str) -> str:
    """The LABEL instruction (with its continuation lines) and the ARGs it uses."""
    label = re.search(r"^LABEL .*?[^\\]\n", dockerfile, re.MULTILINE | re.DOTALL)
    assert label, "the Dockerfile has no LABEL instruction"
    args = re.findall(r"^ARG .*\n", dockerfile, re.MULTILINE)
    return "".join(args) + label.group(0)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_rendered_file_parses_and_reads_back_the_answer(tmp_path: Path, kind: str):
    text = HOSTILE[kind]
    project = render(tmp_path / "project", **hostile(text))

    # Every file, with its own format's parser.
    for path in files(project, ".toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))
    for path in files(project, ".py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    for path in files(project, ".yml", ".yaml"):
        yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in files(project, ".json", ".ipynb"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in files(project, ".sh"):
        run(["sh", "-n", str(path)], cwd=project)
    help_text = make(project, "help", env=user_environment()).stdout
    assert "template-update" in help_text
    if shutil.which("terraform"):  # HCL parses (formatting needs no provider)
        run(["terraform", "fmt", "-check", "-recursive", "infra"], cwd=project)

    # ... and the answer comes back unchanged where it lands.
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["description"] == text
    assert metadata["authors"] == [{"name": text.strip()}]
    package = project / "src" / metadata["name"].replace("-", "_") / "__init__.py"
    assert ast.get_docstring(ast.parse(package.read_text(encoding="utf-8")), clean=False) == text
    readme = markdown_text((project / "README.md").read_text(encoding="utf-8"))
    assert readme[:2] == [text.strip(), text.strip()]
    infra_readme = markdown_text((project / "infra" / "README.md").read_text(encoding="utf-8"))
    assert infra_readme[0] == f"infra/: the ECR repository for {text.strip()}"
    assert f" {text.strip()}\n" in (project / "LICENSE").read_text(encoding="utf-8")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert {question: answers[question] for question in FREE_TEXT} == dict.fromkeys(FREE_TEXT, text)
    # A hostile name still gives a valid slug and package name.
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", metadata["name"]), metadata["name"]


def test_terraform_validates_with_every_hostile_answer(tmp_path: Path, tf_env: dict[str, str]):
    """No free text reaches a .tf file today; this keeps it so, or keeps it valid."""
    project = render(tmp_path / "project", **hostile(" ".join(HOSTILE.values())))
    validate = make(project, "infra-validate", env=tf_env)
    assert "The configuration is valid." in validate.stdout


def test_the_dockerfile_label_carries_the_description_as_typed(tmp_path: Path):
    """Docker itself parses the rendered LABEL (on an empty `FROM scratch` image,
    so no base image is needed) and gives every description back unchanged."""
    problem = docker_problem(base_image=False)
    if problem:
        unavailable(f"Docker label check: {problem}")
    for index, (kind, text) in enumerate(sorted(HOSTILE.items())):
        project = render(tmp_path / kind.replace(" ", "-"), **hostile(text))
        label = dockerfile_label((project / "Dockerfile").read_text(encoding="utf-8"))
        context = tmp_path / f"context-{index}"
        context.mkdir()
        (context / "Dockerfile").write_text(f"FROM scratch\n{label}", encoding="utf-8")
        tag = f"{IMAGE_REPOSITORY}:{image_tag(f'hostile-label-{index}')}"
        run(["docker", "build", "--quiet", "--tag", tag, str(context)], cwd=context)
        try:
            inspected = run(
                ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", tag],
                cwd=context,
            ).stdout
        finally:
            subprocess.run(
                ["docker", "image", "rm", "--force", tag], capture_output=True, check=False
            )
        labels = json.loads(inspected)
        assert labels["org.opencontainers.image.description"] == text, kind
        assert labels["org.opencontainers.image.licenses"] == "MIT"


@pytest.mark.slow
def test_a_project_with_hostile_answers_passes_make_dev_and_make_test(
    tmp_path: Path, standard_locks: Path, offline_env: dict[str, str]
):
    # Every class at once in the description and the author; the project name
    # stays the standard one so the session's locks fit (requirements.in names it).
    everything = " ".join(HOSTILE.values())
    project = render(
        tmp_path / "sales-forecast",
        locks=standard_locks,
        **{**STANDARD_ANSWERS, "description": everything, "author_name": everything},
    )

    make(project, "dev", env=offline_env)
    tests = make(project, "test", env=offline_env)

    assert re.search(r"\b\d+ passed\b", tests.stdout), tests.stdout
    described = run(
        [
            str(project / ".venv" / "bin" / "python"),
            "-c",
            "import sales_forecast; print(sales_forecast.__doc__)",
        ],
        cwd=project,
        env=offline_env,
    ).stdout
    assert described == everything + "\n"
