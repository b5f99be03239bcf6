# The template manages this file: local edits meet the next copier update as a merge.
"""Versions, version specifiers and environment markers, as pip reads them.

tools/locks.py needs three answers that pip's vendored `packaging` gives:
which lock entries apply to the venv's interpreter (environment markers
[1]), whether an installed version equals a pinned one, and whether a new pin
is older than the old one or outside what requirements.in allows (versions
and specifiers [2]). They are answered here, with the standard library, so
that nothing imports pip's internals (pip._vendor is not an API) and a venv
needs no pip to be synced (the uv engine's venvs have none). The rules are
packaging's, and tests/test_versions.py holds them to it.

A marker is also simplified for one Python minor version, three-valued
(True, False or the part that still depends on the platform): uv's universal
locks are cut down to the project's Python that way.

Standard library only: tools/locks.py imports it before any venv exists.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    # decide(variable, operator, value) -> True / False, or None: keep the clause.
    Decide = Callable[[str, str, str], bool | None]

# ---------------------------------------------------------------- versions
# PEP 440's own pattern [2] (appendix B), for any version a package may carry.
_VERSION_RE = re.compile(
    r"""^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


class Version:
    """A PEP 440 version, ordered as pip orders versions; ValueError if the
    text is not one."""

    def __init__(self, text: str) -> None:
        match = _VERSION_RE.match(text)
        if not match:
            raise ValueError(f"not a PEP 440 version: {text!r}")
        self.epoch = int(match["epoch"] or 0)
        self.release = tuple(int(part) for part in match["release"].split("."))
        self.pre = (
            (_PRE_RANK[match["pre_l"].lower()], int(match["pre_n"] or 0)) if match["pre"] else None
        )
        post = match["post_n1"] or match["post_n2"]
        self.post = int(post or 0) if match["post"] else None
        self.dev = int(match["dev_n"] or 0) if match["dev"] else None
        local = match["local"] or ""
        self.local = tuple(
            (1, int(part), "") if part.isdigit() else (0, 0, part.lower())
            for part in re.split(r"[-_.]", local)
            if part
        )

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    def public_key(self) -> tuple:
        """The sort key without the local label (`+...`)."""
        release = list(self.release)
        while len(release) > 1 and release[-1] == 0:
            release.pop()  # 1.0 == 1.0.0
        if self.pre is not None:
            pre: tuple = (1, *self.pre)
        elif self.dev is not None and self.post is None:
            pre = (0,)  # 1.0.dev0 sorts before 1.0a0
        else:
            pre = (2,)
        post = (0,) if self.post is None else (1, self.post)
        dev = (1,) if self.dev is None else (0, self.dev)
        return (self.epoch, tuple(release), pre, post, dev)

    def key(self) -> tuple:
        return (*self.public_key(), self.local)

    def base_key(self) -> tuple:
        """The key of the release alone (1.2rc1 and 1.2.post3 share 1.2's)."""
        return self.public_key()[:2]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.key() == other.key()

    def __lt__(self, other: Version) -> bool:
        return self.key() < other.key()

    def __hash__(self) -> int:
        return hash(self.key())


def parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except ValueError:
        return None


# ---------------------------------------------------------------- specifiers
_SPECIFIER_RE = re.compile(r"^\s*(===|==|!=|<=|>=|~=|<|>)\s*(\S+?)\s*$")


def _prefix_matches(candidate: Version, prefix_text: str) -> bool:
    """`==1.2.*`: the candidate's release starts with 1.2 (epoch equal)."""
    prefix = Version(prefix_text)
    if prefix.pre is not None or prefix.post is not None or prefix.dev is not None:
        raise ValueError("a prefix match takes a release only")
    release = candidate.release + (0,) * max(0, len(prefix.release) - len(candidate.release))
    return candidate.epoch == prefix.epoch and release[: len(prefix.release)] == prefix.release


