"""The control API's ExoBridge side: tenant settings, simulated calls, and the callbacks they fire."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.exobridge.conftest import BASE, CONTROL, number

CALLS = f"{CONTROL}/calls"
ISO_IST = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$")
CLASSIC = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture
def hooks(configure, listener):
    """Every callback of the default tenant goes to the listener, one path per event."""
    configure(callbacks={e: f"{listener.url}/{e}" for e in
                         ("call_event", "deallocation", "verification_success", "verification_failed")})
    return listener


def call(client, greenvn, caller, **extra):
    response = client.post(CALLS, json={"greenvn": greenvn, "from": caller, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def received(listener, count=1):
    return {r["path"].lstrip("/"): r["json"] for r in listener.wait(count)}


# ---- settings --------------------------------------------------------------------------------------------


def test_configure_any_subset_and_read_it_back(client, configure):
    before = client.get(CONTROL).get_json()
    after = configure(flows=["448581"], insights=True)
    assert after["flows"] == ["448581"] and after["insights"] is True
    assert after["vn_pool"] == before["vn_pool"] and after["callbacks"] == before["callbacks"]
    assert client.get(CONTROL).get_json() == after


def test_configure_pool_regions_and_types(client, configure):
    config = configure(vn_pool=["+918012345678", "+919845000001", "+912240000001"],
                       vn_regions={"+919845000001": "ka", "+912240000001": "MU"}, vn_types={"+912240000001": "mobile"})
    assert config["vn_regions"] == {"+918012345678": "KA", "+919845000001": "KA", "+912240000001": "MU"}
    assert config["vn_types"] == {"+918012345678": "landline", "+919845000001": "mobile", "+912240000001": "mobile"}
    regions_only = configure(vn_regions={"+918012345678": "DL"})
    assert regions_only["vn_regions"]["+918012345678"] == "DL" and len(regions_only["vn_pool"]) == 3


def test_callbacks_merge_and_null_clears(configure):
    configure(callbacks={"call_event": "http://127.0.0.1:9/a", "deallocation": "http://127.0.0.1:9/b"})
    config = configure(callbacks={"call_event": None})
    assert config["callbacks"] == {"call_event": None, "deallocation": "http://127.0.0.1:9/b",
                                   "verification_success": None, "verification_failed": None}


def test_the_flows_setting_decides_which_flow_ids_allocate(allocate, configure):
    configure(flows=["448581"])
    assert allocate(flow_id="448581").status_code == 200
    assert allocate(flow_id="44XX8X").get_json()["code"] == 50


@pytest.mark.parametrize("body", [
    {"vn_pool": ["12345"]}, {"vn_pool": "+918012345678"}, {"vn_pool": ["+918012345678", "+918012345678"]},
    {"vn_regions": {"+918012345678": "ZZ"}}, {"vn_regions": {"+919999999999": "KA"}},
    {"vn_types": {"+918012345678": "satellite"}}, {"flows": [""]}, {"default_deallocation": "1 day"},
    {"insights": "yes"}, {"callbacks": {"call_event": "ftp://x"}}, {"callbacks": {"hangup": "http://x.y"}},
    {"vn_pol": []}, [],
])
def test_bad_settings_are_400_in_the_control_envelope(client, body):
    response = client.put(CONTROL, json=body)
    assert response.status_code == 400 and response.get_json()["status"] == 400 and response.get_json()["error"]


def test_unknown_tenant_is_404(client):
    for response in (client.put("/_emulator/accounts/nobody/exobridge", json={"insights": True}),
                     client.get("/_emulator/accounts/nobody/exobridge"),
                     client.post("/_emulator/accounts/nobody/exobridge/calls",
                                 json={"greenvn": "+918012345678", "from": "+919900000001"})):
        assert response.status_code == 404 and response.get_json()["status"] == 404


def test_new_accounts_get_the_default_pool(client, new_account):
    new_account("acme")
    mine, theirs = client.get(CONTROL).get_json(), client.get("/_emulator/accounts/acme/exobridge").get_json()
    assert theirs["vn_pool"] == mine["vn_pool"] and theirs["flows"] == mine["flows"] and theirs["sid"] == "acme"


def test_one_tenants_settings_leave_another_alone(client, configure, new_account):
    new_account("acme")
    configure(vn_pool=[], insights=True)
    theirs = client.get("/_emulator/accounts/acme/exobridge").get_json()
    assert len(theirs["vn_pool"]) == 22 and theirs["insights"] is False


# ---- routing ---------------------------------------------------------------------------------------------


def test_a_party_reaches_the_b_party_and_the_call_event_is_posted(client, allocated, hooks):
    created = allocated(usage="oneway")
    caller = created["aparty_numbers"][0]
    result = call(client, created["greenvn"], caller, duration=32)
    assert re.fullmatch(r"[0-9a-f]{32}", result["call_sid"])
    assert result["connected"] is True and result["to"] == created["bparty_numbers"][0]
    assert [e["event"] for e in result["events"]] == ["call_event"]
    event = received(hooks)["call_event"]
    assert event == result["events"][0]["payload"]
    assert {k: event[k] for k in ("connection_id", "greenvn", "greenvn_id", "from", "to", "call_sid")} == {
        "connection_id": created["connection_id"], "greenvn": created["greenvn"],
        "greenvn_id": created["greenvn_id"], "from": caller, "to": created["bparty_numbers"][0],
        "call_sid": result["call_sid"]}
    assert event["dial_call_status"] == "completed" and event["dial_call_duration"] == "32"
    assert event["on_call_duration"] == 27 and event["call_type"] == "completed"
    assert event["direction"] == "incoming" and event["source"] == "exotel" and "insights" not in event
    assert event["recording_url"].endswith(f"/exotel_emulator/{result['call_sid']}.mp3")
    assert ISO_IST.match(event["start_time"]) and ISO_IST.match(event["current_time"])
    elapsed = datetime.fromisoformat(event["current_time"]) - datetime.fromisoformat(event["start_time"])
    assert elapsed.total_seconds() == 37  # ringing, then the 32 s second leg


def test_b_party_reaches_the_a_party_only_on_twoway(client, allocated, hooks, store):
    twoway, oneway = allocated(usage="twoway"), allocated(usage="oneway")
    result = call(client, twoway["greenvn"], twoway["bparty_numbers"][0])
    assert result["connected"] is True and result["to"] == twoway["aparty_numbers"][0]
    blocked = call(client, oneway["greenvn"], oneway["bparty_numbers"][0])
    assert blocked["connected"] is False and blocked["to"] is None and blocked["events"] == []
    assert store.callbacks.wait_idle()
    assert [p["from"] for p in hooks.payloads()] == [twoway["bparty_numbers"][0]]


def test_a_dial_status_other_than_completed_is_reported_but_not_connected(client, allocated, hooks):
    created = allocated()
    result = call(client, created["greenvn"], created["aparty_numbers"][0], dial_call_status="busy")
    assert result["connected"] is False and result["to"] == created["bparty_numbers"][0]
    event = received(hooks)["call_event"]
    assert event["dial_call_status"] == "busy" and event["dial_call_duration"] == "0"
    assert event["call_type"] == "incomplete" and event["recording_url"] == "null"


def test_right_pin_adds_the_caller_and_connects(client, auth, allocated, hooks):
    created = allocated(aparty_pins=[1234], bparty_pins=[2345])
    stranger = number()
    result = call(client, created["greenvn"], stranger, pin="2345")
    assert result["connected"] is True and result["to"] == created["aparty_numbers"][0]
    assert [e["event"] for e in result["events"]] == ["verification_success", "call_event"]
    success = received(hooks, 2)["verification_success"]
    assert success == {"caller": stranger, "greenvn_id": created["greenvn_id"], "greenvn": created["greenvn"],
                       "connection_id": created["connection_id"], "pin": "2345"}
    data = client.get(f"{BASE}/{created['greenvn_id']}", headers=auth).get_json()["data"]
    assert data["bparty_numbers"] == created["bparty_numbers"] + [stranger]
    # next time the caller is known: no pin asked, no verification
    again = call(client, created["greenvn"], stranger)
    assert [e["event"] for e in again["events"]] == ["call_event"]


def test_a_pin_of_the_b_party_on_a_oneway_allocation_joins_but_cannot_call(client, allocated, hooks):
    created = allocated(usage="oneway", bparty_pins=[77])
    result = call(client, created["greenvn"], number(), pin=77)
    assert result["connected"] is False and [e["event"] for e in result["events"]] == ["verification_success"]


@pytest.mark.parametrize("pin", ["9999", None])
def test_wrong_or_missing_pin_fires_failed_verification(client, allocated, hooks, pin):
    created = allocated(aparty_pins=[1234])
    stranger = number()
    extra = {"pin": pin} if pin else {}
    result = call(client, created["greenvn"], stranger, **extra)
    assert result["connected"] is False and result["to"] is None
    failed = received(hooks)["verification_failed"]
    assert failed == {"start_time": failed["start_time"], "caller": stranger, "greenvn": created["greenvn"],
                      "call_sid": result["call_sid"], "pin": pin or ""}
    assert ISO_IST.match(failed["start_time"])


def test_insights_add_the_block_when_enabled(client, allocated, configure, hooks):
    configure(insights=True)
    created = allocated()
    call(client, created["greenvn"], created["aparty_numbers"][0], duration=11)
    event = received(hooks)["call_event"]
    assert list(event)[:2] == ["start_time", "insights"]
    assert event["insights"] == {"DisconnectedBy": "Caller", "Status": "completed", "DetailedStatus": "CALL_COMPLETED",
                                 "RingingDuration": "5.00"}
    assert CLASSIC.match(event["start_time"]) and CLASSIC.match(event["current_time"])  # as the insights example


def test_a_call_on_an_idle_pool_vn_connects_nowhere(client, hooks):
    result = call(client, "+919826012345", number())
    assert result["connected"] is False and result["events"] == [] and result["greenvn_id"] is None


def test_callbacks_without_a_url_are_reported_but_not_sent(client, allocated, store):
    created = allocated()
    result = call(client, created["greenvn"], created["aparty_numbers"][0])
    assert store.callbacks.wait_idle()  # nothing sent, nothing on its way
    assert result["events"][0]["url"] is None and store.callbacks.entries() == []


@pytest.mark.parametrize("body", [{}, {"greenvn": "+918012345678"}, {"greenvn": "x", "from": "+919900000001"},
                                  {"greenvn": "+918012345678", "from": "+919900000001", "pin": "12a"},
                                  {"greenvn": "+918012345678", "from": "+919900000001", "dial_call_status": "ok"},
                                  {"greenvn": "+918012345678", "from": "+919900000001", "duration": -1},
                                  {"greenvn": "+918012345678", "from": "+919900000001", "duration": "30"}])
def test_bad_call_bodies_are_400(client, body):
    response = client.post(CALLS, json=body)
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_a_vn_outside_the_pool_is_404(client):
    response = client.post(CALLS, json={"greenvn": "+911111111111", "from": "+919900000001"})
    assert response.status_code == 404 and response.get_json()["error"]
