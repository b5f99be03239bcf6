"""Write docs/questions.md from copier.yml, so the page cannot drift from the form.

    python scripts/docs_questions.py          # print the page
    python scripts/docs_questions.py --write  # write docs/questions.md (make docs does)
    python scripts/docs_questions.py --check  # fail if docs/questions.md is stale

Every question gets its help, type, default, choices, when it is asked, and
the rule its validator enforces, quoted from the validator's own message.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import generated_file
import yaml

ROOT = Path(__file__).resolve().parents[1]
COPIER_YML = ROOT / "copier.yml"
PAGE = ROOT / "docs" / "questions.md"
JINJA_TAG = re.compile(r"\{%.*?%\}", re.DOTALL)
JINJA_EXPRESSION = re.compile(r"\{\{\s*(.*?)\s*\}\}")
GROUP_COMMENT = re.compile(r"^# -+ (\w+)\s*$", re.MULTILINE)


class _Loader(yaml.SafeLoader):
    """copier.yml's `!include` pulls in hidden data; the page does not need it."""


_Loader.add_constructor("!include", lambda loader, node: None)


def questions() -> dict[str, dict]:
    merged: dict[str, dict] = {}
    for document in yaml.load_all(COPIER_YML.read_text(encoding="utf-8"), Loader=_Loader):
        for name, spec in (document or {}).items():
            # `when: false` marks a computed value, never asked.
            if (
                not name.startswith("_")
                and isinstance(spec, dict)
                and "type" in spec
                and spec.get("when") is not False
            ):
                merged[name] = spec
    return merged


def groups() -> dict[str, str]:
    """question -> the group heading it sits under in copier.yml."""
    current, found = "", {}
    for line in COPIER_YML.read_text(encoding="utf-8").splitlines():
        heading = GROUP_COMMENT.match(line)
        if heading:
            current = heading.group(1)
        elif re.match(r"^[a-z]\w*:", line):
            found[line.split(":")[0]] = current
    return found


def rules(validator: str) -> list[str]:
    """The messages a validator can print, with the offending value shown as `…`."""
    messages = []
    for chunk in JINJA_TAG.split(validator):
        text = " ".join(chunk.split())
        if text:
            messages.append(JINJA_EXPRESSION.sub(_placeholder, text))
    return messages


def _placeholder(match: re.Match[str]) -> str:
    # The answer that was given; markdown would take <value> for an HTML tag.
    return "…"


def code(value: object, in_table: bool = False) -> str:
    if value is None:
        return "(none: it must be answered)"
    if value == "":
        return "(empty)"
    if isinstance(value, str) and value.startswith("{%"):
        return "(computed: see the help)"
    text = value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True)
    text = str(text).strip().removesuffix("...").strip()
    # A Jinja condition or default is shown as its expression.
    text = (
        JINJA_EXPRESSION.sub(lambda match: match.group(1), text) if text.startswith("{{") else text
    )
    if in_table:
        text = text.replace("|", "\\|")
    return f"`{text}`"


def page() -> str:
    grouping = groups()
    lines = [
        "# The questions",
        "",
        "<!-- Generated from copier.yml by scripts/docs_questions.py (make docs).",
        "     Edit copier.yml, then run make docs; tests/test_docs.py fails when this page is stale. -->",
        "",
        "`copier copy` asks these, in this order. Give answers on the command line",
        'with `-d name=value` (e.g. `-d project_name="Sales Forecast" -d docker=false`),',
        "or take every default with `--defaults`. A value that breaks a rule stops the",
        "render with the message shown below, before any file is written.",
        "",
        "| question | type | default | asked when |",
        "| --- | --- | --- | --- |",
    ]
    specs = questions()
    for name, spec in specs.items():
        when = spec.get("when")
        lines.append(
            f"| [`{name}`](#{name}) | {spec['type']}"
            f"{' (several)' if spec.get('multiselect') else ''} "
            f"| {code(spec.get('default'), in_table=True)} "
            f"| {code(when, in_table=True) if when else 'always'} |"
        )
    current_group = None
    for name, spec in specs.items():
        group = grouping.get(name, "")
        if group != current_group:
            current_group = group
            lines += ["", f"## {group.capitalize()}"]
        lines += ["", f"### {name}", "", spec.get("help", "").strip(), ""]
        lines.append(
            f"- type: `{spec['type']}`{', several may be chosen' if spec.get('multiselect') else ''}"
        )
        lines.append(f"- default: {code(spec.get('default'))}")
        if "choices" in spec:
            choices = spec["choices"]
            values = choices.values() if isinstance(choices, dict) else choices
            lines.append(f"- choices: {', '.join(code(value) for value in values)}")
        if "when" in spec:
            lines.append(f"- asked only when: {code(spec['when'])} (otherwise the default is kept)")
        if "validator" in spec:
            lines.append("- rule (the validator's message when it is broken):")
            lines += [f"    - {message}" for message in rules(spec["validator"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    return generated_file.main(
        argv,
        description=__doc__.splitlines()[0],
        output=PAGE,
        text=page,
        fix="it does not match copier.yml: run make docs.",
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
