# The template manages this file: local edits meet the next copier update as a merge.
"""make audit: name every pin of the locks that has a known vulnerability
(pip-audit) or that its index has yanked (pip's own answer), with the fix.

Run by the Python of pip-audit's venv (.venv/tools/pip-audit, installed
exactly from tools/audit-requirements.txt), so nothing enters the project's
venv and an old pin there (say requests) cannot hold pip-audit back. Exits 1
on a finding, 2 when the audit could not be done (nothing is called clean
then), and leaves its result where make doctor reads it.

    python tools/audit.py --result FILE --lock LOCK... [PIP-AUDIT OPTIONS]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import tomli  # pip-audit's own dependency, on every Python the template supports
from lockstep.cooldown import UTC
from lockstep.lockfile import normalize, pins_with_markers, redact

# pip's warning for a yanked candidate; its install report has no reason field.
YANKED_RE = re.compile(
    r"yanked version: '([^']+)' candidate \(version (\S+) .*?\n\s*Reason for being yanked: (.*)"
)
INDEX_FAILURE_RE = re.compile(r"(connection broken by .*|HTTP error \d+ .*|Could not fetch URL .*)")
FIX = "make upgrade-package P={}  (raise its bound in requirements*.in first, if one holds it)"


NOTHING_AUDITED = (
    "pip-audit could not check the pins, so nothing was audited: {}\n"
    "       Check the network, or name another vulnerability service in AUDIT_ARGS"
    " (e.g. AUDIT_ARGS='--vulnerability-service osv')."
)


class AuditError(Exception):
    """The audit could not run: the message names what failed and the fix."""


def accepted_advisories(pyproject: Path) -> dict[str, str]:
    """[tool.audit.ignore] of pyproject.toml: advisory id -> why it is accepted."""
    settings = tomli.loads(pyproject.read_text(encoding="utf-8")) if pyproject.exists() else {}
    accepted = settings.get("tool", {}).get("audit", {}).get("ignore", {})
    for advisory, reason in accepted.items():
        if not isinstance(reason, str) or not reason.strip():
            raise AuditError(
                f'pyproject.toml [tool.audit.ignore] "{advisory}" gives no reason: write why it is'
                f' accepted, e.g. "{advisory}" = "we never call the affected function"'
            )
    return accepted


def last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return redact(lines[-1].strip() if lines else "no output")


def yanked_pins(locks: list[Path]) -> dict[tuple[str, str], str]:
    """(name, version) -> the index's reason, for each yanked pin whose marker
    holds here: the files pip would pick, asked of the index as pip asks it."""
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps"]
    command += ["--ignore-installed", "--quiet", "--report", "-"]
    command += [argument for lock in locks for argument in ("-r", str(lock))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # pip's last line ("No matching distribution") hides why: the index's answer.
        cause = INDEX_FAILURE_RE.search(done.stderr)
        raise AuditError(
            "the index could not be asked which pins are yanked: "
            f"{redact(cause.group(1)) if cause else last_line(done.stderr)}\n"
            "       Check the network and the index settings (pip.conf, PIP_INDEX_URL)."
        )
    reasons = {(normalize(n), v): r.strip() for n, v, r in YANKED_RE.findall(done.stderr)}
    report = json.loads(done.stdout)["install"]
    return {
        key: reasons.get(key, "no reason given")
        for item in report
        if item.get("is_yanked")
        for key in [(normalize(item["metadata"]["name"]), item["metadata"]["version"])]
    }


def vulnerabilities(pins: set[tuple[str, str]], options: list[str]) -> list[dict]:
    """pip-audit's findings for the pins: [{name, version, vulns: [{id, aliases, fix_versions}]}].
    Every pin of every platform counts, so the pins go in as one plain list."""
    with tempfile.TemporaryDirectory() as folder:
        listed = Path(folder, "pins.txt")
        listed.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins)), encoding="utf-8")
        command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "-r", listed]
        done = subprocess.run(
            [*map(str, command), "--format", "json", "--progress-spinner", "off", *options],
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        answers = json.loads(done.stdout)["dependencies"]
    except (ValueError, KeyError):
        raise AuditError(NOTHING_AUDITED.format(last_line(done.stderr))) from None
    skipped = [answer["skip_reason"] for answer in answers if "skip_reason" in answer]
    # pip-audit says "No known vulnerabilities found" even when the service
    # knew none of the pins (a wrong URL, a service out of reach): not clean.
    if len(skipped) == len(answers):
        raise AuditError(NOTHING_AUDITED.format(skipped[0] if skipped else "no pin was checked"))
    for reason in skipped:
        print(f"  not audited: {reason}")
    return [answer for answer in answers if answer.get("vulns")]


def audit(locks: list[Path], options: list[str]) -> int:
    """Print the findings and the fix of each; the number of findings."""
    accepted = accepted_advisories(Path("pyproject.toml"))
    owners: dict[tuple[str, str], list[str]] = {}
    for lock in locks:
        if not lock.exists():
            raise AuditError(f"{lock} does not exist yet: run make lock, then make audit")
        for name, version, _ in pins_with_markers(lock.read_text(encoding="utf-8")):
            owners.setdefault((name, version), []).append(lock.name)
    print(f"Auditing {len(owners)} pins of {', '.join(lock.name for lock in locks)}")
    ignores = [argument for advisory in accepted for argument in ("--ignore-vuln", advisory)]
    found = vulnerabilities(set(owners), [*ignores, *options])
    yanked = yanked_pins(locks)
    for advisory, reason in accepted.items():
        print(f"  accepted in pyproject.toml: {advisory}: {reason}")
    for package in found:
        key = (normalize(package["name"]), package["version"])
        print(f"vulnerable: {key[0]} {key[1]} ({', '.join(owners.get(key, ['?']))})")
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln["fix_versions"])
            fixed = f"fixed in {fixed}" if fixed else "no fixed release yet: drop it, or accept it"
            aliases = f" ({', '.join(vuln['aliases'])})" if vuln.get("aliases") else ""
            print(f"    {vuln['id']}{aliases}: {fixed}")
        print(f"    fix: {FIX.format(key[0])}")
    for (name, version), reason in sorted(yanked.items()):
        print(
            f"yanked: {name} {version} ({', '.join(owners.get((name, version), ['?']))}): {reason}"
        )
        print(f"    fix: {FIX.format(name)}")
    findings = sum(len(package["vulns"]) for package in found) + len(yanked)
    print(f"{findings} finding(s)." if findings else "No known vulnerability, no yanked pin.")
    return findings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--result", type=Path, required=True, help="where make doctor reads it")
    parser.add_argument("--lock", type=Path, action="append", required=True)
    # Every other option is pip-audit's (AUDIT_ARGS), passed on as it is.
    args, options = parser.parse_known_args(argv)
    day = datetime.now(UTC).date().isoformat()
    try:
        findings = audit(args.lock, options)
    except AuditError as error:
        print(f"error: {error}", file=sys.stderr)
        args.result.write_text(f"did not complete on {day}: run make audit\n", encoding="utf-8")
        return 2
    outcome = f"{findings} finding(s) on {day}: run make audit" if findings else f"clean on {day}"
    args.result.write_text(outcome + "\n", encoding="utf-8")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
