"""The documentation site: it builds strictly, and it cannot drift from the template."""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import inspect
import io
import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import audit
import docs_flow
import docs_hooks
import docs_make_targets
import docs_pages
import docs_questions
import pytest
import rendered_project
import upgrade_check
from lockstep.compile import Compiler, seed_for
from lockstep.cooldown import Cooldown
from lockstep.engines import get_engine
from lockstep.platforms import platform_warning
from lockstep.run import LockError
from support.doc_samples import NUMBER, compile_output, pins_moved, printed, sample
from support.lock_files import LOCK_FILES
from support.project import TEMPLATE_ROOT

DOCS = TEMPLATE_ROOT / "docs"
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
# The tool of projects with `docker: true`, under its file name in the template.
_FREEZE = TEMPLATE_ROOT / "template/tools/{% if docker %}freeze_from_image.py{% endif %}"
_loader = importlib.machinery.SourceFileLoader("freeze_from_image", str(_FREEZE))
freeze_from_image = importlib.util.module_from_spec(
    importlib.util.spec_from_loader(_loader.name, _loader)
)
_loader.exec_module(freeze_from_image)


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
    # The home page shows the flow picture, and no page loads anything from
    # another host when opened (no CDN script, no web fonts).
    assert (tmp_path / "site" / "flow.svg").read_text() == (DOCS / "flow.svg").read_text()
    assert 'src="flow.svg"' in (tmp_path / "site" / "index.html").read_text()
    for page in (tmp_path / "site").rglob("*.html"):
        remote = re.findall(
            r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//[^"]+', page.read_text()
        )
        assert remote == [], f"{page.name} loads from the network: {remote}"
        # Code blocks wrap their long lines (the theme would cut them off at the edge).
        assert "stylesheets/extra.css" in page.read_text(), page
    css = (tmp_path / "site" / "stylesheets" / "extra.css").read_text()
    assert re.search(r"\.md-typeset pre > code \{[^}]*white-space: pre-wrap;", css)


def test_every_page_in_docs_is_in_the_navigation():
    in_nav = set(docs_pages.pages())
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert on_disk - in_nav == set(), "pages nobody can navigate to"
    assert in_nav - on_disk == set(), "navigation entries without a page"


def test_the_lists_of_pages_are_generated_from_the_navigation_and_up_to_date():
    for name, text in (("docs/index.md", docs_pages.home), ("README.md", docs_pages.readme)):
        assert (TEMPLATE_ROOT / name).read_text() == text(), (
            f"the list of pages in {name} is stale: run make docs (it regenerates it from"
            " the nav of mkdocs.yml)"
        )
    # The home page links every page of the site (the lists, or its own prose).
    home = (DOCS / "index.md").read_text()
    unlinked = [
        page for page in docs_pages.pages() if page != "index.md" and f"]({page})" not in home
    ]
    assert unlinked == []


def test_a_page_added_to_the_navigation_is_listed_on_the_home_page_and_in_the_readme(
    monkeypatch, tmp_path: Path
):
    mkdocs = tmp_path / "mkdocs.yml"
    text = (TEMPLATE_ROOT / "mkdocs.yml").read_text()
    old = "      - Add a dependency: how-to/add-a-dependency.md\n"
    assert old in text
    mkdocs.write_text(text.replace(old, old + "      - Drop a dependency: how-to/drop.md\n"))
    monkeypatch.setattr(docs_pages, "MKDOCS", mkdocs)
    assert "- [Drop a dependency](how-to/drop.md)\n" in docs_pages.home()
    assert "[Drop a dependency](docs/how-to/drop.md)," in docs_pages.readme()


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


def test_the_make_targets_page_is_generated_from_make_help_and_up_to_date():
    assert (DOCS / "make-targets.md").read_text() == docs_make_targets.page(), (
        "docs/make-targets.md is stale: run make docs (it regenerates the page from the"
        " rendered projects' make help)"
    )


