"""A package named like a module the project installs would shadow it
(`package_name=six` and `make test` fails at collection), so copier.yml
refuses every name in includes/shadowed-names.yml. These tests fail when
that list is stale: regenerate it with `python scripts/shadowed_names.py --write`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import shadowed_names
import yaml
from support.lock_files import LOCK_FILES, normalize
from support.project import TEMPLATE_ROOT, render

REGENERATE = "includes/shadowed-names.yml is stale: run python scripts/shadowed_names.py --write"


def listed() -> tuple[dict[str, str], set[str]]:
    data = yaml.safe_load((TEMPLATE_ROOT / "includes" / "shadowed-names.yml").read_text())
    return (
        data["shadowed_modules"]["default"],
        set(data["shadowed_modules_packages"]["default"]),
    )


def direct_requirements(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(normalize(re.split(r"[<>=!~;\[ ]", line)[0]))
    return names


def test_every_direct_requirement_of_every_option_is_in_the_list(tmp_path: Path):
    project = render(tmp_path / "every-option", **shadowed_names.every_option())
    wanted = direct_requirements((project / "requirements.in").read_text())
    wanted |= direct_requirements((project / "requirements-dev.in").read_text())
    _, packages = listed()
    assert wanted - packages == set(), REGENERATE


@pytest.mark.slow
def test_every_module_the_standard_locks_install_is_refused(standard_locks: Path, wheelhouse: Path):
    modules, packages = listed()
    pinned = set().union(
        *(
            shadowed_names.pinned_packages((standard_locks / lock).read_text())
            for lock in LOCK_FILES
        )
    )
    assert pinned - packages == set(), REGENERATE
    # The wheelhouse also holds make audit's own venv (not the project's: it cannot shadow).
    wheels = [w for w in wheelhouse.glob("*.whl") if shadowed_names.wheel_distribution(w) in pinned]
    assert wheels
    missing = {
        name: shadowed_names.wheel_distribution(wheel)
        for wheel in sorted(wheels)
        for name in shadowed_names.wheel_modules(wheel)
        if name not in modules
    }
    assert missing == {}, REGENERATE
    # The names the issue was found with are among them.
    assert {"numpy", "pandas", "six", "pytest", "_pytest"} <= set(modules)
