# The template manages this file: local edits meet the next copier update as a merge.
"""Keep requirements*.txt true to requirements*.in, and .venv true to both.

The Makefile calls this for everything that reads or writes a lock or syncs
the venv, because each promise below must hold whatever happened to the files
in between (a merge, a hand edit, a Ctrl-C, a lagging mirror):

* lock: compile a lock whenever its inputs or its own content changed.
  Make's file times cannot decide that (a fresh clone or `git checkout --ours`
  sets them arbitrarily), so each lock ends with two fingerprints: one of its
  inputs (the .in file, the files it includes with -c/-r, .python-version) and
  one of its own content. A lock whose fingerprints match is kept byte for
  byte; a hand-edited lock is rewritten from its inputs; a lock with merge
  conflict markers is recompiled keeping the pins both sides agree on. Every
  compile prints the pins that moved, and refuses to downgrade a pin nobody
  asked to move (--allow-downgrade accepts it). All locks of a run are
  written together or not at all.
* check: fail, naming the file and the fix, when a lock is not exactly what
  `lock` would keep (the lock-drift hook, `make check-lock`, `make doctor`).
* sync: lock, then make the venv hold exactly the locked packages: install
  what is missing (hashes required), remove what is not locked. A stamp of
  everything a no-op depends on (the engine, every input and lock, the names
  of what the venv holds) makes a no-op run instant, and any change to the
  venv (a package installed by hand, an interrupted install) is seen next time.
* status: say whether the venv holds exactly the locks, checked package by
  package (`make doctor`).

Output from pip and pip-compile passes through a filter that hides the
credentials of index URLs. Standard library only: `check` runs before any
venv exists.

The locks follow pip's hash-checking mode [1] (every requirement pinned with
`==` and its hashes, so `--require-hashes` installs exactly them), written by
pip-tools' pip-compile with --generate-hashes [2]; index URLs stay out of
them as pip-compile's --no-emit-index-url allows [2].

References
[1] pip, Secure installs: https://pip.pypa.io/en/stable/topics/secure-installs/#hash-checking-mode
[2] pip-tools documentation: https://pip-tools.readthedocs.io/en/stable/
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from pathlib import Path

from lock_files import (
    PIN_RE,
    normalize,
    pins,
    read_text,
    requirement_blocks,
    write_atomically,
)

LOCK_PAIRS = (
    (Path("requirements.in"), Path("requirements.txt")),
    (Path("requirements-dev.in"), Path("requirements-dev.txt")),
)
PYTHON_VERSION_FILE = Path(".python-version")
DEV_LOCK = Path("requirements-dev.txt")

INPUTS_LINE = "# inputs-sha256: "
CONTENT_LINE = "# lock-sha256: "
# Matches the hex digest only, not the line's end: the inputs fingerprint of
# requirements-dev.txt has always been computed that way (locks written by
# earlier releases stay current).
INPUTS_RE = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})\b", re.MULTILINE)
CONTENT_RE = re.compile(r"^# lock-sha256: ([0-9a-f]{64})\b.*\n?", re.MULTILINE)
INCLUDE_RE = re.compile(
    r"^\s*-[cr]\s+(\S+)|^\s*--(?:constraint|requirement)[=\s]+(\S+)", re.MULTILINE
)
CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)", re.MULTILINE)
# Lines that must never reach a lock: they leak private index URLs (and the
# tokens in them) or machine-local paths.
LEAKY_LINE_RE = re.compile(
    r"^\s*(--index-url|--extra-index-url|--find-links|-i\s|-f\s|--trusted-host)", re.MULTILINE
)
# The credentials in a URL (whatever stands between :// and @) become ****.
CREDENTIALS_RE = re.compile(r"(?<=://)[^/@\s]+@")
# pip and setuptools may stay in a venv whose locks do not pin them (make prod).
NEVER_REMOVED = {"pip", "setuptools", "wheel"}


class LockError(Exception):
    """A refusal whose message names the problem and the fix."""


# ---------------------------------------------------------------- reading locks
def redact(text: str) -> str:
    return CREDENTIALS_RE.sub("****@", text)


def has_conflict_markers(text: str) -> bool:
    return bool(CONFLICT_RE.search(text))


def conflict_sides(text: str) -> tuple[str, str]:
    """The two versions of a file left with merge conflict markers (ours, theirs)."""
    sides: tuple[list[str], list[str]] = ([], [])
    state = "both"
    for line in text.splitlines(keepends=True):
        marker = line[:7]
        if marker == "<" * 7:
            state = "ours"
        elif marker == "|" * 7 and state == "ours":
            state = "base"
        elif marker == "=" * 7 and state in {"ours", "base"}:
            state = "theirs"
        elif marker == ">" * 7 and state == "theirs":
            state = "both"
        elif state == "both":
            sides[0].append(line)
            sides[1].append(line)
        elif state == "ours":
            sides[0].append(line)
        elif state == "theirs":
            sides[1].append(line)
    return "".join(sides[0]), "".join(sides[1])


def via_parents(block: str) -> set[str]:
    """The packages a pip-compile `# via` annotation names as requiring this one."""
    parents = set()
    for line in block.splitlines():
        text = line.strip().lstrip("#").strip()
        text = text.removeprefix("via")
        for name in text.split(","):
            name = name.strip()
            if name and not name.startswith("-") and re.fullmatch(r"[A-Za-z0-9._-]+", name):
                parents.add(normalize(name))
    return parents


def content_digest(lock_text: str) -> str:
    """Fingerprint of a lock's content: everything but its own fingerprint line."""
    return hashlib.sha256(CONTENT_RE.sub("", lock_text).encode()).hexdigest()


