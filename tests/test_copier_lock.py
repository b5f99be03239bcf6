"""The copier a project's `make template-update` installs is the one the
template is tested with: copied, hashes and all, from this repository's
requirements.txt (the one place its version is written)."""

from __future__ import annotations

import importlib.metadata

import copier_lock
import yaml
from packaging.version import Version
from support.lock_files import normalize, requirement_blocks
from support.project import TEMPLATE_ROOT


def test_the_projects_copier_lock_is_copied_from_the_repos_requirements():
    assert copier_lock.main(["--check"]) == 0, "run python scripts/copier_lock.py --write"


def test_every_pin_of_the_projects_copier_lock_is_hash_checked_and_complete():
    text = copier_lock.OUTPUT.read_text(encoding="utf-8")
    blocks = requirement_blocks(text)
    assert blocks and all("--hash=sha256:" in block for block in blocks.values())
    requirements = [line for line in text.splitlines() if line[:1].isalnum()]
    assert len(requirements) == len(blocks), "every requirement is pinned with =="
    # What the tests run with is what the projects get.
    tested = importlib.metadata.version("copier")
    assert copier_lock.pinned_copier(text) == tested
    installed = {normalize(dist.metadata["Name"]) for dist in importlib.metadata.distributions()}
    assert set(blocks) <= installed


def test_the_minimum_copier_version_has_the_sandbox_fixes_and_is_not_above_the_tested_one():
    settings = next(
        yaml.safe_load_all((TEMPLATE_ROOT / "copier.yml").read_text().replace("!include", "#"))
    )
    minimum = Version(settings["_min_copier_version"])
    assert minimum >= Version("9.17.2")
    assert minimum <= Version(copier_lock.pinned_copier(copier_lock.OUTPUT.read_text()))