def test_every_make_target_of_a_project_with_every_part_is_on_the_page_with_its_help_line():
    """The page's variants cover a project with every optional part switched on."""
    everything = rendered_project.target_docs(
        {**rendered_project.BASE, **rendered_project.EVERYTHING}
    )
    assert {"dev", "test", "lock", "upgrade", "upgrade-check", "check-lock"} <= set(everything)
    assert {"docker-build", "infra-fmt", "infra-plan"} <= set(everything)
    page = (DOCS / "make-targets.md").read_text()
    rows = dict(re.findall(r"^\| `make ([a-z-]+)` \| (.*) \|$", page, re.MULTILINE))
    missing = [target for target in everything if target not in rows]
    assert missing == [], f"add a variant to scripts/rendered_project.py that brings: {missing}"
    # The page says what the Makefile does: infra-fmt rewrites, it does not check.
    assert rows["infra-fmt"] == "Format the Terraform files in infra/"
    for target, text in everything.items():
        first, *with_answers = rows[target].split("; with `")
        expected = rendered_project.markdown_cell(text)
        if with_answers:  # `make format` runs more fixers with notebooks and Terraform
            assert expected.startswith(first), target
            assert all(note.split("`: ", 1)[1] in expected for note in with_answers), target
        else:
            assert rows[target] == expected, target
    # The variables it lists are the ones the Makefile lets you set.
    makefile = (rendered_project.project(rendered_project.BASE) / "Makefile").read_text()
    listed = re.findall(r"`([A-Z_]+)`", page.split("Variables", 1)[1].split("\n", 1)[0])
    assert {"PYTHON", "VENV", "PYTEST_ARGS"} <= set(listed)
    assert [
        name for name in listed if not re.search(rf"^{name} *\?=", makefile, re.MULTILINE)
    ] == []
    # Every `make x` the page's own prose names is a real target.
    named = set(re.findall(r"`make ([a-z][a-z-]*)", page))
    assert named - set(everything) == set(), "the page names targets that do not exist"


def test_the_make_targets_page_says_which_answers_bring_each_target():
    page = (DOCS / "make-targets.md").read_text()
    sections = dict(re.findall(r"^## (.+)\n((?:(?!^## ).*\n)*)", page, re.MULTILINE))
    assert "`make dev`" in sections["Every project"]
    assert "`make docker-build`" not in sections["Every project"]
    assert "`make docker-build`" in sections["With `docker: true`"]
    assert "`make infra-test`" in sections["With `docker: true` and `ecr: true`"]
    assert "`make infra-test`" not in sections["With `docker: true`"]


def page_of_an_edited_template(monkeypatch, tmp_path: Path, old: str, new: str):
    """The make targets page, and `make help` of a project with every part,
    rendered from a copy of the template whose Makefile has `old` replaced by `new`."""
    copy = tmp_path / "template-copy"
    shutil.copytree(TEMPLATE_ROOT / "template", copy / "template")
    for name in ("copier.yml", "includes"):
        source = TEMPLATE_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / name)
    makefile = copy / "template" / "Makefile.jinja"
    assert old in makefile.read_text()
    makefile.write_text(makefile.read_text().replace(old, new))
    monkeypatch.setattr(rendered_project, "ROOT", copy)
    rendered_project.render.cache_clear()
    try:
        return docs_make_targets.page(), rendered_project.make_help(
            {**rendered_project.BASE, **rendered_project.EVERYTHING}
        )
    finally:
        rendered_project.render.cache_clear()


def test_a_reworded_make_help_line_changes_the_generated_page(monkeypatch, tmp_path: Path):
    """Drift is caught: the page follows the `## ` comment in template/Makefile.jinja."""
    page, _ = page_of_an_edited_template(
        monkeypatch,
        tmp_path,
        "## Format the Terraform files in infra/\n",
        "## Check the Terraform formatting of infra/\n",
    )
    assert "| `make infra-fmt` | Check the Terraform formatting of infra/ |" in page
    assert page != (DOCS / "make-targets.md").read_text()


