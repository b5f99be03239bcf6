"""`make notebook`: with the notebooks answer on, JupyterLab starts from the
project's .venv (pinned in the dev lock), its kernel the project's Python."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from support.commands import make, run
from support.project import render

NOTEBOOK_ANSWERS = {"notebooks": True, "docker": False, "ci": "none"}
START_TIMEOUT_SECONDS = 180
TOKEN = "make-notebook-test"


def test_make_notebook_runs_jupyterlab_from_the_venv_after_make_dev(tmp_path: Path):
    project = render(tmp_path / "sales-forecast", **NOTEBOOK_ANSWERS)
    planned = run(["make", "--dry-run", "notebook"], cwd=project).stdout
    # make dev's steps come first: a fresh clone gets its venv and locks.
    assert planned.index("tools/locks.py") < planned.index(".venv/bin/jupyter lab")
    assert "jupyterlab" in (project / "requirements-dev.in").read_text().split()


def test_without_notebooks_there_is_no_notebook_target(tmp_path: Path):
    project = render(tmp_path / "sales-forecast", notebooks=False, docker=False)
    assert "notebook" not in run(["make"], cwd=project).stdout
    assert "jupyterlab" not in (project / "requirements-dev.in").read_text()


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.mark.slow
def test_make_notebook_serves_jupyterlab_with_the_projects_kernel(
    tmp_path: Path, index_env: dict[str, str]
):
    project = render(tmp_path / "sales-forecast", **NOTEBOOK_ANSWERS)
    make(project, "dev", env=index_env)
    port = free_loopback_port()
    arguments = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0"
    arguments += f" --IdentityProvider.token={TOKEN}"
    if os.geteuid() == 0:  # CI runs as root, which JupyterLab refuses unless told
        arguments += " --allow-root"
    # Jupyter's own files stay in the test's folder, not in the home directory.
    env = {**index_env, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "jupyter-runtime")
    log = (tmp_path / "notebook.log").open("w")
    server = subprocess.Popen(
        ["make", "notebook", f"NOTEBOOK_ARGS={arguments}"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            assert server.poll() is None, (tmp_path / "notebook.log").read_text()
            try:
                status = get_json(f"http://127.0.0.1:{port}/api/status")
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "notebook.log").read_text()
                time.sleep(1)
        assert "started" in status
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={TOKEN}") as page:
            assert "JupyterLab" in page.read().decode()
        kernels = get_json(f"http://127.0.0.1:{port}/api/kernelspecs")
        assert kernels["default"] == "python3", kernels
    finally:
        stop(server)
        log.close()


def stop(server: subprocess.Popen) -> None:
    """End make and JupyterLab (its session): SIGTERM, which JupyterLab answers
    by shutting down (Ctrl-C would ask to confirm), then SIGKILL if need be."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sent)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            continue
        # make has gone; JupyterLab may still be shutting down in the same group.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(server.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.5)
