"""The command line every generator of a committed file shares: print the
file, --write it, or --check that the committed one is what it would write."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(
    argv: list[str], *, description: str, output: Path, text: Callable[[], str], fix: str
) -> int:
    """`fix` is the sentence that tells how to bring a stale file up to date."""
    parser = argparse.ArgumentParser(description=description)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"write {output.relative_to(ROOT)}")
    action.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    content = text()
    if args.write:
        output.write_text(content, encoding="utf-8")
    elif args.check:
        if not output.exists() or output.read_text(encoding="utf-8") != content:
            print(f"error: {output.relative_to(ROOT)} is stale: {fix}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(content)
    return 0
