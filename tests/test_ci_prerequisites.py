"""The suite's own rule for a missing prerequisite (Docker, Terraform, act):
on a laptop the test is skipped and says why; in CI, which must provide
everything, the same test fails with the same reason."""

from __future__ import annotations

import pytest
from support.ci import in_ci, unavailable


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", " true "])
def test_ci_is_recognised_however_the_service_spells_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci()


@pytest.mark.parametrize("value", [None, "", "false", "0", "no"])
def test_a_laptop_is_not_ci(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not in_ci()


def test_a_missing_prerequisite_is_skipped_on_a_laptop_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="^terraform is not installed$"):
        unavailable("terraform is not installed")


def test_a_missing_prerequisite_fails_in_ci_naming_it_and_where_ci_installs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failure:
        unavailable("terraform is not installed")
    assert str(failure.value) == "terraform is not installed: CI must provide it (see .ci/run)"