def test_the_longer_text_above_a_target_is_on_the_page_and_not_in_make_help(
    monkeypatch, tmp_path: Path
):
    """`make help` stays a line each; the `#: ` lines above a target say more on the page."""
    page, help_lines = page_of_an_edited_template(
        monkeypatch,
        tmp_path,
        ".PHONY: infra-fmt\n",
        "#: Format the Terraform files in infra/ the way\n#: terraform fmt does\n"
        ".PHONY: infra-fmt\n",
    )
    row = "| `make infra-fmt` | Format the Terraform files in infra/ the way terraform fmt does |"
    assert row in page
    assert help_lines["infra-fmt"] == "Format the Terraform files in infra/"


def test_the_hooks_table_is_generated_from_the_pre_commit_config_and_up_to_date():
    assert (DOCS / "hooks.md").read_text() == docs_hooks.page(), (
        "the hooks table in docs/hooks.md is stale: run make docs (it regenerates the table"
        " from the rendered .pre-commit-config.yaml)"
    )


def test_every_hook_of_a_project_with_every_part_is_in_the_table_with_its_answers():
    everything = rendered_project.hooks({**rendered_project.BASE, **rendered_project.EVERYTHING})
    assert {"ruff-check", "lock-drift", "nbstripout", "hadolint", "terraform-fmt"} <= set(
        everything
    )
    page = (DOCS / "hooks.md").read_text()
    rows = {
        hook: (name, answers)
        for hook, name, answers in re.findall(
            r"^\| `([a-z-]+)` \| (.*) \| (.*) \|$", page, re.MULTILINE
        )
    }
    assert set(everything) - set(rows) == set(), "a variant is missing: see rendered_project.py"
    assert rows["lock-drift"][1] == "always"
    assert rows["nbstripout"][1] == "`notebooks: true`"
    assert rows["hadolint"][1] == "`docker: true`"
    assert rows["terraform-fmt"][1] == "`docker: true` and `ecr: true`"
    for hook, name in everything.items():
        assert rows[hook][0] == rendered_project.markdown_cell(name), hook
    # The hand-written prose around the table is kept.
    assert "## Why the hooks run from `.venv`" in page


def test_the_hooks_table_generator_names_the_missing_markers(monkeypatch, tmp_path: Path):
    page = tmp_path / "hooks.md"
    page.write_text("# Commit hooks\n\nNo markers here.\n")
    monkeypatch.setattr(docs_hooks, "PAGE", page)
    with pytest.raises(SystemExit, match="must hold the marker comments"):
        docs_hooks.page()
    assert page.read_text() == "# Commit hooks\n\nNo markers here.\n"


def test_the_flow_picture_is_up_to_date_and_well_formed_svg():
    svg = (DOCS / "flow.svg").read_text()
    assert svg == docs_flow.svg(), "docs/flow.svg is stale: run make docs"
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(
        element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")
    )
    for name in ("requirements.in", "requirements.txt", ".venv", "Docker image", "CI"):
        assert name in texts
    for check in ("git commit (hooks)", "make check-lock", "CI jobs", "make docker-build"):
        assert check in texts
    assert "<script" not in svg and "href='http" not in svg


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


def test_the_compile_output_on_the_pages_is_what_make_prints():
    """The how-tos show a compile's lines: each lock's Resolving line and
    summary, then as many pin lines as it says changed, each as the code
    words it (the slow lock tests hold make's real output to the same code)."""
    engine = get_engine("pip-tools").name
    howto = sample("how-to/add-a-dependency.md", "Resolving ")
    assert [line.split(":")[0] for line in howto if "pins resolved" in line] == list(LOCK_FILES)
    assert howto == compile_output(howto, engine)
    assert "times vary" in (DOCS / "how-to" / "add-a-dependency.md").read_text()
    merged = sample("how-to/two-branches-added-dependencies.md", "requirements.txt had merge")
    assert merged == compile_output(merged, engine)
    # The first line is what a lock with conflict markers starts from.
    agreed = int(NUMBER.findall(merged[0])[0])
    common = "".join(f"package-{n}==1.0\n" for n in range(agreed - 2))
    conflicted = SimpleNamespace(
        kind="conflict",
        lock=Path("requirements.txt"),
        requirements_in=Path("requirements.in"),
        text=f"{common}<<<<<<< HEAD\ntoolz==1.0.0\n=======\ntabulate==0.9.0\n>>>>>>> add-toolz\n",
    )
    assert merged[0] == seed_for(conflicted)[1]


