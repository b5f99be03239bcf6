"""Keep the hash-checked lock files in step with requirements*.in, safely.

The Makefile calls this for three jobs that plain pip-compile/pip-sync do not
do on their own:

* compile: recompile a lock only when its inputs really changed. Make decides
  by file times, which a fresh git clone sets arbitrarily, so each lock records
  a fingerprint of its inputs (the .in file, every file it includes with -c or
  -r, and .python-version); a lock whose fingerprint still matches is kept
  byte for byte. Compiling goes to a temporary file that replaces the lock only
  on success, so a failed resolve (network down, conflicting pins) leaves the
  old lock exactly as it was.
* check: fail, naming the file, when a lock no longer matches its inputs.
* sync: make the venv hold exactly the locked packages (pip-sync), or, in a
  brand-new venv that has nothing to remove, install the locks directly.

Standard library only: `check` runs before any venv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FINGERPRINT_PREFIX = "# inputs-sha256: "
FINGERPRINT_RE = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})\b", re.MULTILINE)
INCLUDE_RE = re.compile(
    r"^\s*-[cr]\s+(\S+)|^\s*--(?:constraint|requirement)[=\s]+(\S+)", re.MULTILINE
)
# Lines that must never reach a lock: they leak private index URLs (and the
# tokens in them) or machine-local paths.
LEAKY_LINE_RE = re.compile(
    r"^\s*(--index-url|--extra-index-url|--find-links|-i\s|-f\s|--trusted-host)", re.MULTILINE
)
PYTHON_VERSION_FILE = Path(".python-version")
DEV_LOCK = Path("requirements-dev.txt")


def input_files(requirements_in: Path) -> list[Path]:
    """The .in file, the files it includes (recursively), and .python-version."""
    seen: list[Path] = []
    pending = [requirements_in]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.append(path)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        for match in INCLUDE_RE.finditer(text):
            pending.append(path.parent / (match.group(1) or match.group(2)))
    return [*seen, PYTHON_VERSION_FILE]


def fingerprint(requirements_in: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(requirements_in):
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        # Leave out our own fingerprint line, so an included lock's own record
        # does not make the fingerprint depend on itself.
        text = FINGERPRINT_RE.sub("", text)
        digest.update(f"{path.as_posix()}\0{text}\0".encode())
    return digest.hexdigest()


def recorded_fingerprint(lock: Path) -> str | None:
    if not lock.exists():
        return None
    match = FINGERPRINT_RE.search(lock.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def ensure_pip_tools() -> None:
    """Install pip-tools into this venv, at the version the dev lock pins if any."""
    if importlib.util.find_spec("piptools") is not None:
        return
    pinned = None
    if DEV_LOCK.exists():
        match = re.search(r"^pip-tools==(\S+)", DEV_LOCK.read_text(encoding="utf-8"), re.MULTILINE)
        pinned = match.group(1) if match else None
    requirement = f"pip-tools=={pinned}" if pinned else "pip-tools"
    print(f"Installing {requirement} into the venv to compile the locks")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True)


def compile_lock(
    requirements_in: Path, lock: Path, force: bool, pip_compile_args: list[str]
) -> int:
    if not requirements_in.exists():
        print(
            f"error: {requirements_in} is missing; it lists what {lock} is compiled from.",
            file=sys.stderr,
        )
        return 1
    wanted = fingerprint(requirements_in)
    if not force and recorded_fingerprint(lock) == wanted:
        # Inputs unchanged (only their file times moved): keep the lock as is
        # and tell make it is up to date.
        lock.touch()
        return 0

    ensure_pip_tools()
    handle, temporary = tempfile.mkstemp(prefix=f".{lock.name}.", suffix=".tmp", dir=lock.parent)
    os.close(handle)
    temporary_lock = Path(temporary)
    try:
        if lock.exists():
            # pip-compile keeps the pins it finds in its output file: start
            # from the current lock so only what changed moves.
            shutil.copyfile(lock, temporary_lock)
        command = [
            sys.executable,
            "-m",
            "piptools",
            "compile",
            "--quiet",
            *pip_compile_args,
            "--output-file",
            str(temporary_lock),
            str(requirements_in),
        ]
        print(f"Compiling {lock} from {requirements_in}")
        # The lock's header tells readers how to regenerate it.
        environment = {**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"}
        if subprocess.run(command, env=environment).returncode != 0:
            print(
                f"error: compiling {requirements_in} failed (see above); {lock} was left unchanged.\n"
                f"       Fix {requirements_in} (or the network) and run make lock again.",
                file=sys.stderr,
            )
            return 1
        text = temporary_lock.read_text(encoding="utf-8")
        leaks = LEAKY_LINE_RE.findall(text)
        if leaks:
            print(
                f"error: the compiled lock contains {', '.join(sorted(set(leaks)))} lines; "
                f"{lock} was left unchanged. Keep index options out of PIP_COMPILE_FLAGS.",
                file=sys.stderr,
            )
            return 1
        text = text.rstrip("\n") + (
            f"\n{FINGERPRINT_PREFIX}{wanted}\n"
            f"# (fingerprint of {', '.join(p.as_posix() for p in input_files(requirements_in))}:"
            " run make lock after editing them)\n"
        )
        temporary_lock.write_text(text, encoding="utf-8")
        # mkstemp makes the file private (0600); give the lock the mode it had,
        # or the one a new file would get.
        temporary_lock.chmod(lock.stat().st_mode if lock.exists() else default_file_mode())
        temporary_lock.replace(lock)
    finally:
        temporary_lock.unlink(missing_ok=True)
    return 0


def check_locks(pairs: list[tuple[Path, Path]]) -> int:
    problems = []
    for requirements_in, lock in pairs:
        if not lock.exists():
            problems.append(f"{lock} is missing: run make lock and commit it.")
        elif recorded_fingerprint(lock) != fingerprint(requirements_in):
            names = ", ".join(p.as_posix() for p in input_files(requirements_in))
            problems.append(
                f"{lock} is stale: it does not match {names}. Run make lock and commit {lock}."
            )
        elif LEAKY_LINE_RE.search(lock.read_text(encoding="utf-8")):
            problems.append(
                f"{lock} contains index or find-links lines: run make lock to rewrite it without them."
            )
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"Locks match their inputs: {', '.join(str(lock) for _, lock in pairs)}")
    return 1 if problems else 0


def sync(locks: list[str]) -> int:
    if importlib.util.find_spec("piptools") is not None:
        command = [sys.executable, "-m", "piptools", "sync", "--quiet", *locks]
    else:
        # A new venv holds nothing to remove, so pip-sync would only add its
        # own install time: install the locks exactly, hashes checked.
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--require-hashes",
        ]
        for lock in locks:
            command += ["-r", lock]
    print(f"Syncing the venv to {' + '.join(locks)}")
    return subprocess.run(command).returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    compile_parser = commands.add_parser("compile", help="recompile a lock if its inputs changed")
    compile_parser.add_argument("requirements_in", type=Path)
    compile_parser.add_argument("lock", type=Path)
    compile_parser.add_argument(
        "--force", action="store_true", help="compile even if the inputs are unchanged"
    )
    check_parser = commands.add_parser("check", help="fail if a lock does not match its inputs")
    check_parser.add_argument("files", nargs="+", type=Path, help="pairs: IN LOCK [IN LOCK ...]")
    sync_parser = commands.add_parser("sync", help="make the venv hold exactly these locks")
    sync_parser.add_argument("locks", nargs="+")
    # Everything after `--` goes to pip-compile untouched. It is split off
    # before parsing: an argparse REMAINDER would also swallow our own options
    # (`--force`) when they come after the file names, as the Makefile puts them.
    pip_compile_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, pip_compile_args = argv[:split], argv[split + 1 :]
    args = parser.parse_args(argv)

    if args.command == "compile":
        return compile_lock(args.requirements_in, args.lock, args.force, pip_compile_args)
    if args.command == "check":
        if len(args.files) % 2:
            parser.error("check takes pairs of files: IN LOCK [IN LOCK ...]")
        return check_locks(list(zip(args.files[::2], args.files[1::2], strict=True)))
    return sync(args.locks)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
