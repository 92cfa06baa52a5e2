"""The control commands of ``exotel-emulator``, against a running emulator, checked through the API."""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import threading

import pytest
import requests

from emulator.cli import main
from emulator.control.commands import TOKEN_VARIABLE, URL_VARIABLE, duration
from tests.test_packaging import free_port


@pytest.fixture
def cli(exotel_emulator, capsys):
    """``cli("clock", "advance", "1h")`` -> (exit code, stdout, stderr) against the session's emulator."""

    def run(*argv: str):
        code = main([argv[0], "--url", exotel_emulator.url, *argv[1:]])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("2d", 172800),
                                           ("1.5h", 5400), ("1w", 604800)])
def test_durations(text, seconds):
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1x", "1h 30m", "-5m", "1h30"])
def test_bad_durations(text):
    with pytest.raises(argparse.ArgumentTypeError):
        duration(text)


def test_health_and_reset(cli, exotel_emulator):
    exotel_emulator.new_account("gone_after_reset")
    code, out, _ = cli("health")
    assert code == 0 and json.loads(out)["status"] == "ok"
    assert cli("reset")[0] == 0
    assert "gone_after_reset" not in [a["sid"] for a in exotel_emulator.client.accounts()]


def test_clock_advance_moves_the_emulator_clock(cli, exotel_emulator):
    code, out, _ = cli("clock", "advance", "1h30m")
    assert code == 0 and "ran 0 due jobs" in out
    assert exotel_emulator.client.clock()["offset_seconds"] == 5400
    assert cli("clock")[1].strip() == exotel_emulator.client.clock()["now"]


def test_fault_add_list_remove_clear(cli, exotel_emulator):
    code, out, _ = cli("fault", "add", "/v2_beta/*", "--method", "get", "--status", "503", "--times", "1")
    fault_id = out.strip()
    assert code == 0 and [f["id"] for f in exotel_emulator.client.faults()] == [fault_id]
    numbers = f"{exotel_emulator.url}/v2_beta/Accounts/{exotel_emulator.sid}/IncomingPhoneNumbers"
    assert requests.get(numbers, auth=exotel_emulator.auth).status_code == 503
    listed = cli("fault", "list")[1]
    assert fault_id in listed and "GET /v2_beta/*" in listed and "status=503" in listed and "0 left" in listed
    cli("fault", "add", "/v1/*", "--delay", "2s")
    assert [f["delay_ms"] for f in exotel_emulator.client.faults()][-1] == 2000
    assert cli("fault", "remove", fault_id)[0] == 0 and len(exotel_emulator.client.faults()) == 1
    assert cli("fault", "clear")[0] == 0 and exotel_emulator.client.faults() == []


def test_a_refused_control_call_is_one_line_and_exit_1(cli):
    code, out, err = cli("fault", "add", "/v1/tenants/*", "--code", "999")
    assert code == 1 and out == "" and err.count("\n") == 1 and "-> 400" in err


def test_state_save_and_load(cli, exotel_emulator, tmp_path):
    saved = tmp_path / "world.json"
    assert cli("state", "save", str(saved))[0] == 0
    exotel_emulator.new_account("added_later")
    assert cli("state", "load", str(saved))[0] == 0
    assert "added_later" not in [a["sid"] for a in exotel_emulator.client.accounts()]
    assert json.loads(saved.read_text())["format"] == "exotel-emulator/state"


def test_requests_and_callbacks_print_one_line_each(cli, exotel_emulator, listener):
    numbers = f"{exotel_emulator.url}/v2_beta/Accounts/{exotel_emulator.sid}/IncomingPhoneNumbers"
    requests.get(numbers, auth=exotel_emulator.auth)
    requests.get(numbers)
    code, out, _ = cli("requests", "--path", "/v2_beta/")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert f"GET /v2_beta/Accounts/{exotel_emulator.sid}/IncomingPhoneNumbers  200" in lines[0]
    assert lines[1].split("  ")[2] == "401"
    exotel_emulator.store.callbacks.send(listener.url + "/hook", "test_event", {"n": 1})
    listener.wait(1)
    exotel_emulator.store.callbacks.wait_idle()
    out = cli("callbacks")[1]
    assert f"test_event -> {listener.url}/hook  delivered 200" in out


