"""Call notifications: inbound (popup, hangup, missed), the web SDK's outbound call, the control simulator."""

from __future__ import annotations

import re

import pytest

from contract_tests.documented import INBOUND_NOTIFICATION_KEYS, example
from contract_tests.documented import INTEGRATIONS_ZERO_TIME as ZERO_TIME
from emulator.integrations.schemas import NOTIFICATIONS
from tests.integrations.conftest import BASE, data

CALL_KEYS = ["CustomerId", "AppId", "CallSid", "ExotelAccountSid", "DialWhomNumber", "AppUserID", "VirtualNumber",
             "Direction", "CallStatus", "CallState", "ToNumber", "FromNumber", "TotalDuration", "CallRecordings",
             "AccountDomain", "TicketId", "CallDetail", "CreatedAt", "UpdatedAt"]
OUTBOUND_KEYS = CALL_KEYS[:-2] + ["StartTime", "EndTime", "CreatedAt", "UpdatedAt"]
RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def wired(client, new_app, listener, add_users):
    """An app whose every notification setting points at the listener, with user "ajay" mapped."""
    created, auth = new_app(ExotelAccountSid="exotelveenotesting1m")
    for key in list(INBOUND_NOTIFICATION_KEYS.values()) + ["callback"]:
        data(client.post(f"{BASE}/app_setting", json={"Key": key, "Value": f"{listener.url}/{key}"}, headers=auth))
    add_users("ajay", headers=auth, AgentNumber="08789489697", VirtualNumber="+912235511457")
    return created, auth


def test_the_notification_types_are_the_documented_ones():
    assert NOTIFICATIONS == INBOUND_NOTIFICATION_KEYS


# Parametrized over the package's types; the setting key and the defaults come from the page (the example
# payload of each type, in contract_tests/data).
@pytest.mark.parametrize("kind", sorted(NOTIFICATIONS))
def test_inbound_notification_posts_the_documented_payload(client, store, wired, listener, kind):
    created, _ = wired
    key, documented = INBOUND_NOTIFICATION_KEYS[kind], example(f"integrations/inbound_{kind}.json")
    query = {"type": kind, "CallSid": "7bea36f8c95f0fb10027daa6acee17c1", "From": "08789489697",
             "To": "07251937261", "DialWhomNumber": "08789489697", "DialCallDuration": "", "Direction": "incoming"}
    response = client.get(f"{BASE}/call/inbound_call/{created['AppID']}", query_string=query)
    assert data(response) == "Success"
    [received] = listener.wait(1)
    assert received["path"] == f"/{key}"
    payload = received["json"]
    assert list(payload) == CALL_KEYS
    assert payload == {
        "CustomerId": created["CustomerID"], "AppId": created["AppID"], "CallSid": "7bea36f8c95f0fb10027daa6acee17c1",
        "ExotelAccountSid": "exotelveenotesting1m", "DialWhomNumber": "08789489697",
        "AppUserID": "ajay",  # found by the number dialled
        "VirtualNumber": "+912235511457", "Direction": documented["Direction"],
        "CallStatus": documented["CallStatus"], "CallState": documented["CallState"],
        "ToNumber": "07251937261", "FromNumber": "08789489697", "TotalDuration": 0, "CallRecordings": "",
        "AccountDomain": "mumbai", "TicketId": "", "CallDetail": "", "CreatedAt": ZERO_TIME, "UpdatedAt": ZERO_TIME}
    [entry] = store.callbacks.entries()
    assert entry["event"] == key and entry["url"] == f"{listener.url}/{key}"
    assert entry["account"] == "exotelveenotesting1m"  # the app's ExotelAccountSid


