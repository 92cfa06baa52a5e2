"""Call flows and the tools: snapshots (a call in the middle of a flow goes on), fixtures (the shipped sample
flow), the ControlClient methods and the ``call incoming`` command."""

from __future__ import annotations

import json
import re

import pytest
import requests

from emulator import create_app
from emulator.control.client import ControlClient, ControlClientError
from emulator.core.fixtures import FixtureError
from emulator.testing import CallbackListener
from tests.conftest import TEST_CONFIG
from tests.voice.conftest import CALLER, FLOW_EXOPHONE, SID, flow_url, queries
from tests.voice.test_control import write_fixtures

SHIPPED_EXOPHONE = "01139585476"  # the shipped ExoPhone whose VoiceUrl names the shipped flow 1234


# ---- snapshots -------------------------------------------------------------------------------------------


def test_a_call_in_the_middle_of_a_flow_goes_on_after_a_restore(api, client, flow_call, advance, state):
    call_sid = flow_call([{"type": "greeting", "seconds": 10}, {"type": "gather"},
                          {"type": "connect", "numbers": ["09123456701"]}], digits="7")
    advance(12)  # in the gather
    saved = client.get("/_emulator/state").get_json()
    voice = saved["families"]["voice"]["accounts"][SID]
    assert voice["flows"]["4242"]["applets"][1] == {"type": "gather", "digits": 1}
    [running] = [c for c in voice["calls"] if c["sid"] == call_sid]
    # the gather took the key at 10 s; the connect comes at 15 s
    assert (running["step"], running["flow"]["index"], running["flow"]["digits"]) == ("applet", 2, "7")
    client.post("/_emulator/reset")
    assert client.get(f"/_emulator/accounts/{SID}/flows/4242").status_code == 404
    restored = client.put("/_emulator/state", json=saved)
    assert restored.status_code == 200 and restored.get_json() == saved
    advance(60)
    done = api.details(call_sid, details="true")
    assert done["Status"] == "completed" and done["Details"]["Leg2Status"] == "completed"
    assert state(call_sid)["flow"]["digits"] == "7"


def test_a_call_waiting_on_a_url_asks_it_again_after_a_restore(client, flow_call, settle, advance, hanging,
                                                               listener, state):
    call_sid = flow_call([{"type": "passthru", "url": hanging.url + "/p", "on_302": 1}, {"type": "hangup"}])
    assert hanging.wait_arrived(1)
    saved = client.get("/_emulator/state").get_json()
    [waiting] = [c for c in saved["families"]["voice"]["accounts"][SID]["calls"] if c["sid"] == call_sid]
    assert waiting["flow"]["waiting"] == "passthru" and waiting["step"] == "hangup"
    saved_flow = saved["families"]["voice"]["accounts"][SID]["flows"]["4242"]
    saved_flow["applets"][0]["url"] = listener.url + "/p"  # the URL answers now
    listener.answer = lambda request: (302, "")
    assert client.put("/_emulator/state", json=saved).status_code == 200
    hanging.release()  # the old world's question fails: its answer must not count
    settle()
    advance(0)
    assert len(queries(listener, "/p")) == 1
    flow = state(call_sid)["flow"]
    assert (flow["waiting"], flow["ended_by"]) == (None, "hangup")


def test_reset_forgets_defined_flows_and_keeps_the_shipped_one(client, define):
    define("4242", {"type": "hangup"})
    client.post("/_emulator/reset")
    flows = [f["app_id"] for f in client.get(f"/_emulator/accounts/{SID}/flows").get_json()["flows"]]
    assert flows == ["1234"]


# ---- fixtures ------------------------------------------------------------------------------------------


def test_the_shipped_world_can_take_an_incoming_call_at_once(api, client, advance, settle, store, state):
    """The shipped ExoPhone's VoiceUrl names the shipped flow 1234: greeting, gather, a Passthru to
    127.0.0.1:9000 (your handler), a connect either way, an async Passthru after the call, hangup."""
    owned = client.get(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=api.headers).get_json()
    [phone] = [p for p in owned["incoming_phone_numbers"] if p["phone_number"] == "+91" + SHIPPED_EXOPHONE[1:]]
    assert phone["voice_url"].endswith("/exoml/start_voice/1234")
    response = client.post(f"/_emulator/accounts/{SID}/calls/incoming",
                           json={"from": CALLER, "to": SHIPPED_EXOPHONE, "digits": "1"})
    assert response.status_code == 201 and response.get_json()["app_id"] == "1234"
    call_sid = response.get_json()["call_sid"]
    for _ in range(3):  # whatever answers on port 9000 (usually nothing: the 302 branch)
        advance(600)
        settle()
    assert api.details(call_sid)["Status"] == "completed" and state(call_sid)["flow"]["ended_by"] == "hangup"
    asked = [c for c in client.get("/_emulator/callbacks").get_json()["callbacks"] if c["event"] == "passthru"]
    assert [c["url"] for c in asked] == ["http://127.0.0.1:9000/passthru"] * 2
    assert asked[0]["payload"]["digits"] == '"1"' and asked[1]["payload"]["CallType"] == "completed"


