# The template manages this file: local edits meet the next copier update as a merge.
"""pip's index settings, told to uv.

uv does not read pip's configuration, so the uv engine translates it (the
PIP_* variables and pip's configuration files) into uv's own variables: a
corporate mirror set up for pip works for both engines. Hand-written: pip
has no API to read its settings (its `configuration` module is internal, and
`pip config list` takes most of a second to start pip). Standard library only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PipSettings:
    """The index settings pip would use here (environment over pip.conf)."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    cert: str | None = None
    client_cert: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    timeout: str | None = None
    proxy: str | None = None


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


# References
# [1] pip's configuration files, where pip looks for them and which wins:
#     https://pip.pypa.io/en/stable/topics/configuration/