def a_failed_compile(output: str, cutoff: str | None = None) -> list[str]:
    """What make lock prints on stderr when the engine failed with `output`."""
    compiler = SimpleNamespace(
        engine=SimpleNamespace(needs_pip=False, installer=lambda *_: None), runner=None, venv=None
    )
    state = SimpleNamespace(lock=Path("requirements.txt"), requirements_in=Path("requirements.in"))
    with contextlib.redirect_stdout(io.StringIO()):  # the engine's own output
        error = Compiler.compile_failed(compiler, state, output, {}, cutoff)
    return f"error: {error}".splitlines()


def test_the_old_pip_warning_on_the_supply_chain_page_is_what_make_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = sample("supply-chain.md", "warning: the cooldown is not applied")
    engine = get_engine("pip-tools")
    pip = re.search(r"pip (\S+) in", shown[0]).group(1)
    monkeypatch.setattr(engine, "cutoff_ignored_by", lambda: pip)
    Cooldown(7, [], engine).refuse_if_ignored(Path(".venv"), back_in_time=False)
    assert capsys.readouterr().err.splitlines() == shown


def test_the_cooldown_lines_on_the_supply_chain_page_are_what_make_prints():
    (note,) = sample("supply-chain.md", "Cooldown: ")
    cooldown = Cooldown(int(NUMBER.findall(note.split("=")[-1])[0]), [], get_engine("pip-tools"))
    cooldown.cutoff = re.search(r"\d{4}-\d\d-\d\dT\S+Z", note).group(0)
    assert note == cooldown.note()
    # A requirement only a release younger than the cooldown meets: uv's words.
    refused = sample("supply-chain.md", "error: compiling requirements.in failed")
    name, newest = re.search(r"the newest (\S+) old enough is (\S+)\.", refused[2]).groups()
    cutoff = re.search(r"\d{4}-\d\d-\d\dT\S+Z", refused[2]).group(0)
    said = f"Because only {name}<={newest} is available and you require {name}>=2.33, ..."
    assert refused == a_failed_compile(said, cutoff)
    prose = (
        (DOCS / "supply-chain.md").read_text().split(refused[0])[0].rstrip().rsplit("\n\n", 1)[1]
    )
    assert f"`{name}>=" in prose, "the prose and the sample name the same package"


def test_the_index_errors_on_the_mirror_page_are_what_make_prints():
    shown = sample("how-to/corporate-pypi-mirror.md", "error: the index ")
    refused, _, unreachable = (list(group) for group in (shown[:2], shown[2:3], shown[3:]))
    url = refused[0].split()[3].replace("****@", "user:token@")
    said = f"Could not fetch URL {url}requests/: 401 Client Error: Unauthorized for url"
    assert refused == a_failed_compile(said)
    url = unreachable[0].split()[3]
    assert unreachable == a_failed_compile(f"Could not fetch URL {url}requests/: connection error")


