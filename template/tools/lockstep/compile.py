# The template manages this file: local edits meet the next copier update as a merge.
"""Resolving the locks: `make lock`, `make upgrade`, `make upgrade-package`.

A lock is recompiled when its inputs or its own content changed, and kept
byte for byte otherwise. The engine starts from the current pins (it keeps
those that still fit), so only what changed moves; a lock left with merge
conflict markers starts from the pins both sides agree on, a hand-edited one
from its last committed pins. Every compile prints the pins that moved, and
refuses to downgrade a pin nobody asked to move. All locks of a run are
written together or not at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lockstep import bootstrap, lockfile
from lockstep.cooldown import PIP_TOO_NEW_RE, Cooldown
from lockstep.inputs import (
    PYTHON_VERSION_FILE,
    duplicated_lines,
    input_files,
    requested,
    unlockable_lines,
)
from lockstep.run import LockError, Progress, Runner
from lockstep.state import LockState

# How uv, and pip asked again with -vv (pip-compile's quiet output only says
# "from versions: none"), say an index refused the credentials or could not be
# reached: its URL (a package's page loses its last segment) and its answer.
INDEX_FAILURES = (
    re.compile(r"Could not fetch URL (\S+/)[^/\s]+/: (?:(40[13]) Client|connection|timed out)"),
    re.compile(r"An index(?: URL)? \((\S+)\)[^\n]*\b(40[13])\b"),
    re.compile(r"Failed to fetch: `?(\S+/)[^/\s`]+/`?\n(?:.*\n)*?.*(?:tcp connect|dns) error()"),
)
INDEX_ANSWERS = {
    "401": "answered 401 Unauthorized: it refused the credentials",
    "403": "answered 403 Forbidden: the credentials may not read it",
    None: "could not be reached (connection refused, unknown host or timeout)",
}


def pin_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Readable lines: `name old -> new`, `+ name version`, `- name version`
    (also the upgrade check's report)."""
    lines = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            lines.append(f"- {name} {old[name]} (no longer needed)")
        elif name not in old:
            lines.append(f"+ {name} {new[name]} (new)")
        elif old[name] != new[name]:
            lines.append(f"  {name} {old[name]} -> {new[name]}")
    return lines


def resolving(lock: Path, requirements_in: Path, engine: str) -> str:
    """The line a compile prints as it starts on a lock."""
    return f"Resolving {lock} from {requirements_in} ({engine}) ..."


def summary(lock: Path, count: int, seconds: float, changes: list[str]) -> str:
    """The line a compile prints when a lock is resolved, before its pin changes."""
    return f"{lock}: {count} pins resolved in {seconds:.1f} s; " + (
        f"{len(changes)} changed:" if changes else "no existing pin moved."
    )


def asked_to_move(name: str, old: str, requirements: list[str]) -> bool:
    """True when a line of the inputs naming `name` no longer admits its old pin."""
    from packaging.requirements import InvalidRequirement, Requirement

    for line in requirements:
        try:
            if not Requirement(line).specifier.contains(old, prereleases=True):
                return True
        except InvalidRequirement:  # a line pip would refuse: moving the pin is what it asks
            return True
    return False


