"""Fixture loading: the shipped world, a user's own directory, and malformed files named precisely."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from emulator import create_app
from emulator.core.fixtures import FixtureError, default_dir


@pytest.fixture
def fixtures(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(default_dir(), target)
    return target


def test_shipped_world_has_an_account_with_numbers(client, auth):
    body = client.get("/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers", headers=auth).get_json()
    assert len(body["incoming_phone_numbers"]) >= 1


def test_a_users_directory_replaces_the_shipped_one(tmp_path):
    mine = {"sid": "mine", "api_key": "k", "api_token": "t"}
    (tmp_path / "accounts.json").write_text(json.dumps({"accounts": [mine]}))
    store = create_app({"FIXTURES": str(tmp_path)}).extensions["exotel_emulator"]
    assert list(store.accounts) == ["mine"]


@pytest.mark.parametrize("path,mutate,expected", [
    ("accounts.json", lambda d: d["accounts"][0].pop("api_token"), "record accounts[0], field api_token"),
    ("accounts.json", lambda d: d["accounts"].append(dict(d["accounts"][0])), "record accounts[1], field sid"),
    ("exophones/default.json", lambda d: d["exophones"][1].update(phone_number="12345"),
     "record exophones[1], field phone_number"),
    ("exophones/default.json", lambda d: d["exophones"][0].update(number_type="Satellite"),
     "record exophones[0], field number_type"),
    ("exophones/inventory.json", lambda d: d["countries"][0]["types"]["Landline"].update(count="many"),
     "record countries[0].types.Landline.value, field count"),
])
def test_malformed_fixture_names_file_record_and_field(fixtures, path, mutate, expected):
    doc = json.loads((fixtures / path).read_text())
    mutate(doc)
    (fixtures / path).write_text(json.dumps(doc))
    with pytest.raises(FixtureError) as error:
        create_app({"FIXTURES": str(fixtures)})
    assert str(fixtures / path) in str(error.value) and expected in str(error.value)


def test_invalid_json_is_named(fixtures):
    (fixtures / "accounts.json").write_text("{")
    with pytest.raises(FixtureError, match="accounts.json: not valid JSON"):
        create_app({"FIXTURES": str(fixtures)})


def test_serve_stops_with_one_line_on_bad_fixtures(fixtures):
    no_number = {"exophones": [{"account_sid": "exotel_emulator"}]}
    (fixtures / "exophones" / "default.json").write_text(json.dumps(no_number))
    result = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0", "--fixtures", str(fixtures)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "default.json" in lines[0] and "record exophones[0], field" in lines[0]
