"""tools/lockstep/stamp.py: what a no-op `make dev` checks. A stamp is
trusted only while everything the last sync read is byte for byte the same;
test_lock_engines.py checks that reading it loads no heavy module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lockstep import stamp
from support.project import TEMPLATE_ROOT

# How the files an .in file includes were found before stamp.py (tools/locks.py's INCLUDE_RE).
OLD_INCLUDE_RE = re.compile(
    r"^\s*-[cr]\s+(\S+)|^\s*--(?:constraint|requirement)[=\s]+(\S+)", re.MULTILINE
)
LINES = [
    "-r base.in",
    "-c requirements.txt",
    "--requirement=shared/dev.in",
    "--requirement shared/test.in",
    "--constraint=constraints.txt",
    "--constraint  more-constraints.txt",
    "  -r indented.in",
    "-c\ttabbed.txt",
    "-r with-comment.in  # the shared pins",
    "--requirement= spaced.in",
    "",
    "   ",
    "# -r commented-out.in",
    "#-c commented-out.txt",
    "pandas  # -r not-an-include.in",
    "pandas>=2.2",
    "-e ./libs/mylib",
    "--index-url https://example.com/simple",
    "-rno-space.in",
    "-r=equals.in",
    "-r",
    "--requirement",
    "--requirement=",
    "-R upper-case.in",
    "--requirements plural.in",
    "--constraints plural.txt",
]


@pytest.mark.parametrize("line", LINES)
def test_included_names_are_the_ones_the_old_regex_found(line: str) -> None:
    old = [first or second for first, second in OLD_INCLUDE_RE.findall(line)]
    assert stamp.included_names(line) == old


def test_included_names_reads_every_spelling_in_order_and_skips_the_rest() -> None:
    text = "\n".join(LINES) + "\n"
    assert stamp.included_names(text) == [
        "base.in",
        "requirements.txt",
        "shared/dev.in",
        "shared/test.in",
        "constraints.txt",
        "more-constraints.txt",
        "indented.in",
        "tabbed.txt",
        "with-comment.in",
        "spaced.in",
    ]


@pytest.mark.parametrize(
    "fields",
    [
        [],
        [""],
        ["said", "--venv\0.venv\0sync", "/v/site-packages", "a-1.dist-info\nb-2.dist-info"],
        ["3:abc", "12:", ":", "0", "", "10:0123456789"],  # fields that look like the encoding
        ["line one\nline two\n", "\r\n", "\0", "é ünïcode ✓", "x" * 10_000],
    ],
    ids=["none", "one-empty", "a-stamp", "colons-and-digits", "newlines-and-more"],
)
def test_fields_read_back_as_they_were_written(fields: list[str]) -> None:
    held = [stamp.encoded(field) for field in fields]  # a stamp holds bytes
    assert stamp.decode(stamp.encode(held)) == held


SAID = "warning: requirements.txt was resolved by pip-compile on macos-arm64\n"
ARGV = ["--venv", ".venv", "sync"]
FILES = ("requirements.in", "requirements-dev.in", ".python-version", "pyproject.toml")


@pytest.fixture
def synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose last sync succeeded: its files, its venv, its stamp (cwd)."""
    monkeypatch.chdir(tmp_path)
    Path("requirements.in").write_text("pandas\n")
    Path("requirements-dev.in").write_text("-c requirements.txt\npytest\n")
    Path(".python-version").write_text("3.12\n")
    # pyproject.toml is missing: read as empty, and a new one counts as a change.
    site_packages = Path(".venv/lib/python3.12/site-packages")
    for name in ("pandas-3.1.1.dist-info", "pytest-9.2.0.dist-info", "pandas"):
        (site_packages / name).mkdir(parents=True)
    stamp.remember(ARGV, ".venv", str(site_packages), list(FILES), SAID)
    return site_packages


def test_nothing_changed_gives_back_what_the_last_sync_said(synced: Path) -> None:
    assert stamp.unchanged(ARGV) == SAID
    assert stamp.unchanged(list(ARGV)) == SAID  # asked again: still nothing to do


def test_a_venv_named_otherwise_has_its_own_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("requirements.in").write_text("pandas\n")
    (tmp_path / "env" / "site").mkdir(parents=True)
    argv = ["--venv", "env", "sync", "--prod"]
    stamp.remember(argv, "env", "env/site", ["requirements.in"], "")
    assert Path("env/.stamps/synced").exists()
    assert stamp.unchanged(argv) == ""  # nothing was said: still a stamp, not None
    assert stamp.unchanged(["sync", "--prod"]) is None  # .venv has none


def edit(path: str) -> None:
    Path(path).write_text(Path(path).read_text() + "tabulate\n")


