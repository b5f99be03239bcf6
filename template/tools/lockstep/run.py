# The template manages this file: local edits meet the next copier update as a merge.
"""Running pip, pip-compile and uv: their output with credentials hidden,
a stop on SIGTERM or SIGHUP as on Ctrl-C, and one make at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from lockstep.lockfile import redact


class LockError(Exception):
    """A refusal whose message names the problem and the fix."""


class Runner:
    """Runs one child at a time, so a signal can stop it."""

    def __init__(self) -> None:
        self.child: subprocess.Popen | None = None

    def run(self, command: list[str], environment=None, on_line=None) -> tuple[int, str]:
        """Run a command, print its output redacted (or hand each line to
        on_line), and return its exit status and its whole redacted output."""
        self.child = subprocess.Popen(
            command,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        lines = []
        try:
            for line in self.child.stdout:
                line = redact(line)
                lines.append(line)
                if on_line is None:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                else:
                    on_line(line)
            return self.child.wait(), "".join(lines)
        finally:
            if self.child.poll() is None:
                self.child.terminate()
                self.child.wait()
            self.child = None

    def quietly(self, command: list[str], environment=None) -> tuple[int, str]:
        return self.run(command, environment, on_line=lambda _: None)

    def stop_on_signals(self) -> None:
        """SIGTERM and SIGHUP end the run like Ctrl-C: the child stops,
        temporary files are removed and the locks written so far are put back."""

        def stop(_signum, _frame) -> None:
            if self.child is not None and self.child.poll() is None:
                self.child.terminate()
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGHUP, stop)


def hold_project_lock() -> None:
    """One make at a time changes .venv and the locks of this project.

    The lock is the kernel's (flock on the project folder), so it is released
    when the process ends, however it ends: nothing to clean up after Ctrl-C.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent runs are the user's affair
        return
    handle = os.open(".", os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("Another make is changing .venv or the locks of this project: waiting for it ...")
        sys.stdout.flush()
        fcntl.flock(handle, fcntl.LOCK_EX)
    # The handle stays open (and the lock held) until this process exits.
