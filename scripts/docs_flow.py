"""Write docs/flow.svg, the picture of a generated project's flow on the docs
home page: requirements*.in -> locks -> .venv, the image and CI, and where
each check runs. Plain SVG text, so the page needs no script and no network.

    python scripts/docs_flow.py          # print the SVG
    python scripts/docs_flow.py --write  # write docs/flow.svg (make docs does)
    python scripts/docs_flow.py --check  # fail if docs/flow.svg is stale
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

import generated_file

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "flow.svg"
WIDTH, HEIGHT = 960, 520
FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"
INK, MUTED, FILE, GROUP, CHECK = "#1f2933", "#52606d", "#e3f2fd", "#f5f7fa", "#c62828"
# How wide a label may come out, as a share of its font size per character:
# the widest of the fonts above (DejaVu Sans, where system-ui falls back on
# Linux) stays under these, so a label drawn to fit them fits on any system.
EM_PER_CHARACTER = {"normal": 0.6, "bold": 0.68}
PADDING = 10  # between a box's edge and its text, on the left and at least on the right

# (title, detail) of the boxes, column by column; a detail may be several lines.
INPUTS = (
    ("requirements.in", "what the code imports, loose"),
    ("requirements-dev.in", "dev tools, -c requirements.txt"),
    (".python-version", "the one Python version"),
)
LOCKS = (
    ("requirements.txt", "every runtime pin, sha256 hashes"),
    ("requirements-dev.txt", "every dev-only pin, hashes"),
)
# (title, detail, label of the arrow from the locks, the checks that guard it)
PRODUCTS = (
    (".venv", ("exactly the locks,", "nothing else"), "make dev", ()),
    ("Docker image", ("from requirements.txt;", "CI pushes it to ECR"), "make docker-build", (4,)),
    ("CI (GitHub Actions)", ("the same make targets", "as on a laptop"), "on every push", (3,)),
)
# (number, where it runs, what it checks): the circled numbers on the picture.
CHECKS = (
    (
        1,
        "git commit (hooks)",
        "lock-drift: each lock matches its .in, no hand edit; deptry, ruff, secrets, big files",
    ),
    (
        2,
        "make check-lock",
        "each lock's fingerprints: inputs unchanged, content as written, no conflict markers",
    ),
    (
        3,
        "CI jobs",
        "make check-lock, make lint (every hook, every file), make test, the image, Terraform",
    ),
    (
        4,
        "make docker-build",
        "check-lock on requirements.txt before Docker starts; pip --require-hashes inside",
    ),
)


def text_width(content: str, size: float, weight: str = "normal") -> float:
    """The most room `content` takes at font size `size` (see EM_PER_CHARACTER)."""
    return len(content) * size * EM_PER_CHARACTER[weight]


def text(x: float, y: float, content: str, size: int = 13, **attributes: str) -> str:
    attributes = {"fill": INK, **attributes}
    extra = "".join(f" {name.replace('_', '-')}='{value}'" for name, value in attributes.items())
    return f"<text x='{x}' y='{y}' font-size='{size}'{extra}>{escape(content)}</text>"


def box(x: float, y: float, width: float, title: str, detail: str | tuple[str, ...]) -> list[str]:
    """A file or product: its title in bold, then its detail, a line each."""
    lines = (detail,) if isinstance(detail, str) else detail
    height = 32 + 14 * len(lines)
    return [
        (
            f"<rect x='{x}' y='{y}' width='{width}' height='{height}' rx='6' fill='{FILE}'"
            " stroke='#90caf9'/>"
        ),
        text(x + PADDING, y + 19, title, font_weight="bold"),
        *(
            text(x + PADDING, y + 37 + 14 * row, line, size=11, fill=MUTED)
            for row, line in enumerate(lines)
        ),
    ]


def group(x: float, y: float, width: float, height: float, title: str) -> list[str]:
    return [
        (
            f"<rect x='{x}' y='{y}' width='{width}' height='{height}' rx='10' fill='{GROUP}'"
            f" stroke='#cbd2d9' stroke-dasharray='4 3'/>"
        ),
        text(x + 10, y + 18, title, size=12, fill=MUTED),
    ]


def arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' stroke='{INK}' stroke-width='1.5'"
        " marker-end='url(#arrow)'/>"
    )


def badge(x: float, y: float, number: int) -> list[str]:
    return [
        f"<circle cx='{x}' cy='{y}' r='9' fill='{CHECK}'/>",
        text(
            x, y + 4, str(number), size=11, fill="#ffffff", text_anchor="middle", font_weight="bold"
        ),
    ]


def svg() -> str:
    parts = [
        (
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}'"
            f" viewBox='0 0 {WIDTH} {HEIGHT}' {FONT} role='img'"
            " aria-label='How a generated project turns requirements into locks, a venv, an image"
            " and CI runs, and where each check runs'>"
        ),
        "<!-- Generated by scripts/docs_flow.py (make docs); edit the script, not this file. -->",
        (
            "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='8'"
            f" markerHeight='8' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{INK}'/>"
            "</marker></defs>"
        ),
        f"<rect width='{WIDTH}' height='{HEIGHT}' fill='#ffffff'/>",
    ]
    # Three columns: the inputs, the locks, and what is made from the locks,
    # each box as wide as its longest line needs (tests/test_docs.py checks).
    parts += group(10, 20, 236, 210, "you edit")
    for row, (title, detail) in enumerate(INPUTS):
        parts += box(18, 44 + row * 60, 220, title, detail)
    parts += group(320, 20, 256, 210, "make lock writes; committed")
    for row, (title, detail) in enumerate(LOCKS):
        parts += box(328, 44 + row * 60, 240, title, detail)
    parts += badge(540, 30, 1) + badge(562, 30, 2)
    parts.append(arrow(248, 125, 318, 125))
    parts.append(text(283, 116, "make lock", size=11, text_anchor="middle"))
    parts.append(text(283, 146, "if an input", size=10, text_anchor="middle", fill=MUTED))
    parts.append(text(283, 158, "changed", size=10, text_anchor="middle", fill=MUTED))
    # From the locks to a bus, and from the bus to each product, labelled.
    parts.append(f"<line x1='578' y1='125' x2='590' y2='125' stroke='{INK}' stroke-width='1.5'/>")
    parts.append(f"<line x1='590' y1='60' x2='590' y2='200' stroke='{INK}' stroke-width='1.5'/>")
    for row, (title, detail, label, checks) in enumerate(PRODUCTS):
        y = 30 + row * 70
        parts += box(714, y, 236, title, detail)
        parts.append(arrow(590, y + 30, 712, y + 30))
        parts.append(text(651, y + 24, label, size=11, text_anchor="middle"))
        for number in checks:
            parts += badge(946, y, number)
    parts.append(text(20, 282, "Where each check runs", size=15, font_weight="bold"))
    for row, (number, where, what) in enumerate(CHECKS):
        y = 312 + row * 50
        parts += badge(30, y - 4, number)
        parts.append(text(48, y, where, font_weight="bold"))
        parts.append(text(48, y + 18, what, size=12, fill=MUTED))
    parts.append(
        text(
            20,
            HEIGHT - 12,
            "make dev and make lock recompile a stale lock first: all locks are written or none.",
            size=12,
            fill=MUTED,
        )
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    return generated_file.main(
        argv,
        description=__doc__.splitlines()[0],
        output=OUTPUT,
        text=svg,
        fix="it is not what scripts/docs_flow.py draws: run make docs.",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
