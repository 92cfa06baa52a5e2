"""The voice side of the control API, its ControlClient methods, fixtures and the pytest fixture."""

from __future__ import annotations

import json

import pytest
import requests

from emulator import create_app
from emulator.control.client import ControlClient, ControlClientError
from emulator.core.fixtures import FixtureError
from tests.conftest import TEST_CONFIG
from tests.voice.conftest import EXOPHONE, SID


def test_scripting_a_number_merges_and_null_resets(client):
    url = "/_emulator/accounts/exotel_emulator/numbers/+919123456700"
    first = client.put(url, json={"call": "busy", "ring_seconds": 3}).get_json()
    assert (first["number"], first["call"], first["ring_seconds"]) == ("+919123456700", "busy", 3)
    second = client.put("/_emulator/accounts/exotel_emulator/numbers/09123456700", json={"call": None}).get_json()
    assert second["call"] is None and second["ring_seconds"] == 3
    assert client.get(url).get_json()["metadata"]["PhoneNumber"] == "09123456700"
    assert client.delete(url).get_json()["ring_seconds"] is None


@pytest.mark.parametrize("body", [{"call": "maybe"}, {"ring_seconds": -1}, {"ring_seconds": "5"},
                                  {"sms_code": 20005}, {"answered_by": "Robot"}, {"circle": "ZZ"},
                                  {"operator": "XX"}, {"type": "Fax"}, {"dnd": "yes"}, {"colour": "red"},
                                  {"digits": "12a"}, {"digits": ""}, {"digits": 1}])
def test_bad_scripts_are_400(client, body):
    response = client.put("/_emulator/accounts/exotel_emulator/numbers/09123456700", json=body)
    assert response.status_code == 400 and "error" in response.get_json()


def test_unknown_accounts_and_numbers(client):
    assert client.put("/_emulator/accounts/nobody/numbers/09123456700", json={}).status_code == 404
    assert client.put("/_emulator/accounts/exotel_emulator/numbers/12ab", json={}).status_code == 400
    assert client.put("/_emulator/accounts/nobody/sms", json={}).status_code == 404


def test_sms_configuration(client):
    shipped = client.get("/_emulator/accounts/exotel_emulator/sms").get_json()
    assert shipped["sender_ids"] == ["EXOTEL"] and shipped["dlt_templates"]
    changed = client.put("/_emulator/accounts/exotel_emulator/sms", json={"sender_ids": ["ACMEIN", "ACMEOT"]})
    assert changed.get_json()["sender_ids"] == ["ACMEIN", "ACMEOT"]
    assert client.put("/_emulator/accounts/exotel_emulator/sms", json={"sender_ids": ["x"]}).status_code == 400
    assert client.put("/_emulator/accounts/exotel_emulator/sms", json={"templates": {}}).status_code == 400


def test_a_new_account_gets_the_default_world(client, new_account, script):
    new_account("acme")
    assert client.get("/_emulator/accounts/acme/sms").get_json()["sender_ids"] == ["EXOTEL"]
    assert client.get("/_emulator/accounts/acme/numbers/09000000001").get_json()["call"] == "busy"
    script("09000000001", sid="acme", call=None)
    assert client.get("/_emulator/accounts/exotel_emulator/numbers/09000000001").get_json()["call"] == "busy"


def test_the_control_client_methods(app):
    emulator = ControlClient(app=app)
    assert emulator.script_number("exotel_emulator", "+919123456700", call="no-answer")["call"] == "no-answer"
    assert emulator.number_script("exotel_emulator", "09123456700")["call"] == "no-answer"
    assert emulator.forget_number("exotel_emulator", "09123456700")["call"] is None
    assert emulator.configure_sms("exotel_emulator", sender_ids=["ACMEIN"])["sender_ids"] == ["ACMEIN"]
    assert emulator.sms_config("exotel_emulator")["sender_ids"] == ["ACMEIN"]
    with pytest.raises(ControlClientError) as refused:
        emulator.script_number("exotel_emulator", "09123456700", call="maybe")
    assert refused.value.status == 400


def write_fixtures(tmp_path, voice: dict):
    (tmp_path / "accounts.json").write_text(json.dumps({"accounts": [
        {"sid": "exotel_emulator", "api_key": "k", "api_token": "t"}]}))
    (tmp_path / "voice").mkdir()
    (tmp_path / "voice" / "world.json").write_text(json.dumps(voice))
    return tmp_path