# ---------------------------------------------------------------- inputs
def input_files(requirements_in: Path) -> list[Path]:
    """The .in file, the files it includes (recursively), and .python-version."""
    seen: list[Path] = []
    pending = [requirements_in]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.append(path)
        for match in INCLUDE_RE.finditer(read_text(path)):
            pending.append(path.parent / (match.group(1) or match.group(2)))
    return [*seen, PYTHON_VERSION_FILE]


def inputs_digest(requirements_in: Path) -> str:
    digest = hashlib.sha256()
    for path in input_files(requirements_in):
        # An included lock counts without its fingerprint lines, so they do
        # not make this fingerprint depend on itself.
        text = CONTENT_RE.sub("", INPUTS_RE.sub("", read_text(path)))
        digest.update(f"{path.as_posix()}\0{text}\0".encode())
    return digest.hexdigest()


def unlockable_lines(requirements_in: Path) -> list[str]:
    """Requirement lines that cannot be pinned with a hash, named with their place."""
    found = []
    for path in input_files(requirements_in)[:-1]:
        if path.suffix == ".txt":
            continue  # a lock included with -c: checked as a lock, not here
        for number, raw in enumerate(read_text(path).splitlines(), 1):
            line = re.sub(r"(^|\s)#.*", "", raw).strip()
            if not line or (line.startswith("-") and not line.startswith(("-e", "--editable"))):
                continue
            url = re.search(r"\b[a-z][a-z0-9+.-]*://\S+", line)
            vcs = re.search(r"\b(git|hg|svn|bzr)\+", line)
            local = line.startswith((".", "/", "~", "-e", "--editable")) or "file:" in line
            local_archive = not url and re.search(r"\.(whl|zip|tar\.gz)\b", line)
            hashed = re.search(r"#sha256=|--hash[= ]", line)
            if vcs or local or local_archive or (url and not hashed):
                found.append(f"{path}:{number}: {redact(raw.strip())}")
    return found


# ---------------------------------------------------------------- lock states
class LockState:
    """What `check` says of one lock: `problem` is None when the lock is current."""

    def __init__(self, requirements_in: Path, lock: Path) -> None:
        self.requirements_in, self.lock = requirements_in, lock
        self.text = read_text(lock)
        self.inputs = inputs_digest(requirements_in)
        self.kind, self.problem = self.diagnose()

    def diagnose(self) -> tuple[str, str | None]:
        requirements_in, lock, text = self.requirements_in, self.lock, self.text
        recorded_inputs = INPUTS_RE.search(text)
        recorded_content = CONTENT_RE.search(text)
        if not requirements_in.exists():
            return "no-input", (
                f"{requirements_in} is missing; it lists what {lock} is compiled from. "
                f"Restore it (git checkout -- {requirements_in})."
            )
        if not lock.exists():
            return "missing", f"{lock} is missing: run make lock and commit it."
        if has_conflict_markers(text):
            return "conflict", (
                f"{lock} has merge conflict markers: run make lock; it recompiles {lock} from "
                f"{requirements_in}, keeping the pins both sides of the merge agree on."
            )
        if recorded_content is None:
            return "unsealed", (
                f"{lock} has no content fingerprint (it was written by an older release of "
                f"this template, or not by make lock): run make lock to add it, then commit {lock}."
            )
        if recorded_content.group(1) != content_digest(text):
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
        if LEAKY_LINE_RE.search(text):
            return "leaky", (
                f"{lock} contains index or find-links lines: run make lock to rewrite it "
                "without them."
            )
        recorded_platform = resolved_for(text)
        if ENGINE_NAME and recorded_platform not in {None, "universal"} and engine().universal:
            # A universal lock serves every engine; a lock pip-compile made for
            # one platform does not serve an engine that promises all of them.
            return "one-platform", (
                f"{lock} holds for {recorded_platform} only (pip-compile resolved it), and "
                f"LOCK_ENGINE={ENGINE_NAME} makes locks for Linux, macOS and Windows: run make lock "
                f"(it re-resolves {lock} for every platform) and commit it."
            )
        return "current", None


def lock_states(pairs: tuple[tuple[Path, Path], ...] | None = None) -> list[LockState]:
    return [LockState(requirements_in, lock) for requirements_in, lock in pairs or LOCK_PAIRS]


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
    warn_about_platforms(states)
    return 1 if problems else 0


# ---------------------------------------------------------------- engines and platforms
# tools/lock_engines.py holds what differs between pip-tools and uv; it is
# read only when needed, so a no-op `make dev` stays quick.
ENGINE_NAME = ""  # --engine (the Makefile's LOCK_ENGINE); empty: pip-tools, no engine checks
RESOLVED_FOR_RE = re.compile(r"^# resolved-for: (\S+)", re.MULTILINE)


def engine():
    """The lock engine of this run (one object: uv's reads pip's settings once)."""
    import lock_engines

    name = ENGINE_NAME or lock_engines.DEFAULT_ENGINE
    if name not in ENGINES_IN_USE:
        ENGINES_IN_USE[name] = lock_engines.get_engine(name)
    return ENGINES_IN_USE[name]


ENGINES_IN_USE: dict = {}


