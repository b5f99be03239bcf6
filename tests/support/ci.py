"""One answer to "am I in CI?", and what a test does when something it needs is missing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

# The values CI services set CI to (GitHub Actions, GitLab, .ci/run: "true").
CI_VALUES = ("1", "true", "yes")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def unavailable(reason: str) -> NoReturn:
    """Stop the test because something it needs is missing (`reason` says
    what): skipped here, failed in CI, which must provide it."""
    __tracebackhide__ = True  # the report names the test's line, not this one
    if in_ci():
        pytest.fail(f"{reason}: CI must provide it (see .ci/run)")
    pytest.skip(reason)
