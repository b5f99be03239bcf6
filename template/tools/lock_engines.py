# The template manages this file: local edits meet the next copier update as a merge.
"""The two lock engines behind `make lock` / `make dev`: pip-tools and uv.

Both write the same files in the same format (hashes, `# via` annotations,
the header that says `make lock`, no index or find-links lines), so the
targets, the checks and the image do not care which one made a lock. What
differs is kept here, one object per engine:

* what to install before the first compile (pinned in requirements-dev.txt),
* the compile command, the environment it runs in, and the step that turns
  its output into the common format,
* the command that installs pinned, hashed requirements into the venv (the
  exact sync around it, what to add and what to remove, is tools/locks.py's),
* a quicker way to make the venv and install the engine's own tool, when
  there is one (a uv on PATH),
* which platform a lock holds for: the uv engine resolves universal locks
  (Linux, macOS and Windows at the project's Python), pip-compile resolves
  for the machine it runs on, so its locks record that machine.

uv does not read pip's configuration, so the uv engine translates it (the
PIP_* variables and pip's configuration files) into uv's own
variables: a corporate mirror set up for pip works for both engines.

Standard library only: tools/locks.py imports it before any venv exists.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from versions import simplify_marker

if TYPE_CHECKING:  # kept out of the import: a no-op `make dev` reads this module
    from collections.abc import Mapping, Sequence

COMPILE_COMMAND = "make lock"
DEFAULT_ENGINE = "pip-tools"
UNIVERSAL = "universal"
# pip-compile puts these last, under their own comment (--allow-unsafe).
UNSAFE_PACKAGES = ("distribute", "pip", "setuptools")
UNSAFE_COMMENT = "# The following packages are considered to be unsafe in a requirements file:"
# Never in a lock: they leak private index URLs (and the tokens in them) or
# machine-local paths.
LEAKY_LINE_RE = re.compile(
    r"^\s*(--index-url|--extra-index-url|--find-links|-i\s|-f\s|--trusted-host)"
)
REQUIREMENT_RE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<rest>.*)$")


# ---------------------------------------------------------------- pip's settings
class PipSettings:
    """The index settings pip would use here (environment over pip.conf)."""

    def __init__(
        self,
        index_url: str | None = None,
        extra_index_urls: tuple[str, ...] = (),
        find_links: tuple[str, ...] = (),
        no_index: bool = False,
        cert: str | None = None,
        client_cert: str | None = None,
        trusted_hosts: tuple[str, ...] = (),
        timeout: str | None = None,
        proxy: str | None = None,
    ) -> None:
        self.index_url = index_url
        self.extra_index_urls = extra_index_urls
        self.find_links = find_links
        self.no_index = no_index
        self.cert = cert
        self.client_cert = client_cert
        self.trusted_hosts = trusted_hosts
        self.timeout = timeout
        self.proxy = proxy

    def __repr__(self) -> str:
        return f"PipSettings({vars(self)!r})"


# pip's options that choose where packages come from, and the PIP_* variables.
_PIP_OPTIONS = (
    "index-url",
    "extra-index-url",
    "find-links",
    "no-index",
    "cert",
    "client-cert",
    "trusted-host",
    "timeout",
    "default-timeout",
    "proxy",
)
# Later sections win: a command's own section over [global] (the PIP_*
# variables win over every file; pip_settings applies them last).
_SECTION_ORDER = ("global", "download", "install")
_TRUE = {"1", "true", "yes", "on"}


def pip_config_files(python: str | None, environ: Mapping[str, str]) -> list[Path]:
    """pip's configuration files, lowest precedence first, found where pip
    looks for them [1]: the machine's, the user's (unless PIP_CONFIG_FILE names
    a file that exists), the venv's own, then PIP_CONFIG_FILE's. None at all
    when PIP_CONFIG_FILE is os.devnull. Read here rather than by running
    `pip config list`, which takes most of a second to start pip."""
    named = environ.get("PIP_CONFIG_FILE")
    if named == os.devnull:
        return []
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if sys.platform == "win32":
        basename = "pip.ini"
        machine = [Path(environ.get("PROGRAMDATA", r"C:\ProgramData"), "pip")]
        user = [home / "pip", Path(environ.get("APPDATA") or home / "AppData" / "Roaming", "pip")]
    elif sys.platform == "darwin":
        basename = "pip.conf"
        machine = [Path("/Library/Application Support/pip")]
        new = home / "Library" / "Application Support" / "pip"
        user = [home / ".pip", new if new.is_dir() else home / ".config" / "pip"]
    else:
        basename = "pip.conf"
        dirs = (environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
        machine = [*(Path(d, "pip") for d in dirs if d), Path("/etc")]
        user = [home / ".pip", Path(environ.get("XDG_CONFIG_HOME") or home / ".config", "pip")]
    # The venv's own pip.conf sits in its prefix (the folder above bin/).
    prefix = Path(python).absolute().parent.parent if python else Path(sys.prefix)
    files = [folder / basename for folder in machine]
    isolated = environ.get("PIP_ISOLATED_MODE", "").lower() in _TRUE
    if not isolated and not (named and Path(named).exists()):
        files += [folder / basename for folder in user]
    files.append(prefix / basename)
    if named:
        files.append(Path(named))
    return files


def read_pip_config(files: Sequence[Path]) -> dict[str, str]:
    """{option: value} from pip's configuration files: a later file wins for
    the same section and option, then a command's section over [global]."""
    import configparser

    found: dict[tuple[str, str], str] = {}
    for path in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (OSError, configparser.Error, UnicodeDecodeError):
            continue  # pip would stop with its own error; the compile says it
        for section in parser.sections():
            for key, value in parser.items(section):
                key = key.lower().replace("_", "-").removeprefix("--")
                found[(section, key)] = value
    merged: dict[str, str] = {}
    for section in _SECTION_ORDER:
        merged.update({k: v for (s, k), v in found.items() if s == section and k in _PIP_OPTIONS})
    return merged


