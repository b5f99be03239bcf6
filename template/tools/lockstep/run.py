# The template manages this file: local edits meet the next copier update as a merge.
"""Running pip, pip-compile and uv: their output with credentials hidden,
a sign of life while a long one works quietly, a stop on SIGTERM or SIGHUP
as on Ctrl-C, and one make at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from lockstep.lockfile import redact


class LockError(Exception):
    """A refusal whose message names the problem and the fix."""


# Seconds between the plain lines of a log (CI); a terminal's line is updated every second.
HEARTBEAT_SECONDS = 10


class Progress:
    """What a quiet child is doing, and how far it got: the distinct names
    its output lines matching `counted` name (its last group that matched),
    and whether a line matching `hashing` said it went on to hash the files."""

    def __init__(self, doing: str, counted=None, hashing=None) -> None:
        self.doing, self.counted, self.hashing = doing, counted, hashing
        self.names: set[str] = set()
        self.hashes = False

    def see(self, line: str) -> None:
        found = self.counted and self.counted.match(line)
        if found:
            self.names.add(found[found.lastindex].lower().replace("_", "-").replace(".", "-"))
        self.hashes = self.hashes or bool(self.hashing and self.hashing.match(line))

    def status(self, seconds: float) -> str:
        """The line that says how far it got after `seconds`."""
        line = f"  ... still {self.doing}: {seconds:.0f} s"
        if self.counted:
            line += f", {len(self.names)} packages "
            line += "resolved, hashing their files" if self.hashes else "so far"
        return line

    def tell(self, started: float, done: threading.Event) -> None:
        """Until `done`: "  ... still resolving ...: 30 s, 41 packages so far",
        on one updating line on a terminal, else a plain line now and then."""
        terminal = sys.stdout.isatty()
        shown = False
        while not done.wait(1 if terminal else HEARTBEAT_SECONDS):
            line = self.status(time.monotonic() - started)
            sys.stdout.write(f"\r{line}\033[K" if terminal else f"{line}\n")
            sys.stdout.flush()
            shown = True
        if terminal and shown:
            sys.stdout.write("\r\033[K")  # the line gives way to what follows
            sys.stdout.flush()


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

    def quietly(self, command: list[str], environment=None, progress=None) -> tuple[int, str]:
        """Run a command without showing its output; with a Progress, say
        while it runs that it is alive and how far it got."""
        if progress is None:
            return self.run(command, environment, on_line=lambda _: None)
        done = threading.Event()
        teller = threading.Thread(target=progress.tell, args=(time.monotonic(), done), daemon=True)
        teller.start()
        try:
            return self.run(command, environment, on_line=progress.see)
        finally:
            done.set()
            teller.join()

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
