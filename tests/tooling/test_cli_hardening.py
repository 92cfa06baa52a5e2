"""``exotel-emulator serve`` as a new user meets it: every bad start is one clear line and exit 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

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


def test_sigterm_with_a_backlog_of_callbacks_to_a_hung_url_exits_promptly(hanging):
    hung = hanging.url + "/events"
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
        for _ in range(60):  # 4 workers stuck on the URL, the rest queued behind them
            session.post(f"{control}/calls", json={"greenvn": allocation["greenvn"], "from": "+919900000001"})
        proc.send_signal(signal.SIGTERM)
        # the dispatcher's deadline is one second; waiting for the backlog instead (60 deliveries, 4 workers,
        # three tries of 2 s each) would take a minute and a half, and it used to never exit
        assert proc.wait(timeout=10) == 0
    finally:
        session.close()
        proc.kill()
        proc.communicate()


def test_version():
    proc = subprocess.run([sys.executable, "-m", "emulator", "--version"], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=30)
    assert proc.returncode == 0 and proc.stdout.strip() == f"exotel-emulator {version('exotel-emulator')}"


@pytest.mark.parametrize("args,says", [
    (["--port", "-1"], "--port: must be 0-65535, not -1"),
    (["--port", "99999"], "--port: must be 0-65535, not 99999"),
    (["--port", "http"], "--port: not a whole number"),
    (["--host", ""], "cannot listen on :0: not a host name or address"),  # no name lookup: tests talk to loopback only
    (["--host", "203.0.113.7"], "cannot listen on 203.0.113.7:"),  # an address this machine does not have
])
def test_a_bad_option_is_one_line_and_exit_2(args, says):
    assert says in refused(*args)


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        proc = start("serve", "--port", port)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2 and len(err.splitlines()) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and "in use" in err and "Traceback" not in err


def test_save_on_exit_naming_a_directory_or_an_impossible_place_stops_start_up(tmp_path):
    assert "is a directory" in refused("--save-on-exit", str(tmp_path))
    (tmp_path / "a-file").write_text("")
    assert "cannot write in" in refused("--save-on-exit", str(tmp_path / "a-file" / "state.json"))


def serve_until_sigterm(*args: str, during=None) -> tuple[int, str, str]:
    """Starts ``serve``, calls ``during(url, session)``, sends SIGTERM; the exit code, stdout and stderr."""
    proc = start("serve", "--port", "0", *args)
    session = requests.Session()
    session.trust_env = False
    try:
        line = proc.stdout.readline()
        assert "listening on" in line, line
        if during is not None:
            during(line.split("listening on ")[1].strip(), session)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
        return proc.returncode, line + out, err
    finally:
        session.close()
        proc.kill()


def test_a_good_save_says_where_it_wrote_mode_0600_and_follows_no_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "saved.json"
    target.symlink_to(victim)  # planted: a save must replace the link, not write through it
    (tmp_path / ".saved.json.tmp").symlink_to(victim)  # the old fixed temporary name, planted too
    code, out, err = serve_until_sigterm("--save-on-exit", str(target))
    assert code == 0 and f"saved the state to {target}" in out and "Traceback" not in err
    assert victim.read_text() == "keep me"
    assert not target.is_symlink() and json.loads(target.read_text())["format"] == "exotel-emulator/state"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [".saved.json.tmp", "saved.json", "victim.txt"]


def test_a_failed_save_exits_non_zero_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "saved.json"

    def block_the_target(url, session):
        target.mkdir()  # a save can no longer rename over it

    code, _, err = serve_until_sigterm("--save-on-exit", str(target), during=block_the_target)
    assert code == 1 and "could not save the state" in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.json"]


def test_control_flags_and_one_log_line_per_request():
    def drive(url, session):
        assert session.get(url + "/_emulator/health").status_code == 401
        health = session.get(url + "/_emulator/health", headers={"Authorization": "Bearer T0k"})
        assert health.status_code == 200 and health.json()["version"] == version("exotel-emulator")
        allowed = session.get(url + "/_emulator/clock", headers={"Authorization": "Bearer T0k",
                                                                  "Host": "emulator.test"})
        assert allowed.status_code == 200
        assert session.get(url + "/_emulator/clock", headers={"Authorization": "Bearer T0k",
                                                              "Host": "other.test"}).status_code == 403
        assert session.get(url + f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", auth=AUTH).status_code == 200

    code, _, err = serve_until_sigterm("--control-token", "T0k", "--allow-host", "emulator.test", during=drive)
    assert code == 0 and "T0k" not in err
    assert [line.split()[:3] for line in err.splitlines()] == [
        ["GET", "/_emulator/health", "401"], ["GET", "/_emulator/health", "200"], ["GET", "/_emulator/clock", "200"],
        ["GET", "/_emulator/clock", "403"], ["GET", f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", "200"]]


def test_quiet_logs_nothing_and_the_token_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("EXOTEL_EMULATOR_CONTROL_TOKEN", "from-env")

    def drive(url, session):
        assert session.get(url + "/_emulator/health").status_code == 401
        assert session.get(url + "/_emulator/health", headers={"Authorization": "Bearer from-env"}).status_code == 200

    code, _, err = serve_until_sigterm("--quiet", during=drive)
    assert code == 0 and err == ""
