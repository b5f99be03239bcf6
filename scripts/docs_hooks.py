"""Write the table of hooks in docs/hooks.md from rendered projects'
.pre-commit-config.yaml, so the page cannot drift from the hooks.

    python scripts/docs_hooks.py          # print the page
    python scripts/docs_hooks.py --write  # rewrite the table in docs/hooks.md (make docs does)
    python scripts/docs_hooks.py --check  # fail if the table in docs/hooks.md is stale

Only the part of the page between the two marker comments is generated; the
prose around it is edited by hand. Each hook's line is its id and its `name`
in template/.pre-commit-config.yaml.jinja, and the answers that bring it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import generated_file
import rendered_project

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "hooks.md"
BEGIN = (
    "<!-- The table below is generated from template/.pre-commit-config.yaml.jinja by\n"
    "     scripts/docs_hooks.py (make docs): edit the hooks there, then run make docs. -->"
)
END = "<!-- End of the generated table. -->"


def table() -> str:
    lines = ["| hook | what it does | answers that bring it |", "| --- | --- | --- |"]
    for label, hooks in rendered_project.by_variant(rendered_project.hooks):
        answers = "always" if label == "every project" else label
        lines += [
            f"| `{hook}` | {rendered_project.markdown_cell(name)} | {answers} |"
            for hook, name in hooks.items()
        ]
    return "\n".join(lines)


def page() -> str:
    return generated_file.between_markers(PAGE, BEGIN, END, table(), "the hooks table")


def main(argv: list[str]) -> int:
    return generated_file.main(
        argv,
        description=__doc__.splitlines()[0],
        output=PAGE,
        text=page,
        fix="its hooks table does not match template/.pre-commit-config.yaml.jinja: run make docs.",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
