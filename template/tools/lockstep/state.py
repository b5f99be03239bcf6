# The template manages this file: local edits meet the next copier update as a merge.
"""Is each lock current? What `make check-lock`, the lock-drift hook and
`make doctor` ask, and what `make lock` reads before it compiles.

A lock is current when its content fingerprint holds (nobody edited it), its
inputs fingerprint matches its inputs, it has no conflict markers or index
lines, and it holds for the platforms the engine promises. Standard library
only: `make check-lock` runs before any venv exists.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lockstep import lockfile
from lockstep.inputs import input_files, inputs_digest

LOCK_PAIRS = (
    (Path("requirements.in"), Path("requirements.txt")),
    (Path("requirements-dev.in"), Path("requirements-dev.txt")),
)
UNIVERSAL_ENGINES = {"uv"}


class LockState:
    """What `check` says of one lock: `problem` is None when the lock is current."""

    def __init__(self, requirements_in: Path, lock: Path, engine: str = "") -> None:
        self.requirements_in, self.lock, self.engine = requirements_in, lock, engine
        self.text = lockfile.read_text(lock)
        self.inputs = inputs_digest(requirements_in)
        self.kind, self.problem = self.diagnose()

    def diagnose(self) -> tuple[str, str | None]:
        requirements_in, lock, text = self.requirements_in, self.lock, self.text
        recorded_inputs = lockfile.INPUTS_RE.search(text)
        recorded_content = lockfile.CONTENT_RE.search(text)
        if not requirements_in.exists():
            return "no-input", (
                f"{requirements_in} is missing; it lists what {lock} is compiled from. "
                f"Restore it (git checkout -- {requirements_in})."
            )
        if not lock.exists():
            return "missing", f"{lock} is missing: run make lock and commit it."
        if lockfile.has_conflict_markers(text):
            return "conflict", (
                f"{lock} has merge conflict markers: run make lock; it recompiles {lock} from "
                f"{requirements_in}, keeping the pins both sides of the merge agree on."
            )
        if recorded_content is None:
            return "unsealed", (
                f"{lock} has no content fingerprint (it was written by an older release of "
                f"this template, or not by make lock): run make lock to add it, then commit {lock}."
            )
        if recorded_content.group(1) != lockfile.content_digest(text):
            return "edited", (
                f"{lock} was edited by hand: its content no longer matches the fingerprint "
                f"make lock wrote into it. Put requirements in {requirements_in}, then run "
                f"make lock (it rewrites {lock} from its inputs) and commit it."
            )
        if recorded_inputs is None or recorded_inputs.group(1) != self.inputs:
            names = ", ".join(path.as_posix() for path in input_files(requirements_in))
            return "stale", (
                f"{lock} is stale: it does not match {names}. Run make lock and commit {lock}."
            )
        if lockfile.LEAKY_LINE_RE.search(text):
            return "leaky", (
                f"{lock} contains index or find-links lines: run make lock to rewrite it "
                "without them."
            )
        platform = lockfile.resolved_for(text)
        if self.engine in UNIVERSAL_ENGINES and platform not in {None, lockfile.UNIVERSAL}:
            # A universal lock serves every engine; a lock pip-compile made for
            # one platform does not serve an engine that promises all of them.
            return "one-platform", (
                f"{lock} holds for {platform} only (pip-compile resolved it), and "
                f"LOCK_ENGINE={self.engine} makes locks for Linux, macOS and Windows: run make lock "
                f"(it re-resolves {lock} for every platform) and commit it."
            )
        return "current", None


def lock_states(pairs=LOCK_PAIRS, engine: str = "") -> list[LockState]:
    return [LockState(requirements_in, lock, engine) for requirements_in, lock in pairs]


def check(states: list[LockState]) -> int:
    broken = {state.lock for state in states if state.kind not in {"current", "stale"}}
    problems = []
    for state in states:
        if state.problem is None:
            continue
        includes = set(input_files(state.requirements_in)) & broken
        if state.kind == "stale" and includes:
            # A lock compiled with -c requirements.txt follows that file: name
            # the root cause once, not twice.
            first = min(path.as_posix() for path in includes)
            problems.append(
                f"{state.lock} follows {first}, which must be fixed first; make lock fixes both."
            )
        else:
            problems.append(state.problem)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"Locks match their inputs: {', '.join(str(s.lock) for s in states)}")
    sys.stdout.flush()
    sys.stderr.write(platform_warnings(states))
    return 1 if problems else 0


def platform_warnings(states: list[LockState]) -> str:
    """What to say of the locks pip-compile resolved on another platform."""
    from lockstep.platforms import platform_warning

    warnings = (platform_warning(str(s.lock), lockfile.resolved_for(s.text)) for s in states)
    return "".join(f"{warning}\n" for warning in warnings if warning)
