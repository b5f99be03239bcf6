"""What generated projects offer, read from projects rendered for each
combination of the optional parts: their `make help` and their commit hooks.

The docs pages built from these (docs_make_targets.py, docs_hooks.py) say
which answers bring each target and hook: the first variant below in which it
appears. A new optional part of the template that brings targets or hooks
needs a variant here (the tests check that the variants cover a project with
every part switched on).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
import warnings
from pathlib import Path

import copier
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Every optional part off, then switched on one at a time. The answers that
# name the project are fixed, so the pages do not depend on who runs this.
BASE: dict[str, object] = {
    "project_name": "Sales Forecast",
    "python_version": "3.12",
    "notebooks": False,
    "docker": False,
    "ecr": False,
    "ci": "none",
}
VARIANTS: tuple[tuple[str, dict[str, object]], ...] = (
    ("every project", {}),
    ("`notebooks: true`", {"notebooks": True}),
    ("`ci: github`", {"ci": "github"}),
    ("`docker: true`", {"docker": True}),
    ("`docker: true` and `ecr: true`", {"docker": True, "ecr": True}),
)
EVERYTHING: dict[str, object] = {"notebooks": True, "ci": "github", "docker": True, "ecr": True}
HELP_LINE = re.compile(r"^  ([a-zA-Z][a-zA-Z_-]*) +(\S.*)$", re.MULTILINE)
TARGET_LINE = re.compile(r"^([a-zA-Z][a-zA-Z_-]*):")
# Comment lines above a target (above its .PHONY line) that `make help` leaves
# out: the longer text of the docs page.
DOC_COMMENT = "#: "


@functools.cache
def _workdir() -> tempfile.TemporaryDirectory:
    """One folder for this process's renders, removed when the process ends."""
    return tempfile.TemporaryDirectory(prefix="rendered-project-")


@functools.cache
def render(answers: tuple[tuple[str, object], ...]) -> Path:
    """The template's working tree rendered with BASE plus `answers`, in a
    folder that lives as long as this process."""
    destination = Path(tempfile.mkdtemp(dir=_workdir().name)) / "sales-forecast"
    with warnings.catch_warnings():
        # Uncommitted changes to the template are what a regenerated page must show.
        warnings.filterwarnings("ignore", message="Dirty template changes")
        copier.run_copy(
            str(ROOT),
            str(destination),
            data={**BASE, **dict(answers)},
            defaults=True,
            unsafe=False,
            vcs_ref="HEAD",
            quiet=True,
        )
    return destination


def project(answers: dict[str, object]) -> Path:
    return render(tuple(sorted(answers.items())))


def make_help(answers: dict[str, object]) -> dict[str, str]:
    """target -> its `## ` description, as `make help` prints them, in order."""
    # An outer make's variables would make this one print "Entering directory".
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    output = subprocess.run(
        ["make", "help"],
        cwd=project(answers),
        env=env,
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    ).stdout
    return dict(HELP_LINE.findall(output))


def target_docs(answers: dict[str, object]) -> dict[str, str]:
    """target -> what the docs say of it, in `make help`'s order: the `#: `
    lines just above it in the Makefile, joined, or else its help line."""
    lines = (project(answers) / "Makefile").read_text().splitlines()
    longer: dict[str, str] = {}
    for number, line in enumerate(lines):
        target = TARGET_LINE.match(line)
        above = number - 1
        if not target or above < 0:
            continue
        if lines[above].startswith(".PHONY:"):
            above -= 1
        text = []
        while above >= 0 and lines[above].startswith(DOC_COMMENT):
            text.insert(0, lines[above].removeprefix(DOC_COMMENT).strip())
            above -= 1
        if text:
            longer[target.group(1)] = " ".join(text)
    return {target: longer.get(target, line) for target, line in make_help(answers).items()}


def hooks(answers: dict[str, object]) -> dict[str, str]:
    """hook id -> its name, from the rendered .pre-commit-config.yaml, in order."""
    config = yaml.safe_load((project(answers) / ".pre-commit-config.yaml").read_text())
    return {
        hook["id"]: hook.get("name", hook["id"])
        for repo in config["repos"]
        for hook in repo["hooks"]
    }


def by_variant(read) -> list[tuple[str, dict[str, str]]]:
    """[(answers that bring them, {item: description})] for each variant, each
    item under the first variant that has it; `read` is target_docs or hooks.
    Where a later variant words an item's description differently (the
    answers change what it does), the cell says so: "...; with <answers>: ..."."""
    first: dict[str, tuple[int, str]] = {}
    notes: dict[str, list[str]] = {}
    for index, (label, answers) in enumerate(VARIANTS):
        for item, text in read({**BASE, **answers}).items():
            if item not in first:
                first[item] = (index, text)
                notes[item] = []
            elif text != first[item][1]:
                base = first[item][1]
                added = text[len(base) :].lstrip(" ,;") if text.startswith(base) else text
                notes[item].append(f"with {label}: {added}")
    grouped: list[tuple[str, dict[str, str]]] = [(label, {}) for label, _ in VARIANTS]
    for item, (index, text) in first.items():
        grouped[index][1][item] = "; ".join([text, *notes[item]])
    return grouped


def markdown_cell(text: str) -> str:
    """Plain text for a table cell: `|` would end the cell, `<x>` would be HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;")
