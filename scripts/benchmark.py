"""`make bench`: the timings a user of a generated project feels, median of N runs.

Prints, for the default project on this machine:
  render                  copier copy with default answers
  first green             make dev + make test right after a render (warm pip cache)
  clone-and-go            make dev in a fresh clone of a project whose locks are committed
  bare minimum            python -m venv + pip install --no-deps --require-hashes of both locks
  no-op make dev          make dev again with nothing changed
  add a dependency        make dev after adding one package to requirements.in
and checks the budgets: no-op make dev under 0.3 s, clone-and-go within 1.3x
of the bare minimum measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import copier

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
NOOP_BUDGET_SECONDS = 0.3
CLONE_BUDGET_RATIO = 1.3
ADDED_DEPENDENCY = "tabulate"


def user_env() -> dict[str, str]:
    """The environment of a user's shell: without this script's venv."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL"}
    }
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not p.startswith(sys.prefix)
    )
    return env


def sh(command: list[str], cwd: Path) -> None:
    subprocess.run(
        command, cwd=cwd, env=user_env(), check=True, capture_output=True, stdin=subprocess.DEVNULL
    )


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def render(destination: Path) -> None:
    copier.run_copy(
        str(TEMPLATE_ROOT),
        str(destination),
        data={
            "project_name": "Sales Forecast",
            "python_version": PYTHON_VERSION,
        },
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )


def one_run(workdir: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    project = workdir / "project"
    figures["render"] = timed(lambda: render(project))
    figures["first green (make dev + make test)"] = timed(
        lambda: (sh(["make", "dev"], project), sh(["make", "test"], project))
    )
    figures["no-op make dev"] = timed(lambda: sh(["make", "dev"], project))

    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "bench"],
    ):
        sh(command, project)
    clone = workdir / "clone"
    sh(["git", "clone", "-q", str(project), str(clone)], workdir)
    figures["clone-and-go (make dev in a fresh clone)"] = timed(lambda: sh(["make", "dev"], clone))

    bare = workdir / "bare-venv"
    figures["bare minimum (venv + pip install of both locks)"] = timed(
        lambda: (
            sh([f"python{PYTHON_VERSION}", "-m", "venv", str(bare)], clone),
            sh(
                [
                    str(bare / "bin" / "pip"),
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--require-hashes",
                    "-r",
                    "requirements.txt",
                    "-r",
                    "requirements-dev.txt",
                ],
                clone,
            ),
        )
    )

    with (clone / "requirements.in").open("a") as handle:
        handle.write(f"{ADDED_DEPENDENCY}\n")
    figures[f"make dev after adding {ADDED_DEPENDENCY}"] = timed(lambda: sh(["make", "dev"], clone))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    runs = []
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="template-bench-") as workdir:
            print(f"run {number}/{args.runs} ...", flush=True)
            runs.append(one_run(Path(workdir)))
            shutil.rmtree(workdir, ignore_errors=True)

    medians = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    print(f"\nDefault project, Python {PYTHON_VERSION}, median of {args.runs} run(s):")
    for name, seconds in medians.items():
        print(f"  {name:<50} {seconds:8.2f} s")

    noop = medians["no-op make dev"]
    clone = medians["clone-and-go (make dev in a fresh clone)"]
    bare = medians["bare minimum (venv + pip install of both locks)"]
    checks = [
        (
            f"no-op make dev under {NOOP_BUDGET_SECONDS} s",
            noop < NOOP_BUDGET_SECONDS,
            f"{noop:.3f} s",
        ),
        (
            f"clone-and-go within {CLONE_BUDGET_RATIO}x of the bare minimum",
            clone <= CLONE_BUDGET_RATIO * bare,
            f"{clone / bare:.2f}x",
        ),
    ]
    print("\nBudgets:")
    for label, passed, figure in checks:
        print(f"  {'OK  ' if passed else 'OVER'} {label}: {figure}")
    return 0 if all(passed for _, passed, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