def specifier_contains(specifier: str, candidate_text: str) -> bool:
    """Does one specifier (`>=1.2`, `==3.11.*`, `~=2.0`) admit the version,
    pre-releases included? A candidate that is no version is admitted by
    nothing; ValueError when the specifier cannot be read."""
    match = _SPECIFIER_RE.match(specifier)
    if not match:
        raise ValueError(f"not a version specifier: {specifier!r}")
    op, value = match.groups()
    if op == "===":
        return candidate_text.strip().lower() == value.lower()
    if value.endswith(".*"):
        if op not in ("==", "!="):
            raise ValueError(f"{op} takes no wildcard: {specifier!r}")
        Version(value[:-2])  # a ValueError if the prefix is no version
        candidate = parse_version(candidate_text)
        if candidate is None:
            return False
        return _prefix_matches(candidate, value[:-2]) == (op == "==")
    spec = Version(value)
    if spec.local and op not in ("==", "!="):
        raise ValueError(f"{op} takes no local version: {specifier!r}")
    if op == "~=" and len(spec.release) < 2:
        raise ValueError(f"~= needs two release numbers: {specifier!r}")
    candidate = parse_version(candidate_text)
    if candidate is None:
        return False
    public = candidate.public_key()
    same_release = candidate.base_key() == spec.base_key()
    if op in ("==", "!="):
        equal = candidate.key() == spec.key() if spec.local else public == spec.public_key()
        return equal == (op == "==")
    if op == "~=":
        prefix = ".".join(map(str, spec.release[:-1]))
        if spec.epoch:
            prefix = f"{spec.epoch}!{prefix}"
        return public >= spec.public_key() and _prefix_matches(candidate, prefix)
    if op == "<=":
        return public <= spec.public_key()
    if op == ">=":
        return public >= spec.public_key()
    if op == "<":
        # <3.11 does not admit 3.11's own pre-releases (3.11.0rc1).
        return public < spec.public_key() and not (
            not spec.is_prerelease and candidate.is_prerelease and same_release
        )
    # >: 3.11's post-releases and local versions are not "greater than 3.11".
    if spec.post is None and candidate.post is not None and same_release:
        return False
    if candidate.local and same_release:
        return False
    return public > spec.public_key()


