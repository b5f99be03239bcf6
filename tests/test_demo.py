"""`make demo`, the first command the README gives: on a fresh machine it
installs only what the demo runs (the tested copier, hash-checked, in a venv
of its own), not the template's dev tools."""

from __future__ import annotations

import re
from pathlib import Path

import copier_lock
import pytest
from support.commands import run
from support.project import TEMPLATE_ROOT

COPIER_LOCK = "template/tools/copier-requirements.txt"


def make_database(*variables: str) -> str:
    """The rules of the repo's Makefile as make reads them (nothing is run)."""
    command = ["make", "--print-data-base", "--question", *variables, "help"]
    return run(command, TEMPLATE_ROOT, check=False).stdout


def prerequisites(database: str, target: str) -> list[str]:
    match = re.search(rf"^{re.escape(target)}:(.*)$", database, re.MULTILINE)
    assert match, f"make knows no rule for {target}"
    return match.group(1).split("|")[0].split()


def test_make_demo_builds_only_a_venv_with_the_tested_copier(tmp_path: Path):
    demo_venv = tmp_path / "demo-venv"
    database = make_database(f"DEMO_VENV={demo_venv}")
    copier = f"{demo_venv}/bin/copier"
    # What make demo builds before its own recipe runs: no dev venv, no checkov.
    assert prerequisites(database, "demo") == [copier]
    assert prerequisites(database, copier) == [COPIER_LOCK], "rebuilt only when the pin changes"
    recipe = run(["make", "--dry-run", f"DEMO_VENV={demo_venv}", copier], TEMPLATE_ROOT).stdout
    assert f"-m pip install --quiet --require-hashes --no-deps -r {COPIER_LOCK}" in recipe
    assert "locks.py" not in recipe and "checkov" not in recipe


@pytest.mark.slow
def test_the_demos_copier_is_the_pinned_one_and_is_installed_once(tmp_path: Path):
    demo_venv = tmp_path / "demo-venv"
    target = str(demo_venv / "bin" / "copier")
    run(["make", f"DEMO_VENV={demo_venv}", target], TEMPLATE_ROOT)
    pinned = copier_lock.pinned_copier((TEMPLATE_ROOT / COPIER_LOCK).read_text())
    version = run([target, "--version"], tmp_path).stdout
    assert version.split()[-1] == pinned, version
    again = run(["make", f"DEMO_VENV={demo_venv}", target], TEMPLATE_ROOT)
    assert "Installing" not in again.stdout, "the venv was rebuilt with nothing changed"
