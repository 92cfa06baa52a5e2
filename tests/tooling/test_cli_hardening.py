"""``exotel-emulator serve`` as a new user meets it: every bad start is one clear line and exit 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SID = "exotel_emulator"
AUTH = ("emulator_api_key", "emulator_api_token")


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "emulator", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1"))


def refused(*args: str) -> str:
    """Runs ``serve ARGS`` expecting it to stop at once: asserts exit 2 and one line; returns the line."""
    proc = start("serve", "--port", "0", *args)
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"serve {' '.join(args)} kept running: {out}{err}") from None
    assert proc.returncode == 2, (out, err)
    assert "listening" not in out and len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def valid_snapshot() -> dict:
    from emulator import create_app
    from emulator.core.snapshot import export

    return export(create_app().extensions["exotel_emulator"])


def test_a_state_file_with_a_wrong_field_stops_start_up(tmp_path):
    snapshot = valid_snapshot()
    snapshot["families"]["exobridge"]["default_tenant"]["default_deallocation"] = "forever"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(snapshot))
    line = refused("--state", str(bad))
    assert f"bad state file: {bad}" in line and "default_deallocation" in line


def test_a_state_file_nested_too_deep_stops_start_up(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    assert "nested deeper than 64 levels" in refused("--state", str(deep))


def hung_listener() -> tuple[socket.socket, str]:
    """Accepts connections and never answers: a webhook that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1024)
    held: list = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, f"http://127.0.0.1:{server.getsockname()[1]}/events"


def test_sigterm_with_a_backlog_of_callbacks_to_a_hung_url_exits_promptly():
    listener, hung = hung_listener()
    proc = start("serve", "--port", "0")
    session = requests.Session()
    session.trust_env = False
    try:
        url = proc.stdout.readline().split("listening on ")[1].strip()
        control = f"{url}/_emulator/accounts/{SID}/exobridge"
        assert session.put(control, json={"callbacks": {"call_event": hung}}).status_code == 200
        allocation = session.post(f"{url}/v1/tenants/{SID}/greenvn", auth=AUTH, json={
            "connection_id": "c", "aparty_numbers": ["+919900000001"], "bparty_numbers": ["+919900000002"],
            "usage": "twoway"}).json()["data"]
        for _ in range(200):
            session.post(f"{control}/calls", json={"greenvn": allocation["greenvn"], "from": "+919900000001"})
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 3  # the dispatcher's deadline is one second
    finally:
        session.close()
        proc.kill()
        proc.communicate()
        listener.close()