def test_fixture_flows_per_account_override_the_default(tmp_path):
    folder = write_fixtures(tmp_path, {
        "default_account": {"flows": {"1": {"applets": [{"type": "hangup"}]}, "2": {"applets": [{"type": "hangup"}]}}},
        "accounts": [{"sid": "exotel_emulator", "flows": {"2": {"applets": [{"type": "greeting"}],
                                                                 "url_timeout": 3}}}]})
    app = create_app(dict(TEST_CONFIG, FIXTURES=str(folder)))
    client = app.test_client()
    one = client.get("/_emulator/accounts/exotel_emulator/flows/1").get_json()
    two = client.get("/_emulator/accounts/exotel_emulator/flows/2").get_json()
    assert one["applets"] == [{"type": "hangup"}]
    assert two["applets"] == [{"type": "greeting", "seconds": 5}] and two["url_timeout"] == 3


@pytest.mark.parametrize("flows, problem", [
    ({"1": {"applets": [{"type": "playback"}]}}, "applet 0 (playback)"),
    ({"1": {"applets": [{"type": "passthru", "url": "x"}]}}, "applet 0 (passthru): url"),
    ({"1": {"applets": [{"type": "passthru", "url": "http://h/p", "on_200": 3}]}}, "on_200 3"),
    ({"no way": {"applets": [{"type": "hangup"}]}}, "no way"),
])
def test_bad_fixture_flows_name_the_applet(tmp_path, flows, problem):
    folder = write_fixtures(tmp_path, {"default_account": {"flows": flows}})
    with pytest.raises(FixtureError, match=re.escape(problem)):
        create_app(dict(TEST_CONFIG, FIXTURES=str(folder)))


# ---- ControlClient and the CLI ---------------------------------------------------------------------------


def test_the_control_client_methods(app, auth):
    emulator = ControlClient(app=app)
    shown = emulator.define_flow(SID, 4242, [{"type": "greeting", "seconds": 1}, {"type": "hangup"}],
                                 url_timeout=2.5)
    assert shown["url"] == flow_url("4242") and shown["url_timeout"] == 2.5
    assert emulator.flow(SID, "4242") == shown and shown in emulator.flows(SID)
    client = app.test_client()
    phones = client.get(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=auth).get_json()
    [phone] = [p for p in phones["incoming_phone_numbers"] if p["phone_number"] == "+91" + FLOW_EXOPHONE[1:]]
    client.put(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers/{phone['sid']}", data={"VoiceUrl": shown["url"]},
               headers=auth)
    call = emulator.incoming_call(SID, CALLER, FLOW_EXOPHONE, digits="1", hangup_after=60)
    assert (call["app_id"], call["status"]) == ("4242", "in-progress")
    emulator.advance_clock(5)
    assert emulator.call_state(SID, call["call_sid"])["flow"]["ended_by"] == "hangup"
    assert emulator.delete_flow(SID, "4242")["app_id"] == "4242"
    with pytest.raises(ControlClientError) as refused:
        emulator.define_flow(SID, "4242", [{"type": "playback"}])
    assert refused.value.status == 400 and "applet 0 (playback)" in refused.value.body["error"]


def test_the_call_incoming_command(exotel_emulator, capsys):
    from emulator.cli import main

    with CallbackListener() as handler:
        flow = exotel_emulator.client.define_flow(exotel_emulator.sid, "4242", [
            {"type": "passthru", "url": handler.url + "/passthru", "mode": "async"}, {"type": "hangup"}])
        v2 = f"{exotel_emulator.url}/v2_beta/Accounts/{exotel_emulator.sid}/IncomingPhoneNumbers"
        phones = requests.get(v2, auth=exotel_emulator.auth).json()["incoming_phone_numbers"]
        [phone] = [p for p in phones if p["phone_number"] == "+91" + FLOW_EXOPHONE[1:]]
        requests.put(f"{v2}/{phone['sid']}", data={"VoiceUrl": flow["url"]}, auth=exotel_emulator.auth)
        code = main(["call", "--url", exotel_emulator.url, "incoming", "--from", CALLER, "--to", FLOW_EXOPHONE,
                     "--digits", "12"])
        answer = json.loads(capsys.readouterr().out)
        assert code == 0 and answer["app_id"] == "4242"
        [received] = handler.wait(1)
    assert dict(received["query"])["CallSid"] == answer["call_sid"]
    code = main(["call", "--url", exotel_emulator.url, "incoming", "--from", CALLER, "--to", "09000000001"])
    assert code == 1 and "is not an ExoPhone" in capsys.readouterr().err
