# The template manages this file: local edits meet the next copier update as a merge.
"""The venv holds exactly the locks, and the project itself.

A sync installs what is missing (hashes required), removes what the locks do
not list, and installs the project as pip installs a project in development
(its console scripts in .venv/bin, its metadata known to importlib.metadata),
with the build backend the dev lock pins. What the venv holds is read with
importlib.metadata; which lock entries apply to it, with packaging's markers.
"""

from __future__ import annotations

import email
import functools
import json
import os
import re
import shutil
import sys
import time
from importlib.metadata import PathDistribution
from pathlib import Path

from lockstep import bootstrap, lockfile
from lockstep.engines import venv_python
from lockstep.run import LockError, Runner

# pip and setuptools may stay in a venv whose locks do not pin them (make prod).
NEVER_REMOVED = {"pip", "setuptools", "wheel"}


def site_packages(venv: Path) -> Path | None:
    found = sorted(venv.glob("lib/python*/site-packages"))
    return found[0] if found else None


def headers(folder: Path) -> email.message.Message:
    """A .dist-info folder's METADATA headers: importlib.metadata parses the
    long description after them too, each time, most of a sync's time at 500
    packages. Read once a sync, unless the file changed since."""
    for name in ("METADATA", "PKG-INFO"):
        try:
            found = (folder / name).stat()
        except OSError:
            continue
        return read_headers(folder / name, (found.st_ino, found.st_size, found.st_mtime_ns))
    return email.message.Message()


@functools.cache
def read_headers(path: Path, _version_of_the_file: tuple) -> email.message.Message:
    text = path.read_text(encoding="utf-8", errors="replace")
    return email.message_from_string(text.replace("\r\n", "\n").split("\n\n", 1)[0])


class Installed(PathDistribution):
    """An installed distribution, and its .dist-info folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder

    @property
    def metadata(self):
        return headers(self.folder)


def installed(venv: Path) -> dict[str, Installed]:
    """normalized name -> distribution, of what the venv holds."""
    folder = site_packages(venv)
    found = {}
    for entry in sorted(folder.iterdir()) if folder else []:
        # `~name` folders are pip's stash of an uninstall cut short: not a
        # package (pip ignores them too).
        if entry.suffix == ".dist-info" and not entry.name.startswith("~"):
            distribution = Installed(entry)
            name = distribution.metadata["Name"] or entry.name.split("-")[0]
            found[lockfile.normalize(name)] = distribution
    return found


def is_the_project(distribution: Installed) -> bool:
    """An editable install of the project in this folder (PEP 610's record)."""
    recorded = json.loads(distribution.read_text("direct_url.json") or "{}")
    editable = recorded.get("dir_info", {}).get("editable", False)
    return editable and recorded.get("url") == Path.cwd().resolve().as_uri()


def marker_environment(venv: Path) -> dict[str, str]:
    """packaging's marker variables, for the venv's interpreter: this one's,
    or asked of it (with this process's packaging) when another runs the tool."""
    import packaging.markers

    if Path(sys.prefix).resolve() == venv.resolve():
        return packaging.markers.default_environment()
    code = "import json, packaging.markers as m; print(json.dumps(m.default_environment()))"
    library = str(Path(packaging.markers.__file__).parents[1])
    status, said = Runner().quietly(
        [venv_python(venv), "-S", "-c", code], {**os.environ, "PYTHONPATH": library}
    )
    if status != 0:
        raise LockError(f"could not ask {venv_python(venv)} what platform it runs on:\n{said}")
    return json.loads(said)


def wanted_pins(locks: list[Path], venv: Path) -> dict[str, tuple[str, str]]:
    """normalized name -> (version, block) the locks ask for on this machine."""
    from packaging.markers import InvalidMarker, Marker

    environment, wanted = None, {}
    for lock in locks:
        for name, version, marker, block in lockfile.entries(lockfile.read_text(lock)):
            if marker:
                environment = environment or marker_environment(venv)
                try:
                    if not Marker(marker).evaluate(environment):
                        continue
                except InvalidMarker as error:
                    raise LockError(
                        f"{lock} carries an environment marker that cannot be read ({error}): "
                        f"{marker!r}. Regenerate the locks with make lock."
                    ) from None
            wanted[name] = (version, block)
    return wanted


def same_version(installed_version: str, pinned: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return installed_version == pinned or Version(installed_version) == Version(pinned)
    except InvalidVersion:
        return False


def differences(locks: list[Path], venv: Path, wanted=None):
    """(wanted, to install, to remove, broken) for the venv to hold exactly the
    locks; `wanted`: what wanted_pins said of them, when it was asked already."""
    wanted = wanted_pins(locks, venv) if wanted is None else wanted
    have = installed(venv)
    to_install = sorted(
        name
        for name, (version, _) in wanted.items()
        if name not in have or not same_version(have[name].version, version)
    )
    # RECORD is written last: an install that was cut short has none.
    broken = sorted(
        name
        for name in wanted
        if name in have and name not in to_install and not (have[name].folder / "RECORD").is_file()
    )
    to_remove = sorted(
        name
        for name, distribution in have.items()
        if name not in wanted and name not in NEVER_REMOVED and not is_the_project(distribution)
    )
    return wanted, to_install, to_remove, broken


def install(venv: Path, engine, runner: Runner, blocks: list[str], locks: list[Path]) -> None:
    """Install pinned blocks, one line a package; pip's words once something fails."""
    total, count, failing = len(blocks), [0], [False]
    print(f"Installing {total} package(s) into {venv} from {' + '.join(map(str, locks))} ...")
    sys.stdout.flush()

    def progress(line: str) -> None:
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

    requirements = venv / ".stamps" / "to-install.txt"
    requirements.parent.mkdir(parents=True, exist_ok=True)
    requirements.write_text("".join(blocks), encoding="utf-8")
    try:
        command = bootstrap.installer(venv, engine, "install", runner)
        command += ["--no-deps", "--require-hashes", *engine.install_options]
        status, output = runner.run(
            [*command, "-r", str(requirements)], engine.environment(venv), on_line=progress
        )
    finally:
        requirements.unlink(missing_ok=True)
    if status != 0:
        if not count[0]:
            sys.stdout.write(output)
        raise LockError(bootstrap.INSTALL_FAILED)


def read_pyproject() -> dict:
    if not Path("pyproject.toml").exists():
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10: tomli, which the dev lock pins there
        import tomli as tomllib
    return tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))