def test_the_audit_on_the_supply_chain_page_is_what_make_audit_prints(monkeypatch, tmp_path):
    shown = sample("supply-chain.md", "Auditing ")
    found = {}
    for line, after in itertools.pairwise(shown):
        if line.startswith("vulnerable: "):
            name, version = line.split()[1:3]
            advisory, aliases, fixed = re.match(r"\s+(\S+) \((.*)\): fixed in (.*)", after).groups()
            vuln = {"id": advisory, "aliases": aliases.split(", "), "fix_versions": [fixed]}
            found[(name, version)] = {"name": name, "version": version, "vulns": [vuln]}
    yanked = {
        tuple(line.split()[1:3]): line.split("): ", 1)[1]
        for line in shown
        if line.startswith("yanked: ")
    }
    # The locks hold as many pins as the sample says, the flagged ones among them.
    count = int(NUMBER.findall(shown[0])[0])
    flagged = sorted(found.keys() | yanked.keys())
    filler = [(f"package-{n}", "1.0") for n in range(count - len(flagged))]
    (tmp_path / "requirements.txt").write_text(
        "".join(f"{n}=={v}\n" for n, v in [*flagged, *filler[: count // 2]])
    )
    (tmp_path / "requirements-dev.txt").write_text(
        "".join(f"{n}=={v}\n" for n, v in filler[count // 2 :])
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(audit, "vulnerabilities", lambda pins, options: list(found.values()))
    monkeypatch.setattr(audit, "yanked_pins", lambda locks: yanked)
    locks = [Path("requirements.txt"), Path("requirements-dev.txt")]
    assert shown == printed(audit.audit, locks, [])


def test_the_upgrade_check_report_on_the_ci_page_is_what_make_upgrade_check_prints(tmp_path):
    shown = sample("ci.md", "== Pin changes")
    moved: dict[str, list[str]] = {}
    for line in shown[1 : shown.index("")]:
        if line.endswith(".txt:"):
            lock = moved.setdefault(line.removesuffix(":"), [])
        elif not line.startswith("=="):
            lock.append(line.removeprefix("  "))
    held_at = next(n for n, line in enumerate(shown) if line.startswith("== Held back"))
    held = [line.strip() for line in shown[held_at + 1 : shown.index("")]]
    held = [] if held == ["(nothing: every pin is at its newest release)"] else held
    upgraded = {}
    for lock, lines in moved.items():
        old, new = pins_moved(lines)
        (tmp_path / lock).write_text("".join(f"{n}=={v}\n" for n, v in old.items()))
        upgraded[lock] = "".join(f"{n}=={v}\n" for n, v in new.items())
    result = shown[-1].removeprefix("== Test result: ")
    assert result in inspect.getsource(upgrade_check.main)
    text = upgrade_check.report(tmp_path, upgraded, result, held)[0].splitlines()
    elided = shown.index("...")
    assert shown[:elided] == text[1 : elided + 1]  # the report opens with a blank line
    assert shown[elided + 1 :] == ["", text[-1]]


def test_the_image_differences_on_the_docker_page_are_what_make_freeze_from_image_prints():
    shown = sample("docker.md", "How the image differs from ")
    recovered, locked = {}, {}
    for line in shown[1:]:
        symbol, name, *versions = line.split()
        name = name.rstrip(":").split("==")[0]
        if symbol == "~":
            recovered[name], locked[name] = (name, versions[0]), (name, versions[-1])
    lock = Path(shown[0].split()[-1].rstrip("):"))
    assert shown == printed(freeze_from_image.report_differences, recovered, locked, lock)


def test_the_platform_warning_on_the_lock_engines_page_is_what_make_prints():
    """The sample shows the warning up to its last line, which it cuts at "...";
    the platforms it names are the ones the code is given."""
    shown = sample("lock-engines.md", "warning: requirements.txt was resolved by")
    recorded, here = re.search(r"on (\S+), and this machine is (\S+)\.$", shown[0]).groups()
    said = platform_warning("requirements.txt", recorded, here).splitlines()
    assert shown[:-1] == said[: len(shown) - 1]
    cut = shown[-1].removesuffix(" ...")
    assert cut != shown[-1] and said[len(shown) - 1].startswith(cut), (shown[-1], said)


def test_the_refused_line_on_the_internal_library_page_is_what_make_lock_prints(
    monkeypatch, tmp_path
):
    """The sample shows the refusal's first lines, for the line it names, at its place."""
    shown = sample("how-to/depend-on-an-internal-library.md", "error: these requirements")
    place, line = shown[-1].strip().split(": ", 1)
    file, number = place.split(":")
    monkeypatch.chdir(tmp_path)
    Path(file).write_text("pandas\n" * (int(number) - 1) + line + "\n")
    compiler = SimpleNamespace(packages=[])
    with pytest.raises(LockError) as refused:
        Compiler.refuse_bad_requests(compiler, [(Path(file), Path("requirements.txt"))])
    assert shown == f"error: {refused.value}".splitlines()[: len(shown)]


def test_links_in_the_readme_resolve_to_existing_docs_pages():
    readme = (TEMPLATE_ROOT / "README.md").read_text()
    links = [link for link in MARKDOWN_LINK.findall(readme) if "://" not in link]
    doc_links = [link for link in links if link.startswith("docs/")]
    assert len(doc_links) >= 5, "the README should point into the docs"
    missing = [link for link in links if not (TEMPLATE_ROOT / link.split("#")[0]).exists()]
    assert missing == [], f"README links to missing files: {missing}"


def test_the_home_pages_cooldown_is_the_default_answer():
    # The home page states the number; copier.yml is where it is decided.
    default = docs_questions.questions()["min_release_age"]["default"]
    guard = (DOCS / "index.md").read_text().split("## The supply-chain guard\n", 1)[1]
    days = set(re.findall(r"(\d+)[- ]days?\b", guard.split("\n## ", 1)[0]))
    assert days == {default}, f"docs/index.md says {days} days; copier.yml's default is {default}"


def indented_block_after(text: str, lead: str) -> list[str]:
    """The lines of the indented code block that follows the line `lead`, dedented."""
    after = text.split(f"\n{lead}\n\n", 1)[1]
    block = itertools.takewhile(lambda line: line.startswith("    "), after.splitlines())
    return [line.removeprefix("    ") for line in block]


def test_getting_started_runs_the_generated_readmes_first_steps_in_its_order():
    readme = (rendered_project.project(rendered_project.BASE) / "README.md").read_text()
    start = indented_block_after(readme, "## Start")
    assert start[0].startswith("make dev ")
    steps = indented_block_after(
        (DOCS / "getting-started.md").read_text(), "Then, in the new project:"
    )
    assert [line for line in steps if line.startswith("make")] == start, (
        "docs/getting-started.md must show the README's Start block, line for line"
    )
    # The first commit takes the locks, so it comes after make dev made them.
    commit = next(n for n, line in enumerate(steps) if "git commit" in line)
    assert commit > steps.index(start[0])


def labels_outside_their_box(svg: str) -> list[str]:
    """Each text of the picture with the room it may take (docs_flow.text_width)
    that does not fit the smallest rectangle it starts in, padding included."""
    svg_ns = "{http://www.w3.org/2000/svg}"
    root = ElementTree.fromstring(svg)
    boxes = [
        tuple(float(rect.get(name, 0)) for name in ("x", "y", "width", "height"))
        for rect in root.iter(f"{svg_ns}rect")
    ]
    outside = []
    for label in root.iter(f"{svg_ns}text"):
        x, y, size = (float(label.get(name)) for name in ("x", "y", "font-size"))
        width = docs_flow.text_width(label.text, size, label.get("font-weight", "normal"))
        left = x - width / 2 if label.get("text-anchor") == "middle" else x
        top = y - size  # the baseline is y; capitals and accents reach about a size above
        around = [
            (bx, by, bw, bh)
            for bx, by, bw, bh in boxes
            if bx <= x <= bx + bw and by <= top and y <= by + bh
        ]
        bx, _, bw, _ = min(around, key=lambda b: b[2] * b[3])
        if left < bx or left + width > bx + bw - docs_flow.PADDING / 2:
            outside.append(
                f"{label.text!r} ({left:.0f}..{left + width:.0f} in {bx:.0f}..{bx + bw:.0f})"
            )
    return outside


def test_every_label_of_the_flow_picture_fits_its_box(monkeypatch):
    assert labels_outside_their_box((DOCS / "flow.svg").read_text()) == []
    # A detail that outgrows its box is caught (the one that used to run past it).
    (title, _, label, checks), *others = docs_flow.PRODUCTS
    longer = (title, ("from requirements.txt; CI pushes to ECR",), label, checks)
    monkeypatch.setattr(docs_flow, "PRODUCTS", (longer, *others))
    assert [label.split(" (")[0] for label in labels_outside_their_box(docs_flow.svg())] == [
        "'from requirements.txt; CI pushes to ECR'"
    ]