def resolved_for(lock_text: str) -> str | None:
    """The platform a lock was resolved for (`universal` for every platform)."""
    match = RESOLVED_FOR_RE.search(lock_text)
    return match.group(1) if match else None


def platform_warnings(states: list[LockState]) -> str:
    """What to say when a lock was resolved on another platform than this one."""
    warnings = []
    for state in states:
        recorded = resolved_for(state.text)
        if recorded in {None, "universal"}:
            continue
        import lock_engines

        warning = lock_engines.platform_warning(str(state.lock), recorded)
        if warning:
            warnings.append(warning + "\n")
    return "".join(warnings)


def warn_about_platforms(states: list[LockState]) -> None:
    sys.stdout.flush()
    sys.stderr.write(platform_warnings(states))


# ---------------------------------------------------------------- running tools
class Runner:
    """Runs pip and pip-compile, filtering their output; stops them on a signal."""

    def __init__(self) -> None:
        self.child = None

    def run(self, command: list[str], environment=None, on_line=None) -> tuple[int, str]:
        """Run a command, print its output redacted (or hand each line to
        on_line), and return its exit status and its whole redacted output."""
        import subprocess

        self.child = subprocess.Popen(
            command,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        lines = []
        try:
            for line in self.child.stdout:
                line = redact(line)
                lines.append(line)
                if on_line is None:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                else:
                    on_line(line)
            return self.child.wait(), "".join(lines)
        finally:
            if self.child.poll() is None:
                self.child.terminate()
                self.child.wait()
            self.child = None

    def stop_child(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()


RUNNER = Runner()


def on_signal(signum, _frame) -> None:
    """SIGTERM and SIGHUP end the run like Ctrl-C: the child stops, temporary
    files are removed and the locks written so far are put back."""
    RUNNER.stop_child()
    raise KeyboardInterrupt


def hold_project_lock() -> None:
    """One make at a time changes .venv and the locks of this project.

    The lock is the kernel's (flock on the project folder), so it is released
    when the process ends, however it ends: nothing to clean up after Ctrl-C.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent runs are the user's affair
        return
    handle = os.open(".", os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("Another make is changing .venv or the locks of this project: waiting for it ...")
        sys.stdout.flush()
        fcntl.flock(handle, fcntl.LOCK_EX)
    # The handle stays open (and the lock held) until this process exits.


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def pip_command(venv: Path) -> list[str]:
    return [str(venv_python(venv)), "-m", "pip", "--disable-pip-version-check"]


# ---------------------------------------------------------------- pip in the venv
def has_pip(venv: Path) -> bool:
    found = installed(venv).get("pip")
    return found is not None and (found[1] / "RECORD").exists()


def base_python(venv: Path) -> str | None:
    """The interpreter the venv was made from (pyvenv.cfg says)."""
    config = read_text(venv / "pyvenv.cfg")
    for key in ("executable", "base-executable"):
        match = re.search(rf"^{key}\s*=\s*(.+)$", config, re.MULTILINE)
        if match and Path(match.group(1).strip()).exists():
            return match.group(1).strip()
    home = re.search(r"^home\s*=\s*(.+)$", config, re.MULTILINE)
    if home:
        found = Path(home.group(1).strip(), "python" + ".".join(map(str, sys.version_info[:2])))
        return str(found) if found.exists() else None
    return None


def base_pip_command(venv: Path) -> list[str] | None:
    """The pip of the Python the venv was made from, aimed at the venv (pip
    --python, pip 22.3 or newer): it installs into a venv that has no pip."""
    base = base_python(venv)
    if base is None:
        return None
    return [base, "-m", "pip", "--disable-pip-version-check", "--python", str(venv_python(venv))]


def ensure_pip(venv: Path) -> None:
    """Give the venv its pip. The venv is made without one: python -m venv
    would first install the pip bundled with Python, which the sync replaces
    at once by the one the locks pin. So the base Python's pip installs the
    pinned pip into the venv (--python, hashes checked), or the newest pip
    before a first lock pins one; otherwise python -m ensurepip."""
    found = installed(venv).get("pip")
    if found is not None:
        if (found[1] / "RECORD").exists():
            return
        import shutil

        shutil.rmtree(found[1])  # an install cut short: no RECORD to uninstall by
    block = "".join(dev_lock_blocks("pip"))
    # Unverified, the newest pip only for a project's first lock (its compile
    # tool is unverified then too); a lock that does not pin pip gets the
    # bundled one, which needs no network (the uv engine needs no pip: this
    # runs for it only when the base Python's pip cannot install its uv).
    first_lock = not any(lock.exists() for _, lock in LOCK_PAIRS)
    base_pip = base_pip_command(venv)
    if base_pip is not None and (block or first_lock):
        requirements = venv / ".stamps" / "pip.txt"
        requirements.parent.mkdir(parents=True, exist_ok=True)
        requirements.write_text(block or "pip\n", encoding="utf-8")
        command = [*base_pip, "install", "--quiet"]
        command += ["--no-deps", "--require-hashes"] if block else []
        try:
            status, _ = RUNNER.run([*command, "-r", str(requirements)], on_line=lambda _: None)
        finally:
            requirements.unlink(missing_ok=True)
        if status == 0 and has_pip(venv):
            return
    print(f"Installing pip into {venv} (python -m ensurepip)")
    status, _ = RUNNER.run([str(venv_python(venv)), "-m", "ensurepip", "--default-pip"])
    if status != 0 or not has_pip(venv):
        raise LockError(
            f"{venv} has no pip and installing one failed (see above): run make clean-venv, "
            "then make dev."
        )


# ---------------------------------------------------------------- the lock engine
# What differs between lock engines is in tools/lock_engines.py; everything
# around it (the fingerprints, the seed pins, the pin report, the downgrade
# guard, writing all locks or none, the exact sync and its stamp) is the same
# for all.
def compile_command(
    venv: Path,
    requirements_in: Path,
    output: Path,
    pip_compile_args: list[str],
    upgrade: bool,
    upgrade_packages: list[str],
) -> tuple[list[str], dict[str, str]]:
    """The resolver's command line and environment for one lock."""
    python = str(venv_python(venv))
    chosen = engine()
    command = chosen.compile_command(
        python,
        requirements_in,
        output,
        upgrade,
        upgrade_packages,
        pip_compile_args,
        python_version=read_text(PYTHON_VERSION_FILE).strip(),
    )
    return command, chosen.environment(python)


def install_command(venv: Path, requirements: Path) -> tuple[list[str], dict[str, str]]:
    """Install exactly these pinned, hashed requirements, nothing else."""
    python = str(venv_python(venv))
    chosen = engine()
    return chosen.install_command(python, requirements), chosen.environment(python)


# ---------------------------------------------------------------- the compile tool
def bootstrap_blocks(dev_text: str, tool: str) -> list[str]:
    """The dev lock's blocks for `tool` and everything it needs (read from the
    `# via` annotations), so the tool installs from pins with hashes."""
    blocks = requirement_blocks(dev_text)
    wanted = {normalize(tool)}
    while True:
        more = {name for name, block in blocks.items() if via_parents(block) & wanted}
        if more <= wanted:
            break
        wanted |= more
    return [blocks[name] for name in sorted(wanted) if name in blocks]


def dev_lock_blocks(tool: str) -> list[str]:
    """`tool`'s pins in the dev lock, with hashes and what it needs (our side
    of a lock left with merge conflict markers); none before a first lock."""
    dev_text = read_text(DEV_LOCK)
    if has_conflict_markers(dev_text):
        dev_text = conflict_sides(dev_text)[0]
    return bootstrap_blocks(dev_text, tool)


def ensure_compile_tool(venv: Path) -> None:
    """Make the lock engine's tool (pip-compile or uv) runnable in the venv,
    from the dev lock's pins with hashes whenever that lock pins it (only a
    project's very first lock has nothing to verify against)."""
    chosen = engine()
    python = str(venv_python(venv))
    if chosen.tool_is_installed(python):
        return
    tool = chosen.bootstrap_packages[0]
    blocks = dev_lock_blocks(tool)
    requirements = venv / f".{tool}-bootstrap.txt"
    if blocks:
        print(f"Installing {tool} from the pins in {DEV_LOCK} (hashes checked)")
        requirements.write_text("".join(blocks), encoding="utf-8")
        faster = chosen.bootstrap_command(python, requirements)
        # --force-reinstall repairs a copy an interrupted install left half-written.
        options = ["--no-deps", "--require-hashes", "--force-reinstall", "-r", str(requirements)]
    else:
        print(
            f"Installing the newest {tool} to make the first lock "
            f"({DEV_LOCK} does not pin it yet, so there are no hashes to check it against)"
        )
        faster = chosen.first_tool_command(python)
        options = [tool]
    try:
        status = RUNNER.run(faster, chosen.environment(python))[0] if faster else 1
        if status != 0 and not chosen.needs_pip():
            # A venv kept free of pip (the uv engine's): the base Python's pip
            # installs the tool into it; its words only if the last way fails.
            base_pip = base_pip_command(venv)
            if base_pip is not None:
                command = [*base_pip, "install", "--quiet", *options]
                status, _ = RUNNER.run(command, on_line=lambda _: None)
        if status != 0:
            ensure_pip(venv)
            status, _ = RUNNER.run([*pip_command(venv), "install", "--quiet", *options])
    finally:
        requirements.unlink(missing_ok=True)
    if status != 0:
        raise LockError(f"installing {tool} failed (see above); no lock was changed.")


# ---------------------------------------------------------------- compiling
def version_key(version: str):
    import versions  # here, not at the top: a no-op make dev never compares versions

    parsed = versions.parse_version(version)
    if parsed is not None:
        return parsed.key()
    # Outside PEP 440 (pip refuses such a version anyway): by its numbers,
    # before every PEP 440 version (an epoch below theirs).
    return (-1, tuple(int(part) for part in re.findall(r"\d+", version)), (2,), (0,), (1,), ())


def requested_specifiers(requirements_in: Path) -> dict[str, str]:
    """normalized name -> requirement line, for the packages the .in files name."""
    named = {}
    for path in input_files(requirements_in)[:-1]:
        if path.suffix == ".txt":
            continue
        for raw in read_text(path).splitlines():
            line = re.sub(r"(^|\s)#.*", "", raw).strip()
            match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)", line)
            if match and not line.startswith("-"):
                named[normalize(match.group(1))] = line
    return named


def asked_to_move(name: str, old: str, requirement: str | None) -> bool:
    """True when the .in line for `name` no longer admits its old pin."""
    if requirement is None:
        return False
    import versions

    try:
        return not versions.requirement_admits(requirement, old)
    except ValueError:  # a line pip would refuse: moving the pin is what it asks
        return True


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


def last_committed(lock: Path) -> str | None:
    """The lock as last committed, if git has it and its fingerprint holds."""
    import subprocess

    shown = subprocess.run(
        ["git", "show", f"HEAD:./{lock.as_posix()}"], check=False, capture_output=True, text=True
    )
    if shown.returncode != 0:
        return None
    recorded = CONTENT_RE.search(shown.stdout)
    if recorded and recorded.group(1) == content_digest(shown.stdout):
        return shown.stdout
    return None


def seed_for(state: LockState) -> tuple[str, str]:
    """The pins pip-compile starts from (it keeps those that still fit), and
    a sentence saying where they came from."""
    if state.kind == "conflict":
        ours, theirs = (pins(side) for side in conflict_sides(state.text))
        agreed = {
            name: ours.get(name, theirs.get(name))
            for name in ours.keys() | theirs.keys()
            if ours.get(name, theirs.get(name)) == theirs.get(name, ours.get(name))
        }
        disputed = sorted(
            name for name in ours.keys() & theirs.keys() if ours[name] != theirs[name]
        )
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


def compile_lock(
    state: LockState,
    venv: Path,
    pip_compile_args: list[str],
    upgrade: bool,
    upgrade_packages: list[str],
    allow_downgrade: bool,
) -> str:
    """Resolve one lock into its new text (nothing is written here)."""
    import tempfile

    seed, note = seed_for(state)
    if note:
        print(note)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{state.lock.name}.", suffix=".tmp", dir=state.lock.parent
    )
    os.close(handle)
    output = Path(temporary)
    try:
        # pip-compile keeps the pins it finds in its output file: start from
        # the current ones so only what changed moves.
        output.write_text(seed, encoding="utf-8")
        command, environment = compile_command(
            venv, state.requirements_in, output, pip_compile_args, upgrade, upgrade_packages
        )
        print(f"Resolving {state.lock} from {state.requirements_in} ({engine().name}) ...")
        sys.stdout.flush()
        started = time.monotonic()
        status, _ = RUNNER.run(command, environment)
        if status != 0:
            raise LockError(
                f"compiling {state.requirements_in} failed (see above); "
                f"{state.lock} was left unchanged.\n"
                f"       Fix {state.requirements_in} (or the network) and run make lock again."
            )
        text = engine().postprocess(
            output.read_text(encoding="utf-8"), read_text(PYTHON_VERSION_FILE).strip()
        )
    finally:
        output.unlink(missing_ok=True)

    leaks = sorted(set(LEAKY_LINE_RE.findall(text)))
    if leaks:
        raise LockError(
            f"the compiled lock contains {', '.join(leaks)} lines; {state.lock} was left "
            "unchanged. Keep index options out of PIP_COMPILE_FLAGS, and emit-index-url, "
            "emit-find-links and emit-trusted-host = false in pyproject.toml's [tool.pip-tools]."
        )
    unhashed = [name for name, block in requirement_blocks(text).items() if "--hash=" not in block]
    if unhashed:
        raise LockError(
            f"the compiled lock pins {', '.join(unhashed)} without hashes, which neither "
            f"`make dev` nor the image would install; {state.lock} was left unchanged.\n"
            "       pyproject.toml sets how locks are compiled: keep generate-hashes = true "
            "under [tool.pip-tools] and [tool.uv.pip] (git diff pyproject.toml shows what changed)."
        )
    old, new = pins(seed), pins(text)
    changes = pin_changes(old, new)
    elapsed = time.monotonic() - started
    print(
        f"{state.lock}: {len(new)} pins resolved in {elapsed:.1f} s; "
        + (f"{len(changes)} changed:" if changes else "no existing pin moved.")
    )
    for line in changes:
        print(f"  {line}")
    # make upgrade and upgrade-package move pins on purpose; any other compile
    # may only move down what the user's own .in lines asked to.
    guarded = not (upgrade or upgrade_packages or allow_downgrade)
    named = requested_specifiers(state.requirements_in)
    downgrades = [
        f"    {name} {old[name]} -> {new[name]}"
        for name in sorted(old.keys() & new.keys())
        if version_key(new[name]) < version_key(old[name])
        and not asked_to_move(name, old[name], named.get(name))
    ]
    if downgrades and guarded and state.kind not in {"missing", "conflict"}:
        raise LockError(
            f"{state.lock} was left unchanged: this compile would downgrade pins that "
            "nobody asked to move:\n"
            + "\n".join(downgrades)
            + "\n       An index that lags behind (a mirror, a partial outage) is the usual "
            "cause: check it and run make lock again.\n"
            "       If the downgrade is wanted (a new requirement needs the older "
            "versions), accept it with: make lock ALLOW_DOWNGRADE=1"
        )
    names = ", ".join(path.as_posix() for path in input_files(state.requirements_in))
    import lock_engines

    text = text.rstrip("\n") + (
        f"\n{lock_engines.platform_line(engine().resolved_for())}\n"
        f"{INPUTS_LINE}{state.inputs}\n"
        f"# (fingerprint of {names}: run make lock after editing them)\n"
    )
    return text + f"{CONTENT_LINE}{content_digest(text)} (of this file: written by make lock)\n"


