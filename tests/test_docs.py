"""The documentation site: it builds strictly, and it cannot drift from the template."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import TEMPLATE_ROOT, make, render

DOCS = TEMPLATE_ROOT / "docs"
sys.path.insert(0, str(TEMPLATE_ROOT / "scripts"))
import docs_questions

# Every optional part switched on, so `make help` lists every target there is.
EVERYTHING = {"docker": True, "ecr": True, "ci": "github", "notebooks": True}
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_site_builds_in_strict_mode(tmp_path: Path):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "mkdocs"),
            "build",
            "--strict",
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "how-to" / "upgrade-safely" / "index.html").exists()


def test_every_page_in_docs_is_in_the_navigation():
    config = yaml.safe_load((TEMPLATE_ROOT / "mkdocs.yml").read_text())

    def pages(entries) -> list[str]:
        found = []
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            found += pages(value) if isinstance(value, list) else [value]
        return found

    in_nav = set(pages(config["nav"]))
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert on_disk - in_nav == set(), "pages nobody can navigate to"
    assert in_nav - on_disk == set(), "navigation entries without a page"


def test_the_questions_page_is_generated_from_copier_yml_and_up_to_date():
    assert (DOCS / "questions.md").read_text() == docs_questions.page(), (
        "docs/questions.md is stale: run make docs (it regenerates the page from copier.yml)"
    )


def test_every_question_its_default_and_its_rule_are_on_the_questions_page():
    page = (DOCS / "questions.md").read_text()
    questions = docs_questions.questions()
    assert {"project_name", "docker", "ecr", "ecr_keep_images", "ci"} <= set(questions)
    for name, spec in questions.items():
        assert f"### {name}\n" in page, f"question {name} has no section"
        section = page.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert spec["help"].strip() in section
        assert f"- default: {docs_questions.code(spec.get('default', ''))}\n" in section
        for rule in docs_questions.rules(spec.get("validator", "")):
            # The validator's own message, as copier prints it on a bad answer.
            assert f"    - {rule}\n" in section, f"{name}: rule missing"


def test_the_questions_page_would_notice_a_new_question(monkeypatch, tmp_path: Path):
    """Drift is caught: a question added to copier.yml changes the generated page."""
    copier_yml = tmp_path / "copier.yml"
    copier_yml.write_text(
        (TEMPLATE_ROOT / "copier.yml").read_text()
        + "\nteam_slack_channel:\n  type: str\n  help: Where alerts go\n  default: '#data'\n"
    )
    monkeypatch.setattr(docs_questions, "COPIER_YML", copier_yml)
    assert "### team_slack_channel" in docs_questions.page()
    assert docs_questions.page() != (DOCS / "questions.md").read_text()


def test_every_make_target_of_a_generated_project_is_documented(
    tmp_path: Path, index_env: dict[str, str]
):
    project = render(tmp_path / "project", **EVERYTHING)
    help_text = make(project, "help", env=index_env).stdout
    targets = re.findall(r"^  ([a-zA-Z][a-zA-Z_-]*)\s", help_text, re.MULTILINE)
    assert {"dev", "test", "lock", "upgrade", "upgrade-check", "check-lock"} <= set(targets)
    page = (DOCS / "make-targets.md").read_text()
    undocumented = [target for target in targets if f"`make {target}" not in page]
    assert undocumented == [], f"add these to docs/make-targets.md: {undocumented}"


def test_every_how_to_the_users_need_is_there():
    for page in (
        "add-a-dependency",
        "upgrade-safely",
        "read-a-pip-compile-diff",
        "recover-pins-from-an-image",
        "tune-the-ecr-lifecycle-policy",
        "update-from-the-template",
        "corporate-pypi-mirror",
    ):
        assert (DOCS / "how-to" / f"{page}.md").stat().st_size > 500, page
    design = (DOCS / "design.md").read_text()
    for decision in ("pip-tools", "hooks come from PyPI", "immutable"):
        assert decision in design


def test_links_in_the_readme_resolve_to_existing_docs_pages():
    readme = (TEMPLATE_ROOT / "README.md").read_text()
    links = [link for link in MARKDOWN_LINK.findall(readme) if "://" not in link]
    doc_links = [link for link in links if link.startswith("docs/")]
    assert len(doc_links) >= 5, "the README should point into the docs"
    missing = [link for link in links if not (TEMPLATE_ROOT / link.split("#")[0]).exists()]
    assert missing == [], f"README links to missing files: {missing}"
