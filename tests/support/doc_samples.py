"""The sample output a docs page shows, read back so a test can hold it to
what the code prints: the test takes the sample's data (names, versions,
counts), has the template's own code print them, and compares line for line.
A reworded message in the code then turns the test red until the page is
brought up to date."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path

from lockstep.compile import pin_changes, resolving, summary
from lockstep.engines import get_engine
from lockstep.run import Progress

DOCS = Path(__file__).resolve().parents[2] / "docs"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def sample(page: str, first: str) -> list[str]:
    """The lines of the indented code block of docs/`page` from the line that
    starts with `first` to the block's end, dedented (blank lines within kept)."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.lstrip().startswith(first))
    indent = " " * (len(lines[start]) - len(lines[start].lstrip()))
    block = []
    for number, line in enumerate(lines[start:], start):
        if not line.strip():
            following = next((rest for rest in lines[number:] if rest.strip()), "")
            if not following.startswith(indent):
                break
        elif not line.startswith(indent):
            break
        block.append(line.removeprefix(indent))
    return block


def printed(function: Callable, *arguments) -> list[str]:
    """What function(*arguments) prints, a line each."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        function(*arguments)
    return out.getvalue().splitlines()


def pins_moved(lines: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The old and new pins a sample's pin lines (`+ name version ...`,
    `- name version ...`, `name old -> new`) speak of."""
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for line in lines:
        words = line.split()
        if words[0] == "+":
            new[words[1]] = words[2]
        elif words[0] == "-":
            old[words[1]] = words[2]
        else:
            old[words[0]], new[words[0]] = words[1], words[-1]
    return old, new


def compile_output(lines: list[str], engine: str) -> list[str]:
    """A compile's lines as the code prints them, from the sample's own data:
    each "Resolving" line, then its lock's summary and the pins that moved.
    Any other line is kept as it stands (a test compares those itself)."""
    expected: list[str] = []
    rest = list(lines)
    while rest:
        line = rest.pop(0)
        if not line.startswith("Resolving "):
            expected.append(line)
            continue
        lock, requirements_in = line.split()[1], line.split()[3]
        expected.append(resolving(Path(lock), Path(requirements_in), engine))
        while rest[0].startswith("  ... still "):  # the heartbeat of a slow compile
            told = rest.pop(0)
            seconds, *count = NUMBER.findall(told.split(": ", 1)[1])
            progress = Progress(f"resolving {lock} ({engine})", get_engine(engine).collecting)
            progress.names = {str(number) for number in range(int(count[0]) if count else 0)}
            progress.hashes = "hashing" in told
            expected.append(progress.status(float(seconds)))
        counted = rest.pop(0)
        count, seconds, *changed = NUMBER.findall(counted.removeprefix(lock))
        moved = [rest.pop(0).removeprefix("  ") for _ in range(int(changed[0]) if changed else 0)]
        changes = pin_changes(*pins_moved(moved))
        expected.append(summary(Path(lock), int(count), float(seconds), changes))
        expected.extend(f"  {change}" for change in changes)
    return expected
