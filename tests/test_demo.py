"""`make demo`, the first command the README gives: on a fresh machine it
installs only what the demo runs (the tested copier, hash-checked, in a venv
of its own), not the template's dev tools."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import tool_locks
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


def closing_message(destination: Path, *data: str) -> str:
    """What copier prints at the end of `copier copy --defaults` (its stderr)."""
    command = [str(Path(sys.executable).with_name("copier")), "copy", "--defaults"]
    command += ["--vcs-ref", "HEAD", "-d", "project_name=Demo Project"]
    for answer in data:
        command += ["-d", answer]
    result = subprocess.run(
        [*command, str(TEMPLATE_ROOT), str(destination)],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return result.stderr.split("is ready in", 1)[1]


def test_copiers_closing_message_gives_no_next_step_that_make_demo_takes_itself(tmp_path: Path):
    demo_rule = make_database().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "-d make_demo=true" in demo_rule
    during_demo = closing_message(tmp_path / "demo", "make_demo=true")
    assert "make demo now runs its make dev and make test" in during_demo
    assert "Next:" not in during_demo
    # make_demo is no question: the project does not remember it.
    assert "make_demo" not in (tmp_path / "demo" / ".copier-answers.yml").read_text()
    # A user's own copy is told what to run.
    for name, data in (("user", ()), ("said-false", ("make_demo=false",))):
        message = closing_message(tmp_path / name, *data)
        assert f"Next:\n  cd {tmp_path / name}\n  make dev " in message, message


@pytest.mark.slow
def test_the_demos_copier_is_the_pinned_one_and_is_installed_once(tmp_path: Path):
    demo_venv = tmp_path / "demo-venv"
    target = str(demo_venv / "bin" / "copier")
    run(["make", f"DEMO_VENV={demo_venv}", target], TEMPLATE_ROOT)
    pinned = tool_locks.pinned_copier((TEMPLATE_ROOT / COPIER_LOCK).read_text())
    version = run([target, "--version"], tmp_path).stdout
    assert version.split()[-1] == pinned, version
    again = run(["make", f"DEMO_VENV={demo_venv}", target], TEMPLATE_ROOT)
    assert "Installing" not in again.stdout, "the venv was rebuilt with nothing changed"
