"""tools/lockstep's engines on their own: the commands each engine runs,
pip's settings handed to uv, uv's output put in pip-compile's format, and the
platform warning. Fast: nothing here resolves or installs (the build tests
and tests/test_universal_locks.py do that against the real index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lockstep import engines, lockfile, pip_config, run, stamp, sync
from lockstep.engines import get_engine
from lockstep.pip_config import PipSettings, uv_index_environment
from lockstep.platforms import (
    current_platform,
    platform_warning,
    simplify_marker,
    to_pip_compile_format,
)
from support.project import TEMPLATE_ROOT, render

VENV = Path("/project/.venv")
PYTHON = "/project/.venv/bin/python"
PIP_COMPILE_FLAGS = [
    "--generate-hashes",
    "--allow-unsafe",
    "--strip-extras",
    "--no-emit-index-url",
    "--no-emit-find-links",
    "--no-emit-trusted-host",
]
MIRROR = "https://build:s3cret-token@pypi.corp.example/simple"


@pytest.fixture
def no_pip_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pip configuration file and no PIP_* or UV_* variable: the uv engine
    has nothing of pip's to translate."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for name in list(os.environ):
        if name.startswith(("PIP_", "UV_")) and name != "PIP_CONFIG_FILE":
            monkeypatch.delenv(name)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with its .python-version, as cwd (uv reads it from there)."""
    (tmp_path / ".python-version").write_text("3.12\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fake_venv(folder: Path, pip: bool = False, uv: bool = False) -> Path:
    """A venv as the engines see it: pip's installed metadata, the venv's own uv."""
    site_packages = folder / "lib" / "python3.12" / "site-packages"
    site_packages.mkdir(parents=True)
    if pip:
        (site_packages / "pip-26.0.dist-info").mkdir()
        (site_packages / "pip-26.0.dist-info" / "RECORD").write_text("")
    if uv:
        (folder / "bin").mkdir()
        (folder / "bin" / "uv").write_text("#!/bin/sh\n")
        (folder / "bin" / "uv").chmod(0o755)
    return folder


# ---------------------------------------------------------------- choosing an engine
def test_both_engines_are_offered_and_pip_tools_is_the_default() -> None:
    assert set(engines.ENGINES) == {"pip-tools", "uv"}
    assert engines.DEFAULT_ENGINE == "pip-tools"
    assert get_engine("").name == "pip-tools"
    assert get_engine("pip-tools").tool == "pip-tools"
    assert get_engine("uv").tool == "uv"


def test_an_unknown_engine_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError) as refused:
        get_engine("poetry")
    message = str(refused.value)
    assert "'poetry' is not a lock engine" in message
    assert "pip-tools or uv" in message
    assert "LOCK_ENGINE=uv" in message


# ---------------------------------------------------------------- commands
def test_pip_tools_compiles_with_the_makefiles_flags_and_the_upgrade_asked_for() -> None:
    command = get_engine("pip-tools").compile_command(
        VENV,
        Path("requirements.in"),
        Path(".requirements.txt.tmp"),
        False,  # upgrade
        ["pandas", "numpy"],  # upgrade_packages
        PIP_COMPILE_FLAGS,  # extra_args
    )
    assert command[:5] == [PYTHON, "-m", "piptools", "compile", "--verbose"]
    assert command[5 : 5 + len(PIP_COMPILE_FLAGS)] == PIP_COMPILE_FLAGS
    assert command[-7:] == [
        "--upgrade-package",
        "pandas",
        "--upgrade-package",
        "numpy",
        "--output-file",
        ".requirements.txt.tmp",
        "requirements.in",
    ]
    assert "--upgrade" not in command


