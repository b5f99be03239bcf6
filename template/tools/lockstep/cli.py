# The template manages this file: local edits meet the next copier update as a merge.
"""The command line of tools/locks.py (the Makefile's targets call it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lockstep import bootstrap, stamp
from lockstep.engines import get_engine
from lockstep.inputs import input_files
from lockstep.run import LockError, Runner, hold_project_lock
from lockstep.state import LOCK_PAIRS, check, lock_states, platform_warnings


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tools/locks.py",
        description="Keep requirements*.txt true to requirements*.in, and .venv true to both.",
        epilog="Everything after -- goes to the engine's compile command untouched.",
    )
    parser.add_argument("--venv", type=Path, default=Path(".venv"))
    parser.add_argument("--engine", default="", help="pip-tools (the default) or uv")
    parser.add_argument(
        "--pair",
        nargs=2,
        action="append",
        type=Path,
        default=[],
        metavar=("IN", "LOCK"),
        help="a lock to work on instead of requirements.in -> requirements.txt and "
        "requirements-dev.in -> requirements-dev.txt (repeatable)",
    )
    # What every command that may compile takes (sync compiles a stale lock first).
    compiling = argparse.ArgumentParser(add_help=False)
    compiling.add_argument(
        "--min-release-age",
        type=days,
        default=0,
        metavar="DAYS",
        help="leave out releases younger than this (0: no cooldown)",
    )
    compiling.add_argument(
        "--allow-downgrade", action="store_true", help="accept a compile that moves pins down"
    )
    compiling.add_argument(
        "--as-of",
        type=past_day,
        metavar="YYYY-MM-DD",
        help="resolve the runtime lock afresh, as it would have been at the end of that day",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser(
        "lock", parents=[compiling], help="compile every lock whose inputs or content changed"
    )
    lock.add_argument(
        "--upgrade", action="store_true", help="move every pin to its newest allowed version"
    )
    lock.add_argument(
        "--upgrade-package",
        action="append",
        default=[],
        dest="upgrade_packages",
        metavar="NAME",
        help="move one package (and what it needs); repeatable",
    )
    for name, summary, parents in (
        ("check", "fail, naming the file and the fix, if a lock is not current", []),
        ("sync", "lock, then make the venv hold exactly the locks and the project", [compiling]),
        ("status", "say whether the venv holds exactly the locks", []),
    ):
        commands.add_parser(name, parents=parents, help=summary).add_argument(
            "--prod", action="store_true", help="the runtime lock only"
        )
    venv = commands.add_parser("venv", help="make the venv (make venv)")
    venv.add_argument("--stamp", type=Path, required=True, help="written once the venv is made")
    venv.add_argument("--python-version", default="", help="the version .python-version names")
    return parser


def days(text: str) -> int:
    """MIN_RELEASE_AGE: a whole number of days, 0 or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(
            f"MIN_RELEASE_AGE={text!r} is not a number of days: use a whole number, "
            "e.g. make lock MIN_RELEASE_AGE=7 (0 turns the cooldown off)"
        )
    return int(text)


def past_day(text: str):
    """AS_OF: a day that has ended or is under way (ISO 8601, 2024-06-01)."""
    from datetime import date

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or day > date.today():
        raise argparse.ArgumentTypeError(
            f"AS_OF={text!r} is not a past day: give one as YYYY-MM-DD, today or earlier "
            "(e.g. make lock AS_OF=2024-06-01)"
        )
    return day


def main(argv: list[str]) -> int:
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser().parse_args(argv[:split])
    options.extra_args = argv[split + 1 :]
    pairs = tuple(options.pair) or LOCK_PAIRS
    chosen = pairs[:1] if getattr(options, "prod", False) else pairs
    locks = [lock for _, lock in chosen]
    try:
        engine = get_engine(options.engine)
    except ValueError as error:
        if options.command == "venv":  # the venv is made all the same; make dev says it next
            engine = get_engine("")
        else:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if options.command == "check":
        return check(lock_states(chosen, options.engine))
    if options.command == "venv":
        return bootstrap.make_venv(options.venv, options.stamp, engine, options.python_version)
    if sys.flags.no_site:  # the Makefile's python -S: packaging is in site-packages
        import site

        site.main()
    from lockstep import sync
    from lockstep.compile import Compiler

    runner = Runner()
    runner.stop_on_signals()
    try:
        if options.command == "status":
            bootstrap.ensure_libraries(options.venv, engine, runner)
            return sync.status(locks, options.venv)
        hold_project_lock()
        options.upgrade = getattr(options, "upgrade", False)
        options.upgrade_packages = getattr(options, "upgrade_packages", [])
        options.allow_downgrade = getattr(options, "allow_downgrade", False)
        compiler = Compiler(options.venv, engine, runner, options)
        if options.command == "lock":
            compiler.lock(pairs)
            return 0
        states = lock_states(pairs, options.engine)
        if any(state.kind != "current" for state in states):
            compiler.lock(pairs)
            states = lock_states(pairs, options.engine)
        sync.sync(locks, options.venv, engine, runner)
        said = platform_warnings(states[: len(chosen)])
        sys.stdout.flush()
        sys.stderr.write(said)
        read = [
            str(path)
            for requirements_in, lock in pairs
            for path in [*input_files(requirements_in), lock]
        ]
        site_packages = str(sync.site_packages(options.venv))
        stamp.remember(
            argv, str(options.venv), site_packages, [*dict.fromkeys(read), "pyproject.toml"], said
        )
        stamp.keep_compiled()
    except LockError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "\nInterrupted: no lock was left half-written; run the same make command again.",
            file=sys.stderr,
        )
        return 130
    return 0
