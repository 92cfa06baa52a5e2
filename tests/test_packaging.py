"""The README's commands, .ci/run and the Dockerfile stay in step, and the container's steps really work."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def readme_command(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", README)
    assert match, f"README has no {marker} block"
    return match.group(1).strip()


def dockerfile(instruction: str) -> str:
    # join continuation lines, then take the instruction's argument
    text = DOCKERFILE.replace("\\\n", " ")
    [line] = [row for row in text.splitlines() if row.startswith(instruction + " ")]
    return line[len(instruction) + 1:].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ci_runs_exactly_the_readme_test_command():
    assert readme_command("test-command") in (ROOT / ".ci" / "run").read_text().splitlines()


def exec_form(instruction: str) -> list[str]:
    value = json.loads(dockerfile(instruction))
    assert isinstance(value, list), f"{instruction} must be in exec form (a JSON array): no shell in between"
    return value


def test_dockerfile_runs_the_readme_install_and_serve_steps():
    install, serve = readme_command("serve-command").split(" && ")
    assert dockerfile("RUN") == install
    # exec form: PID 1 is the emulator, so `docker stop` reaches it; `docker run IMAGE serve ...` replaces CMD
    assert exec_form("ENTRYPOINT") + exec_form("CMD") == shlex.split(serve)
    assert exec_form("ENTRYPOINT") == ["exotel-emulator"]
    env = dockerfile("ENV")
    assert "EXOTEL_EMULATOR_HOST=0.0.0.0" in env and "EXOTEL_EMULATOR_PORT=8080" in env
    assert "EXPOSE 8080" in DOCKERFILE


def test_dockerignore_leaves_the_tests_the_bench_and_the_docs_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", "contract_tests", "bench", "docs", "mkdocs.yml", ".git"} <= set(ignored)
    assert "README.md" not in ignored and "fixtures" not in ignored  # the build needs both


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel ``pip install .`` would install, built once for the module (hatchling from the test extras,
    so no index is asked)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    [built] = out.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_ships_py_typed_and_the_fixtures(wheel):
    names = set(wheel.namelist())
    assert "emulator/py.typed" in names  # PEP 561: users' type checkers read the package's annotations
    assert {"emulator/_fixtures/accounts.json", "emulator/core/shipped_world.json"} <= names


def command_env(port: int, **extra: str) -> dict:
    # the container's ENV, moved to loopback: tests never bind another address
    env = dict(os.environ, EXOTEL_EMULATOR_HOST="127.0.0.1", EXOTEL_EMULATOR_PORT=str(port), **extra)
    if "EXOTEL_EMULATOR_CONTROL_TOKEN" not in extra:
        env.pop("EXOTEL_EMULATOR_CONTROL_TOKEN", None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def container(*args: str) -> list[str]:
    """What ``docker run IMAGE [args]`` runs: the ENTRYPOINT with the CMD, or with ``args`` instead."""
    return exec_form("ENTRYPOINT") + (list(args) or exec_form("CMD"))


def test_container_cmd_serves_and_its_healthcheck_passes():
    port = free_port()
    env = command_env(port)
    proc = subprocess.Popen(container(), env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"exotel-emulator listening on http://127.0.0.1:{port}"
        assert subprocess.run(healthcheck(), env=env, timeout=30).returncode == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def healthcheck() -> list[str]:
    text = dockerfile("HEALTHCHECK").split(" CMD ", 1)[1]
    command = json.loads(text)
    assert isinstance(command, list)
    return command


def test_the_healthcheck_sends_the_control_token_when_there_is_one():
    port = free_port()
    env = command_env(port, EXOTEL_EMULATOR_CONTROL_TOKEN="s3cret")
    proc = subprocess.Popen(container(), env=env, stdout=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()
        assert subprocess.run(healthcheck(), env=env, timeout=30).returncode == 0
        without = dict(env)
        del without["EXOTEL_EMULATOR_CONTROL_TOKEN"]
        assert subprocess.run(healthcheck(), env=without, capture_output=True, timeout=30).returncode != 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_docker_run_with_arguments_replaces_the_cmd(tmp_path):
    """``docker run IMAGE serve --seed 7 --state /data/s.json``: the container's address, the user's options."""
    state = tmp_path / "s.json"
    port = free_port()
    saver = subprocess.Popen(container("serve", "--seed", "7", "--save-on-exit", str(state), "--quiet"),
                             env=command_env(port), stdout=subprocess.PIPE, text=True)
    try:
        saver.stdout.readline()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/accounts", method="POST",
                                         data=json.dumps({"sid": "kept", "api_key": "k", "api_token": "t"}).encode(),
                                         headers={"Content-Type": "application/json"})
        assert urllib.request.urlopen(request, timeout=5).status == 201
    finally:
        saver.send_signal(signal.SIGTERM)
        assert saver.wait(timeout=10) == 0
    port = free_port()
    proc = subprocess.Popen(container("serve", "--seed", "7", "--state", str(state)), env=command_env(port),
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"exotel-emulator listening on http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/accounts", timeout=5) as response:
            assert "kept" in [a["sid"] for a in json.load(response)["accounts"]]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_healthcheck_fails_when_nothing_serves():
    assert subprocess.run(healthcheck(), env=command_env(free_port()), capture_output=True,
                          timeout=30).returncode != 0


def test_every_interface_is_announced_as_a_url_this_machine_opens():
    from emulator.cli import listening

    assert listening("0.0.0.0", 8080) == "http://localhost:8080  (bound to 0.0.0.0: every interface)"
    assert listening("::", 9000).startswith("http://localhost:9000")
    assert listening("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert listening("::1", 8080) == "http://[::1]:8080"


def test_port_zero_prints_url_and_credentials_and_sigterm_exits_cleanly():
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split("listening on ")[1].strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and not url.endswith(":0")
        assert proc.stdout.readline().split() == ["account", "sid=exotel_emulator", "api_key=emulator_api_key",
                                                  "api_token=emulator_api_token"]
        with urllib.request.urlopen(url + "/_emulator/health", timeout=5) as response:
            assert response.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()
