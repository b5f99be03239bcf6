# The template manages this file: local edits meet the next copier update as a merge.
"""The sync stamp: what a no-op `make dev` checks.

A sync that succeeded leaves a stamp in the venv holding what it read: the
command line, every input and lock, pyproject.toml, and the names of what the
venv holds. The next sync with the same command line compares them again,
byte for byte, and when nothing changed it only repeats what the last one
said. Any change (an edited input, a merge, a package installed by hand, an
install cut short) makes it do the work. No fingerprint to compute: holding
the bytes themselves costs a few hundred kilobytes and no hashing module, and
reading them as bytes costs no decoding.

Standard library only, and not even `os`, `re` or `pathlib`: this runs on every
`make dev`, which must stay about as quick as Python starting.
"""
# open() and plain strings: importing pathlib alone would take longer than the check.
# ruff: noqa: PTH103, PTH105, PTH120, PTH123, PTH208

try:  # the built-in module under os: importing os itself is a quarter of a no-op's time
    from posix import listdir
except ImportError:  # Windows has no posix module
    from os import listdir


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
    """A file's bytes (b"" when it is missing): bytes, so nothing is decoded
    and no line ending translated before the comparison."""
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def encoded(text):
    """A command line or a path as bytes, whatever bytes the OS allowed in it."""
    return text.encode("utf-8", "surrogateescape")


def stamp_path(venv):
    return venv + "/.stamps/synced"  # every platform's open() takes "/"


def listing(site_packages):
    """The installed distributions' folder names (site_packages in bytes):
    they change on every install, removal or upgrade, and an install cut
    short leaves a mark."""
    try:
        names = listdir(site_packages)
    except OSError:
        return b""
    return b"\n".join(sorted(name for name in names if name.endswith(b".dist-info")))


def encode(fields):
    """Length-prefixed fields: unambiguous whatever the files hold."""
    return b"".join(b"%d:%s" % (len(field), field) for field in fields)


def decode(stamp):
    """The fields back; ValueError for a stamp cut short or garbled."""
    fields, at = [], 0
    while at < len(stamp):
        colon = stamp.index(b":", at)
        length = int(stamp[at:colon])
        if length < 0 or colon + 1 + length > len(stamp):
            raise ValueError("a field cut short")
        fields.append(stamp[colon + 1 : colon + 1 + length])
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
    if command != encoded("\0".join(argv)) or installed != listing(site_packages):
        return None
    for path, content in zip(files[::2], files[1::2], strict=False):
        if read(path) != content:
            return None
    return said.decode("utf-8", "surrogateescape")


def remember(argv, venv, site_packages, paths, said):
    """Write the stamp after a sync that succeeded (in one step: a stamp cut
    short by Ctrl-C must not read as current)."""
    import os  # only once there was work to do

    site_packages = encoded(site_packages)
    fields = [encoded(said), encoded("\0".join(argv)), site_packages, listing(site_packages)]
    fields.append(b"%d" % len(paths))
    for path in paths:
        fields += [encoded(path), read(path)]
    stamp = stamp_path(venv)
    os.makedirs(os.path.dirname(stamp), exist_ok=True)
    with open(stamp + ".tmp", "wb") as stream:
        stream.write(encode(fields))
    os.replace(stamp + ".tmp", stamp)


def keep_compiled():
    """Write this package's bytecode, which Python reads even where writing
    it is turned off (PYTHONDONTWRITEBYTECODE, as on many CI images): the
    no-op path then compiles nothing but tools/locks.py."""
    import compileall
    import os

    compileall.compile_dir(os.path.dirname(__file__), quiet=2)
