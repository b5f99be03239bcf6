"""The command line every generator of a committed file shares: print the
file, --write it, or --check that the committed one is what it would write;
and the generated part of a page edited by hand, between two marker comments."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(
    argv: list[str], *, description: str, output: Path, text: Callable[[], str], fix: str
) -> int:
    """`fix` is the sentence that tells how to bring a stale file up to date."""
    return main_for_files(argv, description=description, outputs={output: text}, fix=fix)


def main_for_files(
    argv: list[str], *, description: str, outputs: dict[Path, Callable[[], str]], fix: str
) -> int:
    """main for a generator that writes several files, each from its own function."""
    names = ", ".join(str(output.relative_to(ROOT)) for output in outputs)
    parser = argparse.ArgumentParser(description=description)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"write {names}")
    action.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args(argv)
    stale = 0
    for output, text in outputs.items():
        content = text()
        if args.write:
            output.write_text(content, encoding="utf-8")
        elif args.check:
            if not output.exists() or output.read_text(encoding="utf-8") != content:
                print(f"error: {output.relative_to(ROOT)} is stale: {fix}", file=sys.stderr)
                stale = 1
        else:
            sys.stdout.write(content)
    return stale


def between_markers(path: Path, begin: str, end: str, block: str, what: str) -> str:
    """The text of `path` with what stands between the comments `begin` and
    `end` replaced by `block`; the prose around them is kept as it is.
    `what` names the generated part for the message when a marker is missing."""
    text = path.read_text(encoding="utf-8")
    if text.count(begin) != 1 or text.count(end) != 1:
        raise SystemExit(
            f"error: {os.path.relpath(path, ROOT)} must hold the marker comments once each, "
            f"around {what}:\n{begin}\n...\n{end}"
        )
    before, rest = text.split(begin)
    after = rest.split(end)[1]
    return f"{before}{begin}\n\n{block}\n\n{end}{after}"