def downgrades(state: LockState, old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The pins this compile moves down that no input asked to move."""
    from packaging.version import InvalidVersion, Version

    def key(version: str):
        try:
            return (1, Version(version))
        except InvalidVersion:  # outside PEP 440 (pip refuses it anyway): before all
            return (0, version)

    named = requested(state.requirements_in)
    return [
        f"    {name} {old[name]} -> {new[name]}"
        for name in sorted(old.keys() & new.keys())
        if key(new[name]) < key(old[name])
        and not asked_to_move(name, old[name], named.get(name, []))
    ]


def last_committed(lock: Path) -> str | None:
    """The lock as last committed, if git has it and its fingerprint holds."""
    shown = subprocess.run(
        ["git", "show", f"HEAD:./{lock.as_posix()}"], check=False, capture_output=True, text=True
    )
    recorded = lockfile.CONTENT_RE.search(shown.stdout) if shown.returncode == 0 else None
    if recorded and recorded.group(1) == lockfile.content_digest(shown.stdout):
        return shown.stdout
    return None


def seed_for(state: LockState) -> tuple[str, str]:
    """The pins the engine starts from, and a sentence saying where they came from."""
    if state.kind == "conflict":
        ours, theirs = (lockfile.pins(side) for side in lockfile.conflict_sides(state.text))
        agreed = {
            name: ours.get(name, theirs.get(name))
            for name in ours.keys() | theirs.keys()
            if ours.get(name, theirs.get(name)) == theirs.get(name, ours.get(name))
        }
        disputed = sorted(n for n in ours.keys() & theirs.keys() if ours[n] != theirs[n])
        note = (
            f"{state.lock} had merge conflict markers: recompiling it from "
            f"{state.requirements_in}, keeping the {len(agreed)} pins both sides agree on"
        )
        if disputed:
            note += f"; resolving afresh: {', '.join(disputed)}"
        return "".join(f"{name}=={version}\n" for name, version in sorted(agreed.items())), note
    if state.kind == "edited":
        committed = last_committed(state.lock)
        if committed is not None:
            return committed, (
                f"{state.lock} was edited by hand: rewriting it from {state.requirements_in}, "
                "starting from its last committed pins"
            )
        return state.text, f"{state.lock} was edited by hand: rewriting it from its inputs"
    return state.text, ""


def asked_name(package: str) -> str:
    """The name in P=...: P=pandas==2.2.3 names a version too."""
    return lockfile.normalize(re.split(r"[<>=!~;\[\s]", package.strip(), maxsplit=1)[0])


class Compiler:
    """One `make lock` run: its engine, its options, and the venv it runs in."""

    def __init__(self, venv: Path, engine, runner: Runner, options) -> None:
        self.venv, self.engine, self.runner = venv, engine, runner
        self.extra_args = options.extra_args
        self.upgrade, self.packages = options.upgrade, list(options.upgrade_packages)
        self.allow_downgrade = options.allow_downgrade
        exempt = [asked_name(package) for package in self.packages]
        self.cooldown = Cooldown(options.min_release_age, exempt, engine, options.as_of)

    def compile_failed(self, state: LockState, output: str, environment, cutoff) -> LockError:
        """The refusal: an index that refused or could not be reached, in a few
        lines; otherwise the engine's output, and what the cooldown left out
        when that is the cause."""

        def pip_index(name: str, *options: str) -> str | None:
            command = self.engine.installer(self.venv, "index")
            command = command and [*command, "versions", *options, name]
            return command and self.runner.quietly(command, environment)[1]

        missing = PIP_TOO_NEW_RE.search(output) if self.engine.needs_pip else None
        said = output + ((missing and pip_index(missing.group(1), "-vv")) or "")
        refused = next(filter(None, (p.search(said) for p in INDEX_FAILURES)), None)
        if refused:
            url, answer = lockfile.redact(refused.group(1)), refused.group(2) or None
            fix = "the token in" if answer else "the network (VPN, proxy) and"
            return LockError(
                f"the index {url} {INDEX_ANSWERS[answer]}; {state.lock} was left unchanged.\n"
                f"       Check {fix} the index URL (index-url in pip.conf, or PIP_INDEX_URL), "
                "then run make lock again."
            )
        print(output, end="", flush=True)
        hint = Cooldown.too_new_hint(output, cutoff, pip_index)
        return LockError(
            f"compiling {state.requirements_in} failed (see above); "
            f"{state.lock} was left unchanged.\n"
            f"       Fix {state.requirements_in} (or the network) and run make lock again." + hint
        )

    def resolve(self, state: LockState, back_in_time: bool = False) -> str:
        """Resolve one lock into its new text (nothing is written here);
        back_in_time: afresh, as of AS_OF."""
        seed, note = seed_for(state)
        cooldown = self.cooldown
        cutoff = cooldown.as_of_cutoff if back_in_time else cooldown.cutoff
        if back_in_time:
            seed, note = "", f"{state.lock}: resolving afresh as of {cooldown.as_of} ({cutoff})"
        if cutoff:
            cooldown.refuse_if_ignored(self.venv, back_in_time)
        if note:
            print(note)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{state.lock.name}.", suffix=".tmp", dir=state.lock.parent
        )
        os.close(handle)
        output = Path(temporary)
        python_version = lockfile.read_text(PYTHON_VERSION_FILE).strip()
        try:
            output.write_text(seed, encoding="utf-8")
            arguments, variables = (
                self.engine.cooldown(cutoff, cooldown.packages, cooldown.now)
                if cutoff
                else ([], {})
            )
            command = self.engine.compile_command(
                self.venv,
                state.requirements_in,
                output,
                self.upgrade,
                self.packages,
                [*arguments, *self.extra_args],
            )
            engine = self.engine.name
            print(resolving(state.lock, state.requirements_in, engine))
            sys.stdout.flush()
            started = time.monotonic()
            environment = {**self.engine.environment(self.venv), **variables}
            # Held until the end: an index failure is told in a few lines, not pip's tracebacks.
            doing = f"resolving {state.lock} ({engine})"
            progress = Progress(doing, self.engine.collecting, self.engine.hashing)
            status, said = self.runner.quietly(command, environment, progress)
            if status != 0:
                raise self.compile_failed(state, said, environment, cutoff)
            print(self.engine.told(said, self.extra_args), end="", flush=True)
            text = self.engine.postprocess(output.read_text(encoding="utf-8"), python_version)
        finally:
            output.unlink(missing_ok=True)
        self.refuse_unsafe(state, text)
        old, new = lockfile.pins(state.text if back_in_time else seed), lockfile.pins(text)
        changes = pin_changes(old, new)
        print(summary(state.lock, len(new), time.monotonic() - started, changes))
        for line in changes:
            print(f"  {line}")
        # make upgrade, upgrade-package and AS_OF move pins on purpose; any
        # other compile may only move down what the inputs asked to.
        guarded = not (self.upgrade or self.packages or self.allow_downgrade or back_in_time)
        if guarded and old and state.kind not in {"missing", "conflict"}:
            self.refuse_downgrades(state, old, new)
        platform = lockfile.UNIVERSAL if self.engine.universal else None
        if platform is None:
            from lockstep.platforms import current_platform

            platform = current_platform()
        names = ", ".join(path.as_posix() for path in input_files(state.requirements_in))
        return lockfile.seal(text, platform, state.inputs, names)

    def refuse_downgrades(self, state: LockState, old, new) -> None:
        moved_down = downgrades(state, old, new)
        if moved_down:
            raise LockError(
                f"{state.lock} was left unchanged: this compile would downgrade pins that "
                "nobody asked to move:\n"
                + "\n".join(moved_down)
                + "\n       An index that lags behind (a mirror, a partial outage) is the usual "
                "cause: check it and run make lock again.\n"
                + self.cooldown.downgrade_hint()
                + "       If the downgrade is wanted (a new requirement needs the older "
                "versions), accept it with: make lock ALLOW_DOWNGRADE=1"
            )

    @staticmethod
    def refuse_unsafe(state: LockState, text: str) -> None:
        leaks = sorted(set(lockfile.LEAKY_LINE_RE.findall(text)))
        if leaks:
            raise LockError(
                f"the compiled lock contains {', '.join(leaks)} lines; {state.lock} was left "
                "unchanged. Keep index options out of PIP_COMPILE_FLAGS, and emit-index-url, "
                "emit-find-links and emit-trusted-host = false in pyproject.toml's [tool.pip-tools]."
            )
        blocks = lockfile.requirement_blocks(text)
        unhashed = [name for name, block in blocks.items() if "--hash=" not in block]
        if unhashed:
            raise LockError(
                f"the compiled lock pins {', '.join(unhashed)} without hashes, which neither "
                f"`make dev` nor the image would install; {state.lock} was left unchanged.\n"
                "       pyproject.toml sets how locks are compiled: keep generate-hashes = true "
                "under [tool.pip-tools] and [tool.uv.pip] (git diff pyproject.toml shows what changed)."
            )

    def refuse_bad_requests(self, pairs) -> None:
        known = sorted(
            {
                n
                for _, lock in pairs
                for n in lockfile.pins(lockfile.our_side(lockfile.read_text(lock)))
            }
        )
        for package in self.packages:
            if not package.strip():
                raise LockError("name the package: make upgrade-package P=<name>")
            name = asked_name(package)  # the name is what must be pinned
            if name not in known:
                import difflib

                close = difflib.get_close_matches(name, known, n=3)
                hint = f" Did you mean {' or '.join(close)}?" if close else ""
                raise LockError(
                    f"{package} is not pinned in any lock, so there is nothing to upgrade.{hint}\n"
                    f"       The locks pin: {', '.join(known) or 'nothing yet (run make lock)'}.\n"
                    f"       To add a package, put it in requirements.in (or requirements-dev.in) "
                    "and run make lock."
                )
        for requirements_in, _ in pairs:
            for warning in duplicated_lines(requirements_in):
                print(warning, file=sys.stderr)
            refused = unlockable_lines(requirements_in)
            if refused:
                raise LockError(
                    "these requirements cannot be pinned with a hash, so a fresh clone and the\n"
                    "       image (pip --require-hashes) could not install them; no lock was changed:\n"
                    + "\n".join(f"    {line}" for line in refused)
                    + "\n       Ways that work: publish the library to an index the project uses "
                    "(then name it like any package);\n"
                    "       an archive URL of a release or commit with its hash "
                    "(name @ https://host/name-1.2.0.tar.gz#sha256=<hash>);\n"
                    "       or a wheel in a find-links folder named outside the lock "
                    "(PIP_FIND_LINKS=/path/to/wheels) and the package named by version here.\n"
                    "       See the how-to 'Depend on an internal library'."
                )

    def lock(self, pairs) -> None:
        """Bring every lock in step with its inputs; all are written or none."""
        self.refuse_bad_requests(pairs)
        moving = self.upgrade or bool(self.packages)
        written: list[tuple[Path, bytes | None]] = []
        try:
            for index, (requirements_in, lock_path) in enumerate(pairs):
                state = LockState(requirements_in, lock_path, self.engine.name)
                back_in_time = bool(self.cooldown.as_of) and index == 0  # the runtime lock
                if state.kind == "no-input":
                    raise LockError(state.problem)
                if state.kind == "current" and not (moving or back_in_time):
                    continue
                before = lock_path.read_bytes() if lock_path.exists() else None
                recorded = lockfile.INPUTS_RE.search(state.text)
                if (
                    state.kind == "unsealed"
                    and not (moving or back_in_time)
                    and recorded
                    and recorded.group(1) == state.inputs
                    and not lockfile.LEAKY_LINE_RE.search(state.text)
                ):
                    # Made by an older release: the pins are current, only the
                    # content fingerprint is new. Add it without resolving.
                    text = state.text.rstrip("\n") + "\n"
                    print(f"{lock_path}: added its content fingerprint (no pin changed)")
                    written.append((lock_path, before))
                    lockfile.write_atomically(lock_path, text + lockfile.content_line(text))
                    continue
                bootstrap.ensure_tool(self.venv, self.engine, self.runner)
                self.cooldown.tell_once()
                if state.text and not moving:
                    bootstrap.ensure_libraries(self.venv, self.engine, self.runner)  # the guard's
                text = self.resolve(state, back_in_time)
                written.append((lock_path, before))
                lockfile.write_atomically(lock_path, text)
        except BaseException:
            # A later lock failed (or Ctrl-C): put back the ones already written,
            # so the locks never disagree with each other.
            for path, before in reversed(written):
                if before is None:
                    path.unlink(missing_ok=True)
                else:
                    lockfile.write_atomically(path, before.decode("utf-8"))
            if written:
                print(
                    f"(put back as they were: {', '.join(str(p) for p, _ in written)})",
                    file=sys.stderr,
                )
            raise