def test_inbound_details_by_payload_name_win(client, wired, listener):
    created, _ = wired
    query = {"type": "incomingcallhungup", "AppUserID": "someone", "CallStatus": "completed", "TotalDuration": "42",
             "CallRecordings": "https://recordings.example.com/1.mp3", "CallState": "ended", "TicketId": "T-1",
             "CallDetail": "recording_stop_success", "CallFrom": "09999999999", "CallTo": "08012345678"}
    data(client.get(f"{BASE}/call/inbound_call/{created['AppID']}", query_string=query))
    payload = listener.wait(1)[0]["json"]
    assert (payload["AppUserID"], payload["CallStatus"], payload["TotalDuration"], payload["CallState"]) == (
        "someone", "completed", 42, "ended")
    assert payload["CallRecordings"] == "https://recordings.example.com/1.mp3" and payload["TicketId"] == "T-1"
    assert (payload["FromNumber"], payload["ToNumber"]) == ("09999999999", "08012345678")
    assert re.fullmatch(r"[0-9a-f]{32}", payload["CallSid"])  # none sent: a fresh one


def test_inbound_needs_no_token_and_ignores_a_bad_one(client, wired, listener):
    created, _ = wired
    url = f"{BASE}/call/inbound_call/{created['AppID']}?type=popup"
    data(client.get(url))
    data(client.get(url, headers={"Authorization": "garbage"}))
    assert len(listener.wait(2)) == 2


@pytest.mark.parametrize("query", ["", "?type=", "?type=Popup", "?type=hangup", "?type=popup&TotalDuration=x",
                                   "?type=popup&From=abc", "?type=popup&DialWhomNumber=sip:"])
def test_inbound_bad_query_is_400(client, wired, query):
    created, _ = wired
    data(client.get(f"{BASE}/call/inbound_call/{created['AppID']}{query}"), 400)


def test_inbound_unknown_app_is_404(client):
    data(client.get(f"{BASE}/call/inbound_call/00000000-0000-0000-0000-000000000000?type=popup"), 404)


def test_inbound_without_the_setting_is_404_and_sends_nothing(client, store, new_app):
    created, _ = new_app()
    assert "popup" in data(client.get(f"{BASE}/call/inbound_call/{created['AppID']}?type=popup"), 404)
    assert store.callbacks.wait_idle() and store.callbacks.entries() == []  # nothing sent, nothing on its way


def test_sdk_outbound_call_posts_the_callback(client, wired, listener):
    created, auth = wired
    body = {"app_id": created["AppID"], "to": "07251937261", "user_id": "ajay"}
    call_sid = data(client.post(f"{BASE}/call/outbound_call", json=body, headers=auth))["CallSid"]
    assert re.fullmatch(r"[0-9a-f]{32}", call_sid)
    [received] = listener.wait(1)
    payload = received["json"]
    assert received["path"] == "/callback" and list(payload) == OUTBOUND_KEYS
    assert payload["CallSid"] == call_sid and payload["Direction"] == "outbound" and payload["CallState"] == "active"
    assert (payload["AppUserID"], payload["ToNumber"], payload["FromNumber"], payload["VirtualNumber"]) == (
        "ajay", "07251937261", "08789489697", "+912235511457")
    assert RFC3339_Z.match(payload["StartTime"]) and payload["StartTime"] == payload["EndTime"]


def test_sdk_outbound_from_the_sip_device_rings_the_sip_id(client, wired, listener):
    created, auth = wired
    user = data(client.put(f"{BASE}/device", json={"UserId": "ajay", "DeviceName": "sip"}, headers=auth))
    body = {"customer_id": created["CustomerID"], "app_id": created["AppID"], "to": "07251937261", "user_id": "ajay"}
    data(client.post(f"{BASE}/call/outbound_call", json=body, headers=auth))
    assert listener.wait(1)[0]["json"]["FromNumber"] == user["SipId"]


