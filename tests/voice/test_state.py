"""Snapshots: calls, messages, scripted numbers, the whitelist, sender IDs and templates survive a
restore, calls in progress go on, and a broken voice part changes nothing."""

from __future__ import annotations

import copy

import pytest

from tests.voice.conftest import EXOPHONE


def world(api, client, script):
    script("09123456700", call="busy", circle="KA")
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
    assert len(voice["calls"]) == 1 and len(voice["messages"]) == 1 and voice["sender_ids"] == ["ACMEIN"]
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