def known_packages() -> list[str]:
    names: set[str] = set()
    for _, lock in LOCK_PAIRS:
        text = read_text(lock)
        names |= set(pins(conflict_sides(text)[0] if has_conflict_markers(text) else text))
    return sorted(names)


def lock(
    venv: Path,
    pip_compile_args: list[str],
    upgrade: bool = False,
    upgrade_packages: tuple[str, ...] = (),
    allow_downgrade: bool = False,
) -> None:
    """Bring every lock in step with its inputs; all are written or none."""
    for package in upgrade_packages:
        if not package.strip():
            raise LockError("name the package: make upgrade-package P=<name>")
        known = known_packages()
        # P=pandas==2.2.3 names a version too: the name is what must be pinned.
        name = normalize(re.split(r"[<>=!~;\[\s]", package.strip(), maxsplit=1)[0])
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=3)
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            raise LockError(
                f"{package} is not pinned in any lock, so there is nothing to upgrade.{hint}\n"
                f"       The locks pin: {', '.join(known)}.\n"
                f"       To add a package, put it in requirements.in (or requirements-dev.in) "
                "and run make lock."
            )
    for requirements_in, _ in LOCK_PAIRS:
        refused = unlockable_lines(requirements_in)
        if refused:
            raise LockError(
                "these requirements cannot be pinned with a hash, so a fresh clone and the "
                "image (pip --require-hashes) could not install them; no lock was changed:\n"
                + "\n".join(f"    {line}" for line in refused)
                + "\n       Ways that work: publish the library to an index the project uses "
                "(then name it like any package);\n"
                "       an archive URL of a release or commit with its hash "
                "(name @ https://host/name-1.2.0.tar.gz#sha256=<hash>);\n"
                "       or a wheel in a find-links folder named outside the lock "
                "(PIP_FIND_LINKS=/path/to/wheels) and the package named by version here.\n"
                "       See the how-to 'Depend on an internal library'."
            )
    moving = upgrade or bool(upgrade_packages)
    written: list[tuple[Path, bytes | None]] = []
    try:
        for requirements_in, lock_path in LOCK_PAIRS:
            state = LockState(requirements_in, lock_path)
            if state.kind == "no-input":
                raise LockError(state.problem)
            if state.kind == "current" and not moving:
                continue
            if state.kind == "unsealed" and not moving and INPUTS_RE.search(state.text):
                recorded = INPUTS_RE.search(state.text).group(1)
                if recorded == state.inputs and not LEAKY_LINE_RE.search(state.text):
                    # Made by an older release: the pins are current, only the
                    # content fingerprint is new. Add it without resolving.
                    text = state.text.rstrip("\n") + "\n"
                    text += f"{CONTENT_LINE}{content_digest(text)} (of this file: written by make lock)\n"
                    print(f"{lock_path}: added its content fingerprint (no pin changed)")
                    written.append((lock_path, lock_path.read_bytes()))
                    write_atomically(lock_path, text)
                    continue
            ensure_compile_tool(venv)
            text = compile_lock(
                state, venv, pip_compile_args, upgrade, list(upgrade_packages), allow_downgrade
            )
            written.append((lock_path, lock_path.read_bytes() if lock_path.exists() else None))
            write_atomically(lock_path, text)
    except BaseException:
        # A later lock failed (or Ctrl-C): put back the ones already written,
        # so the locks never disagree with each other.
        for path, before in reversed(written):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(path, before.decode("utf-8"))
        if written:
            print(
                f"(put back as they were: {', '.join(str(p) for p, _ in written)})", file=sys.stderr
            )
        raise


