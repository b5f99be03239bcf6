"""tools/versions.py answers as packaging does (the library pip vendors):
version order, specifiers, environment markers. Fast, no network: each
case is asked of both and the answers compared, so a rule that drifts from
packaging's fails here."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import versions
from lock_files import PIN_RE
from packaging.markers import Marker
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import InvalidVersion
from packaging.version import Version as PackagingVersion

REPOSITORY = Path(__file__).resolve().parents[1]
EDGE_VERSIONS = [
    "0", "0.0", "0.0.1", "1", "1.0", "1.0.0", "1.0.0.0", "1.0.1", "1.1", "1.10", "1.2",
    "1.0.dev0", "1.0.dev1", "1.0a1", "1.0a1.dev2", "1.0alpha2", "1.0b1", "1.0beta", "1.0c1",
    "1.0rc1", "1.0RC2", "1.0pre3", "1.0preview4", "1.0.post1", "1.0-1", "1.0.post1.dev1",
    "1.0rev2", "1.0r3", "1.0+local", "1.0+local.7", "1.0+7", "1.0+abc.5", "1.0+5.abc",
    "1!0.1", "1!1.0", "v2.0", " 2.0 ", "2.0.0-rc.1", "3.11.0rc1", "3.11.7", "3.13.0+local",
    "2026.10.18", "26.1.0", "1.0-beta-2",
]  # fmt: skip
NOT_VERSIONS = ["linux", "5.15.0-1019-aws", "", "1..0", "3.11.7+", "1.0-beta-2-x"]
LOCKED_VERSIONS = sorted(
    {
        version
        for lock in REPOSITORY.glob("requirements*.txt")
        for _, version, _ in PIN_RE.findall(lock.read_text())
    }
)


def test_versions_are_read_and_ordered_as_packaging_orders_them() -> None:
    corpus = EDGE_VERSIONS + LOCKED_VERSIONS
    assert len(LOCKED_VERSIONS) > 50  # the repository's own locks give real versions
    for left, right in itertools.product(corpus, repeat=2):
        ours, theirs = versions.Version(left), versions.Version(right)
        reference = PackagingVersion(left), PackagingVersion(right)
        assert (ours < theirs, ours == theirs) == (
            reference[0] < reference[1],
            reference[0] == reference[1],
        ), (left, right)
    for text in NOT_VERSIONS:
        with pytest.raises(InvalidVersion):
            PackagingVersion(text)
        assert versions.parse_version(text) is None, text


SPECIFIERS = [
    "==1.0", "==1", "==1.0.0", "!=1.0", "==1.0.*", "!=1.0.*", "==1.*", "==1.0+local",
    "!=1.0+local", "<1.0", "<1.0rc1", "<=1.0", ">1.0", ">1.0.post1", ">=1.0", ">=1.0a1",
    "~=1.0", "~=1.0.1", "~=1.0rc1", "~=1!1.0", "===1.0", "===linux", "<1.0.*", "~=1",
    "<=1.0+local", "==linux", ">=5.0", "<3.11", ">3.11", "==3.11.*", "!=3.12.*", "~=3.10",
    ">= 2.0", "==1.0.dev0",
]  # fmt: skip


@pytest.mark.parametrize("specifier", SPECIFIERS)
def test_specifiers_admit_what_packaging_admits(specifier: str) -> None:
    try:
        reference = Specifier(specifier)
    except InvalidSpecifier:
        with pytest.raises(ValueError):
            versions.specifier_contains(specifier, "1.0")
        return
    for candidate in EDGE_VERSIONS + NOT_VERSIONS:
        expected = reference.contains(candidate, prereleases=True)
        assert versions.specifier_contains(specifier, candidate) == expected, candidate


def test_a_requirement_line_admits_a_version_when_every_specifier_does() -> None:
    assert versions.requirement_admits("pandas>=2,<3", "2.2.1")
    assert not versions.requirement_admits("pandas>=2,<3", "3.0.0")
    assert versions.requirement_admits("pandas[excel] (>=2)", "2.0")
    assert versions.requirement_admits('numpy<2 ; python_version >= "3.10"', "1.26.4")
    assert not versions.requirement_admits('numpy<2 ; python_version >= "3.10"', "2.0.0")
    assert versions.requirement_admits("requests", "0.1")
    assert versions.requirement_admits("lib @ https://example.com/lib-1.0.tar.gz", "0.9")
    with pytest.raises(ValueError):
        versions.requirement_admits("pandas>=two", "2.0")


# The platforms a universal lock serves, and a few odd interpreters.
ENVIRONMENTS = [
    {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"},
    {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"},
    {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"},
    {"implementation_name": "pypy", "platform_python_implementation": "PyPy", "python_version": "3.10",
     "python_full_version": "3.10.14", "implementation_version": "7.3.17"},
    {"python_version": "3.13", "python_full_version": "3.13.0rc2", "platform_release": "5.15.0-1019-aws"},
    {"python_version": "3.12", "python_full_version": "3.12.4", "platform_release": "6.8.0"},
]  # fmt: skip
MARKERS = [
    "sys_platform == 'win32'",
    "sys_platform != 'win32'",
    "platform_machine == 'x86_64' and sys_platform == 'linux'",
    "(platform_machine == 'aarch64' and sys_platform == 'linux') or sys_platform == 'darwin'",
    "platform_python_implementation != 'PyPy' and sys_platform != 'win32'",
    "implementation_name == 'pypy'",
    "os_name == 'nt'",
    'python_version >= "3.8"',
    "python_full_version < '3.11'",
    "python_full_version >= '3.12.4'",
    "python_full_version < '3.13'",
    "python_version == '3.12.*'",
    "'3.11' < python_version",
    "'linux' in sys_platform",
    "sys_platform not in 'win32 cygwin'",
    "platform_release >= '5.0'",
    "platform_system == 'Darwin' and platform_machine == 'arm64'",
    "implementation_version >= '7.3'",
    "sys_platform < 'linux'",
    "python_version ~= '3.10'",
    "python_version === '3.12'",
]


def reference_answer(marker: str, environment: dict[str, str]) -> bool | type[Exception]:
    try:
        return Marker(marker).evaluate(environment)
    except Exception:  # noqa: BLE001 (packaging's refusals: an undefined comparison)
        return Exception


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda env: "-".join(env.values()))
def test_markers_hold_where_packaging_says_they_hold(environment: dict[str, str]) -> None:
    full = {**versions.default_environment(), **environment}
    for marker in MARKERS:
        expected = reference_answer(marker, full)
        if expected is Exception:
            with pytest.raises(ValueError):
                versions.evaluate_marker(marker, full)
        else:
            assert versions.evaluate_marker(marker, full) == expected, marker


def test_random_markers_hold_where_packaging_says_they_hold() -> None:
    """And/or/parentheses nested at random over the comparisons above."""
    chooser = random.Random(20261121)
    comparisons = [marker for marker in MARKERS if " and " not in marker and " or " not in marker]
    comparisons = [m for m in comparisons if reference_answer(m, ENVIRONMENTS[0]) is not Exception]

    def grow(depth: int) -> str:
        if depth == 0 or chooser.random() < 0.3:
            return chooser.choice(comparisons)
        joined = f" {chooser.choice(['and', 'or'])} ".join(grow(depth - 1) for _ in range(2))
        return f"({joined})" if chooser.random() < 0.5 else joined

    for _ in range(300):
        marker = grow(4)
        environment = {**versions.default_environment(), **chooser.choice(ENVIRONMENTS)}
        assert versions.evaluate_marker(marker, environment) == Marker(marker).evaluate(
            environment
        ), marker


def test_the_running_interpreters_environment_is_packagings() -> None:
    from packaging.markers import default_environment

    assert versions.default_environment() == default_environment()


def test_markers_that_cannot_be_read_are_refused() -> None:
    for marker in (
        "sys_platform ==",
        "sys_platform == 'linux' and",
        "(os_name == 'nt'",
        "extra == 'x'",
    ):
        with pytest.raises(ValueError):
            versions.evaluate_marker(marker, versions.default_environment())
