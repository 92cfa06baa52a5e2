"""``serve --state``, ``--save-on-exit`` and ``--journal-size``, with the real command in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SID = "exotel_emulator"
AUTH = ("emulator_api_key", "emulator_api_token")
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--port", "0", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1"))


@contextmanager
def serving(*args: str):
    """A running emulator: yields (base URL, requests session); SIGTERM and a clean exit at the end."""
    proc = start(*args)
    session = requests.Session()
    session.trust_env = False
    try:
        line = proc.stdout.readline()
        assert "listening on" in line, line + proc.stderr.read()
        yield line.split("listening on ")[1].strip(), session
    finally:
        session.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "Traceback" not in proc.stderr.read()


def build_world(url: str, session: requests.Session) -> str:
    """A bought number, a new account with a rate limit and a moved clock; returns the number's sid."""
    number = session.get(f"{url}/v2_beta/Accounts/{SID}/AvailablePhoneNumbers/IN/Mobile", auth=AUTH).json()[0]
    bought = session.post(url + LIST, data={"PhoneNumber": number["phone_number"]}, auth=AUTH).json()
    session.post(url + "/_emulator/accounts", json={"sid": "acme", "api_key": "acme_key", "api_token": "acme_token"})
    session.put(url + "/_emulator/accounts/acme/rate_limit", json={"per_minute": 1})
    session.post(url + "/_emulator/clock/advance", json={"seconds": 7200})
    return bought["sid"]


def test_a_snapshot_restarts_into_the_same_world(tmp_path):
    snapshot_file = tmp_path / "world.json"
    with serving() as (url, session):
        sid = build_world(url, session)
        snapshot = session.get(url + "/_emulator/state").json()
    snapshot_file.write_text(json.dumps(snapshot))

    with serving("--state", str(snapshot_file)) as (url, session):
        assert session.get(url + "/_emulator/state").json() == snapshot
        assert session.get(f"{url}{LIST}/{sid}", auth=AUTH).status_code == 200
        assert session.get(url + "/_emulator/clock").json()["offset_seconds"] == 7200
        acme = [session.get(f"{url}/v2_beta/Accounts/acme/IncomingPhoneNumbers", auth=("acme_key", "acme_token"))
                for _ in range(2)]
        assert [r.status_code for r in acme] == [200, 429]


def test_save_on_exit_writes_the_state_after_sigterm(tmp_path):
    target = tmp_path / "saved.json"
    with serving("--save-on-exit", str(target)) as (url, session):
        sid = build_world(url, session)
        before_exit = session.get(url + "/_emulator/state").json()
        assert not target.exists()
    saved = json.loads(target.read_text())
    assert saved == before_exit
    assert sid in [p["sid"] for p in saved["families"]["exophones"]["accounts"][SID]["owned"]]


def test_save_on_exit_also_on_ctrl_c(tmp_path):
    target = tmp_path / "saved.json"
    proc = start("--save-on-exit", str(target))
    assert "listening on" in proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    assert json.loads(target.read_text())["format"] == "exotel-emulator/state"


def test_a_bad_state_file_stops_start_up_naming_it(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "exotel-emulator/state", "version": 1}))
    proc = start("--state", str(bad))
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2 and f"bad state file: {bad}" in err and "clock" in err
    missing = start("--state", str(tmp_path / "missing.json"))
    _, err = missing.communicate(timeout=15)
    assert missing.returncode == 2 and "missing.json" in err


def test_save_on_exit_to_a_missing_folder_stops_start_up(tmp_path):
    proc = start("--save-on-exit", str(tmp_path / "no" / "such" / "dir.json"))
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2 and "--save-on-exit" in err and "cannot write" in err and "bad state" not in err


def test_a_negative_journal_size_is_refused():
    proc = start("--journal-size", "-1")
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 2 and "--journal-size" in err


def test_journal_size_flag(tmp_path):
    with serving("--journal-size", "2") as (url, session):
        for page in range(4):
            session.get(url + LIST, params={"Page": page}, auth=AUTH)
        journal = session.get(url + "/_emulator/requests").json()["requests"]
        assert [e["query"]["Page"] for e in journal] == ["2", "3"]