# ---------------------------------------------------------------- the venv
def site_packages(venv: Path) -> Path | None:
    found = sorted(venv.glob("lib/python*/site-packages"))
    return found[0] if found else None


def installed(venv: Path) -> dict[str, tuple[str, Path]]:
    """normalized name -> (version, dist-info folder) of what the venv holds."""
    folder = site_packages(venv)
    result = {}
    for entry in folder.iterdir() if folder else []:
        # `~name` folders are pip's stash of an uninstall that was cut short:
        # not a package (pip ignores them too); the real one is reinstalled.
        if entry.name.endswith(".dist-info") and "-" in entry.name and entry.name[0] != "~":
            name, version = entry.name[: -len(".dist-info")].rsplit("-", 1)
            result[normalize(name)] = (version, entry)
    return result


def wanted_pins(locks: list[Path], venv: Path) -> dict[str, tuple[str, str]]:
    """normalized name -> (version, block) the locks ask for on this machine."""
    found = []
    for lock_path in locks:
        text = read_text(lock_path)
        blocks = requirement_blocks(text)
        for name, version, marker in PIN_RE.findall(text):
            found.append((normalize(name), version, marker.strip(), blocks[normalize(name)]))
    applies = markers_that_apply({marker for _, _, marker, _ in found if marker}, venv)
    return {
        name: (version, block)
        for name, version, marker, block in found
        if not marker or marker in applies
    }


