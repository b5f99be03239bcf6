# The template manages this file: local edits meet the next copier update as a merge.
"""`make upgrade-check`: would today's releases of our dependencies break us?

Copies the project into a temporary directory and upgrades its locks there
(every pin to its newest allowed version). When a pin moved, `make dev` and
`make test` run in the copy, and it prints which pins moved (a "package old ->
new" list, then the unified diff of the locks) and the test result; when none
did, it says so and stops there, nothing installed. With a release cooldown
(MIN_RELEASE_AGE), it then upgrades the copy's locks once more without it, to
list the newer releases the cooldown held back. The committed locks are never
touched; the copy is removed afterwards.

Exit status: 0 when no pin moved or the upgraded pins pass the tests, 1 when
the upgrade or the tests fail. With --output DIR the upgraded locks and a
Markdown report are kept in DIR (the weekly CI job opens its pull request
from them).

Standard library only: it runs with the Python that makes the venvs.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lockstep.compile import pin_changes
from lockstep.lockfile import pins

LOCKS = ("requirements.txt", "requirements-dev.txt")
# Never copied: environments, caches and build output are rebuilt in the copy,
# and git history is not needed to run the tests.
SKIPPED_NAMES = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".terraform",
    "build",
    "dist",
}


def without_hashes(text: str) -> list[str]:
    """The lock's lines minus hash lines, which change with every version."""
    kept = []
    for line in text.splitlines():
        if line.strip().startswith("--hash="):
            continue
        kept.append(line.rstrip(" \\"))
    return kept


def project_files(project: Path, skipped: set[str]) -> list[Path]:
    """What a fresh checkout plus your uncommitted work holds.

    In a git repository that is git's own list (tracked and new files, minus
    ignored ones such as data/); elsewhere every file but the skipped names.
    """
    if (project / ".git").exists() and shutil.which("git"):
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=project,
            capture_output=True,
            check=False,
        )
        if listing.returncode == 0:
            names = [name for name in listing.stdout.decode().split("\0") if name]
            return [
                Path(name)
                for name in names
                if (project / name).is_file() and not skipped & set(Path(name).parts)
            ]
    files = []
    for directory, subdirectories, names in os.walk(project):
        subdirectories[:] = [name for name in subdirectories if name not in skipped]
        for name in names:
            files.append((Path(directory) / name).relative_to(project))
    return files


def copy_project(project: Path, scratch: Path, skipped: set[str]) -> None:
    for relative in project_files(project, skipped):
        target = scratch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / relative, target, follow_symlinks=False)


def run_make(
    make: str, target: str, scratch: Path, environment: dict[str, str], *variables
) -> bool:
    print(f"\n== make {' '.join((target, *variables))} (in the scratch copy)", flush=True)
    command = [make, "--no-print-directory", target, *variables]
    return subprocess.run(command, check=False, cwd=scratch, env=environment).returncode == 0


def read_locks(folder: Path) -> dict[str, str]:
    return {
        lock: (folder / lock).read_text(encoding="utf-8")
        for lock in LOCKS
        if (folder / lock).exists()
    }


def held_back(upgraded: dict[str, str], newest: dict[str, str]) -> list[str]:
    """`name pinned (newest: version)` for each pin the cooldown kept below the newest."""
    kept, latest = {}, {}
    for lock in LOCKS:
        kept.update(pins(upgraded.get(lock, "")))
        latest.update(pins(newest.get(lock, "")))
    return [
        f"{name} {kept[name]} (newest: {latest[name]})"
        for name in sorted(kept.keys() & latest.keys())
        if kept[name] != latest[name]
    ]


def moved_pins(project: dict[str, str], upgraded: dict[str, str]) -> dict[str, list[str]]:
    """lock -> its `package old -> new` lines (empty when no pin moved)."""
    return {
        lock: pin_changes(pins(project[lock]), pins(upgraded.get(lock, project[lock])))
        for lock in LOCKS
    }