@pytest.mark.usefixtures("no_pip_settings", "project")
def test_uv_compiles_universally_for_the_projects_python_without_pip_compile_only_flags() -> None:
    command = get_engine("uv").compile_command(
        VENV,
        Path("requirements-dev.in"),
        Path(".requirements-dev.txt.tmp"),
        True,  # upgrade
        [],  # upgrade_packages
        [*PIP_COMPILE_FLAGS, "--resolver=backtracking"],  # extra_args
    )
    assert command[:3] == ["/project/.venv/bin/uv", "pip", "compile"]
    assert command[command.index("--python") + 1] == PYTHON
    assert "--universal" in command
    assert command[command.index("--python-version") + 1] == "3.12"
    assert "--generate-hashes" in command and "--upgrade" in command
    # uv's defaults (or warnings) for what pip-compile needs spelled out.
    for flag in [*PIP_COMPILE_FLAGS[1:], "--resolver=backtracking"]:
        assert flag not in command
    assert command[-3:] == ["--output-file", ".requirements-dev.txt.tmp", "requirements-dev.in"]


@pytest.mark.usefixtures("no_pip_settings")
def test_uv_reads_the_python_version_from_the_project(project: Path) -> None:
    (project / ".python-version").write_text("3.11\n")
    command = get_engine("uv").compile_command(
        VENV, project / "requirements.in", project / "out", False, [], []
    )
    assert command[command.index("--python-version") + 1] == "3.11"