def install_project(venv: Path, engine, runner: Runner) -> None:
    """Install the project itself, editable, with the build backend the dev
    lock pins (no build isolation: nothing unpinned is fetched). Again when
    pyproject.toml changed, so its scripts and metadata stay true."""
    pyproject = read_pyproject()
    if "project" not in pyproject or "build-system" not in pyproject:
        return  # nothing to install (a folder of scripts)
    stamp = venv / ".stamps" / "project"
    have = installed(venv)
    current = any(is_the_project(d) for d in have.values())
    if current and lockfile.read_text(stamp) == lockfile.read_text(Path("pyproject.toml")):
        return
    from packaging.requirements import Requirement

    backend = [Requirement(r).name for r in pyproject["build-system"].get("requires", [])]
    missing = [name for name in backend if lockfile.normalize(name) not in have]
    pins = [bootstrap.pinned(name) for name in missing]  # one read of the dev lock each
    blocks = "".join(pins)
    if not all(pins):
        raise LockError(
            f"the build backend ({', '.join(missing)}) is not pinned in {bootstrap.DEV_LOCK}: "
            "add it to requirements-dev.in and run make lock."
        )
    if blocks and bootstrap.install_pinned(venv, engine, runner, blocks) != 0:
        raise LockError(f"installing the build backend ({', '.join(missing)}) failed.")
    print(f"Installing {pyproject['project'].get('name', 'the project')} in development mode")
    command = bootstrap.installer(venv, engine, "install", runner)
    command += ["--quiet", "--no-deps", "--no-build-isolation", "--editable", "."]
    status, said = runner.quietly(command, engine.environment(venv))
    if status != 0:
        sys.stdout.write(said)
        raise LockError(
            "installing the project failed (see above): fix pyproject.toml, then run make dev."
        )
    lockfile.write_atomically(stamp, lockfile.read_text(Path("pyproject.toml")))


def sync(locks: list[Path], venv: Path, engine, runner: Runner) -> None:
    """Make the venv hold exactly the locks and the project."""
    if engine.needs_pip:
        bootstrap.ensure_pip(venv, runner)
    elif engine.installer(venv, "install") is None:
        bootstrap.ensure_tool(venv, engine, runner)  # the venv's uv installs, hash-checked
    bootstrap.ensure_libraries(venv, engine, runner)
    wanted, to_install, _, broken = differences(locks, venv)
    for name in broken:  # pip would call a half-installed package "already satisfied"
        shutil.rmtree(installed(venv)[name].folder)
    started = time.monotonic()
    to_install = sorted(set(to_install) | set(broken))
    if to_install:
        install(venv, engine, runner, [wanted[name][1] for name in to_install], locks)
    install_project(venv, engine, runner)
    # This look is also the final check, unless something is removed after it.
    _, missing, extra, still_broken = differences(locks, venv, wanted)
    to_remove = extra
    if to_remove:
        bootstrap.keep_libraries(venv, to_remove)
        print(f"Removing {len(to_remove)} package(s) the locks do not list: {', '.join(to_remove)}")
        command = [*bootstrap.installer(venv, engine, "uninstall", runner), "--quiet", *to_remove]
        if runner.run(command, engine.environment(venv))[0] != 0:
            raise LockError("removing packages the locks do not list failed (see above).")
        _, missing, extra, still_broken = differences(locks, venv, wanted)
    if missing or extra or still_broken:
        raise LockError(
            f"{venv} still differs from the locks after syncing: missing {missing}, "
            f"extra {extra}, broken {still_broken}. Run make clean-venv and make dev."
        )
    if to_install or to_remove:
        elapsed = time.monotonic() - started
        print(f"{venv} holds exactly {' + '.join(map(str, locks))} ({elapsed:.1f} s)")


def status(locks: list[Path], venv: Path) -> int:
    """`make doctor`: does the venv hold exactly the locks?"""
    if site_packages(venv) is None:
        print(f"{venv} has no installed packages: run make dev", file=sys.stderr)
        return 1
    _, to_install, to_remove, broken = differences(locks, venv)
    problems = [
        f"{what}: {', '.join(names)}"
        for what, names in (
            ("missing or at another version", to_install),
            ("not in the locks", to_remove),
            ("half-installed", broken),
        )
        if names
    ]
    if problems:
        print(f"{venv} is not in sync with the locks ({'; '.join(problems)}): run make dev")
        return 1
    print(f"{venv} holds exactly {' + '.join(map(str, locks))}")
    return 0
