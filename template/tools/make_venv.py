# The template manages this file: local edits meet the next copier update as a merge.
"""Create .venv for the Python in .python-version (`make venv`).

Run by that Python itself, with -S (the standard library is all this needs,
and a base Python's site-packages can be slow to load). It exits at once
when it is another version: the Makefile then runs tools/require_python.sh,
which says how to get the right one (so a good Python is started once, not
twice). It holds the project lock that tools/locks.py holds, so two `make
dev` started at once make one venv, not two halves of one; and the stamp
that tells make the venv is done is written last, so a venv left half-made
by Ctrl-C is rebuilt by the next run, not trusted.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from locks import hold_project_lock, site_packages


def main(venv_dir: Path, stamp: Path, package: str, engine_name: str = "", wanted: str = "") -> int:
    version = "{}.{}".format(*sys.version_info[:2])
    if wanted and version != wanted:
        return 1  # the Makefile then runs tools/require_python.sh, which says what to do
    hold_project_lock()
    if stamp.exists():
        return 0  # another make made it while this one waited
    if venv_dir.exists():
        config = venv_dir / "pyvenv.cfg"
        said = config.read_text(errors="replace") if config.exists() else ""
        made_for = next((line for line in said.splitlines() if line.startswith("version")), "")
        if made_for.split("=")[-1].strip().startswith(f"{version}."):
            print(f"{venv_dir} was left unfinished by an earlier run; rebuilding it.")
        else:
            print(
                f"{venv_dir} was not made for Python {version} "
                f"(it says: {made_for or 'nothing'}); rebuilding it."
            )
        shutil.rmtree(venv_dir)
    print(f"Creating {venv_dir} with Python {version} ({sys.executable})")
    if not faster_venv(venv_dir, engine_name):
        import venv

        # Without the pip bundled with Python: tools/locks.py installs the
        # pip the locks pin (ensure_pip), instead of replacing this one.
        venv.create(venv_dir, with_pip=False)
    # Put src/ on the venv's path, as an editable install would; the sync
    # leaves a .pth file alone, while it would remove an editable install.
    # Written from Python, so a project path with quotes or spaces is fine.
    # The folder the new venv made, found as tools/locks.py finds it: not
    # sysconfig's default paths, which on Debian's and Ubuntu's own Python
    # name /usr/local-style ones (local/lib/python3.X/dist-packages).
    purelib = site_packages(venv_dir)
    if purelib is None:
        print(
            f"error: {venv_dir} has no lib/python*/site-packages folder; run make clean-venv, then make dev."
        )
        return 2
    source = Path.cwd().joinpath("src").resolve()
    Path(purelib, f"{package}.pth").write_text(f"{source}\n", encoding="utf-8")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()
    return 0


def faster_venv(venv_dir: Path, engine_name: str) -> bool:
    """Let the lock engine make the venv if it has a faster way (a uv on PATH
    makes it in a few milliseconds, without pip: the uv engine needs none)."""
    if not engine_name:
        return False
    import subprocess

    import lock_engines

    try:
        engine = lock_engines.get_engine(engine_name)
    except ValueError:
        return False  # tools/locks.py names the problem, right after
    command = engine.venv_command(sys.executable, venv_dir)
    if command is None:
        return False
    # No index is asked (no pip is seeded): the user's environment as it is,
    # without the engine's translation of pip's settings.
    made = subprocess.run(command, check=False)
    if made.returncode != 0:
        shutil.rmtree(venv_dir, ignore_errors=True)
        print("(making it with python -m venv instead)")
    return made.returncode == 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], *sys.argv[4:6]))
