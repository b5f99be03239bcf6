# The template manages this file: local edits meet the next copier update as a merge.
"""The venv, the installer it is given, the engine's tool, and the libraries
this package needs.

Everything is installed from the dev lock's pins with their hashes, except
on a project's very first lock, when nothing pins the tool yet. The venv is
made without the pip bundled with Python: the pip the lock pins is
installed by the base Python's pip (`pip --python`, pip 22.3 or newer), and
the uv engine's venvs get no pip at all.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
from pathlib import Path

from lockstep import lockfile
from lockstep.engines import has_installed, venv_python
from lockstep.run import LockError, Runner, hold_project_lock

DEV_LOCK = Path("requirements-dev.txt")
INSTALL_FAILED = (
    "installing the locked packages failed (see above); run make dev again once "
    "the cause is fixed (the venv is repaired from where it stopped)."
)


def make_venv(venv: Path, stamp: Path, engine, wanted: str) -> int:
    """`make venv`: run by the Python in .python-version itself, with -S. It
    exits at once when it is another version (the Makefile then says how to
    get the right one). The stamp is written last, so a venv left half made
    by Ctrl-C is rebuilt by the next run, not trusted."""
    version = "{}.{}".format(*sys.version_info[:2])
    if wanted and version != wanted:
        return 1
    hold_project_lock()  # two make dev started at once make one venv
    if stamp.exists():
        return 0  # another make made it while this one waited
    if venv.exists():
        said = lockfile.read_text(venv / "pyvenv.cfg")
        made_for = next((line for line in said.splitlines() if line.startswith("version")), "")
        if made_for.split("=")[-1].strip().startswith(f"{version}."):
            print(f"{venv} was left unfinished by an earlier run; rebuilding it.")
        else:
            print(
                f"{venv} was not made for Python {version} (it says: {made_for or 'nothing'}); rebuilding it."
            )
        shutil.rmtree(venv)
    print(f"Creating {venv} with Python {version} ({sys.executable})")
    # A uv on PATH makes it in a few milliseconds, without pip.
    uv = getattr(engine, "on_path", None)
    command = [str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)]
    if uv is None or Runner().run(command)[0] != 0:
        shutil.rmtree(venv, ignore_errors=True)
        if uv is not None:
            print("(making it with python -m venv instead)")
        import venv as venv_module

        venv_module.create(venv, with_pip=False)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()
    return 0


def base_pip(venv: Path) -> list[str] | None:
    """The pip of the Python the venv was made from (pyvenv.cfg says),
    aimed at the venv: it installs into a venv that has no pip."""
    config = dict(
        line.partition("=")[::2] for line in lockfile.read_text(venv / "pyvenv.cfg").splitlines()
    )
    config = {key.strip(): value.strip() for key, value in config.items()}
    version = "python{}.{}".format(*sys.version_info[:2])
    for base in (
        config.get("executable"),
        config.get("base-executable"),
        config.get("home") and str(Path(config["home"], version)),
    ):
        if base and Path(base).exists():
            return [base, "-m", "pip", "--disable-pip-version-check", "--python", venv_python(venv)]
    return None


def installer(venv: Path, engine, action: str, runner: Runner) -> list[str]:
    """The command that installs into (or removes from) the venv: the
    engine's own (pip in the venv, or uv), else the base Python's pip."""
    command = engine.installer(venv, action)
    if command is None and engine.needs_pip:
        ensure_pip(venv, runner)
        command = engine.installer(venv, action)
    base = base_pip(venv)
    if command is None and base is not None:
        command = [*base, action, *(["--yes"] if action == "uninstall" else [])]
    if command is None:
        raise LockError(f"{venv} has no installer: run make clean-venv, then make dev.")
    return command


def pinned(package: str) -> str:
    """`package` and what it needs, as the dev lock pins them (our side of a
    lock left with merge conflict markers); empty before a first lock."""
    blocks = lockfile.requirement_blocks(lockfile.our_side(lockfile.read_text(DEV_LOCK)))
    return "".join(lockfile.closure(blocks, package))


def install_pinned(
    venv: Path, engine, runner: Runner, blocks: str, *options: str, tell_failure: bool = True
) -> int:
    """Install pinned blocks, hashes required; the exit status (and the
    installer's words when it failed, if tell_failure)."""
    command = installer(venv, engine, "install", runner)  # may install pip first
    requirements = venv / ".stamps" / "pinned.txt"
    requirements.parent.mkdir(parents=True, exist_ok=True)
    requirements.write_text(blocks, encoding="utf-8")
    command += ["--no-deps", "--require-hashes", *options, "-r", str(requirements)]
    try:
        status, said = runner.quietly(command, engine.environment(venv))
    finally:
        requirements.unlink(missing_ok=True)
    if status != 0 and tell_failure:
        sys.stdout.write(said)
    return status


def ensure_pip(venv: Path, runner: Runner) -> None:
    """Give the venv the pip the dev lock pins (the newest before a first
    lock pins one), by the base Python's pip; otherwise python -m ensurepip."""
    if has_installed(venv, "pip"):
        return
    for folder in venv.glob("lib/python*/site-packages/pip-*.dist-info"):
        shutil.rmtree(folder)  # an install cut short: no RECORD to uninstall by
    base, block = base_pip(venv), pinned("pip")
    if base is not None and (block or not DEV_LOCK.exists()):
        if block:
            status = install_pinned(venv, BasePip(base), runner, block)
        else:
            status = runner.quietly([*base, "install", "--quiet", "pip"])[0]
        if status == 0 and has_installed(venv, "pip"):
            return
    print(f"Installing pip into {venv} (python -m ensurepip)")
    status = runner.run([venv_python(venv), "-m", "ensurepip", "--default-pip"])[0]
    if status != 0 or not has_installed(venv, "pip"):
        raise LockError(
            f"{venv} has no pip and installing one failed (see above): run make clean-venv, "
            "then make dev."
        )


class BasePip:
    """The base Python's pip as an installer (ensure_pip's, before the venv has one)."""

    needs_pip = False

    def __init__(self, command: list[str]) -> None:
        self.command = command

    def installer(self, venv: Path, action: str) -> list[str]:
        return [*self.command, action]

    def environment(self, venv: Path):
        return None


def ensure_tool(venv: Path, engine, runner: Runner) -> None:
    """Make the engine's tool (pip-compile or uv) runnable in the venv."""
    if engine.tool_ready(venv):
        return
    blocks = pinned(engine.tool)
    if blocks:
        print(f"Installing {engine.tool} from the pins in {DEV_LOCK} (hashes checked)")
        # --force-reinstall repairs a copy an interrupted install left half-written.
        status = install_pinned(venv, engine, runner, blocks, "--force-reinstall")
    else:
        print(
            f"Installing the newest {engine.tool} to make the first lock "
            f"({DEV_LOCK} does not pin it yet, so there are no hashes to check it against)"
        )
        command = [*installer(venv, engine, "install", runner), "--quiet", engine.tool]
        status = runner.quietly(command, engine.environment(venv))[0]
    if status != 0 or not engine.tool_ready(venv):
        raise LockError(f"installing {engine.tool} failed; no lock was changed.")


def libraries() -> list[str]:
    """What this package imports beyond the standard library."""
    return ["packaging"] + (["tomli"] if importlib.util.find_spec("tomllib") is None else [])


def ensure_libraries(venv: Path, engine, runner: Runner) -> None:
    """Make `packaging` importable (and `tomli` before Python 3.11): the
    venv's own, or a copy of the dev lock's pins in <venv>/tools/lockstep."""
    side = venv / "tools" / "lockstep"
    if str(side) not in sys.path:  # once: a sync calls this again after installing
        sys.path.append(str(side))  # after site-packages: the venv's own copy first
    wanted = libraries()
    if all(importlib.util.find_spec(name) for name in wanted):
        return
    blocks = "".join(pinned(name) for name in wanted)
    if not blocks:
        raise LockError(f"{DEV_LOCK} pins no packaging, which make dev needs: run make lock.")
    print(f"Installing packaging into {side} from the pins in {DEV_LOCK} (hashes checked)")
    status = 1
    if engine.cache_only:  # the cache first: it holds the pin after any earlier install
        shutil.rmtree(side, ignore_errors=True)
        target = [*engine.cache_only, "--target", str(side)]
        status = install_pinned(venv, engine, runner, blocks, *target, tell_failure=False)
    if status != 0:
        shutil.rmtree(side, ignore_errors=True)
        if install_pinned(venv, engine, runner, blocks, "--target", str(side)) != 0:
            raise LockError(INSTALL_FAILED)
    importlib.invalidate_caches()


def keep_libraries(venv: Path, leaving: list[str]) -> None:
    """Before a sync removes the venv's packaging (or tomli), as `make prod`
    does, copy it into <venv>/tools/lockstep: the next run that needs it
    (make doctor) then finds it there without asking the index. It is the
    dev lock's pin, installed hash-checked, so the copy is that pin too."""
    side = venv / "tools" / "lockstep"
    for name in set(libraries()).intersection(leaving):
        spec = importlib.util.find_spec(name)
        if (side / name).exists() or not (spec and spec.submodule_search_locations):
            continue
        copied = side / f"{name}.copying"  # renamed once whole: Ctrl-C leaves no half copy
        shutil.rmtree(copied, ignore_errors=True)
        ignored = shutil.ignore_patterns("__pycache__")
        shutil.copytree(spec.submodule_search_locations[0], copied, ignore=ignored)
        copied.rename(side / name)
