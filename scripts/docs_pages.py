"""Write the lists of documentation pages in docs/index.md and README.md from
mkdocs.yml's navigation, so no list of pages can drift from the site.

    python scripts/docs_pages.py          # print both files
    python scripts/docs_pages.py --write  # rewrite the lists (make docs does)
    python scripts/docs_pages.py --check  # fail if a list is stale (tests/test_docs.py)

Only the part of each file between its two marker comments is generated; the
prose around it is edited by hand. A page is added to the site by adding it
to `nav:` in mkdocs.yml (with the title the lists show), then make docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import generated_file
import yaml

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = ROOT / "mkdocs.yml"
HOME = ROOT / "docs" / "index.md"
README = ROOT / "README.md"
BEGIN = (
    "<!-- The list below is generated from the nav of mkdocs.yml by\n"
    "     scripts/docs_pages.py (make docs): add a page there, then run make docs. -->"
)
END = "<!-- End of the generated list. -->"


def nav() -> list[tuple[str, str | list[tuple[str, str]]]]:
    """[(title, page)] or [(section title, [(title, page)])], in the site's order."""
    entries = yaml.safe_load(MKDOCS.read_text(encoding="utf-8"))["nav"]
    found: list[tuple[str, str | list[tuple[str, str]]]] = []
    for entry in entries:
        ((title, value),) = entry.items()
        if isinstance(value, list):
            found.append((title, [next(iter(page.items())) for page in value]))
        else:
            found.append((title, value))
    return found


def pages() -> list[str]:
    """Every page in the navigation, as a path under docs/."""
    return [
        page
        for _, value in nav()
        for page in ([value] if isinstance(value, str) else [path for _, path in value])
    ]


def home_list() -> str:
    """The home page: a heading and a line per page for each section (the
    pages outside a section have a sentence each in its hand-written part)."""
    blocks = []
    for title, value in nav():
        if isinstance(value, list):
            links = "\n".join(f"- [{page_title}]({page})" for page_title, page in value)
            blocks.append(f"## {title}\n\n{links}")
    return "\n\n".join(blocks)


def readme_list() -> str:
    """The README: a line per page, a line per section; links into docs/."""
    lines = []
    for title, value in nav():
        if value == "index.md":
            continue
        if isinstance(value, str):
            lines.append(f"- [{title}](docs/{value})")
        else:
            links = ",\n  ".join(f"[{page_title}](docs/{page})" for page_title, page in value)
            lines.append(f"- {title}: {links}")
    return "\n".join(lines)


def home() -> str:
    return generated_file.between_markers(HOME, BEGIN, END, home_list(), "the lists of pages")


def readme() -> str:
    return generated_file.between_markers(README, BEGIN, END, readme_list(), "the list of pages")


def main(argv: list[str]) -> int:
    return generated_file.main_for_files(
        argv,
        description=__doc__.splitlines()[0],
        outputs={HOME: home, README: readme},
        fix="its list of pages does not match the nav of mkdocs.yml: run make docs.",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
