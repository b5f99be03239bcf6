"""The copier a project's `make template-update` installs, and the pip-audit
of its `make audit`, are the ones the template is tested with: copied, hashes
and all, from this repository's requirements.txt (the one place their
versions are written)."""

from __future__ import annotations

import importlib.metadata

import pytest
import tool_locks
import yaml
from packaging.version import Version
from support.lock_files import normalize, requirement_blocks
from support.project import TEMPLATE_ROOT


def test_the_projects_tool_locks_are_copied_from_the_repos_requirements():
    assert tool_locks.main(["--check"]) == 0, "run python scripts/tool_locks.py --write"


@pytest.mark.parametrize("tool", sorted(tool_locks.LOCKS))
def test_every_pin_of_a_projects_tool_lock_is_hash_checked_and_complete(tool: str):
    text = tool_locks.LOCKS[tool][0].read_text(encoding="utf-8")
    blocks = requirement_blocks(text)
    assert blocks and all("--hash=sha256:" in block for block in blocks.values())
    requirements = [line for line in text.splitlines() if line[:1].isalnum()]
    assert len(requirements) == len(blocks), "every requirement is pinned with =="
    # What the tests run with is what the projects get.
    tested = importlib.metadata.version(tool)
    assert requirement_blocks(text)[tool].startswith(f"{tool}=={tested} ")
    installed = {normalize(dist.metadata["Name"]) for dist in importlib.metadata.distributions()}
    assert set(blocks) <= installed


def test_the_minimum_copier_version_has_the_sandbox_fixes_and_is_not_above_the_tested_one():
    settings = next(
        yaml.safe_load_all((TEMPLATE_ROOT / "copier.yml").read_text().replace("!include", "#"))
    )
    minimum = Version(settings["_min_copier_version"])
    assert minimum >= Version("9.17.2")
    assert minimum <= Version(tool_locks.pinned_copier(tool_locks.OUTPUT.read_text()))
