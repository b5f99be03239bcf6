# The template manages this file: local edits meet the next copier update as a merge.
"""The sync stamp: what a no-op `make dev` checks.

A sync that succeeded leaves a stamp in the venv holding what it read: the
command line, every input and lock, pyproject.toml, and the names of what the
venv holds. The next sync with the same command line compares them again,
byte for byte, and when nothing changed it only repeats what the last one
said. Any change (an edited input, a merge, a package installed by hand, an
install cut short) makes it do the work. No fingerprint to compute: holding
the bytes themselves costs a few hundred kilobytes and no hashing module.

Standard library only, and not even `re` or `pathlib`: this runs on every
`make dev`, which must stay about as quick as Python starting.
"""
# os.path and open(): importing pathlib alone would take longer than the check.
# ruff: noqa: PTH103, PTH105, PTH118, PTH120, PTH123, PTH208

import os


def included_names(text):
    """The files an .in file includes or constrains (`-r x`, `-c x`,
    `--requirement=x`, `--constraint x`), as written."""
    names = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        option, _, value = words[0].partition("=")
        if option in ("-r", "-c") and not value and len(words) > 1:
            names.append(words[1])
        elif option in ("--requirement", "--constraint") and (value or len(words) > 1):
            names.append(value or words[1])
    return names


def read(path):
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except OSError:
        return ""


def stamp_path(venv):
    return os.path.join(venv, ".stamps", "synced")


def listing(site_packages):
    """The installed distributions' folder names: they change on every
    install, removal or upgrade, and an install cut short leaves a mark."""
    try:
        names = os.listdir(site_packages)
    except OSError:
        return ""
    return "\n".join(sorted(name for name in names if name.endswith(".dist-info")))


def encode(fields):
    """Length-prefixed fields: unambiguous whatever the files hold."""
    return "".join(f"{len(field)}:{field}" for field in fields)


def decode(text):
    """The fields back; ValueError for a stamp cut short or garbled."""
    fields, at = [], 0
    while at < len(text):
        colon = text.index(":", at)
        length = int(text[at:colon])
        if length < 0 or colon + 1 + length > len(text):
            raise ValueError("a field cut short")
        fields.append(text[colon + 1 : colon + 1 + length])
        at = colon + 1 + length
    return fields


def unchanged(argv):
    """What the last sync said, when nothing it read changed since; else None."""
    venv = argv[argv.index("--venv") + 1] if "--venv" in argv[:-1] else ".venv"
    try:
        said, command, site_packages, installed, count, *files = decode(read(stamp_path(venv)))
        if len(files) != 2 * int(count):
            raise ValueError("cut short between two fields")
    except ValueError:  # no stamp, one cut short, or one of an older release
        return None
    if command != "\0".join(argv) or installed != listing(site_packages):
        return None
    for path, content in zip(files[::2], files[1::2], strict=False):
        if read(path) != content:
            return None
    return said


def remember(argv, venv, site_packages, paths, said):
    """Write the stamp after a sync that succeeded (in one step: a stamp cut
    short by Ctrl-C must not read as current)."""
    fields = [said, "\0".join(argv), site_packages, listing(site_packages), str(len(paths))]
    for path in paths:
        fields += [path, read(path)]
    stamp = stamp_path(venv)
    os.makedirs(os.path.dirname(stamp), exist_ok=True)
    with open(stamp + ".tmp", "w", encoding="utf-8") as stream:
        stream.write(encode(fields))
    os.replace(stamp + ".tmp", stamp)


def keep_compiled():
    """Write this package's bytecode, which Python reads even where writing
    it is turned off (PYTHONDONTWRITEBYTECODE, as on many CI images): the
    no-op path then compiles nothing but tools/locks.py."""
    import compileall

    compileall.compile_dir(os.path.dirname(__file__), quiet=2)
