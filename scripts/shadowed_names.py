"""Write includes/shadowed-names.yml: the import names a project's package must not take.

    python scripts/shadowed_names.py --write   # render, lock, download, write (needs the index)
    python scripts/shadowed_names.py           # print the file instead of writing it

A package under src/ named like a module the project installs (numpy, six,
_pytest, ...) would shadow it and break `make test` at collection. The list
is every top-level module of every package in the locks of a project with
every option on (all `dependencies`, notebooks, Docker), and of the runtime
lock of each `dependencies` choice alone (a resolution of one package can
pull in what the resolution of all of them does not): the project is
rendered from this working tree, `make lock` and pip-compile compile the
locks against the real index, their wheels are downloaded, and each wheel's
RECORD says what it installs at the top level. tests/test_shadowed_names.py fails when a
package of the standard locks, or a direct requirement of any option, is
missing from the list: then run this script and commit the file.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "template" / "tools"))
from lockstep import lockfile

OUTPUT = ROOT / "includes" / "shadowed-names.yml"
LOCKS = ("requirements.txt", "requirements-dev.txt")
COMPILE_FLAGS = ["--quiet", "--generate-hashes", "--allow-unsafe", "--strip-extras"]
IMPORT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def every_option() -> dict[str, object]:
    """The answers that put the most packages into the locks."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!include", lambda loader, node: None)
    specs: dict[str, dict] = {}
    for document in yaml.load_all((ROOT / "copier.yml").read_text(encoding="utf-8"), Loader):
        specs.update(document or {})
    return {
        "project_name": "Every Option",
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
        "dependencies": list(specs["dependencies"]["choices"]),
        "notebooks": True,
        "docker": True,
        "ecr": True,
    }


def pinned_packages(lock_text: str) -> set[str]:
    return set(lockfile.pins(lock_text))


def wheel_modules(wheel: Path) -> set[str]:
    """Top-level import names a wheel installs, read from its RECORD."""
    with zipfile.ZipFile(wheel) as archive:
        record = next(
            name
            for name in archive.namelist()
            if name.endswith(".dist-info/RECORD") and name.count("/") == 1
        )
        rows = csv.reader(io.StringIO(archive.read(record).decode("utf-8")))
        paths = [row[0] for row in rows if row]
    names = set()
    for path in paths:
        first, _, rest = path.partition("/")
        if rest:  # a folder: a package, unless it is the wheel's metadata or scripts
            if first.endswith((".dist-info", ".data")) or first in {"..", "__pycache__"}:
                continue
            names.add(first)
        elif first.endswith((".py", ".so", ".pyd")):  # a module: name.py, name.cpython-312-...so
            names.add(first.split(".")[0])
    # Only names a package could take (lower case); not mypyc's hashed helpers.
    return {name for name in names if IMPORT_NAME.match(name) and not name.endswith("__mypyc")}


def wheel_distribution(wheel: Path) -> str:
    return lockfile.normalize(wheel.name.split("-")[0])


def render_and_lock(project: Path) -> list[Path]:
    """The every-option project's locks, then one runtime lock per dependency choice."""
    import copier

    copier.run_copy(
        str(ROOT),
        str(project),
        data=every_option(),
        defaults=True,
        unsafe=False,
        vcs_ref="HEAD",
        quiet=True,
    )
    subprocess.run(["make", "lock"], cwd=project, check=True, stdout=sys.stderr)
    locks = [project / lock for lock in LOCKS]
    for dependency in every_option()["dependencies"]:
        alone = project / f"only-{dependency}.in"
        alone.write_text(f"{dependency}\n")
        lock = project / f"only-{dependency}.txt"
        compile_command = [str(project / ".venv" / "bin" / "pip-compile"), *COMPILE_FLAGS]
        compile_command += ["--output-file", str(lock), str(alone)]
        subprocess.run(compile_command, cwd=project, check=True, stdout=sys.stderr)
        locks.append(lock)
    return locks


def download(locks: list[Path], wheels: Path) -> None:
    """Each lock on its own: two locks may pin different versions of a package."""
    for lock in locks:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--require-hashes", "--only-binary", ":all:", "--dest", str(wheels)]
        subprocess.run([*command, "-r", str(lock)], check=True)


def document(modules: dict[str, str], packages: set[str]) -> str:
    lines = [
        "# Import names a project's package must not take: each is a top-level module",
        "# installed by a package in the locks (runtime and dev, every option on), so a",
        "# package of that name under src/ would shadow it. Included by copier.yml.",
        "# Generated by scripts/shadowed_names.py --write; do not edit by hand.",
        "# tests/test_shadowed_names.py fails when it is stale.",
        "shadowed_modules:",
        "  type: yaml",
        "  when: false",
        "  default:",
    ]
    lines += [f"    {name}: {owner}" for name, owner in sorted(modules.items())]
    lines += [
        "# The packages the list was made from (what the staleness test compares).",
        "shadowed_modules_packages:",
        "  type: yaml",
        "  when: false",
        "  default:",
    ]
    lines += [f"    - {package}" for package in sorted(packages)]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        project, wheels = Path(scratch) / "every-option", Path(scratch) / "wheels"
        locks = render_and_lock(project)
        download(locks, wheels)
        packages = set().union(*(pinned_packages(lock.read_text()) for lock in locks))
        modules: dict[str, str] = {}
        for wheel in sorted(wheels.glob("*.whl")):
            for name in wheel_modules(wheel):
                modules.setdefault(name, wheel_distribution(wheel))
    text = document(modules, packages)
    if args.write:
        OUTPUT.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