def markers_that_apply(markers: set[str], venv: Path) -> set[str]:
    """The environment markers that hold for the venv's interpreter (one
    process for all of them, with the marker code pip carries; asked once a
    run, as a sync compares the venv with the locks more than once)."""
    if not markers:
        return set()
    asked = (venv, frozenset(markers))
    if asked not in MARKERS_APPLYING:
        MARKERS_APPLYING[asked] = evaluate_markers(markers, venv)
    return MARKERS_APPLYING[asked]


MARKERS_APPLYING: dict = {}


def evaluate_markers(markers: set[str], venv: Path) -> set[str]:
    import versions

    if Path(sys.prefix).resolve() == venv.resolve():
        environment = versions.default_environment()  # this is the venv's own Python (make dev)
    else:
        import json
        import subprocess

        code = "import json, versions; print(json.dumps(versions.default_environment()))"
        asked = subprocess.run(
            [str(venv_python(venv)), "-c", code],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)},
        )
        if asked.returncode != 0:
            raise LockError(
                f"could not ask {venv_python(venv)} what platform it runs on:\n{asked.stderr}"
            )
        environment = json.loads(asked.stdout)
    applying = set()
    for marker in markers:
        try:
            if versions.evaluate_marker(marker, environment):
                applying.add(marker)
        except ValueError as error:
            raise LockError(
                f"a lock carries an environment marker that cannot be read ({error}): "
                f"{marker!r}. Regenerate the locks with make lock."
            ) from None
    return applying