@pytest.mark.parametrize(
    "change",
    [
        lambda _: edit("requirements.in"),
        lambda _: Path("requirements.in").write_text("Pandas\n"),  # same size
        lambda _: Path("requirements.in").write_text("pandas\n\n"),
        lambda _: Path("requirements.in").write_bytes(b"pandas\r\n"),
        lambda _: Path(".python-version").write_text("3.13\n"),
        lambda _: Path("requirements-dev.in").unlink(),
        lambda _: Path("pyproject.toml").write_text("[project]\n"),
        lambda site: (site / "tabulate-0.10.0.dist-info").mkdir(),
        lambda site: (site / "pandas-3.1.1.dist-info").rename(site / "pandas-3.2.0.dist-info"),
        lambda site: (site / "pytest-9.2.0.dist-info").rmdir(),
        lambda site: (site / "~andas-3.1.1.dist-info").mkdir(),  # pip's stash of a cut removal
    ],
    ids=[
        "input-edited",
        "input-edited-same-size",
        "blank-line-added",
        "line-ending-changed",
        "python-version",
        "input-deleted",
        "pyproject-added",
        "package-installed",
        "package-upgraded",
        "package-removed",
        "removal-cut-short",
    ],
)
def test_any_change_to_what_the_sync_read_means_work_to_do(synced: Path, change) -> None:
    change(synced)
    assert stamp.unchanged(ARGV) is None


def test_a_change_undone_is_no_change(synced: Path) -> None:
    """Bytes are compared, not file times: an edit undone leaves nothing to do."""
    before = Path("requirements.in").read_bytes()
    edit("requirements.in")
    assert stamp.unchanged(ARGV) is None
    Path("requirements.in").write_bytes(before)
    assert stamp.unchanged(ARGV) == SAID


def test_an_input_that_is_not_utf8_is_compared_as_it_is(synced: Path) -> None:
    Path("requirements.in").write_bytes(b"# caf\xe9 (Latin-1)\npandas\n")
    stamp.remember(ARGV, ".venv", str(synced), list(FILES), SAID)
    assert stamp.unchanged(ARGV) == SAID
    Path("requirements.in").write_bytes(b"# caf\xe8 (Latin-1)\npandas\n")
    assert stamp.unchanged(ARGV) is None


def test_what_is_not_an_installed_distribution_changes_nothing(synced: Path) -> None:
    (synced / "pandas" / "__pycache__").mkdir()
    (synced / "six.py").write_text("")
    assert stamp.unchanged(ARGV) == SAID


@pytest.mark.parametrize(
    "argv",
    [
        ["--venv", ".venv", "sync", "--prod"],
        ["sync"],  # the same venv (the default), another command line
        ["--venv", ".venv", "--engine", "uv", "sync"],
        ["--venv", ".venv", "sync", "--", "-v"],
        ["--venv", "other", "sync"],
    ],
)
def test_another_command_line_means_work_to_do(synced: Path, argv: list[str]) -> None:
    assert stamp.unchanged(argv) is None


def test_no_stamp_means_work_to_do(synced: Path) -> None:
    Path(stamp.stamp_path(".venv")).unlink()
    assert stamp.unchanged(ARGV) is None


def test_an_empty_or_unreadable_stamp_means_work_to_do(synced: Path) -> None:
    written = Path(stamp.stamp_path(".venv"))
    for text in ("", "garbage", "x:yz", "99999:short", "-1:"):
        written.write_text(text)
        assert stamp.unchanged(ARGV) is None, text


@pytest.mark.parametrize("kept", ["half", "all-but-one"])
def test_a_stamp_cut_short_means_work_to_do(synced: Path, kept: str) -> None:
    written = Path(stamp.stamp_path(".venv"))
    text = written.read_text()
    written.write_text(text[: len(text) // 2] if kept == "half" else text[:-1])
    assert stamp.unchanged(ARGV) is None


def field_ends(text: str) -> list[int]:
    """Where each field of an encoded stamp ends."""
    ends, at = [], 0
    while at < len(text):
        colon = text.index(":", at)
        at = colon + 1 + int(text[at:colon])
        ends.append(at)
    return ends


def test_a_stamp_cut_short_at_any_field_boundary_means_work_to_do(synced: Path) -> None:
    written = Path(stamp.stamp_path(".venv"))
    text = written.read_text()
    trusted = []
    for end in field_ends(text)[:-1]:
        written.write_text(text[:end])
        if stamp.unchanged(ARGV) is not None:
            trusted.append(end)
    assert trusted == []


def test_a_stamp_with_a_negative_length_means_work_to_do(synced: Path) -> None:
    Path(stamp.stamp_path(".venv")).write_text("-3:")
    code = "import sys; from lockstep import stamp; print(stamp.unchanged(sys.argv[1:]))"
    tools = str(TEMPLATE_ROOT / "template" / "tools")
    asked = subprocess.run(
        [sys.executable, "-S", "-c", code, *ARGV],
        env={**os.environ, "PYTHONPATH": tools},
        check=False,
        capture_output=True,
        text=True,
        timeout=2,
    )
    assert asked.stdout == "None\n"
