"""make audit: the real pip-audit, from the project's tools/audit-requirements.txt,
against real advisory records and the real index's yank data.

No vulnerability service is reachable from this machine, so pip-audit asks a
local stand-in of OSV's query API (tests/support/osv_service.py) serving the
real records of three requests advisories. requests 2.32.0 is the real
release the index marks yanked ("Yanked due to conflicts with CVE-2024-35195
mitigation"), and GHSA-9hjg-9r4m-mvj7 (fixed in 2.32.4) affects it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lockstep.lockfile import pins
from support.commands import make, user_environment
from support.lock_files import LOCK_FILES
from support.osv_service import OsvService, osv_service
from support.project import render

pytestmark = pytest.mark.slow

YANKED = ("requests", "2.32.0", "Yanked due to conflicts with CVE-2024-35195 mitigation")
ADVISORY = "GHSA-9hjg-9r4m-mvj7"  # .netrc credentials leak, fixed in 2.32.4
CLOSED_PORT_URL = "http://127.0.0.1:9/v1/query"


@pytest.fixture
def index_with_yank_data() -> dict[str, str]:
    """The real index alone: this machine's pip configuration adds local
    folders, whose files carry no yank status."""
    environment = user_environment()
    environment.pop("PIP_FIND_LINKS", None)
    return {**environment, "PIP_CONFIG_FILE": os.devnull}


@pytest.fixture
def osv() -> Iterator[OsvService]:
    with osv_service() as service:
        yield service


def installed(project: Path) -> str:
    """What the project's venv holds, one `name==version` a line."""
    script = "import importlib.metadata as m; print(sorted(f'{d.name}=={d.version}' for d in m.distributions()))"
    return subprocess.run(
        [str(project / ".venv" / "bin" / "python"), "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def project_pinning_the_yanked_requests(tmp_path: Path, engine: str, env: dict[str, str]) -> Path:
    project = render(tmp_path / "project", lock_engine=engine, ci="none", docker=False)
    (project / "requirements.in").write_text("requests\n")
    (project / "requirements-dev.in").write_text(
        f"-c requirements.txt\n{engine}\nhatchling\npre-commit\n"
    )
    name, version, _ = YANKED
    make(project, "lock", "MIN_RELEASE_AGE=0", env=env)
    make(project, "upgrade-package", f"P={name}=={version}", "MIN_RELEASE_AGE=0", env=env)
    assert pins((project / "requirements.txt").read_text())[name] == version
    return project


@pytest.mark.parametrize("engine", ["pip-tools", "uv"])
def test_a_vulnerable_and_yanked_pin_fails_the_audit_with_its_fix_and_the_fix_makes_it_clean(
    tmp_path: Path, engine: str, index_with_yank_data: dict[str, str], osv: OsvService
) -> None:
    env = index_with_yank_data
    project = project_pinning_the_yanked_requests(tmp_path, engine, env)
    make(project, "dev", "MIN_RELEASE_AGE=0", env=env)
    venv_before = installed(project)
    locks_before = {lock: (project / lock).read_bytes() for lock in LOCK_FILES}
    audit_args = f"AUDIT_ARGS=--vulnerability-service osv --osv-url {osv.url}"

    result = make(project, "audit", audit_args, env=env, check=False)

    assert result.returncode != 0, result.stdout + result.stderr
    name, version, reason = YANKED
    out = result.stdout
    assert f"vulnerable: {name} {version} (requirements.txt" in out
    assert "    CVE-2024-47081 (GHSA-9hjg-9r4m-mvj7): fixed in 2.32.4\n" in out
    assert f"yanked: {name} {version} (requirements.txt" in out and reason in out
    assert out.count(f"fix: make upgrade-package P={name}") == 2
    # pip-audit was asked about every pin, each once, and nothing changed here.
    queried = {(q["package"]["name"], q["version"]) for q in osv.queries}
    all_pins = {pin for lock in LOCK_FILES for pin in pins((project / lock).read_text()).items()}
    assert queried == all_pins and len(osv.queries) == len(all_pins)
    assert installed(project) == venv_before, "make audit changed the project's venv"
    assert {lock: (project / lock).read_bytes() for lock in LOCK_FILES} == locks_before
    doctor = make(project, "doctor", env=env, check=False)
    assert "FIX  audit: 2 finding(s) on " in doctor.stdout

    make(project, "upgrade-package", f"P={name}", "MIN_RELEASE_AGE=0", env=env)
    clean = make(project, "audit", audit_args, env=env)
    assert "No known vulnerability, no yanked pin." in clean.stdout
    assert "OK   audit: clean on " in make(project, "doctor", env=env, check=False).stdout


def test_an_accepted_advisory_needs_a_reason_and_is_then_left_out(
    tmp_path: Path, index_with_yank_data: dict[str, str], osv: OsvService
) -> None:
    env = index_with_yank_data
    project = project_pinning_the_yanked_requests(tmp_path, "uv", env)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert "\n[tool.audit.ignore]\n" in text
    audit_args = f"AUDIT_ARGS=--vulnerability-service osv --osv-url {osv.url}"

    pyproject.write_text(
        text.replace("[tool.audit.ignore]\n", f'[tool.audit.ignore]\n"{ADVISORY}" = ""\n')
    )
    refused = make(project, "audit", audit_args, env=env, check=False)
    assert refused.returncode != 0
    assert f'pyproject.toml [tool.audit.ignore] "{ADVISORY}" gives no reason' in refused.stderr
    assert not osv.queries, "the audit ran with a setting it refused"

    reason = "we never read .netrc"
    pyproject.write_text(
        text.replace("[tool.audit.ignore]\n", f'[tool.audit.ignore]\n"{ADVISORY}" = "{reason}"\n')
    )
    result = make(project, "audit", audit_args, env=env, check=False)
    assert result.returncode != 0  # the yank still counts
    assert f"accepted in pyproject.toml: {ADVISORY}: {reason}" in result.stdout
    assert "vulnerable:" not in result.stdout and "yanked: requests 2.32.0" in result.stdout


def test_an_audit_that_could_not_ask_is_an_error_never_clean_and_shows_no_token(
    tmp_path: Path, index_with_yank_data: dict[str, str], osv: OsvService
) -> None:
    env = index_with_yank_data
    project = project_pinning_the_yanked_requests(tmp_path, "pip-tools", env)

    unreachable = make(
        project,
        "audit",
        f"AUDIT_ARGS=--vulnerability-service osv --osv-url {CLOSED_PORT_URL}",
        env=env,
        check=False,
    )
    assert unreachable.returncode != 0
    assert (
        "nothing was audited" in unreachable.stderr and "Connection refused" in unreachable.stderr
    )
    assert "No known vulnerability" not in unreachable.stdout
    assert "Traceback" not in unreachable.stdout + unreachable.stderr
    assert (
        "FIX  audit: did not complete on " in make(project, "doctor", env=env, check=False).stdout
    )

    token = "s3cret-index-token"
    index = {**env, "PIP_INDEX_URL": f"http://ci:{token}@127.0.0.1:9/simple"}
    audit_args = f"AUDIT_ARGS=--vulnerability-service osv --osv-url {osv.url}"
    refused = make(project, "audit", audit_args, env=index, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "the index could not be asked which pins are yanked" in refused.stderr
    assert "127.0.0.1" in refused.stderr and "Connection refused" in refused.stderr
    assert "PIP_INDEX_URL" in refused.stderr
    assert token not in output
    assert token not in (project / ".venv" / "tools" / "pip-audit" / "last-audit").read_text()

    # A project not locked yet: the audit says what to run, and nothing else.
    (project / "requirements-dev.txt").unlink()
    unlocked = make(project, "audit", audit_args, env=env, check=False)
    assert unlocked.returncode != 0
    assert (
        "requirements-dev.txt does not exist yet: run make lock, then make audit" in unlocked.stderr
    )
    assert "Traceback" not in unlocked.stderr