def differences(locks: list[Path], venv: Path):
    """(to install, to remove, broken) for the venv to hold exactly the locks."""
    wanted = wanted_pins(locks, venv)
    have = installed(venv)
    to_install, broken = [], []
    for name, (version, _) in sorted(wanted.items()):
        if name not in have or (
            have[name][0] != version and version_key(have[name][0]) != version_key(version)
        ):
            to_install.append(name)
        elif not (have[name][1] / "RECORD").exists():
            broken.append(name)  # an install that was interrupted half-way
    to_remove = sorted(name for name in have if name not in wanted and name not in NEVER_REMOVED)
    return wanted, to_install, to_remove, broken


def venv_fingerprint(locks: list[Path], venv: Path) -> str:
    """Everything a no-op `make dev` depends on: the engine, every input and
    lock, which locks the venv holds, and the names of what it holds."""
    folder = site_packages(venv)
    listing = sorted(entry.name for entry in folder.iterdir()) if folder else []
    digest = hashlib.sha256(f"{ENGINE_NAME}\0{' '.join(map(str, locks))}\0".encode())
    for requirements_in, lock_path in LOCK_PAIRS:
        for path in [*input_files(requirements_in), lock_path]:
            digest.update(f"{path}\0{read_text(path)}\0".encode())
    digest.update("\0".join(entry for entry in listing if entry.endswith(".dist-info")).encode())
    return digest.hexdigest()


def sync_stamp(venv: Path) -> Path:
    return venv / ".stamps" / "synced"


def remembered_sync(locks: list[Path], venv: Path) -> str | None:
    """When nothing changed since the last sync (the stamp's fingerprint still
    holds), what that sync had to say (its platform warnings, often nothing);
    None when there is work to do. This is a no-op `make dev`: a few files
    read and hashed, one folder listed, no lock engine loaded."""
    stamp = sync_stamp(venv)
    if not stamp.exists():
        return None
    fingerprint, _, said = stamp.read_text(encoding="utf-8").partition("\n")
    return said if fingerprint == venv_fingerprint(locks, venv) else None


def remember_sync(locks: list[Path], venv: Path, said: str) -> None:
    stamp = sync_stamp(venv)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(stamp, f"{venv_fingerprint(locks, venv)}\n{said}")


def sync(locks: list[Path], venv: Path) -> None:
    """Make the venv hold exactly the locks (what pip-sync does, with pip
    itself or a uv outside the venv, so an interrupted install cannot break
    the tool that repairs it)."""
    if engine().needs_pip():
        ensure_pip(venv)
    wanted, to_install, to_remove, broken = differences(locks, venv)
    if (to_install or broken) and engine().installs_with_venv_tool():
        ensure_compile_tool(venv)  # the venv's uv installs the locks: it comes first, hash-checked
        wanted, to_install, to_remove, broken = differences(locks, venv)
    for name in broken:
        # pip would call a half-installed package "already satisfied".
        import shutil

        shutil.rmtree(installed(venv)[name][1])
    to_install = sorted(set(to_install) | set(broken))
    started = time.monotonic()
    if to_install:
        total = len(to_install)
        print(f"Installing {total} package(s) into {venv} from {' + '.join(map(str, locks))} ...")
        sys.stdout.flush()
        requirements = venv / ".stamps" / "to-install.txt"
        requirements.parent.mkdir(parents=True, exist_ok=True)
        requirements.write_text("".join(wanted[name][1] for name in to_install), encoding="utf-8")
        count = [0]
        failing = [False]

        def progress(line: str) -> None:
            """One line a package; pip's own words only once something fails."""
            match = re.match(r"(?:Collecting|Processing|\s\+) (\S+)", line)
            if match:
                count[0] += 1
                name = match.group(1).rsplit("/", 1)[-1]
                if name.endswith(".whl"):  # a wheel from a find-links folder
                    name = "==".join(name.split("-")[:2])
                print(f"  [{count[0]:>{len(str(total))}}/{total}] {name}")
                sys.stdout.flush()
            elif failing[0] or line.startswith(("ERROR", "WARNING: Retrying", "Looking in")):
                failing[0] = failing[0] or line.startswith("ERROR")
                sys.stdout.write(line)

        try:
            command, environment = install_command(venv, requirements)
            status, output = RUNNER.run(command, environment, on_line=progress)
        finally:
            requirements.unlink(missing_ok=True)
        if status != 0:
            if not count[0]:
                sys.stdout.write(output)
            raise LockError(
                "installing the locked packages failed (see above); run make dev again once "
                "the cause is fixed (the venv is repaired from where it stopped)."
            )
    if to_remove:
        print(f"Removing {len(to_remove)} package(s) the locks do not list: {', '.join(to_remove)}")
        command = engine().uninstall_command(str(venv_python(venv)), to_remove)
        if command is None:
            ensure_pip(venv)
            command = [*pip_command(venv), "uninstall", "--yes", "--quiet", *to_remove]
        status, _ = RUNNER.run(command, engine().environment(str(venv_python(venv))))
        if status != 0:
            raise LockError("removing packages the locks do not list failed (see above).")
    _, still_missing, still_extra, still_broken = differences(locks, venv)
    if still_missing or still_extra or still_broken:
        raise LockError(
            f"{venv} still differs from the locks after syncing: "
            f"missing {still_missing}, extra {still_extra}, broken {still_broken}. "
            "Run make clean-venv and make dev."
        )
    if to_install or to_remove:
        print(
            f"{venv} holds exactly {' + '.join(map(str, locks))} ({time.monotonic() - started:.1f} s)"
        )


