# The template manages this file: local edits meet the next copier update as a merge.
"""The release cooldown: a compile takes only what was uploaded before a cutoff.

The cutoff is MIN_RELEASE_AGE days before now, or before the end of the
AS_OF day for the runtime lock resolved as of then. The engine applies it
(pip-compile's pip reads PIP_UPLOADED_PRIOR_TO, uv takes --exclude-newer)
against the upload times the index publishes (PEP 700); this module says
which cutoff holds, what a run prints of it, what to tell the user when it
left out every release a requirement accepts, and when the engine's pip is
too old to apply it.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta, timezone

from lockstep.run import LockError

# What an engine says when no release old enough meets a requirement: uv
# names the newest one; pip only the requirement (`pip index versions` then
# names the newest, under the same cutoff).
UV_TOO_NEW_RE = re.compile(r"only ([A-Za-z0-9._-]+)(?:<=|==)([^\s,]+) (?:is|are) available")
PIP_TOO_NEW_RE = re.compile(r"No matching distribution found for ([A-Za-z0-9._-]+)")
NEWEST_RE = re.compile(r"^\S+ \(([^)]+)\)", re.MULTILINE)
# datetime.UTC is Python 3.11 and newer (a project may run 3.10): the same zone.
UTC = timezone(timedelta(0))


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Cooldown:
    """One run's cutoffs: `cutoff` for every compile (None: no cooldown), and
    `as_of_cutoff` for the runtime lock resolved as of AS_OF."""

    def __init__(self, days: int, packages, engine, as_of: date | None = None) -> None:
        moment = datetime.now(UTC)
        self.days, self.packages, self.now = days, list(packages), utc(moment)
        self.engine, self.told, self.told_of_old_pip = engine, False, False
        # pip's cutoff holds for every package: none when one is asked for by name.
        held = days and (engine.cutoff_per_package or not self.packages)
        self.cutoff = utc(moment - timedelta(days=days)) if held else None
        self.as_of, self.as_of_cutoff = as_of, None
        if as_of:
            end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
            end = min(end + timedelta(days=1), moment)
            self.as_of_cutoff = utc(end - timedelta(days=days))

    def note(self) -> str:
        """What the run says of the cooldown before it resolves anything."""
        if self.cutoff:
            asked = (
                f"; not for {', '.join(self.packages)}, asked for by name" if self.packages else ""
            )
            return (
                f"Cooldown: leaving out releases uploaded after {self.cutoff} "
                f"(MIN_RELEASE_AGE={self.days} days{asked})"
            )
        if self.days:  # pip-tools, and packages asked for by name
            return (
                f"Cooldown (MIN_RELEASE_AGE={self.days}) not applied: pip's cutoff holds for every "
                f"package, and you asked for {', '.join(self.packages)}; the other pins move only "
                "as far as its new release needs"
            )
        return ""

    def tell_once(self) -> None:
        """Say what the cooldown does, before a run's first resolve; not when
        the venv's pip ignores the cutoff (refuse_if_ignored warns instead)."""
        if self.told:
            return
        self.told = True
        note = "" if self.cutoff and self.engine.cutoff_ignored_by() else self.note()
        if note:
            print(note)

    def refuse_if_ignored(self, venv, back_in_time: bool) -> None:
        """A pip too old to apply the cutoff: AS_OF would get today's answer,
        so it is refused; the cooldown goes on without it, and says so."""
        old_pip = self.engine.cutoff_ignored_by()
        if old_pip is None:
            return
        fix = (
            "make upgrade-package P=pip (after removing any bound on pip in requirements-dev.in)"
            ", or choose the uv engine (LOCK_ENGINE=uv)"
        )
        if back_in_time:
            raise LockError(
                f"AS_OF needs pip 26.1 or newer, and {venv} has pip {old_pip}, which would "
                "ignore the date and resolve as of today; no lock was changed.\n"
                f"       Move pip up first: {fix}."
            )
        if not self.told_of_old_pip:
            self.told_of_old_pip = True
            print(
                f"warning: the cooldown is not applied: pip {old_pip} in {venv} ignores it "
                "(pip 26.1 added the cutoff it needs).\n"
                f"         To have it: {fix}.",
                file=sys.stderr,
            )

    def downgrade_hint(self) -> str:
        if not self.cutoff:
            return ""
        return (
            f"       The cooldown leaves out releases uploaded after {self.cutoff}: "
            "a pin younger than that moves down (keep it: MIN_RELEASE_AGE=0).\n"
        )

    @staticmethod
    def too_new_hint(output: str, cutoff: str | None, pip_index) -> str:
        """When a failed compile's output says no release fits: the package,
        the newest release old enough, and the way out. `pip_index(name)` is
        what `pip index versions name` says under the same cutoff (or None)."""
        uv_found, pip_found = UV_TOO_NEW_RE.search(output), PIP_TOO_NEW_RE.search(output)
        if not cutoff or not (uv_found or pip_found):
            return ""
        if uv_found:
            name, newest = uv_found.groups()
        else:
            name = pip_found.group(1)
            newest = next(iter(NEWEST_RE.findall(pip_index(name) or "")), "none")
        return (
            f"\n       The cooldown left out releases uploaded after {cutoff}: the "
            f"newest {name} old enough is {newest}.\n       To take a newer one now "
            "(a fix you need): make lock MIN_RELEASE_AGE=0 for this one run."
        )