def requirement_admits(requirement: str, version: str) -> bool:
    """Does a requirement line (`pandas>=2,<3 ; python_version >= "3.10"`)
    admit `version`? Its name, extras and marker are not asked about."""
    without_marker = requirement.split(";", 1)[0]
    specifiers = re.sub(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?", "", without_marker)
    specifiers = specifiers.strip().strip("()")
    if not specifiers or specifiers.startswith("@"):
        return True  # no version asked for (`name @ URL` names a file, not a version)
    return all(specifier_contains(part, version) for part in specifiers.split(","))


# ---------------------------------------------------------------- markers
# The variables whose comparisons are version comparisons (packaging's
# MARKERS_REQUIRING_VERSION); every other variable compares as text.
VERSION_VARIABLES = frozenset(
    {"python_version", "python_full_version", "platform_release", "implementation_version"}
)
_TOKEN_RE = re.compile(
    r"\s*(?:(?P<paren>[()])|(?P<op>===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)"
    r"|(?P<bool>and\b|or\b)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<var>[A-Za-z_][A-Za-z0-9_.]*))"
)
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def _tokens(marker: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    marker = marker.strip()
    while position < len(marker):
        match = _TOKEN_RE.match(marker, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot read marker {marker!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(marker) and marker[position].isspace():
            position += 1
    return tokens


class _MarkerParser:
    """Three-valued evaluation: True, False, or the marker text still needed."""

    def __init__(self, tokens: list[tuple[str, str]], decide: Decide) -> None:
        self.tokens, self.position, self.decide = tokens, 0, decide

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ValueError("marker ends too early")
        self.position += 1
        return token

    def parse(self) -> bool | str:
        result = self.expression()
        if self.peek() is not None:
            raise ValueError("marker has trailing text")
        return result

    def expression(self) -> bool | str:
        parts = [self.conjunction()]
        while self.peek() == ("bool", "or"):
            self.take()
            parts.append(self.conjunction())
        if any(part is True for part in parts):
            return True
        kept = [part for part in parts if part is not False]
        return " or ".join(kept) if kept else False  # type: ignore[arg-type]

    def conjunction(self) -> bool | str:
        parts = [self.atom()]
        while self.peek() == ("bool", "and"):
            self.take()
            parts.append(self.atom())
        if any(part is False for part in parts):
            return False
        kept = [f"({part})" if " or " in part else part for part in parts if part is not True]  # type: ignore[operator]
        return " and ".join(kept) if kept else True

    def atom(self) -> bool | str:
        if self.peek() == ("paren", "("):
            self.take()
            inner = self.expression()
            if self.take() != ("paren", ")"):
                raise ValueError("unbalanced parentheses")
            return inner
        left, op, right = self.take(), self.take(), self.take()
        if op[0] != "op" or {left[0], right[0]} != {"var", "str"}:
            raise ValueError("not a comparison")
        spaced_op = " ".join(op[1].split())
        decided = self.decide(left[1], spaced_op, right[1])
        return f"{left[1]} {spaced_op} {right[1]}" if decided is None else decided


def _unquote(token: str) -> str | None:
    """The text of a quoted token, None for a variable."""
    return token[1:-1] if token[:1] in ("'", '"') else None


def _compare(left: str, op: str, right: str, variable: str) -> bool:
    """One marker comparison, as packaging makes it [1]."""
    if variable in VERSION_VARIABLES:
        try:
            return specifier_contains(f"{op}{right}", left)
        except ValueError:
            pass  # not a specifier: compared as text
    if op == "in":
        return left in right
    if op == "not in":
        return left not in right
    # Text has no order: < and > never hold, <= and >= hold when equal.
    textual = {
        "==": left == right,
        "!=": left != right,
        "<": False,
        "<=": left == right,
        ">": False,
        ">=": left == right,
    }
    if op not in textual:
        raise ValueError(f"{op} cannot compare {left!r} and {right!r}")
    return textual[op]


def default_environment() -> dict[str, str]:
    """The marker variables of the running interpreter (packaging's names)."""
    import platform  # here, not at the top: a no-op make dev never needs it

    version = sys.implementation.version
    implementation_version = f"{version.major}.{version.minor}.{version.micro}"
    if version.releaselevel != "final":
        implementation_version += version.releaselevel[0] + str(version.serial)
    full_version = platform.python_version()
    if full_version.endswith("+"):
        full_version += "local"  # an untagged build: "3.13.0+" is no version
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": implementation_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": full_version,
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def evaluate_marker(marker: str, environment: dict[str, str]) -> bool:
    """Does the marker hold in this environment? ValueError if it cannot be
    read or names a variable the environment lacks."""

    def decide(left: str, op: str, right: str) -> bool:
        variable = right if _unquote(left) is not None else left
        if variable not in environment:
            raise ValueError(f"unknown marker variable {variable!r}")
        left_value = environment[left] if _unquote(left) is None else _unquote(left)
        right_value = environment[right] if _unquote(right) is None else _unquote(right)
        return _compare(left_value or "", op, right_value or "", variable)

    result = _MarkerParser(_tokens(marker), decide).parse()
    assert isinstance(result, bool)
    return result


# ---------------------------------------------------------------- one Python minor version
def _release(text: str) -> tuple[int, ...] | None:
    if not re.fullmatch(r"\d+(\.\d+)*", text):
        return None
    return tuple(int(part) for part in text.split("."))


def _compare_releases(left: tuple[int, ...], op: str, right: tuple[int, ...]) -> bool:
    width = max(len(left), len(right))
    left = left + (0,) * (width - len(left))
    right = right + (0,) * (width - len(right))
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "==": left == right,
        "!=": left != right,
    }[op]


def _python_clause(variable: str, op: str, value: str, minor: tuple[int, int]) -> bool | None:
    """A python_version / python_full_version clause decided for every release
    of one minor version (None: it depends on the patch release)."""
    if op not in _FLIPPED:
        return None
    if value.endswith(".*"):
        prefix = _release(value[:-2])
        if prefix is None or op not in ("==", "!="):
            return None
        if len(prefix) > 2:
            if prefix[:2] != minor:
                return op == "!="
            return None
        matches = prefix == minor[: len(prefix)]
        return matches if op == "==" else not matches
    version = _release(value)
    if version is None:
        return None
    if variable == "python_version":
        return _compare_releases(minor, op, version)
    lowest, highest = (*minor, 0), (*minor, 10**6)
    at_lowest = _compare_releases(lowest, op, version)
    at_highest = _compare_releases(highest, op, version)
    if op in ("==", "!=") and version[:2] == minor and len(version) > 2:
        return None
    return at_lowest if at_lowest == at_highest else None


def simplify_marker(marker: str, python_version: str) -> bool | str:
    """The marker for one Python minor version ("3.12"): True (always holds),
    False (never), or the marker without its decided Python clauses. A marker
    this cannot read is returned as it was (the installer evaluates it anyway)."""
    minor = _release(python_version)
    if minor is None or len(minor) != 2:
        return marker

    def decide(left: str, op: str, right: str) -> bool | None:
        variable, value = left, _unquote(right)
        if value is None:  # 'value' op variable: read it the other way round
            variable, value, op = right, _unquote(left), _FLIPPED.get(op, "")
        if variable in ("python_version", "python_full_version") and value is not None:
            return _python_clause(variable, op, value, (minor[0], minor[1]))
        return None

    try:
        return _MarkerParser(_tokens(marker), decide).parse()
    except (ValueError, KeyError):
        return marker


# References
# [1] PEP 508, Environment markers: https://peps.python.org/pep-0508/#environment-markers
#     and packaging's marker evaluation: https://packaging.pypa.io/en/stable/markers.html
# [2] PEP 440 (Version specifiers), Appendix B: https://peps.python.org/pep-0440/