def test_the_url_variable_stands_in_for_url_and_url_wins(exotel_emulator, monkeypatch, capsys):
    monkeypatch.setenv(URL_VARIABLE, exotel_emulator.url)
    assert main(["health", "--json"]) == 0 and json.loads(capsys.readouterr().out)["status"] == "ok"
    monkeypatch.setenv(URL_VARIABLE, f"http://127.0.0.1:{free_port()}")  # nobody there
    assert main(["health", "--url", exotel_emulator.url]) == 0
    assert main(["health"]) == 1 and "no emulator answers at http://127.0.0.1:" in capsys.readouterr().err


def test_requests_account_keeps_that_accounts(cli, exotel_emulator):
    other = exotel_emulator.new_account()
    theirs = (other["api_key"], other["api_token"])
    for sid, auth in ((exotel_emulator.sid, exotel_emulator.auth), (other["sid"], theirs)):
        requests.get(f"{exotel_emulator.url}/v2_beta/Accounts/{sid}/IncomingPhoneNumbers", auth=auth)
    code, out, _ = cli("requests", "--account", other["sid"])
    [line] = out.splitlines()
    assert code == 0 and f"GET /v2_beta/Accounts/{other['sid']}/IncomingPhoneNumbers  200" in line


@pytest.mark.slow
def test_requests_follow_prints_each_new_entry_until_ctrl_c(exotel_emulator):
    """A real process, told the URL by the variable, interrupted as Ctrl-C would: exit 0, nothing on stderr."""
    beta = f"{exotel_emulator.url}/v2_beta/Accounts/{exotel_emulator.sid}"
    requests.get(f"{beta}/IncomingPhoneNumbers", auth=exotel_emulator.auth)
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE} | {URL_VARIABLE: exotel_emulator.url}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "requests", "--follow", "--path", "/v2_beta/"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    try:
        assert "/IncomingPhoneNumbers  200" in lines.get(timeout=30)  # what was there
        requests.get(f"{beta}/AvailablePhoneNumbers", auth=exotel_emulator.auth)
        assert "/AvailablePhoneNumbers  200" in lines.get(timeout=30)  # and what came after, once
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
        reader.join(10)  # the rest of its output, up to the end
    assert code == 0 and proc.stderr.read() == "" and lines.empty()


def test_callbacks_account_keeps_that_accounts_and_is_in_the_help(cli, exotel_emulator, listener, capsys):
    for n, account in enumerate([exotel_emulator.sid, "other"]):
        exotel_emulator.store.callbacks.send(f"{listener.url}/{n}", "test_event", {"n": n}, account=account)
    listener.wait(2)
    exotel_emulator.store.callbacks.wait_idle()
    code, out, _ = cli("callbacks", "--account", "other", "--json")
    assert code == 0 and [json.loads(line)["url"] for line in out.splitlines()] == [f"{listener.url}/1"]
    with pytest.raises(SystemExit):
        main(["callbacks", "--help"])
    assert "--account" in capsys.readouterr().out


def test_call_exobridge_routes_a_call(cli, exotel_emulator):
    base = f"{exotel_emulator.url}/v1/tenants/{exotel_emulator.sid}/greenvn"
    body = {"connection_id": "cli", "aparty_numbers": ["+919170006528"], "bparty_numbers": ["+918100006620"],
            "usage": "twoway"}
    vn = requests.post(base, json=body, auth=exotel_emulator.auth).json()["data"]["greenvn"]
    code, out, _ = cli("call", "exobridge", "--greenvn", vn, "--from", "+919170006528")
    answer = json.loads(out)
    assert code == 0 and answer["connected"] is True and answer["to"] == "+918100006620"


def test_no_emulator_is_one_line_and_exit_1():
    result = subprocess.run([sys.executable, "-m", "emulator", "reset", "--url", f"http://127.0.0.1:{free_port()}"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("exotel-emulator: no emulator answers at http://127.0.0.1:")
    assert result.stderr.count("\n") == 1