def test_fixtures_per_account_override_the_default(tmp_path):
    folder = write_fixtures(tmp_path, {"default_account": {"sender_ids": ["EXOTEL"]}, "accounts": [
        {"sid": "exotel_emulator", "sender_ids": ["OWNID"], "numbers": {"9123456700": {"call": "failed"}}}]})
    client = create_app(dict(TEST_CONFIG, FIXTURES=str(folder))).test_client()
    assert client.get("/_emulator/accounts/exotel_emulator/sms").get_json()["sender_ids"] == ["OWNID"]
    assert client.get("/_emulator/accounts/exotel_emulator/numbers/+919123456700").get_json()["call"] == "failed"


@pytest.mark.parametrize("voice, problem", [
    ({"default_account": {"numbers": {"+919123456700": {"call": "maybe"}}}}, "call"),
    ({"default_account": {"sender_ids": ["x"]}}, "sender_ids"),
    ({"accounts": [{"sid": "nobody"}]}, "nobody"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_fixtures_name_the_problem(tmp_path, voice, problem):
    folder = write_fixtures(tmp_path, voice)
    with pytest.raises(FixtureError, match=problem):
        create_app(dict(TEST_CONFIG, FIXTURES=str(folder)))


def test_the_pytest_fixture_serves_the_family(exotel_emulator):
    v1 = f"{exotel_emulator.url}/v1/Accounts/{exotel_emulator.sid}"
    exotel_emulator.client.script_number(exotel_emulator.sid, "09123456700", call="busy")
    call = requests.post(f"{v1}/Calls/connect.json", auth=exotel_emulator.auth,
                         data={"From": "09876543210", "To": "09123456700", "CallerId": EXOPHONE}).json()["Call"]
    exotel_emulator.advance_clock(60)
    details = requests.get(f"{v1}/Calls/{call['Sid']}.json", auth=exotel_emulator.auth).json()["Call"]
    assert details["Status"] == "busy"


def test_listings_show_the_newest_calls_and_messages_first_a_page_at_a_time(client, auth):
    sid = "exotel_emulator"
    made = []
    for n in range(3):
        r = client.post(f"/v1/Accounts/{sid}/Calls/connect.json", headers=auth,
                        data={"From": f"0987654321{n}", "To": "09812345678", "CallerId": "01139585476"})
        assert r.status_code == 200, r.get_data(as_text=True)
        made.append(r.get_json()["Call"]["Sid"])
        client.post("/_emulator/clock/advance", json={"seconds": 1})
    page = client.get(f"/_emulator/accounts/{sid}/calls?page=0&page_size=2").get_json()
    assert [c["Sid"] for c in page["calls"]] == made[::-1][:2] and page["total"] == 3
    assert [c["Sid"] for c in client.get(f"/_emulator/accounts/{sid}/calls?page=1&page_size=2").get_json()[
        "calls"]] == made[:1]
    texts = []
    for n in range(2):
        r = client.post(f"/v1/Accounts/{sid}/Sms/send.json", headers=auth,
                        data={"From": "01139585476", "To": "09812345678", "Body": f"message {n}"})
        texts.append(r.get_json()["SMSMessage"]["Sid"])
    listed = client.get(f"/_emulator/accounts/{sid}/messages").get_json()
    assert [m["Sid"] for m in listed["messages"]] == texts[::-1] and listed["total"] == 2
    assert client.get("/_emulator/accounts/nobody/calls").status_code == 404



def test_the_control_client_lists_calls_and_messages_newest_first_a_page_at_a_time(app, api):
    emulator = ControlClient(app=app)
    calls, texts = [], []
    for n in range(3):
        calls.append(api.call(From=f"0987654321{n}")["Sid"])
        texts.append(api.sms(Body=f"message {n}")["Sid"])
        emulator.advance_clock(1)
    assert [c["Sid"] for c in emulator.calls(SID)] == calls[::-1]
    assert [c["Sid"] for c in emulator.calls(SID, page=1, page_size=2)] == calls[:1]
    assert emulator.calls(SID, page_size=1) == [api.details(calls[-1])]  # as call details show them
    assert [m["Sid"] for m in emulator.messages(SID)] == texts[::-1]
    assert [m["Sid"] for m in emulator.messages(SID, page=1, page_size=2)] == texts[:1]
    with pytest.raises(ControlClientError) as unknown:
        emulator.calls("nobody")
    assert unknown.value.status == 404
