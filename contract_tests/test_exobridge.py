"""The ExoBridge page over real HTTP: each documented ExoBridge example, field by field, against the running command."""

from __future__ import annotations

import re
import uuid

import pytest

from contract_tests.conftest import conforms, example, in_documented_order, same_shape
from emulator.testing import CallbackListener

# The documented allocation request, with the masked digits filled in (X is not a digit).
DOCUMENTED_REQUEST = {
    "connection_id": "Sample_Connection",
    "aparty_numbers": ["+919170006528"],
    "bparty_numbers": ["+918100006620"],
    "aparty_pins": [1234],
    "bparty_pins": [2345],
    "strictness": "false",
    "preferences": {"pin_code": "560041"},
    "usage": "twoway",
    "flow_id": "44XX8X",
    "deallocation_policy": {"duration": "600s"},
}


def greenvn(api, path=""):
    return f"{api.base}/v1/tenants/{api.sid}/greenvn{path}"


def control(api, path=""):
    return f"{api.base}/_emulator/accounts/{api.sid}/exobridge{path}"


def allocate(api, **changes):
    body = {**DOCUMENTED_REQUEST, **changes}
    body = {k: v for k, v in body.items() if v is not None}
    response = api.post(greenvn(api), json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


@pytest.fixture
def listener(api):
    """A callback receiver on 127.0.0.1, set as every callback URL of the default tenant."""
    with CallbackListener() as server:
        hooks = {e: f"{server.url}/{e}" for e in
                 ("call_event", "deallocation", "verification_success", "verification_failed")}
        assert api.put(control(api), json={"callbacks": hooks}).status_code == 200
        yield server


def test_create_an_allocation(api):
    response = api.post(greenvn(api), json=DOCUMENTED_REQUEST)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    body = response.json()
    conforms(body, "exobridge/allocate.json", optional=frozenset())  # with flow_id, asked for: not optional here
    assert body["data"]["connection_id"] == "Sample_Connection" and body["data"]["flow_id"] == "44XX8X"
    assert str(uuid.UUID(body["data"]["greenvn_id"])) == body["data"]["greenvn_id"]


def test_duplicate_connection_id_error(api):
    allocate(api)
    response = api.post(greenvn(api), json=DOCUMENTED_REQUEST)
    assert response.status_code == 409
    body = response.json()
    conforms(body, "exobridge/error_409.json")
    assert (body["success"], body["status"], body["code"], body["data"]) == (False, 409, 18, None)
    assert body["message"].startswith("Allocation exists for this connection id")


def test_delete_an_allocation(api):
    gid = allocate(api, flow_id=None)["greenvn_id"]
    response = api.delete(greenvn(api, f"/{gid}"))
    assert response.status_code == 200
    conforms(response.json(), "exobridge/delete.json")
    assert response.json()["data"]["state"] == "vault"


def test_get_details_of_an_allocation(api):
    created = allocate(api, flow_id=None)
    response = api.get(greenvn(api, f"/{created['greenvn_id']}"))
    assert response.status_code == 200
    conforms(response.json(), "exobridge/get.json")
    assert response.json()["data"]["green_vn"] == created["greenvn"]


def test_update_party_numbers_and_pins(api):
    gid = allocate(api, flow_id=None)["greenvn_id"]
    body = {"aparty_numbers": ["+919950000640", "+919950005641"], "bparty_numbers": ["+917980000840", "+917980000841"],
            "aparty_pins": [12340], "bparty_pins": [2340], "usage": "twoway"}
    response = api.put(greenvn(api, f"/{gid}/call-party"), json=body)
    assert response.status_code == 200
    conforms(response.json(), "exobridge/call_party.json")
    assert response.json()["data"]["aparty_numbers"] == body["aparty_numbers"]


def test_update_greenvn(api):
    gid = allocate(api, flow_id=None)["greenvn_id"]
    body = {"strictness": "false",
            "preferences": {"greenvn": "+917205827365", "region": "KA", "number_type": "landline"}}
    response = api.put(greenvn(api, f"/{gid}/vn"), json=body)
    assert response.status_code == 200
    conforms(response.json(), "exobridge/update_vn.json")
    assert response.json()["data"]["green_vn"] == "+917205827365"


def simulate(api, **call):
    response = api.post(control(api, "/calls"), json=call)
    assert response.status_code == 200, response.text
    return response.json()


def test_call_event_callback(api, listener):
    created = allocate(api)
    result = simulate(api, greenvn=created["greenvn"], **{"from": created["aparty_numbers"][0]}, duration=32)
    [received] = listener.wait(1)
    assert received["path"] == "/call_event"
    conforms(received["json"], "exobridge/call_event.json")
    assert received["json"]["call_sid"] == result["call_sid"] and re.fullmatch(r"[0-9a-f]{32}", result["call_sid"])


def insights_event(api, listener) -> dict:
    assert api.put(control(api), json={"insights": True}).status_code == 200
    created = allocate(api)
    simulate(api, greenvn=created["greenvn"], **{"from": created["bparty_numbers"][0]}, duration=11)
    [received] = listener.wait(1)
    return received["json"]


def test_call_event_with_call_insights(api, listener):
    documented = example("exobridge/call_event_insights.json")
    # every documented key and type; their order is the next test's
    same_shape(in_documented_order(insights_event(api, listener), documented), documented)


# The insights example lists on_call_duration before recording_url, where the plain call event has them the other way.
def test_call_event_with_call_insights_in_the_documented_order(api, listener):
    same_shape(insights_event(api, listener), example("exobridge/call_event_insights.json"))


def test_deallocation_callback(api, listener):
    created = allocate(api, aparty_pins=None, bparty_pins=None, deallocation_policy={"duration": "20s"})
    assert api.post(f"{api.base}/_emulator/clock/advance", json={"seconds": 20}).status_code == 200
    [received] = listener.wait(1)
    assert received["path"] == "/deallocation"
    conforms(received["json"], "exobridge/deallocation.json")
    assert received["json"]["greenvn_id"] == created["greenvn_id"] and received["json"]["state"] == "vault"
    assert received["json"]["aparty_pins"] == [None]  # as documented for an allocation without pins


def test_successful_verification_event(api, listener):
    created = allocate(api)
    simulate(api, greenvn=created["greenvn"], pin="2345", **{"from": "+917000006144"})
    received = {r["path"]: r["json"] for r in listener.wait(2)}
    conforms(received["/verification_success"], "exobridge/verification_success.json")
    assert received["/verification_success"]["pin"] == "2345"


def test_failed_verification_event(api, listener):
    created = allocate(api)
    simulate(api, greenvn=created["greenvn"], pin="1111", **{"from": "+917000006144"})
    [received] = listener.wait(1)
    assert received["path"] == "/verification_failed"
    conforms(received["json"], "exobridge/verification_failed.json")
