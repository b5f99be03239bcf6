# The template manages this file: local edits meet the next copier update as a merge.
"""The two lock engines behind `make lock` / `make dev`: pip-tools and uv.

Both write the same files in the same format (hashes, `# via` annotations,
the header that says `make lock`, no index or find-links lines), so the
targets, the checks and the image do not care which one made a lock. What
differs is here, one object per engine: the tool it installs (pinned in
requirements-dev.txt), its compile command and environment, the step that
turns its output into the common format, and the installer it gives the
venv. Standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from lockstep.platforms import COMPILE_COMMAND, to_pip_compile_format

DEFAULT_ENGINE = "pip-tools"
# pip-compile options uv has as its default (or ignores with a warning):
# PIP_COMPILE_FLAGS is shared by both engines, so they are dropped for uv.
UV_DEFAULTS_OF_PIP_COMPILE = frozenset(
    {
        "--allow-unsafe",
        "--strip-extras",
        "--no-emit-index-url",
        "--no-emit-find-links",
        "--no-emit-trusted-host",
        "--reuse-hashes",
        "--no-reuse-hashes",
    }
)

# PIP_COMPILE_FLAGS=-v (or -q) chooses how much pip-compile says: all of it is shown.
VERBOSITY_RE = re.compile(r"-[vq]+|--verbose|--quiet")
# What a compile that succeeded shows of pip-compile -v: pip's errors and
# retries (as a sync shows them; pip's other warnings name every find-links
# folder a package is not in) and a pin pip-tools discarded.
TOLD_RE = re.compile(r"\s*(?:ERROR|DEPRECATION|WARNING: Retrying|Discarding )")


def venv_python(venv: Path) -> str:
    return str(venv / "bin" / "python")


def has_installed(venv: Path, folder_name: str) -> bool:
    """Whether the venv holds a whole install of a distribution (its .dist-info
    folder's name, e.g. pip_tools): RECORD is written last, so an install cut
    short has none."""
    return any(venv.glob(f"lib/python*/site-packages/{folder_name}-*.dist-info/RECORD"))


def upgrade_args(upgrade: bool, upgrade_packages) -> list[str]:
    arguments = ["--upgrade"] if upgrade else []
    for package in upgrade_packages:
        arguments += ["--upgrade-package", package]
    return arguments


class PipTools:
    name = "pip-tools"
    tool = "pip-tools"
    universal = False
    needs_pip = True
    # pip's cutoff is one date for every package: no exception for one.
    cutoff_per_package = False
    # Options of `install` that only pip has.
    install_options = ("--progress-bar", "off")
    # pip cannot be told to install from its cache alone.
    cache_only = None
    # pip-compile -v names each package as pip collects it (or takes a local
    # wheel), then says it hashes their files: what is shown while it works.
    collecting = re.compile(
        r"\s*(?:Collecting ([A-Za-z0-9][A-Za-z0-9._-]*)|Processing \S*/([A-Za-z0-9][\w.]*)-)"
    )
    hashing = re.compile(r"\s*Generating hashes:")

    def tool_ready(self, venv: Path) -> bool:
        return has_installed(venv, "pip_tools")

    def compile_command(self, venv, requirements_in, output, upgrade, packages, extra_args):
        chosen = any(VERBOSITY_RE.fullmatch(argument) for argument in extra_args)
        command = [venv_python(venv), "-m", "piptools", "compile"]
        command += [*([] if chosen else ["--verbose"]), *extra_args]
        command += upgrade_args(upgrade, packages)
        return [*command, "--output-file", str(output), str(requirements_in)]

    def told(self, output: str, extra_args) -> str:
        """What a compile that succeeded says (all of it when PIP_COMPILE_FLAGS
        chose the verbosity)."""
        if any(VERBOSITY_RE.fullmatch(argument) for argument in extra_args):
            return output
        return "".join(line for line in output.splitlines(True) if TOLD_RE.match(line))

    def environment(self, venv: Path) -> dict[str, str]:
        # The lock's header tells readers how to regenerate it.
        return {**os.environ, "CUSTOM_COMPILE_COMMAND": COMPILE_COMMAND}

    def cooldown(self, cutoff: str, exempt, now: str):
        """(arguments, variables) that leave out files uploaded after `cutoff`:
        pip's own option (pip 26.1 or newer), which pip-compile's pip reads."""
        return [], {"PIP_UPLOADED_PRIOR_TO": cutoff}

    def cutoff_ignored_by(self) -> str | None:
        """The version of the venv's pip when it is older than 26.1, which
        ignores PIP_UPLOADED_PRIOR_TO without a word; None when it applies it.
        This process is the venv's Python, so its metadata is the venv's."""
        from importlib.metadata import PackageNotFoundError, version

        from packaging.version import Version  # pip-tools' own dependency (through build)

        try:
            found = version("pip")
        except PackageNotFoundError:
            return None
        return found if Version(found) < Version("26.1") else None

    def postprocess(self, text: str, python_version: str) -> str:
        return text

    def installer(self, venv: Path, action: str) -> list[str] | None:
        """The command that installs into (or removes from) the venv; None
        until the venv has pip."""
        if not has_installed(venv, "pip"):
            return None
        command = [venv_python(venv), "-m", "pip", "--disable-pip-version-check", action]
        return [*command, "--yes"] if action == "uninstall" else command


class Uv:
    """uv resolves universal locks (Linux, macOS and Windows at the project's
    Python) and installs without pip: the venv holds the locks alone, as uv's
    own venvs do. A uv on PATH (the user's own) installs; every lock is
    resolved by the uv the dev lock pins, installed in the venv."""

    name = "uv"
    tool = "uv"
    universal = True
    needs_pip = False
    install_options = ()
    # From uv's cache alone, no index asked: a hash-checked pin it already holds
    # installs in a hundredth of a second instead of a tenth.
    cache_only = ("--offline",)
    cutoff_per_package = True
    collecting = hashing = None  # uv --quiet says nothing as it resolves: the time is shown

    def __init__(self) -> None:
        self.on_path = shutil.which("uv")
        self.settings: dict[str, tuple[dict[str, str], list[str]]] = {}

    def own(self, venv: Path) -> str:
        return str(venv / "bin" / "uv")

    def tool_ready(self, venv: Path) -> bool:
        return os.access(self.own(venv), os.X_OK)

    def pip_settings(self, venv: Path) -> tuple[dict[str, str], list[str]]:
        """pip's settings as uv variables and arguments (read once per run)."""
        from lockstep.pip_config import pip_settings, uv_index_environment

        key = str(venv)
        if key not in self.settings:
            found = pip_settings(venv_python(venv), os.environ)
            self.settings[key] = uv_index_environment(found, os.environ)
        return self.settings[key]

    def compile_command(self, venv, requirements_in, output, upgrade, packages, extra_args):
        python_version = Path(".python-version").read_text(encoding="utf-8").strip()
        command = [self.own(venv), "pip", "compile", "--quiet", "--python", venv_python(venv)]
        command += ["--universal", "--python-version", python_version]
        command += self.pip_settings(venv)[1]
        command += [
            a for a in extra_args if a not in UV_DEFAULTS_OF_PIP_COMPILE and a[:10] != "--resolver"
        ]
        command += upgrade_args(upgrade, packages)
        return [*command, "--output-file", str(output), str(requirements_in)]

    def told(self, output: str, extra_args) -> str:
        return output

    def environment(self, venv: Path) -> dict[str, str]:
        added = self.pip_settings(venv)[0]
        return {**os.environ, **added, "UV_CUSTOM_COMPILE_COMMAND": COMPILE_COMMAND}

    def cooldown(self, cutoff: str, exempt, now: str):
        """uv's cutoff, and no cutoff (now) for the packages asked for by name."""
        arguments = ["--exclude-newer", cutoff]
        for name in exempt:
            arguments += ["--exclude-newer-package", f"{name}={now}"]
        return arguments, {}

    def cutoff_ignored_by(self) -> str | None:
        return None  # every uv the dev lock can pin applies --exclude-newer

    def postprocess(self, text: str, python_version: str) -> str:
        return to_pip_compile_format(text, python_version, self.universal)

    def installer(self, venv: Path, action: str) -> list[str] | None:
        uv = self.on_path or (self.own(venv) if self.tool_ready(venv) else None)
        if uv is None:
            return None
        command = [uv, "pip", action, "--python", venv_python(venv)]
        return [*command, *self.pip_settings(venv)[1]] if action == "install" else command


ENGINES = {"pip-tools": PipTools, "uv": Uv}


def get_engine(name: str):
    """The engine called `name`, or a ValueError that names the choices."""
    try:
        return ENGINES[(name or DEFAULT_ENGINE).strip()]()
    except KeyError:
        raise ValueError(
            f"LOCK_ENGINE={name!r} is not a lock engine: use {' or '.join(ENGINES)} "
            f"(e.g. make lock LOCK_ENGINE=uv), or set lock_engine with copier update."
        ) from None