class InstallRunner:
    """Stands in for lockstep.run.Runner: records each command and the
    requirements file it installs from, and succeeds."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self.installed: list[str] = []

    def run(self, command, environment=None, on_line=None):
        self.commands.append(command)
        self.installed.append(Path(command[command.index("-r") + 1]).read_text())
        return 0, ""


def test_both_engines_install_exactly_the_pins_with_hashes_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pip_settings: None
) -> None:
    blocks = [
        "pandas==3.1.1 \\\n    --hash=sha256:aaaa\n",
        "six==1.17.0 \\\n    --hash=sha256:bb\n",
    ]
    pip_tools, uv = get_engine("pip-tools"), get_engine("uv")
    # No pip in the venv yet: pip-tools' installer is the venv's pip, once it has one.
    assert pip_tools.installer(fake_venv(tmp_path / "no-pip"), "install") is None
    pip_venv = fake_venv(tmp_path / "pip-venv", pip=True)
    python = str(pip_venv / "bin" / "python")
    assert pip_tools.installer(pip_venv, "install") == [
        python, "-m", "pip", "--disable-pip-version-check", "install"
    ]  # fmt: skip
    assert pip_tools.installer(pip_venv, "uninstall")[-2:] == ["uninstall", "--yes"]

    uv.on_path = None  # no uv on PATH: the venv's own installs, once it has one
    assert uv.installer(fake_venv(tmp_path / "no-uv"), "install") is None
    uv_venv = fake_venv(tmp_path / "uv-venv", uv=True)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip's settings reach uv's install
    uv_command = uv.installer(uv_venv, "install")
    assert uv_command[:3] == [str(uv_venv / "bin" / "uv"), "pip", "install"]
    assert uv_command[uv_command.index("--python") + 1] == str(uv_venv / "bin" / "python")
    assert "--no-index" in uv_command
    uv.on_path = "/usr/local/bin/uv"  # a uv on PATH installs, hash-checked all the same
    assert uv.installer(uv_venv, "uninstall")[:3] == ["/usr/local/bin/uv", "pip", "uninstall"]

    for engine, venv in ((pip_tools, pip_venv), (uv, uv_venv)):
        runner = InstallRunner()
        sync.install(venv, engine, runner, blocks, [Path("requirements.txt")])
        [command] = runner.commands
        assert {"--no-deps", "--require-hashes"} <= set(command)
        assert command[-1].endswith(".txt") and command[-2] == "-r"
        assert runner.installed == ["".join(blocks)]
        assert not Path(command[-1]).exists()  # the list it installed from is removed


class CacheRunner(InstallRunner):
    """An installer whose cache holds the pins or not: a cache-only install
    (uv's --offline) fails when it does not."""

    def __init__(self, cached: bool) -> None:
        super().__init__()
        self.cached = cached

    def quietly(self, command, environment=None, progress=None):
        self.run(command, environment)  # recorded
        return (0, "") if self.cached or "--offline" not in command else (2, "not in the cache")


@pytest.mark.parametrize("cached", [True, False], ids=["in-the-cache", "not-in-the-cache"])
@pytest.mark.parametrize("engine_name", ["uv", "pip-tools"])
def test_the_tools_packaging_comes_from_the_engines_cache_when_it_can_else_from_the_index(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_pip_settings: None,
    engine_name: str,
    cached: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A venv made afresh (rm -rf .venv, a new clone) needs the dev lock's
    packaging before its first sync: uv installs it from its cache without
    asking the index (a tenth of a second saved), and from the index when the
    cache lacks it; pip has no such mode and asks the index once."""
    from lockstep import bootstrap

    block = "not-installed-here==1.0 \\\n    --hash=sha256:aaaa\n"
    (project / "requirements-dev.txt").write_text(block)
    monkeypatch.setattr(bootstrap, "libraries", lambda: ["not_installed_here"])
    monkeypatch.setattr(sys, "path", list(sys.path))  # it adds the venv's side folder
    venv = fake_venv(project / ".venv", pip=True)
    engine = get_engine(engine_name)
    engine.on_path = "/usr/local/bin/uv"
    runner = CacheRunner(cached)

    bootstrap.ensure_libraries(venv, engine, runner)

    asked = [[a for a in command if a in {"--offline", "--target"}] for command in runner.commands]
    if engine_name == "pip-tools":
        assert asked == [["--target"]]
    else:
        assert asked == [["--offline", "--target"]] + ([] if cached else [["--target"]])
    assert runner.installed == [block] * len(asked)
    assert "not in the cache" not in capsys.readouterr().out  # the first try is not shown


@pytest.mark.usefixtures("no_pip_settings")
@pytest.mark.parametrize(
    ("pip", "ignored"), [("25.3", "25.3"), ("26.0.1", "26.0.1"), ("26.1", None), ("26.2.1", None)]
)
def test_a_pip_older_than_26_1_is_named_as_ignoring_the_cutoff(
    monkeypatch: pytest.MonkeyPatch, pip: str, ignored: str | None
) -> None:
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: pip)
    assert get_engine("pip-tools").cutoff_ignored_by() == ignored
    assert get_engine("uv").cutoff_ignored_by() is None  # --exclude-newer, in every uv


def test_a_cutoff_the_engine_would_ignore_is_refused_for_as_of_and_told_once_for_the_cooldown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lockstep.cooldown import Cooldown
    from lockstep.run import LockError

    engine = get_engine("pip-tools")
    monkeypatch.setattr(engine, "cutoff_ignored_by", lambda: "26.0.1")
    cooldown = Cooldown(7, [], engine)
    with pytest.raises(LockError) as refused:
        cooldown.refuse_if_ignored(VENV, back_in_time=True)
    assert "AS_OF needs pip 26.1 or newer" in str(refused.value)
    assert "pip 26.0.1" in str(refused.value) and "make upgrade-package P=pip" in str(refused.value)
    cooldown.refuse_if_ignored(VENV, back_in_time=False)
    cooldown.refuse_if_ignored(VENV, back_in_time=False)  # the next lock of the same run
    said = capsys.readouterr().err
    assert said.count("warning: the cooldown is not applied: pip 26.0.1") == 1, said


@pytest.mark.parametrize(("old_pip", "told"), [(None, 1), ("26.0.1", 0)])
def test_the_cooldown_note_is_said_once_a_run_and_not_when_pip_would_ignore_the_cutoff(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    old_pip: str | None,
    told: int,
) -> None:
    from lockstep.cooldown import Cooldown

    engine = get_engine("pip-tools")
    monkeypatch.setattr(engine, "cutoff_ignored_by", lambda: old_pip)
    cooldown = Cooldown(7, [], engine)
    cooldown.tell_once()
    cooldown.tell_once()  # the second lock of the same run
    assert capsys.readouterr().out.count("Cooldown: leaving out releases uploaded after") == told


def test_the_lock_header_says_make_lock_for_both_engines() -> None:
    assert get_engine("pip-tools").environment(VENV)["CUSTOM_COMPILE_COMMAND"] == "make lock"
    assert get_engine("uv").environment(VENV)["UV_CUSTOM_COMPILE_COMMAND"] == "make lock"


# ---------------------------------------------------------------- pip's settings for uv
def write_config(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("with_config_file_variable", [False, True])
def test_pip_conf_files_are_found_and_ranked_as_pip_itself_ranks_them(
    tmp_path: Path, with_config_file_variable: bool
) -> None:
    """The machine's, the user's (legacy and current), the venv's own and
    PIP_CONFIG_FILE's pip.conf, each overriding the one before; a command's
    section over [global]. pip itself (`pip config list`, run inside the
    venv) must see the same values."""
    import venv as venv_module

    home, xdg = tmp_path / "home", tmp_path / "xdg"
    write_config(
        xdg / "pip" / "pip.conf",
        "[global]\nindex-url = https://machine.example/simple\n"
        "timeout = 10\nproxy = http://machine-proxy:3128\n",
    )
    write_config(home / ".pip" / "pip.conf", "[global]\ntimeout = 20\n")
    write_config(
        home / ".config" / "pip" / "pip.conf",
        "[global]\ntimeout = 30\nfind-links = /user/global\n"
        "[install]\nfind-links = /user/install\n",
    )
    project_venv = tmp_path / "venv"
    venv_module.create(project_venv, with_pip=False)
    write_config(
        project_venv / "pip.conf",
        "[global]\nextra-index-url = https://venv.example/simple\nproxy = http://venv-proxy:3128\n",
    )
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_DIRS": str(xdg)}
    expected = {
        "index-url": "https://machine.example/simple",
        "timeout": "30",
        "proxy": "http://venv-proxy:3128",
        "find-links": "/user/install",
        "extra-index-url": "https://venv.example/simple",
    }
    if with_config_file_variable:
        named = tmp_path / "named.conf"
        write_config(named, "[global]\nindex-url = https://named.example/simple\n")
        environ["PIP_CONFIG_FILE"] = str(named)
        # An existing PIP_CONFIG_FILE replaces the user's files, as in pip.
        expected.update({"index-url": "https://named.example/simple", "timeout": "10"})
        del expected["find-links"]
    python = str(project_venv / "bin" / "python")
    options = pip_config.read_pip_config(pip_config.pip_config_files(python, environ))
    # This machine's own /etc/pip.conf is read by both; only the keys above are compared.
    assert {key: options.get(key) for key in [*expected, "find-links"]} == {
        "find-links": None,
        **expected,
    }

    # What pip itself ends up with: its Configuration, as the venv's pip
    # would load it (the venv's own file is found through sys.prefix).
    code = (
        "import json, sys\n"
        "sys.prefix = sys.argv[1]\n"
        "from pip._internal.configuration import Configuration\n"
        "config = Configuration(isolated=False)\n"
        "config.load()\n"
        "print(json.dumps(dict(config.items())))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code, str(project_venv)],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # {file: {section.key: value}}, lowest precedence first (pip's own order).
    merged: dict[str, str] = {}
    for values in json.loads(loaded).values():
        merged.update(values)
    pip_sees = {key: merged.get(f"install.{key}", merged.get(f"global.{key}")) for key in expected}
    assert pip_sees == expected


def test_pip_config_file_set_to_devnull_reads_no_file(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull}
    assert pip_config.pip_config_files(PYTHON, environ) == []


def test_a_mirror_with_extra_indexes_becomes_uvs_indexes_with_the_mirror_first() -> None:
    settings = PipSettings(
        index_url=MIRROR,
        extra_index_urls=("https://wheels.corp.example/simple", "file:///opt/pypi/simple"),
        find_links=("/opt/wheels", "/srv/more wheels"),
        cert="/etc/ssl/corp.pem",
        trusted_hosts=("pypi.corp.example",),
        timeout="180",
    )
    added, arguments = uv_index_environment(settings, {})
    assert added["UV_INDEX"].split() == [
        MIRROR,
        "https://wheels.corp.example/simple",
        "file:///opt/pypi/simple",
    ]
    assert added["UV_DEFAULT_INDEX"] == MIRROR
    # pip takes the best version across all indexes; so must uv.
    assert added["UV_INDEX_STRATEGY"] == "unsafe-best-match"
    assert added["UV_FIND_LINKS"] == "/opt/wheels,/srv/more wheels"
    assert added["SSL_CERT_FILE"] == "/etc/ssl/corp.pem"
    assert added["UV_INSECURE_HOST"] == "pypi.corp.example"
    assert added["UV_HTTP_TIMEOUT"] == "180"
    assert arguments == []


def test_extra_indexes_alone_keep_pypi_first_so_a_partial_mirror_cannot_narrow_the_hashes() -> None:
    added, _ = uv_index_environment(PipSettings(extra_index_urls=("file:///opt/pypi/simple",)), {})
    assert added["UV_INDEX"].split() == ["https://pypi.org/simple", "file:///opt/pypi/simple"]
    assert added["UV_DEFAULT_INDEX"] == "https://pypi.org/simple"


def test_pip_no_index_becomes_uvs_no_index_flag_and_nothing_is_set_without_pip_settings() -> None:
    added, arguments = uv_index_environment(
        PipSettings(no_index=True, find_links=("/wheelhouse",)), {}
    )
    assert arguments == ["--no-index"]
    assert added == {"UV_FIND_LINKS": "/wheelhouse"}
    assert uv_index_environment(PipSettings(), {}) == ({}, [])


def test_a_users_own_uv_index_settings_win_over_pips() -> None:
    added, _ = uv_index_environment(
        PipSettings(index_url=MIRROR, extra_index_urls=("https://x.example/simple",)),
        {"UV_INDEX": "https://uv.example/simple"},
    )
    assert not {"UV_INDEX", "UV_DEFAULT_INDEX", "UV_INDEX_STRATEGY"} & added.keys()


def test_pip_settings_come_from_pip_conf_and_pip_variables(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pip.conf named by PIP_CONFIG_FILE, as a corporate setup has it."""
    config = project / "pip.conf"
    config.write_text(
        "[global]\n"
        f"index-url = {MIRROR}\n"
        "extra-index-url =\n    https://one.example/simple\n    https://two.example/simple\n"
        "timeout = 90\n"
        "[install]\nfind-links = /srv/wheels\n"
    )
    environ = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(project),
        "XDG_CONFIG_HOME": str(project / "config"),
        "PIP_CONFIG_FILE": str(config),
        "PIP_CERT": "/etc/ssl/from-env.pem",
    }
    settings = pip_config.pip_settings(sys.executable, environ)
    assert settings.index_url == MIRROR
    assert settings.extra_index_urls == ("https://one.example/simple", "https://two.example/simple")
    assert settings.find_links == ("/srv/wheels",)
    assert settings.timeout == "90"
    assert settings.cert == "/etc/ssl/from-env.pem"

    # The engine reads the environment it runs in (the variables above, and no others).
    for name in list(os.environ):
        if name.startswith(("PIP_", "UV_", "SSL_", "XDG_")):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    venv = Path(sys.prefix)
    engine = get_engine("uv")
    environment = engine.environment(venv)
    assert environment["UV_DEFAULT_INDEX"] == MIRROR
    assert environment["SSL_CERT_FILE"] == "/etc/ssl/from-env.pem"
    # The token goes to uv through its environment, never on a command line.
    command = engine.compile_command(venv, Path("requirements.in"), Path("out"), False, [], [])
    assert not any("s3cret" in part for part in command)


# ---------------------------------------------------------------- uv's output, pip-compile's format
UV_OUTPUT = """\
# This file was autogenerated by uv via the following command:
#    make lock
--index-url https://build:s3cret-token@pypi.corp.example/simple
--find-links /opt/wheels
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6
    # via pytest
numpy==2.4.6 ; python_full_version < '3.13' \\
    --hash=sha256:0123
    # via pandas
numpy==2.5.5 ; python_full_version >= '3.13' \\
    --hash=sha256:4567
    # via pandas
pip==26.3 \\
    --hash=sha256:89ab
    # via -r requirements-dev.in
pytest==9.2.0 \\
    --hash=sha256:cdef
    # via -r requirements-dev.in
tomli==2.5.0 ; python_full_version < '3.15' \\
    --hash=sha256:aaaa
    # via pytest
exceptiongroup==1.3.0 ; python_full_version < '3.11' \\
    --hash=sha256:bbbb
    # via pytest
appnope==0.1.4 ; python_full_version >= '3.12.1' and sys_platform == 'darwin' \\
    --hash=sha256:cccc
    # via ipykernel
"""

EXPECTED_LOCK = """\
#
# This file is autogenerated by uv with Python 3.12 for Linux, macOS and Windows (universal)
# by the following command:
#
#    make lock
#
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:4f1d9991f5acc0ca119f9d443620b77f9d6b33703e51011c16baf57afb285fc6
    # via pytest
numpy==2.4.6 \\
    --hash=sha256:0123
    # via pandas
pytest==9.2.0 \\
    --hash=sha256:cdef
    # via -r requirements-dev.in
tomli==2.5.0 \\
    --hash=sha256:aaaa
    # via pytest
appnope==0.1.4 ; python_full_version >= '3.12.1' and sys_platform == 'darwin' \\
    --hash=sha256:cccc
    # via ipykernel

# The following packages are considered to be unsafe in a requirements file:
pip==26.3 \\
    --hash=sha256:89ab
    # via -r requirements-dev.in
"""


def test_uv_output_becomes_a_pip_compile_style_lock_for_the_projects_python() -> None:
    assert to_pip_compile_format(UV_OUTPUT, "3.12") == EXPECTED_LOCK
    assert get_engine("uv").postprocess(UV_OUTPUT, "3.12") == EXPECTED_LOCK


def test_the_pip_tools_engine_leaves_pip_compiles_output_alone() -> None:
    assert get_engine("pip-tools").postprocess(EXPECTED_LOCK, "3.12") == EXPECTED_LOCK


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("python_full_version < '3.13'", True),
        ("python_full_version >= '3.13'", False),
        ("python_version == '3.12'", True),
        ("python_version != '3.12'", False),
        ("python_version >= '3.8'", True),
        ("python_full_version == '3.12.*'", True),
        ("python_full_version == '3.11.*'", False),
        ("python_full_version >= '3.12.4'", "python_full_version >= '3.12.4'"),
        ("'3.13' > python_version", True),
        ("sys_platform == 'win32'", "sys_platform == 'win32'"),
        ("python_full_version < '3.13' and sys_platform == 'darwin'", "sys_platform == 'darwin'"),
        ("python_full_version >= '3.13' and sys_platform == 'darwin'", False),
        ("python_full_version >= '3.13' or sys_platform == 'darwin'", "sys_platform == 'darwin'"),
        ("python_full_version < '3.13' or sys_platform == 'darwin'", True),
        (
            "(os_name == 'nt' or sys_platform == 'win32') and python_version < '3.14'",
            "(os_name == 'nt' or sys_platform == 'win32')",
        ),
        (
            "platform_machine == 'x86_64' and (python_full_version >= '3.13' or sys_platform == 'linux')",
            "platform_machine == 'x86_64' and sys_platform == 'linux'",
        ),
        ("implementation_name == 'cpython'", "implementation_name == 'cpython'"),
        ("python_version ~= '3.12'", "python_version ~= '3.12'"),
        ("this is not a marker", "this is not a marker"),
        # The markers the hand-written versions.py was once checked against packaging with:
        ("python_full_version < '3.11'", False),
        ("python_version == '3.12.*'", True),
        ("python_version != '3.11.*'", True),
        ("'3.11' < python_version", True),
        ("'3.12' < python_version", False),
        ('python_version >= "3.8"', True),
        ("python_version === '3.12'", "python_version === '3.12'"),
        ("'linux' in sys_platform", "'linux' in sys_platform"),
        ("sys_platform not  in 'win32 cygwin'", "sys_platform not in 'win32 cygwin'"),
        ("extra == 'x'", "extra == 'x'"),
        ("sys_platform ==", "sys_platform =="),
        ("sys_platform == 'linux' and", "sys_platform == 'linux' and"),
        ("(os_name == 'nt'", "(os_name == 'nt'"),
    ],
)
def test_markers_are_decided_for_the_projects_python_minor_version(marker, expected) -> None:
    assert simplify_marker(marker, "3.12") == expected



