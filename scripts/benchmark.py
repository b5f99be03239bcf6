"""`make bench`: the timings a user of a generated project feels, for both lock
engines, median of N runs, each beside the floor measured in the same run.

For the default project on this machine, per engine (pip-tools, uv):
  render                  copier copy with default answers
  first green             make dev + make test right after a render
  no-op make dev          make dev again with nothing changed
  clone-and-go            make dev in a fresh clone of a project whose locks are committed
  add a dependency        make dev after adding one package to requirements.in
  compile, cooldown on    make lock of requirements.in (an edit forces it) with the
                          project's release cooldown, in turns with the same compile
                          with MIN_RELEASE_AGE=0, its floor
  make demo               (pip-tools, the default answers' engine) the README's first
                          command, in a fresh folder: the tested copier's venv, the
                          render, the sample project's make dev + make test
and the floors, the same work done by hand with the bare tools on the same inputs
(after one untimed run of the floor's steps, so both are timed with warm caches):
  pip-tools first green   python -m venv + pip-tools install + two pip-compile
                          --generate-hashes + pip install --no-deps --require-hashes +
                          the project's editable install + pytest
  pip-tools bare install  python -m venv + pip install --no-deps --require-hashes of both
                          locks + the project's editable install
  uv first green          uv venv + two uv pip compile --generate-hashes (universal) +
                          uv pip sync + the project's editable install + pytest
  uv bare sync            uv venv + uv pip sync of both locks + the project's editable install
(the editable install is pip install / uv pip install --no-deps --no-build-isolation
-e ., with the build backend the dev lock pins, as make dev installs the project)
  make demo's floor       python -m venv + pip install --require-hashes of the tested
                          copier + copier copy + the sample's make dev + make test
Each floor starts as a user types it in the project: python3.X -m venv, or
uv venv (which reads .python-version), so both find the project's Python as
make does. The uv engine's runs have a uv on PATH (its users have one; the
floors use it too), so its venv is made by uv.

Every timed step starts with the disk flushed (sync), so no step pays for
the writes of the one before; clone-and-go and its floor are timed
CLONE_SAMPLES times each, taking turns, and their median is the run's figure
(one install of a few hundred files swings with the disk by a third).

The no-op make dev is timed NOOP_REPEATS times in turns with its floor, the
venv's Python starting bare (.venv/bin/python -S -c pass), both with
bytecode writing off (PYTHONDONTWRITEBYTECODE=1, as on many CI images).

make bench BENCH_SCALE=1 (--scale) times instead, per engine, a project whose
requirements.in is scripts/benchmark-data-platform.in: its first make lock
against two compiles by hand (the engine's own command, fresh outputs), its
first make dev against a bare venv + install of both locks + the project's
editable install (in turns, SCALE_INSTALL_SAMPLES times each, the median
taken), and its no-op make dev against the venv's Python starting
(after one untimed run of the compiles, and of the install, by hand, so
both find warm caches).
A step that runs past SCALE_MINUTES is reported as not finished.

Budgets (medians): uv first green within 1.5x of its floor; uv clone-and-go
within 1.5x of a bare uv pip sync (and the project's install); pip-tools first
green within 1.3x of its floor; pip-tools clone-and-go within 1.3x of a bare
pip install (and the project's install); make demo
within 1.2x of its floor (it adds nothing to the work it runs); no-op
make dev within 2x of the venv's Python starting, for both; a compile with
the cooldown within 1.15x of the same compile without it, for both.
"""

from __future__ import annotations

import argparse
import math
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
sys.path.insert(0, str(TEMPLATE_ROOT / "template" / "tools"))
from lockstep.pip_config import pip_settings, uv_index_environment
from lockstep.platforms import COMPILE_COMMAND

PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
ENGINES = ("pip-tools", "uv")
ADDED_DEPENDENCY = "tabulate"
NOOP_REPEATS = 11
CLONE_SAMPLES = 3
COOLDOWN_SAMPLES = 5
SCALE_INPUT = TEMPLATE_ROOT / "scripts" / "benchmark-data-platform.in"
SCALE_MINUTES = 25
# The first install at scale, timed in turns with its floor: uv's takes seconds
# and swings by a third from one sample to the next; pip's takes minutes.
SCALE_INSTALL_SAMPLES = {"uv": 5, "pip-tools": 1}
SCALE_BUDGETS = tuple(
    (engine, figure, floor, ratio)
    for engine in ENGINES
    for figure, floor, ratio in (
        ("compile", "floor: compile", 1.2),
        ("first install", "floor: install", 1.2),
        ("no-op make dev", "floor: python start-up", 2.0),
    )
)
UV = Path(sys.executable).with_name("uv")
# (engine, figure, floor, allowed ratio)
RATIO_BUDGETS = (
    ("uv", "first green", "floor: first green", 1.5),
    ("uv", "clone-and-go", "floor: bare install", 1.5),
    ("pip-tools", "first green", "floor: first green", 1.3),
    ("pip-tools", "clone-and-go", "floor: bare install", 1.3),
    ("uv", "no-op make dev", "floor: python start-up", 2.0),
    ("pip-tools", "no-op make dev", "floor: python start-up", 2.0),
    ("pip-tools", "make demo", "floor: make demo", 1.2),
    ("uv", "compile, cooldown on", "floor: compile, cooldown off", 1.15),
    ("pip-tools", "compile, cooldown on", "floor: compile, cooldown off", 1.15),
)
# make demo renders with the default answers, so it runs in that engine's Bench.
DEMO_ENGINE = "pip-tools"
COPIER_LOCK = TEMPLATE_ROOT / "template" / "tools" / "copier-requirements.txt"
FLOOR_NAMES = {
    "pip-tools": {
        "floor: first green": "venv + pip-tools + 2 pip-compile + pip install + -e . + pytest",
        "floor: bare install": "python -m venv + pip install --require-hashes + -e .",
        "floor: python start-up": ".venv/bin/python -S -c pass",
        "floor: make demo": "venv + tested copier + copier copy + make dev + make test",
        "floor: compile, cooldown off": "make lock MIN_RELEASE_AGE=0",
        "floor: compile": "2 pip-compile --generate-hashes, fresh",
        "floor: install": "python -m venv + pip install both locks + pip install -e .",
    },
    "uv": {
        "floor: first green": "uv venv + 2 uv pip compile + uv pip sync + -e . + pytest",
        "floor: bare install": "uv venv + uv pip sync + uv pip install -e .",
        "floor: python start-up": ".venv/bin/python -S -c pass",
        "floor: compile, cooldown off": "make lock MIN_RELEASE_AGE=0",
        "floor: compile": "2 uv pip compile --universal --generate-hashes, fresh",
        "floor: install": "uv venv + uv pip sync + uv pip install -e .",
    },
}


