"""The README's commands, .ci/run and the Dockerfile stay in step, and the container's steps really work."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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
    [line] = [l for l in text.splitlines() if l.startswith(instruction + " ")]
    return line[len(instruction) + 1:].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ci_runs_exactly_the_readme_test_command():
    assert readme_command("test-command") in (ROOT / ".ci" / "run").read_text().splitlines()


def test_dockerfile_runs_the_readme_install_and_serve_steps():
    install, serve = readme_command("serve-command").split(" && ")
    assert dockerfile("RUN") == install
    cmd = shlex.split(dockerfile("CMD"))
    assert cmd[0] == "exec"  # PID 1 is the emulator, so `docker stop` reaches it
    assert cmd[1: 1 + len(shlex.split(serve))] == shlex.split(serve)
    assert cmd[-4:] == ["--host", "$HOST", "--port", "$PORT"]
    assert "HOST=0.0.0.0" in dockerfile("ENV") and "EXPOSE 8080" in DOCKERFILE


def command_env(port: int) -> dict:
    # the container's CMD and HEALTHCHECK, on loopback: tests never bind another address
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_container_cmd_serves_and_its_healthcheck_passes():
    port = free_port()
    env = command_env(port)
    proc = subprocess.Popen(["sh", "-c", dockerfile("CMD")], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"exotel-emulator listening on http://127.0.0.1:{port}"
        healthcheck = dockerfile("HEALTHCHECK").split(" CMD ", 1)[1]
        assert subprocess.run(["sh", "-c", healthcheck], env=env, timeout=30).returncode == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_healthcheck_fails_when_nothing_serves():
    healthcheck = dockerfile("HEALTHCHECK").split(" CMD ", 1)[1]
    assert subprocess.run(["sh", "-c", healthcheck], env=command_env(free_port()), capture_output=True,
                          timeout=30).returncode != 0


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