# ---------------------------------------------------------------- a long compile shows it is alive
PIP_COMPILE_SAYS = [
    "  Collecting pandas==3.1.1 (from -r requirements.in (line 4))\n",
    "  Collecting charset_normalizer<4,>=2 (from requests->-r requirements.in (line 5))\n",
    "  Processing /opt/wheels/python_dateutil-2.9.0-py3-none-any.whl (from pandas)\n",
    "  Collecting Charset-Normalizer<4,>=2 (from requests->-r requirements.in (line 5))\n",
    "    Downloading pandas-3.1.1-cp312-cp312-manylinux_2_28_x86_64.whl (12.0 MB)\n",
]


class Terminal:
    """A stdout that is a terminal or not, and keeps what was written to it."""

    def __init__(self, terminal: bool) -> None:
        self.terminal, self.written = terminal, []

    def isatty(self) -> bool:
        return self.terminal

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "log"])
def test_a_quiet_compile_tells_its_time_and_the_packages_pip_compile_named_so_far(
    monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    pip_tools = get_engine("pip-tools")
    progress = run.Progress("resolving requirements.txt (pip-tools)", pip_tools.collecting)
    for line in PIP_COMPILE_SAYS:
        progress.see(line)
    assert progress.names == {"pandas", "charset-normalizer", "python-dateutil"}
    stdout = Terminal(terminal)
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(run, "HEARTBEAT_SECONDS", 0.4)
    child = [sys.executable, "-c", "import time; time.sleep(2.3)"]

    run.Runner().quietly(child, progress=progress)

    said = "".join(stdout.written)
    told = "  ... still resolving requirements.txt (pip-tools): 1 s, 3 packages so far"
    if terminal:  # one line, rewritten each second, and cleared at the end
        assert said.startswith(f"\r{told}\033[K\r") and said.endswith("\r\033[K"), said
        assert "\n" not in said
    else:  # a line now and then, nothing a log would show as garbage
        assert f"{told}\n" in said and "\r" not in said and "\033" not in said, said


def test_pip_compiles_chatter_is_held_and_its_errors_and_retries_are_shown() -> None:
    said = "".join(
        [
            *PIP_COMPILE_SAYS,
            "  WARNING: Location 'file:///opt/pypi/simple/six/' is ignored\n",
            "WARNING: Retrying (Retry(total=4)) after connection broken: /simple/six/\n",
            "pandas==3.1.1 \\\n",
        ]
    )
    told = "WARNING: Retrying (Retry(total=4)) after connection broken: /simple/six/\n"
    assert get_engine("pip-tools").told(said, []) == told
    assert get_engine("pip-tools").told(said, ["-v"]) == said  # PIP_COMPILE_FLAGS=-v: all of it
    assert get_engine("uv").told(said, []) == said  # uv --quiet: what it says is worth showing
    chosen = get_engine("pip-tools").compile_command(VENV, "r.in", "r.txt", False, [], ["-v"])
    assert "--verbose" not in chosen and "-v" in chosen


# ---------------------------------------------------------------- platforms
def test_this_machines_platform_is_named_like_the_targets() -> None:
    name = current_platform()
    system, _, machine = name.partition("-")
    assert system in {"linux", "macos", "windows"}
    assert machine and machine != "amd64"
    # A pip-tools lock records this platform, a uv lock `universal`
    # (test_locks_logic.py compiles one with each).
    assert not get_engine("pip-tools").universal
    assert get_engine("uv").universal


def test_a_pip_tools_lock_from_another_platform_gets_a_warning_naming_the_risk_and_the_fix() -> (
    None
):
    warning = platform_warning("requirements.txt", "macos-arm64", here="linux-x86_64")
    assert warning is not None
    assert warning.startswith(
        "warning: requirements.txt was resolved by pip-compile on macos-arm64, "
        "and this machine is linux-x86_64."
    )
    assert "missing" in warning and "fail at import" in warning
    assert "make lock LOCK_ENGINE=uv" in warning


@pytest.mark.parametrize("recorded", [None, "universal", "linux-x86_64"])
def test_no_warning_for_a_universal_lock_an_old_lock_or_this_platform(recorded) -> None:
    assert platform_warning("requirements.txt", recorded, here="linux-x86_64") is None


def test_the_platform_line_reads_back() -> None:
    text = f"pandas==3.1.1\n{lockfile.PLATFORM_LINE}macos-arm64\n# inputs-sha256: x\n"
    assert lockfile.resolved_for(text) == "macos-arm64"
    assert lockfile.resolved_for("pandas==3.1.1\n") is None
    assert lockfile.resolved_for(lockfile.seal("pandas==3.1.1\n", "universal", "0", "x")) == (
        "universal"
    )


# ---------------------------------------------------------------- speed of a no-op make dev
TOOLS = TEMPLATE_ROOT / "template" / "tools"
# os too: importing it is about a quarter of a no-op make dev beyond Python starting.
HEAVY_MODULES = ("os", "re", "pathlib", "hashlib", "argparse", "subprocess")
# Run with -S, as the Makefile runs tools/locks.py: the script (its folder
# first on sys.path, as for `python tools/locks.py`) or module named, then
# the heavy modules that were loaded.
PROBE = f"""
import sys
what, sys.argv = sys.argv[1], sys.argv[1:]
sys.path.insert(0, {str(TOOLS)!r})
try:
    if what.endswith(".py"):
        exec(compile(open(what, "rb").read(), what, "exec"), {{"__name__": "__main__"}})
    else:
        __import__(what)
except SystemExit as stop:
    print("exit", stop.code)
print(*(name for name in {HEAVY_MODULES!r} if name in sys.modules))
"""


def probe(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-S", "-c", PROBE, *arguments]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_a_no_op_sync_loads_no_heavy_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """What a no-op `make dev` runs: tools/locks.py reads the stamp with open()
    and posix.listdir alone, none of the modules a sync with work to do needs."""
    loaded = probe(tmp_path, "lockstep.stamp")
    assert loaded.stdout == "\n", f"importing lockstep.stamp loads {loaded.stdout}"

    monkeypatch.chdir(tmp_path)  # a project, synced: the stamp names its files from there
    Path(".python-version").write_text("3.12\n")
    Path("requirements.in").write_text("pandas\n")
    Path("requirements.txt").write_text("pandas==3.1.1 \\\n    --hash=sha256:aaaa\n")
    site_packages = Path(".venv", "lib", "python3.12", "site-packages")
    (site_packages / "pandas-3.1.1.dist-info").mkdir(parents=True)
    argv = ["--venv", ".venv", "sync"]
    files = ["requirements.in", ".python-version", "requirements.txt", "pyproject.toml"]
    stamp.remember(argv, ".venv", str(site_packages), files, "said last time\n")

    synced = probe(tmp_path, str(TOOLS / "locks.py"), *argv)
    assert synced.stderr == "said last time\n"  # the stamp was read: nothing to do
    assert synced.stdout == "exit 0\n\n", f"a no-op sync loads {synced.stdout.split()[2:]}"


# ---------------------------------------------------------------- the question
@pytest.mark.parametrize(("engine", "other"), [("pip-tools", "uv"), ("uv", "pip-tools")])
def test_the_lock_engine_answer_sets_the_makefile_default_and_the_pinned_tool(
    tmp_path: Path, engine: str, other: str
) -> None:
    project = render(tmp_path / engine, lock_engine=engine)
    assert f"\nLOCK_ENGINE ?= {engine}\n" in (project / "Makefile").read_text()
    wanted = [
        line.strip()
        for line in (project / "requirements-dev.in").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    ]
    assert engine in wanted
    assert other not in wanted
    answers = (project / ".copier-answers.yml").read_text()
    assert f"lock_engine: {engine}" in answers