def report(project: Path, upgraded: dict[str, str], result: str, held: list[str] | None):
    """The plain-text report for the terminal and its Markdown twin: the sections that ran."""
    committed = read_locks(project)
    moved = moved_pins(committed, upgraded)
    changed = any(moved.values())
    text, markdown = [""], ["## Upgrade check", "", f"**Result:** {result}", ""]
    unified: list[str] = []
    if changed:
        text.append("== Pin changes (package old -> new)")
        markdown += ["### Pin changes", ""]
    for lock in LOCKS if changed else ():
        old, changes = committed[lock], moved[lock]
        text.append(f"{lock}:")
        text.extend(f"  {line}" for line in changes or ["(no pin changed)"])
        markdown.append(f"`{lock}`:")
        markdown.append("")
        markdown.extend([f"- `{line.strip()}`" for line in changes] or ["- no pin changed"])
        markdown.append("")
        unified.extend(
            difflib.unified_diff(
                without_hashes(old),
                without_hashes(upgraded.get(lock, old)),
                fromfile=f"{lock} (committed)",
                tofile=f"{lock} (upgraded)",
                lineterm="",
            )
        )
    if held is not None:  # with a cooldown: what it kept out, as of today
        text += ["== Held back by the cooldown (newer releases too young to take)"]
        text += [f"  {line}" for line in held or ["(nothing: every pin is at its newest release)"]]
        markdown += ["### Held back by the cooldown", ""]
        markdown += [f"- `{line}`" for line in held] or ["- nothing"]
        markdown.append("")
    if changed:
        text += ["", "== Unified diff of the locks (hash lines left out)", *unified, ""]
        markdown += ["<details><summary>Unified diff (hash lines left out)</summary>", ""]
        markdown += ["```diff", *unified, "```", "", "</details>"]
    text += [f"== Test result: {result}"] if changed else ["", f"== {result}"]
    return "\n".join(text), "\n".join(markdown) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--make", default="make", help="the make program to run in the copy")
    parser.add_argument(
        "--skip", action="append", default=[], help="another file or folder name not to copy"
    )
    parser.add_argument(
        "--output", type=Path, help="keep the upgraded locks and report.md in this folder"
    )
    parser.add_argument(
        "--min-release-age", default="0", help="the cooldown the upgrade honours (days)"
    )
    args = parser.parse_args(argv)
    project = Path.cwd()
    missing = [lock for lock in LOCKS if not (project / lock).exists()]
    if missing:
        print(
            f"error: {', '.join(missing)} missing: run make lock first, so there are pins to compare.",
            file=sys.stderr,
        )
        return 1

    # Make variables given on our command line (PYTHON=..., VENV=...) reach
    # the copy's make through MAKEFLAGS; the parent's jobserver must not.
    environment = dict(os.environ)
    environment.pop("MAKELEVEL", None)
    with tempfile.TemporaryDirectory(prefix="upgrade-check-") as temporary:
        scratch = Path(temporary) / project.name
        copy_project(project, scratch, SKIPPED_NAMES | set(args.skip))
        print(f"Trying today's releases in a scratch copy: {scratch}")
        print("Your locks and .venv are not touched.", flush=True)
        # The locks first, nothing installed: the venv and the tests only when a pin moved.
        upgraded = run_make(args.make, "upgrade-locks", scratch, environment)
        locks = read_locks(scratch)
        moved = upgraded and any(moved_pins(read_locks(project), locks).values())
        if moved and shutil.which("git"):
            # Quietly, so make dev's hook setup does not announce a git init of the copy.
            subprocess.run(["git", "init", "--quiet"], cwd=scratch, check=False)
        tested = (
            moved
            and run_make(args.make, "dev", scratch, environment)
            and run_make(args.make, "test", scratch, environment)
        )
        if not upgraded:
            result = "FAILED: the upgrade could not resolve the new pins (see above)"
        elif not moved:
            result = (
                "No pin moved: today's releases change nothing for this project"
                " (nothing installed, no tests run)"
            )
            locks = read_locks(project)  # nothing to propose, so nothing to open a pull request for
        elif not tested:
            result = (
                "FAILED: the tests fail with the upgraded pins; one of the changes above broke them"
            )
        else:
            result = "PASSED: the tests pass with the upgraded pins"
        held = None
        if upgraded and args.min_release_age.strip() not in ("", "0"):
            # Once more without the cooldown: the difference is what it held back.
            run_make(args.make, "upgrade-locks", scratch, environment, "MIN_RELEASE_AGE=0")
            held = held_back(locks, read_locks(scratch))
        text, markdown = report(project, locks, result, held)
        print(text, flush=True)
        if args.output:
            args.output.mkdir(parents=True, exist_ok=True)
            (args.output / "report.md").write_text(markdown, encoding="utf-8")
            for lock, content in locks.items():
                (args.output / lock).write_text(content, encoding="utf-8")
            kept = "Upgraded locks and report.md" if moved else "report.md and the unchanged locks"
            print(f"{kept} kept in {args.output}")
    if tested:
        print("To take them: make upgrade (then review and commit requirements*.txt).")
    return 0 if tested or (upgraded and not moved) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