def status(locks: list[Path], venv: Path) -> int:
    if site_packages(venv) is None:
        print(f"{venv} has no installed packages: run make dev", file=sys.stderr)
        return 1
    _, to_install, to_remove, broken = differences(locks, venv)
    problems = []
    if to_install:
        problems.append(f"missing or at another version: {', '.join(to_install)}")
    if to_remove:
        problems.append(f"not in the locks: {', '.join(to_remove)}")
    if broken:
        problems.append(f"half-installed: {', '.join(broken)}")
    if problems:
        print(f"{venv} is not in sync with the locks ({'; '.join(problems)}): run make dev")
        return 1
    print(f"{venv} holds exactly {' + '.join(map(str, locks))}")
    return 0


# ---------------------------------------------------------------- command line
USAGE = """usage: locks.py [--venv DIR] [--engine pip-tools|uv] [--pair IN LOCK]... COMMAND [OPTIONS] [-- PIP-COMPILE-ARGS]

commands:
  lock     compile every lock whose inputs or content changed
           --upgrade                 move every pin to its newest allowed version
           --upgrade-package NAME    move one package (and what it needs); repeatable
           --allow-downgrade         accept a compile that moves pins down
  check    fail, naming the file and the fix, if a lock is not current (--prod: runtime only)
  sync     lock, then make the venv hold exactly the locks (--prod: runtime only)
  status   say whether the venv holds exactly the locks (--prod: runtime only)

--pair IN LOCK (repeatable) names the locks to work on instead of
requirements.in -> requirements.txt and requirements-dev.in -> requirements-dev.txt.
Everything after -- goes to pip-compile untouched."""
FLAGS = {"--prod": "prod", "--upgrade": "upgrade", "--allow-downgrade": "allow_downgrade"}
OPTIONS = {"lock": {"--upgrade", "--allow-downgrade"}, "check": {"--prod"}, "sync": {"--prod"}}
OPTIONS["status"] = OPTIONS["sync"]


def parse(argv: list[str]) -> dict:
    """The command line, read by hand: argparse alone would take longer to
    import than a no-op `make dev` may take in all."""
    args = {"venv": Path(".venv"), "engine": "", "pip_compile_args": [], "upgrade_packages": []}
    args["pairs"] = []
    args.update(dict.fromkeys(FLAGS.values(), False))
    if "--" in argv:
        split = argv.index("--")
        argv, args["pip_compile_args"] = argv[:split], argv[split + 1 :]
    words = list(argv)
    while words[:1] in (["--venv"], ["--engine"], ["--pair"]) and len(words) > 1:
        if words[0] == "--pair":
            args["pairs"].append(tuple(map(Path, words[1:3])))
            words = words[3:]
        else:
            args[words[0][2:]] = Path(words[1]) if words[0] == "--venv" else words[1]
            words = words[2:]
    if not words or words[0] not in OPTIONS:
        raise SystemExit(
            USAGE if words[:1] in (["-h"], ["--help"]) else f"error: name a command\n{USAGE}"
        )
    args["command"], words = words[0], words[1:]
    while words:
        word = words.pop(0)
        if word == "--upgrade-package" and args["command"] == "lock" and words:
            args["upgrade_packages"].append(words.pop(0))
        elif word in OPTIONS[args["command"]]:
            args[FLAGS[word]] = True
        else:
            raise SystemExit(f"error: {args['command']} does not take {word}\n{USAGE}")
    return args


def main(argv: list[str]) -> int:
    global ENGINE_NAME, LOCK_PAIRS
    args = parse(argv)
    ENGINE_NAME = args["engine"]
    LOCK_PAIRS = tuple(args["pairs"]) or LOCK_PAIRS
    pairs = LOCK_PAIRS[:1] if args["prod"] else LOCK_PAIRS
    locks = [lock_path for _, lock_path in pairs]
    if args["command"] == "sync":
        said = remembered_sync(locks, args["venv"])
        if said is not None:
            sys.stderr.write(said)
            return 0
    if ENGINE_NAME:
        try:
            engine()
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if args["command"] == "check":
        return check(lock_states(pairs))
    if args["command"] == "status":
        return status(locks, args["venv"])

    import signal

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        hold_project_lock()
        if args["command"] == "lock":
            lock(
                args["venv"],
                args["pip_compile_args"],
                args["upgrade"],
                tuple(args["upgrade_packages"]),
                args["allow_downgrade"],
            )
        else:
            if any(state.kind != "current" for state in lock_states()):
                lock(args["venv"], args["pip_compile_args"])
            sync(locks, args["venv"])
            said = platform_warnings(lock_states(pairs))
            sys.stdout.flush()
            sys.stderr.write(said)
            remember_sync(locks, args["venv"], said)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