def pip_settings(
    python: str | None = None, environ: Mapping[str, str] | None = None
) -> PipSettings:
    """What pip would use: its configuration files (a venv's own pip.conf
    counts when `python` is the venv's), then the PIP_* variables."""
    environ = os.environ if environ is None else environ
    options = read_pip_config(pip_config_files(python, environ))
    for option in _PIP_OPTIONS:
        variable = "PIP_" + option.upper().replace("-", "_")
        if environ.get(variable):
            options[option] = environ[variable]
    return PipSettings(
        index_url=options.get("index-url") or None,
        extra_index_urls=tuple(options.get("extra-index-url", "").split()),
        find_links=tuple(options.get("find-links", "").split()),
        no_index=options.get("no-index", "").strip().lower() in _TRUE,
        cert=options.get("cert") or None,
        client_cert=options.get("client-cert") or None,
        trusted_hosts=tuple(options.get("trusted-host", "").split()),
        timeout=options.get("timeout") or options.get("default-timeout") or None,
        proxy=options.get("proxy") or None,
    )


# uv variables a user sets to configure uv's indexes directly: then pip's
# index settings are not translated (the user's uv setup wins).
_UV_INDEX_VARIABLES = ("UV_INDEX", "UV_DEFAULT_INDEX", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL")
PYPI_SIMPLE = "https://pypi.org/simple"


def uv_index_environment(
    settings: PipSettings, environ: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """uv's variables (and the one flag uv has no variable for) that say what
    pip's settings say. Returns (variables to add, arguments to add)."""
    added: dict[str, str] = {}
    arguments: list[str] = []
    if settings.no_index:
        arguments.append("--no-index")
    if not any(environ.get(name) for name in _UV_INDEX_VARIABLES):
        main = settings.index_url or PYPI_SIMPLE
        if settings.index_url:
            added["UV_DEFAULT_INDEX"] = main
        if settings.extra_index_urls:
            # pip takes the best version across all indexes and, for that
            # version, the files of every index. uv takes a version's files
            # from the first index that has it, so the main index goes first:
            # a partial mirror listed as an extra index cannot narrow a
            # universal lock's hashes to the few wheels it happens to hold.
            added["UV_INDEX"] = " ".join([main, *settings.extra_index_urls])
            added["UV_DEFAULT_INDEX"] = main
            added["UV_INDEX_STRATEGY"] = "unsafe-best-match"
    if settings.find_links and not environ.get("UV_FIND_LINKS"):
        added["UV_FIND_LINKS"] = ",".join(settings.find_links)
    if settings.cert and not environ.get("SSL_CERT_FILE"):
        added["SSL_CERT_FILE"] = settings.cert
    if settings.client_cert and not environ.get("SSL_CLIENT_CERT"):
        added["SSL_CLIENT_CERT"] = settings.client_cert
    if settings.trusted_hosts and not environ.get("UV_INSECURE_HOST"):
        added["UV_INSECURE_HOST"] = " ".join(settings.trusted_hosts)
    if settings.timeout and not environ.get("UV_HTTP_TIMEOUT"):
        added["UV_HTTP_TIMEOUT"] = settings.timeout.split(".")[0] or "30"
    if settings.proxy:
        for variable in ("HTTPS_PROXY", "HTTP_PROXY"):
            if not environ.get(variable) and not environ.get(variable.lower()):
                added[variable] = settings.proxy
    return added, arguments


# ---------------------------------------------------------------- platforms
def current_platform() -> str:
    """The platform this machine resolves for, e.g. linux-x86_64, macos-arm64."""
    system = {"darwin": "macos", "win32": "windows", "cygwin": "windows"}.get(
        sys.platform, sys.platform
    )
    if system.startswith("linux"):
        system = "linux"
    if hasattr(os, "uname"):
        machine = os.uname().machine.lower()  # what platform.machine() says, sooner
    else:
        import platform

        machine = platform.machine().lower()
    machine = machine or "unknown"
    machine = {"amd64": "x86_64", "x64": "x86_64"}.get(machine, machine)
    if system == "linux" and machine == "arm64":
        machine = "aarch64"
    if system == "macos" and machine == "aarch64":
        machine = "arm64"
    return f"{system}-{machine}"


PLATFORM_PREFIX = "# resolved-for: "


def platform_line(resolved_for: str) -> str:
    """The line a lock carries to say which platform(s) it holds for."""
    return f"{PLATFORM_PREFIX}{resolved_for}"


def platform_warning(lock: str, recorded: str | None, here: str | None = None) -> str | None:
    """What to tell a user whose machine is not the one a lock was resolved on
    (None when there is nothing to say)."""
    here = here or current_platform()
    if recorded is None or recorded in (UNIVERSAL, here):
        return None
    return (
        f"warning: {lock} was resolved by pip-compile on {recorded}, and this machine is {here}.\n"
        f"         pip-compile locks only what the platform it ran on needs: packages that only\n"
        f"         {here} needs can be missing (colorama on Windows, appnope on macOS), and pins\n"
        f"         can lack wheels here; an install can then fail, or succeed and fail at import.\n"
        f"         Make locks that hold on Linux, macOS and Windows with the uv engine:\n"
        f"         make lock LOCK_ENGINE=uv (set it for good with lock_engine=uv, see\n"
        f"         docs 'Choosing a lock engine'), or re-lock here with make lock."
    )


# ---------------------------------------------------------------- lock text
class _Entry:
    """One requirement of a lock: its line, its hashes, its `# via` lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        match = REQUIREMENT_RE.match(lines[0])
        self.name = re.sub(r"[-_.]+", "-", match["name"]).lower() if match else ""


def _split_lock(text: str) -> tuple[list[str], list[_Entry]]:
    """The leading comment lines, and one entry per requirement (its line,
    its hashes and its `# via` lines). Other comments and blank lines go."""
    header: list[str] = []
    entries: list[_Entry] = []
    for line in text.splitlines():
        if not entries and line.startswith("#"):
            header.append(line)
        elif line.startswith((" ", "\t")) and entries:
            entries[-1].lines.append(line)
        elif line.strip() and not line.startswith("#") and not LEAKY_LINE_RE.match(line):
            entries.append(_Entry([line]))
    return header, entries


def _restrict_entry(entry: _Entry, python_version: str) -> _Entry | None:
    """uv's universal locks carry environment markers for every Python from
    the project's version up. The project runs one minor version, so the
    markers' Python clauses are decided for it: an entry only other versions
    need is dropped (None), and clauses that always hold are removed."""
    first = entry.lines[0]
    requirement, separator, marker = first.partition(";")
    if not separator:
        return entry
    continued = marker.rstrip().endswith("\\")
    marker = marker.rstrip().removesuffix("\\").strip()
    simplified = simplify_marker(marker, python_version)
    if simplified is False:
        return None
    line = requirement.rstrip()
    if simplified is not True:
        line += f" ; {simplified}"
    if continued:
        line += " \\"
    return _Entry([line, *entry.lines[1:]])


def uv_header(python_version: str, universal: bool) -> list[str]:
    # pip-compile's shape; "autogenerated by uv" tells Dependabot which tool
    # made the file.
    scope = f"with Python {python_version}" + (
        " for Linux, macOS and Windows (universal)" if universal else ""
    )
    return [
        "#",
        f"# This file is autogenerated by uv {scope}",
        "# by the following command:",
        "#",
        f"#    {COMPILE_COMMAND}",
        "#",
    ]


def to_pip_compile_format(text: str, python_version: str, universal: bool = True) -> str:
    """uv's output in pip-compile's layout: its header shape naming
    `make lock`, pip/setuptools last under pip-compile's comment, no index or
    find-links lines, and only the entries the project's Python needs."""
    _, entries = _split_lock(text)
    kept = [e for e in (_restrict_entry(e, python_version) for e in entries) if e is not None]
    safe = [entry for entry in kept if entry.name not in UNSAFE_PACKAGES]
    unsafe = [entry for entry in kept if entry.name in UNSAFE_PACKAGES]
    lines = uv_header(python_version, universal)
    for entry in safe:
        lines += entry.lines
    if unsafe:
        lines += ["", UNSAFE_COMMENT]
        for entry in unsafe:
            lines += entry.lines
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- engines
def read_python_version(project: Path) -> str:
    path = project / ".python-version"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ValueError(
            f"{path} is missing: it names the project's Python version (e.g. 3.12)."
        ) from error


def _venv_executable(python: str, name: str) -> str:
    suffix = ".exe" if sys.platform == "win32" else ""
    return str(Path(python).parent / f"{name}{suffix}")


class Engine:
    name: str
    # Installed, at the version requirements-dev.txt pins, before compiling.
    bootstrap_packages: tuple[str, ...]
    universal = False

    def resolved_for(self) -> str:
        """What a lock made now holds for: `universal` or this platform."""
        return UNIVERSAL if self.universal else current_platform()

    def tool_is_installed(self, python: str) -> bool:
        raise NotImplementedError

    def compile_command(
        self,
        python: str,
        requirements_in: Path | str,
        output_file: Path | str,
        upgrade: bool = False,
        upgrade_packages: Sequence[str] = (),
        extra_args: Sequence[str] = (),
        python_version: str | None = None,
    ) -> list[str]:
        raise NotImplementedError

    def install_command(self, python: str, requirements: Path | str) -> list[str]:
        """Install exactly these pinned, hashed requirements into the venv of
        `python`, nothing else (the exact sync around it is tools/locks.py's)."""
        raise NotImplementedError

    def environment(
        self, python: str | None = None, environ: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        raise NotImplementedError

    def postprocess(self, text: str, python_version: str) -> str:
        return text

    def installs_with_venv_tool(self) -> bool:
        """True when install_command runs the engine's tool from the venv, so
        the sync must install that tool (hash-checked) first."""
        return False

    def needs_pip(self) -> bool:
        """True when the venv needs pip: to install, or to install the tool that does."""
        return True

    def uninstall_command(self, python: str, names: Sequence[str]) -> list[str] | None:
        """A way to remove packages from the venv other than its pip, or None."""
        return None

    def first_tool_command(self, python: str) -> list[str] | None:
        """A faster way than pip to install the newest tool for a project's
        very first lock (nothing pins it yet), or None."""
        return None

    def venv_command(self, base_python: str, venv: Path | str) -> list[str] | None:
        """A faster way to make the venv than `python -m venv` (None: use that)."""
        return None

    def bootstrap_command(self, python: str, requirements: Path | str) -> list[str] | None:
        """A faster way to install the pinned tool than pip (None: use pip)."""
        return None


def _upgrade_args(upgrade: bool, upgrade_packages: Sequence[str]) -> list[str]:
    arguments = ["--upgrade"] if upgrade else []
    for package in upgrade_packages:
        arguments += ["--upgrade-package", package]
    return arguments


class PipToolsEngine(Engine):
    name = "pip-tools"
    bootstrap_packages = ("pip-tools",)

    def tool_is_installed(self, python):
        import subprocess

        probe = [python, "-c", "import piptools.scripts.compile"]
        return subprocess.run(probe, check=False, capture_output=True).returncode == 0

    def compile_command(
        self,
        python,
        requirements_in,
        output_file,
        upgrade=False,
        upgrade_packages=(),
        extra_args=(),
        python_version=None,
    ):
        return [
            python,
            "-m",
            "piptools",
            "compile",
            "--quiet",
            *extra_args,
            *_upgrade_args(upgrade, upgrade_packages),
            "--output-file",
            str(output_file),
            str(requirements_in),
        ]

    def install_command(self, python, requirements):
        return [
            python,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "install",
            "--no-deps",
            "--require-hashes",
            "--progress-bar",
            "off",
            "-r",
            str(requirements),
        ]

    def environment(self, python=None, environ=None):
        environ = os.environ if environ is None else environ
        # The lock's header tells readers how to regenerate it.
        return {**environ, "CUSTOM_COMPILE_COMMAND": COMPILE_COMMAND}


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


def uv_compile_args(extra_args: Sequence[str]) -> list[str]:
    return [
        argument
        for argument in extra_args
        if argument not in UV_DEFAULTS_OF_PIP_COMPILE and not argument.startswith("--resolver")
    ]


class UvEngine(Engine):
    name = "uv"
    bootstrap_packages = ("uv",)

    def __init__(self, universal: bool = True) -> None:
        self.universal = universal
        self._translated: dict[str | None, tuple[dict[str, str], list[str]]] = {}

    def executable(self, python: str) -> str:
        return _venv_executable(python, "uv")

    def tool_is_installed(self, python):
        return os.access(self.executable(python), os.X_OK)

    def translated_pip_settings(
        self, python: str | None, environ: Mapping[str, str] | None = None
    ) -> tuple[dict[str, str], list[str]]:
        """pip's settings as uv variables and arguments (read once per run)."""
        environ = os.environ if environ is None else environ
        if python not in self._translated:
            self._translated[python] = uv_index_environment(pip_settings(python, environ), environ)
        return self._translated[python]

    def compile_command(
        self,
        python,
        requirements_in,
        output_file,
        upgrade=False,
        upgrade_packages=(),
        extra_args=(),
        python_version=None,
    ):
        if python_version is None:
            python_version = read_python_version(Path(requirements_in).parent)
        command = [self.executable(python), "pip", "compile", "--quiet", "--python", python]
        if self.universal:
            command += ["--universal", "--python-version", python_version]
        return [
            *command,
            *self.translated_pip_settings(python)[1],
            *uv_compile_args(extra_args),
            *_upgrade_args(upgrade, upgrade_packages),
            "--output-file",
            str(output_file),
            str(requirements_in),
        ]

    def pip_install(self, uv: str, python: str, *options: str) -> list[str]:
        """`uv pip install` into the venv of `python`, with pip's settings."""
        settings = self.translated_pip_settings(python)[1]
        return [uv, "pip", "install", *options, "--python", python, *settings]

    def install_command(self, python, requirements):
        # Installing hash-checked pins gives the same files whichever uv does
        # it: a uv on PATH spares installing the pinned one first. Resolving
        # (compile_command) is always the pinned uv's job.
        uv = self.global_uv() or self.executable(python)
        return [
            *self.pip_install(uv, python, "--no-deps", "--require-hashes"),
            "-r",
            str(requirements),
        ]

    def installs_with_venv_tool(self):
        return self.global_uv() is None

    def needs_pip(self):
        # uv installs and removes: the venv holds the locks and no pip, as
        # uv's own venvs do (the venv's own uv comes from the base Python's pip).
        return False

    def uninstall_command(self, python, names):
        uv = self.global_uv()
        if uv is None and self.tool_is_installed(python):
            uv = self.executable(python)
        return (
            None if uv is None else [uv, "pip", "uninstall", "--quiet", "--python", python, *names]
        )

    def environment(self, python=None, environ=None):
        environ = os.environ if environ is None else environ
        added, _ = self.translated_pip_settings(python, environ)
        return {**environ, **added, "UV_CUSTOM_COMPILE_COMMAND": COMPILE_COMMAND}

    def postprocess(self, text: str, python_version: str) -> str:
        return to_pip_compile_format(text, python_version, self.universal)

    # A uv on PATH (the user's own) makes the venv, without pip, and installs
    # the locks (the pinned uv among them), hashes checked; every lock is
    # resolved by that pinned uv. Without one, python -m venv makes the venv
    # and the base Python's pip installs the pinned uv into it, a few seconds
    # slower.
    def global_uv(self) -> str | None:
        if not hasattr(self, "_global_uv"):
            import shutil

            self._global_uv = shutil.which("uv")
        return self._global_uv

    def venv_command(self, base_python, venv):
        uv = self.global_uv()
        if uv is None:
            return None
        return [uv, "venv", "--quiet", "--python", base_python, str(venv)]

    def first_tool_command(self, python):
        uv = self.global_uv()
        return None if uv is None else [*self.pip_install(uv, python, "--quiet"), "uv"]

    def bootstrap_command(self, python, requirements):
        uv = self.global_uv()
        if uv is None:
            return None
        options = ("--quiet", "--no-deps", "--require-hashes", "--reinstall")
        return [*self.pip_install(uv, python, *options), "-r", str(requirements)]


ENGINES: dict[str, type[Engine]] = {"pip-tools": PipToolsEngine, "uv": UvEngine}


def get_engine(name: str) -> Engine:
    """The engine called `name`, or a ValueError that names the choices."""
    try:
        return ENGINES[name.strip()]()
    except KeyError:
        choices = " or ".join(ENGINES)
        raise ValueError(
            f"LOCK_ENGINE={name!r} is not a lock engine: use {choices} "
            f"(e.g. make lock LOCK_ENGINE=uv), or set lock_engine with copier update."
        ) from None


# References
# [1] pip's configuration files, where pip looks for them and which wins:
#     https://pip.pypa.io/en/stable/topics/configuration/
