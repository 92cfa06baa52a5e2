"""Snapshots: calls, messages, scripted numbers, the whitelist, sender IDs and templates survive a
restore, calls in progress go on, and a broken voice part changes nothing."""

from __future__ import annotations

import copy

import pytest

from tests.voice.conftest import EXOPHONE


def world(api, client, script):
    """Something of everything, a call in the middle of a flow included."""
    script("09123456700", call="busy", circle="KA")
    client.put("/_emulator/accounts/exotel_emulator/flows/1234", json={"applets": [
        {"type": "passthru", "url": "http://127.0.0.1:9/p", "mode": "async"}, {"type": "greeting", "seconds": 60}]})
    client.post("/_emulator/accounts/exotel_emulator/calls/incoming", json={"from": "09876543211",
                                                                            "to": "01139585476"})
    client.put("/_emulator/accounts/exotel_emulator/sms", json={"sender_ids": ["ACMEIN"],
                                                                 "dlt_templates": {"1": "Code {#var#}"}})
    api.post("CustomerWhitelist.json", data={"VirtualNumber": EXOPHONE, "Number": "09123456789"})
    running = api.call()
    message = api.sms(From="ACMEIN")
    return running, message


def test_restore_brings_back_the_voice_world_and_calls_go_on(api, client, script, advance):
    running, message = world(api, client, script)
    saved = client.get("/_emulator/state").get_json()
    voice = saved["families"]["voice"]["accounts"]["exotel_emulator"]
    assert len(voice["calls"]) == 2 and len(voice["messages"]) == 1 and voice["sender_ids"] == ["ACMEIN"]
    client.post("/_emulator/reset")
    assert api.get(f"Calls/{running['Sid']}.json").status_code == 404
    restored = client.put("/_emulator/state", json=saved)
    assert restored.status_code == 200 and restored.get_json() == saved
    assert api.details(running["Sid"])["Status"] == "in-progress"
    advance(60)  # the pending leg jobs were scheduled again
    assert api.details(running["Sid"])["Status"] == "completed"
    assert api.get(f"SMS/Messages/{message['Sid']}.json").get_json()["SMSMessage"]["Status"] == "sent"
    assert api.get("CustomerWhitelist/09123456789.json").get_json()["Result"]["Status"] == "Whitelist"
    assert client.get("/_emulator/accounts/exotel_emulator/numbers/09123456700").get_json()["call"] == "busy"
    assert api.sms(From="ACMEIN")["From"] == "/ACMEIN"


def _broken(change):
    def apply(snapshot):
        change(snapshot["families"]["voice"]["accounts"]["exotel_emulator"])
        return snapshot
    return apply


def _in_flow(account) -> dict:
    return next(c for c in account["calls"] if c["flow"] is not None)


@pytest.mark.parametrize("breaks", [
    _broken(lambda a: a["calls"][0].update(created="yesterday")),
    _broken(lambda a: a["calls"][0].update(status="ringing")),
    _broken(lambda a: a["calls"][0].update(step="teleport")),
    _broken(lambda a: a["calls"][0]["legs"].clear()),
    _broken(lambda a: a["calls"][0].update(surprise=1)),
    _broken(lambda a: a["messages"][0].update(code=99999)),
    _broken(lambda a: a["messages"][0].update(to="12")),
    _broken(lambda a: a["numbers"].update({"+919123456700": {"call": "maybe"}})),
    _broken(lambda a: a["whitelist"].append({"number": "x"})),
    _broken(lambda a: a.pop("calls")),
    _broken(lambda a: a.update(sender_ids=[1])),
    _broken(lambda a: a["flows"]["1234"]["applets"].append({"type": "playback"})),
    _broken(lambda a: a["flows"]["1234"]["applets"][0].update(on_200=99)),
    _broken(lambda a: a.pop("flows")),
    _broken(lambda a: a["flows"].update({"bad id": {"applets": [{"type": "hangup"}]}})),
    _broken(lambda a: _in_flow(a)["flow"].update(call_type="voicemail")),
    _broken(lambda a: _in_flow(a)["flow"].update(waiting="forever")),
    _broken(lambda a: _in_flow(a)["flow"].update(keys="12x")),
    _broken(lambda a: _in_flow(a)["flow"].update(ended_by="boredom")),
    _broken(lambda a: _in_flow(a)["flow"].pop("steps")),
    _broken(lambda a: _in_flow(a).update(step="ring")),
])
def test_a_broken_voice_part_is_400_and_changes_nothing(api, client, script, breaks):
    world(api, client, script)
    saved = client.get("/_emulator/state").get_json()
    client.post("/_emulator/reset")
    before = client.get("/_emulator/state").get_json()
    response = client.put("/_emulator/state", json=breaks(copy.deepcopy(saved)))
    assert response.status_code == 400 and "families.voice" in response.get_json()["error"]
    assert client.get("/_emulator/state").get_json() == before


def test_reset_rebuilds_the_voice_world(api, client, script):
    world(api, client, script)
    client.post("/_emulator/reset")
    assert client.get("/_emulator/accounts/exotel_emulator/sms").get_json()["sender_ids"] == ["EXOTEL"]
    assert client.get("/_emulator/accounts/exotel_emulator/numbers/09123456700").get_json()["call"] is None
    assert api.get("Calls.json").get_json()["Metadata"]["Total"] == 0


def test_an_account_keeps_a_bounded_number_of_calls_and_messages(auth, advance):
    from emulator import create_app
    from tests.conftest import TEST_CONFIG
    from tests.voice.conftest import Api

    app = create_app(dict(TEST_CONFIG, VOICE_MAX_KEPT=3))
    api = Api(app.test_client(), "exotel_emulator", auth)
    first = [api.call(), api.sms()]
    app.test_client().post("/_emulator/clock/advance", json={"seconds": 60})
    made = [(api.call(), api.sms()) for _ in range(3)]
    assert api.get(f"Calls/{first[0]['Sid']}.json").status_code == 404  # the oldest ended call went first
    assert api.get(f"SMS/Messages/{first[1]['Sid']}.json").status_code == 404
    body = api.get("Calls.json").get_json()
    assert body["Metadata"]["Total"] == 3 and {c["Sid"] for c in body["Calls"]} == {c["Sid"] for c, _ in made}
    assert api.get("Calls.json", query_string={"Status": "completed"}).get_json()["Calls"] == []
