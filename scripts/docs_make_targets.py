"""Write docs/make-targets.md from rendered projects' `make help`, so the page
cannot drift from the Makefile.

    python scripts/docs_make_targets.py          # print the page
    python scripts/docs_make_targets.py --write  # write docs/make-targets.md (make docs does)
    python scripts/docs_make_targets.py --check  # fail if docs/make-targets.md is stale

Each target's line is its `## ` comment in template/Makefile.jinja, the line
`make help` prints (under 100 characters wide, tests/test_render.py checks);
to say more about a target, write `#: ` comment lines just above it (above
its .PHONY line): this page shows those instead.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import generated_file
import rendered_project

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "make-targets.md"

INTRO = """\
# Make targets of a generated project

<!-- Generated from the `## ` and `#: ` comments in template/Makefile.jinja by
     scripts/docs_make_targets.py (make docs), which renders a project for each
     optional part and runs its `make help`. Edit the Makefile, then run make docs;
     tests/test_docs.py fails when this page is stale. -->

The Makefile is the project's workflow: `make` alone prints this list with a
short line each (the descriptions below say more where there is more to say,
for a project named Sales Forecast). Targets are real files and stamps where
that saves work, so repeating one with nothing changed does nothing. It works
with GNU Make 3.81 (macOS) and 4.x.
"""

# The variables a user sets on the command line, with what to know about
# each; the page lists those the rendered Makefile defines (`NAME ?= ...`).
VARIABLES = (
    (
        "PYTHON",
        "the interpreter that creates `.venv`, default `python<version from .python-version>`",
    ),
    ("VENV", "default `.venv`"),
    (
        "LOCK_ENGINE",
        (
            "`pip-tools` or `uv`, default the `lock_engine` answer:"
            " see [Choosing a lock engine](lock-engines.md)"
        ),
    ),
    (
        "PIP_COMPILE_FLAGS",
        "extra flags for one compile; the settings live in `pyproject.toml`'s `[tool.pip-tools]`",
    ),
    ("PYTEST_ARGS", ""),
)

# The guide to read next, after the section of the answers that bring its targets.
SECTION_GUIDES = {
    "every project": (
        "More in [Upgrade safely](how-to/upgrade-safely.md) (`make upgrade`,"
        " `make upgrade-package`), [the weekly upgrade check](ci.md#the-weekly-upgrade-check)"
        " (`make upgrade-check`), [Pre-commit hooks](hooks.md) (`make lint`, `make format`,"
        " `make hooks`) and [Updating](updating.md) (`make template-update`)."
    ),
    "`docker: true`": (
        "See [The Docker image](docker.md), and [Recover the pins of an old"
        " image](how-to/recover-pins-from-an-image.md) for `make freeze-from-image`."
    ),
    "`docker: true` and `ecr: true`": "See [ECR with Terraform](ecr.md).",
}


def variables() -> str:
    makefile = (rendered_project.project(rendered_project.BASE) / "Makefile").read_text()
    listed = [
        f"`{name}` ({note})" if note else f"`{name}`"
        for name, note in VARIABLES
        if re.search(rf"^{name} *\?=", makefile, re.MULTILINE)
    ]
    return (
        "Variables (set on the command line, e.g. `make dev PYTHON=/opt/python3.12/bin/python3`): "
        + ", ".join(listed)
        + "."
    )


def page() -> str:
    lines = [INTRO.rstrip("\n"), "", variables()]
    no_targets = []
    for label, targets in rendered_project.by_variant(rendered_project.target_docs):
        if not targets:
            no_targets.append(label)
            continue
        heading = "Every project" if label == "every project" else f"With {label}"
        lines += ["", f"## {heading}", ""]
        if label in SECTION_GUIDES:
            lines += [SECTION_GUIDES[label], ""]
        lines += ["| target | what it does |", "| --- | --- |"]
        lines += [
            f"| `make {target}` | {rendered_project.markdown_cell(text)} |"
            for target, text in targets.items()
        ]
    if no_targets:
        verb = "brings" if len(no_targets) == 1 else "bring"
        lines += ["", f"{' and '.join(no_targets)} {verb} no targets of their own."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    return generated_file.main(
        argv,
        description=__doc__.splitlines()[0],
        output=PAGE,
        text=page,
        fix="it does not match the `## ` and `#: ` comments of template/Makefile.jinja:"
        " run make docs.",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