def test_sdk_outbound_without_callback_setting_still_places_the_call(client, store, new_app, add_users):
    created, auth = new_app()
    add_users("1", headers=auth)
    body = {"app_id": created["AppID"], "to": "07251937261", "user_id": "1"}
    assert data(client.post(f"{BASE}/call/outbound_call", json=body, headers=auth))["CallSid"]
    assert store.callbacks.wait_idle() and store.callbacks.entries() == []  # nothing sent, nothing on its way


@pytest.mark.parametrize("change,status", [
    ({"user_id": "nobody"}, 404), ({"to": "not-a-number"}, 400), ({"to": 7251937261}, 400), ({"user_id": None}, 400),
    ({"app_id": "another-app"}, 401), ({"customer_id": "another-customer"}, 401),
])
def test_sdk_outbound_errors(client, wired, change, status):
    created, auth = wired
    body = dict({"app_id": created["AppID"], "to": "07251937261", "user_id": "ajay"}, **change)
    data(client.post(f"{BASE}/call/outbound_call", json=body, headers=auth), status)


def test_sdk_outbound_of_an_inactive_app_is_400(client, wired):
    created, auth = wired
    data(client.put(f"{BASE}/app", json={"IsActive": False}, headers=auth))
    body = {"app_id": created["AppID"], "to": "07251937261", "user_id": "ajay"}
    assert "not active" in data(client.post(f"{BASE}/call/outbound_call", json=body, headers=auth), 400)


# ---- control API ----------------------------------------------------------------------------------------


def test_control_simulates_an_outbound_call(client, wired, listener, store):
    created, _ = wired
    client.post("/_emulator/clock/advance", json={"seconds": 10})
    body = {"AppUserID": "ajay", "ToNumber": "07251937261", "FromNumber": "08000000000", "TotalDuration": 65,
            "CallDetail": "recording_stop_success"}
    response = client.post(f"/_emulator/integrations/apps/{created['AppID']}/outbound_calls", json=body)
    assert response.status_code == 200
    sent = response.get_json()
    assert sent["url"] == f"{listener.url}/callback" and sent["event"] == "callback"
    assert [e["account"] for e in store.callbacks.entries()] == ["exotelveenotesting1m"]  # ExotelAccountSid
    payload = listener.wait(1)[0]["json"]
    assert payload == sent["payload"] and payload["CallSid"] == sent["CallSid"]
    assert (payload["FromNumber"], payload["TotalDuration"], payload["CallDetail"]) == ("08000000000", 65,
                                                                                       "recording_stop_success")
    assert client.get("/_emulator/clock").get_json()["now"] == payload["StartTime"]
    start, end = (int(payload[k][-3:-1]) for k in ("StartTime", "EndTime"))
    assert (end - start) % 60 == 5  # 65 s later


@pytest.mark.parametrize("body,status", [({"ToNumber": "07251937261"}, 400), ({"AppUserID": "ajay"}, 400),
                                         ({"AppUserID": "ajay", "ToNumber": "x"}, 400),
                                         ({"AppUserID": "ajay", "ToNumber": "07251937261", "TotalDuration": "5"}, 400),
                                         ({"AppUserID": "nobody", "ToNumber": "07251937261"}, 404)])
def test_control_outbound_bad_input(client, wired, body, status):
    created, _ = wired
    response = client.post(f"/_emulator/integrations/apps/{created['AppID']}/outbound_calls", json=body)
    assert response.status_code == status and set(response.get_json()) == {"status", "error"}


def test_control_outbound_unknown_app_or_no_callback(client, new_app, add_users):
    response = client.post("/_emulator/integrations/apps/nope/outbound_calls",
                           json={"AppUserID": "1", "ToNumber": "07251937261"})
    assert response.status_code == 404 and response.get_json()["error"] == "app nope not found"
    created, auth = new_app()
    add_users("1", headers=auth)
    response = client.post(f"/_emulator/integrations/apps/{created['AppID']}/outbound_calls",
                           json={"AppUserID": "1", "ToNumber": "07251937261"})
    assert response.status_code == 409 and "callback" in response.get_json()["error"]