def user_env(path_first: Path | None = None) -> dict[str, str]:
    """The environment of a user's shell: without this script's venv."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL"}
    }
    entries = [p for p in env["PATH"].split(os.pathsep) if not p.startswith(sys.prefix)]
    if path_first is not None:
        entries.insert(0, str(path_first))
    env["PATH"] = os.pathsep.join(entries)
    return env


def timed(action: Callable[[], object]) -> float:
    os.sync()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


class Bench:
    """One engine's run: its commands see the environment a user of it has."""

    def __init__(self, engine: str, workdir: Path) -> None:
        self.engine, self.workdir = engine, workdir
        path_first = None
        if engine == "uv":
            # A folder with only uv in it, so nothing else of this venv leaks in.
            path_first = workdir / "uv-on-path"
            path_first.mkdir()
            (path_first / "uv").symlink_to(UV)
        self.env = user_env(path_first)
        # uv does not read pip's settings: the engine's translation, for the floors.
        added, _ = uv_index_environment(pip_settings(sys.executable, self.env), self.env)
        self.uv_env = {**self.env, **added, "UV_CUSTOM_COMPILE_COMMAND": COMPILE_COMMAND}

    def sh(
        self, command: list[str], cwd: Path, env: dict[str, str] | None = None, minutes=None
    ) -> None:
        subprocess.run(
            command,
            cwd=cwd,
            env=env or self.env,
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=minutes and minutes * 60,
        )

    def render(self, destination: Path) -> None:
        copier.run_copy(
            str(TEMPLATE_ROOT),
            str(destination),
            data={
                "project_name": "Sales Forecast",
                "python_version": PYTHON_VERSION,
                "lock_engine": self.engine,
            },
            defaults=True,
            vcs_ref="HEAD",
            quiet=True,
        )

    def run(self) -> dict[str, float]:
        figures: dict[str, float] = {}
        project = self.workdir / "project"
        figures["render"] = timed(lambda: self.render(project))
        # Untimed, the floor's steps once first: the engine and the floors are
        # then timed with the same warm caches (pip's HTTP cache and index
        # pages, pip-tools' dependency cache), instead of the one timed first
        # paying for both.
        self.floor_first_green(project, "warm-up")
        figures["first green"] = timed(
            lambda: (self.sh(["make", "dev"], project), self.sh(["make", "test"], project))
        )
        quiet = {**self.env, "PYTHONDONTWRITEBYTECODE": "1"}
        bare = [str(project / ".venv/bin/python"), "-S", "-c", "pass"]
        noop, start_up = [], []
        for _ in range(NOOP_REPEATS):  # in turns, so both see the same machine
            noop.append(timed(lambda: self.sh(["make", "dev"], project, quiet)))
            start_up.append(timed(lambda: self.sh(bare, project, quiet)))
        figures["no-op make dev"] = statistics.median(noop)
        figures["floor: python start-up"] = statistics.median(start_up)
        for command in (
            ["git", "init", "-q"],
            ["git", "add", "-A"],
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qnm", "b"],
        ):
            self.sh(command, project)
        clone_and_go, bare_install = [], []
        for sample in range(CLONE_SAMPLES):
            clone = self.workdir / f"clone-{sample}"
            self.sh(["git", "clone", "-q", str(project), str(clone)], self.workdir)
            clone_and_go.append(timed(lambda clone=clone: self.sh(["make", "dev"], clone)))
            bare_install.append(self.floor_bare_install(project, sample))
        figures["clone-and-go"] = statistics.median(clone_and_go)
        cooled, uncooled = [], []
        for sample in range(COOLDOWN_SAMPLES):  # in turns; each edit forces a compile
            for ages, times in (([], cooled), (["MIN_RELEASE_AGE=0"], uncooled)):
                with (clone / "requirements.in").open("a") as handle:
                    handle.write(f"# bench {sample} {ages}\n")
                times.append(timed(lambda ages=ages: self.sh(["make", "lock", *ages], clone)))
        figures["compile, cooldown on"] = statistics.median(cooled)
        figures["floor: compile, cooldown off"] = statistics.median(uncooled)
        with (clone / "requirements.in").open("a") as handle:
            handle.write(f"{ADDED_DEPENDENCY}\n")
        figures[f"add a dependency ({ADDED_DEPENDENCY})"] = timed(
            lambda: self.sh(["make", "dev"], clone)
        )
        figures["floor: first green"] = self.floor_first_green(project)
        figures["floor: bare install"] = statistics.median(bare_install)
        if self.engine == DEMO_ENGINE:
            # Last, so both find the caches the runs above warmed.
            figures.update(self.demo())
        return figures

    def demo(self) -> dict[str, float]:
        """make demo into a fresh folder and venv, then the same steps by hand."""
        python = f"python{PYTHON_VERSION}"
        demo = self.workdir / "demo"
        make_demo = ["make", "demo", f"PYTHON={python}", f"DEMO_DIR={demo / 'project'}"]
        make_demo.append(f"DEMO_VENV={demo / 'venv'}")
        figures = {"make demo": timed(lambda: self.sh(make_demo, TEMPLATE_ROOT))}
        floor = self.workdir / "floor-demo"
        copier_venv, project = floor / "venv", floor / "project"

        def by_hand() -> None:
            self.sh([python, "-m", "venv", str(copier_venv)], self.workdir)
            pip = [str(copier_venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
            self.sh([*pip, "--require-hashes", "--no-deps", "-r", str(COPIER_LOCK)], self.workdir)
            render = [str(copier_venv / "bin" / "copier"), "copy", "--defaults", "--vcs-ref"]
            render += ["HEAD", "-d", "project_name=Demo Project"]
            render += ["-d", f"python_version={PYTHON_VERSION}", ".", str(project)]
            self.sh(render, TEMPLATE_ROOT)
            self.sh(["make", "dev"], project)
            self.sh(["make", "test"], project)

        figures["floor: make demo"] = timed(by_hand)
        return figures

    def scale(self) -> dict[str, float]:
        """The data platform's figures (--scale); inf for a step that did not finish."""
        project = self.workdir / "scale"
        self.render(project)
        shutil.copy(SCALE_INPUT, project / "requirements.in")
        floor = self.scratch_inputs(project, "scale-floor")
        if self.engine == "pip-tools":  # the floor's pip-compile, in a venv of its own
            tools = self.workdir / "scale-tools"
            self.sh([f"python{PYTHON_VERSION}", "-m", "venv", str(tools)], floor)
            self.sh(
                [str(tools / "bin" / "python"), "-m", "pip", "install", "-q", "pip-tools"], floor
            )
        figures: dict[str, float] = {}
        if self.capped(lambda: self.compile_by_hand(floor)) < math.inf:  # warm-up
            figures["floor: compile"] = self.capped(lambda: self.compile_by_hand(floor))
            # The cooldown's own cost is the default bench's: none for either.
            lock = ["make", "lock", "MIN_RELEASE_AGE=0"]
            figures["compile"] = self.capped(lambda: self.sh(lock, project, None, SCALE_MINUTES))
        else:
            figures["floor: compile"] = figures["compile"] = math.inf
        if figures["compile"] == math.inf:
            return figures
        bare = self.workdir / "scale-bare"
        self.bare_install(bare, project)  # both find the wheels cached
        first, floor_install = [], []
        for _ in range(SCALE_INSTALL_SAMPLES[self.engine]):
            # Each starts right after a whole venv is deleted (the file system
            # is still freeing it), so neither is timed on a quieter disk.
            shutil.rmtree(project / ".venv")
            first.append(self.capped(lambda: self.sh(["make", "dev"], project)))
            shutil.rmtree(bare)
            floor_install.append(self.capped(lambda: self.bare_install(bare, project)))
        figures["first install"] = statistics.median(first)
        figures["floor: install"] = statistics.median(floor_install)
        quiet = {**self.env, "PYTHONDONTWRITEBYTECODE": "1"}
        bare = [str(project / ".venv/bin/python"), "-S", "-c", "pass"]
        noop, start_up = [], []
        for _ in range(NOOP_REPEATS):
            noop.append(timed(lambda: self.sh(["make", "dev"], project, quiet)))
            start_up.append(timed(lambda: self.sh(bare, project, quiet)))
        figures["no-op make dev"] = statistics.median(noop)
        figures["floor: python start-up"] = statistics.median(start_up)
        return figures

    def capped(self, action: Callable[[], object]) -> float:
        """timed(action), or inf when it ran past SCALE_MINUTES (it is stopped)."""
        try:
            return timed(action)
        except subprocess.TimeoutExpired:
            return math.inf

    def compile_by_hand(self, folder: Path) -> None:
        """Both locks, from scratch, with the engine's own command."""
        pairs = (
            ("requirements.in", "requirements.txt"),
            ("requirements-dev.in", "requirements-dev.txt"),
        )
        for _, lock in pairs:
            (folder / lock).unlink(missing_ok=True)
        for source, lock in pairs:
            if self.engine == "uv":
                command = [str(UV), "pip", "compile", "--quiet", "--generate-hashes"]
                command += ["--universal", "--python-version", PYTHON_VERSION]
                self.sh([*command, "-o", lock, source], folder, self.uv_env, SCALE_MINUTES)
            else:
                python = str(self.workdir / "scale-tools" / "bin" / "python")
                command = [python, "-m", "piptools", "compile", "--quiet", "--generate-hashes"]
                self.sh([*command, "-o", lock, source], folder, None, SCALE_MINUTES)

    def bare_install(self, venv: Path, project: Path) -> None:
        """A venv with both locks and the project (editable), by the engine's own commands."""
        python = str(venv / "bin" / "python")
        if self.engine == "uv":
            self.uv_venv_and_sync(venv, project)
        else:
            self.sh([f"python{PYTHON_VERSION}", "-m", "venv", str(venv)], project)
            self.install_with_pip(python, project)
        self.install_project(python, project)

    def install_project(self, python: str, folder: Path) -> None:
        """The project, editable, with the build backend the locks installed (as make dev)."""
        options = ["--quiet", "--no-deps", "--no-build-isolation", "-e", "."]
        if self.engine == "uv":
            self.sh([str(UV), "pip", "install", "--python", python, *options], folder, self.uv_env)
        else:
            self.sh([python, "-m", "pip", "install", *options], folder)

    def scratch_inputs(self, project: Path, name: str) -> Path:
        """The project's inputs (no locks, no venv) in a folder of their own."""
        scratch = self.workdir / name
        shutil.copytree(
            project,
            scratch,
            ignore=shutil.ignore_patterns(".venv", ".git", "requirements*.txt", "*cache*"),
        )
        return scratch

    def floor_first_green(self, project: Path, name: str = "floor") -> float:
        scratch = self.scratch_inputs(project, f"{name}-{self.engine}")
        venv = scratch / "floor-venv"
        python = str(venv / "bin" / "python")
        pairs = (
            ("requirements.in", "requirements.txt"),
            ("requirements-dev.in", "requirements-dev.txt"),
        )

        def by_hand() -> None:
            if self.engine == "uv":
                for source, lock in pairs:
                    command = [str(UV), "pip", "compile", "--quiet", "--generate-hashes"]
                    command += ["--universal", "--python-version", PYTHON_VERSION]
                    self.sh([*command, "-o", lock, source], scratch, self.uv_env)
                self.uv_venv_and_sync(venv, scratch)
            else:
                self.sh([f"python{PYTHON_VERSION}", "-m", "venv", str(venv)], scratch)
                self.sh([python, "-m", "pip", "install", "--quiet", "pip-tools"], scratch)
                for source, lock in pairs:
                    command = [python, "-m", "piptools", "compile", "--quiet", "--generate-hashes"]
                    self.sh([*command, "-o", lock, source], scratch)
                self.install_with_pip(python, scratch)
            self.install_project(python, scratch)
            self.sh([python, "-m", "pytest", "-q"], scratch)

        return timed(by_hand)

    def floor_bare_install(self, project: Path, sample: int) -> float:
        venv = self.workdir / f"bare-{self.engine}-{sample}"
        return timed(lambda: self.bare_install(venv, project))

    def uv_venv_and_sync(self, venv: Path, folder: Path) -> None:
        # In the project, uv venv takes the Python that .python-version names.
        self.sh([str(UV), "venv", "--quiet", str(venv)], folder, self.uv_env)
        command = [str(UV), "pip", "sync", "--quiet", "--require-hashes"]
        command += ["--python", str(venv / "bin" / "python")]
        self.sh([*command, "requirements.txt", "requirements-dev.txt"], folder, self.uv_env)

    def install_with_pip(self, python: str, folder: Path) -> None:
        command = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes"]
        self.sh([*command, "-r", "requirements.txt", "-r", "requirements-dev.txt"], folder)


def report(medians: dict[str, dict[str, float]], runs: int, budgets=RATIO_BUDGETS) -> int:
    project = "Data platform project" if budgets is SCALE_BUDGETS else "Default project"
    print(f"\n{project}, Python {PYTHON_VERSION}, median of {runs} run(s):")
    checks: dict[tuple[str, str], tuple[bool, str]] = {}
    for engine, figure, floor, ratio in budgets:
        value, base = medians[engine][figure], medians[engine][floor]
        if math.inf in (value, base):  # the engine itself did not finish: nothing to compare
            checks[(engine, figure)] = (value == base, f"not finished in {SCALE_MINUTES} min")
            continue
        checks[(engine, figure)] = (
            value <= ratio * base,
            f"{value / base:.2f}x of the floor, budget {ratio}x",
        )
    for engine in ENGINES:
        print(f"\n  {engine} engine")
        for name, seconds in medians[engine].items():
            label = FLOOR_NAMES[engine].get(name, name)
            passed, budget = checks.get((engine, name), (None, ""))
            mark = "" if passed is None else ("OK  " if passed else "OVER")
            print(f"    {label:<58} {seconds:8.3f} s  {mark} {budget}".rstrip())
    over = [f"{engine} {name}" for (engine, name), (passed, _) in checks.items() if not passed]
    print("\nBudgets: " + ("all met" if not over else "over: " + ", ".join(over)))
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=ENGINES, action="append", help="default: both")
    parser.add_argument("--scale", action="store_true", help="the data platform's input instead")
    args = parser.parse_args()
    if not UV.exists():
        print(
            f"error: {UV} is missing: run make dev (the repo's dev tools pin uv)", file=sys.stderr
        )
        return 2
    engines = tuple(args.engine or ENGINES)

    runs: dict[str, list[dict[str, float]]] = {engine: [] for engine in engines}
    for number in range(1, args.runs + 1):
        # Interleaved, so both engines see the same machine and network.
        for engine in engines:
            with tempfile.TemporaryDirectory(prefix=f"template-bench-{engine}-") as workdir:
                print(f"run {number}/{args.runs}: {engine} ...", flush=True)
                bench = Bench(engine, Path(workdir))
                runs[engine].append(bench.scale() if args.scale else bench.run())
    medians = {
        engine: {name: statistics.median(run[name] for run in results) for name in results[0]}
        for engine, results in runs.items()
    }
    if set(engines) != set(ENGINES):
        for engine, figures in medians.items():
            for name, seconds in figures.items():
                print(f"  {engine:<10} {name:<40} {seconds:8.3f} s")
        return 0
    return report(medians, args.runs, SCALE_BUDGETS if args.scale else RATIO_BUDGETS)


if __name__ == "__main__":
    sys.exit(main())
