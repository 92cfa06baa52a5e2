"""The five GreenVN endpoints of the ExoBridge page: bodies, field names, states and credentials."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import basic
from tests.exobridge.conftest import BASE, SID, envelope, number, request_body

DETAIL_KEYS = ["connection_id", "aparty_numbers", "bparty_numbers", "usage", "state", "green_vn", "greenvn_id"]


def test_create_returns_every_documented_field_with_greenvn(client, auth):
    body = request_body(aparty_pins=[1234], bparty_pins=[2345], strictness="false",
                        preferences={"pin_code": "560041"}, deallocation_policy={"duration": "600s"})
    response = client.post(BASE, json=body, headers=auth)
    assert response.status_code == 200 and response.content_type == "application/json"
    reply = response.get_json()
    assert [reply[k] for k in ("success", "status", "code", "message")] == [True, 200, None, None]
    data = reply["data"]
    assert list(data) == ["bparty_numbers", "connection_id", "greenvn", "state", "greenvn_id", "aparty_pins",
                          "usage", "bparty_pins", "aparty_numbers"]
    assert data["connection_id"] == body["connection_id"] and data["state"] == "active"
    assert data["aparty_numbers"] == body["aparty_numbers"] and data["bparty_numbers"] == body["bparty_numbers"]
    assert data["aparty_pins"] == [1234] and data["bparty_pins"] == [2345] and data["usage"] == "twoway"
    assert str(uuid.UUID(data["greenvn_id"])) == data["greenvn_id"]
    assert data["greenvn"] == "+918012345678"  # 560041 is Bengaluru: the pool's KA landline (least used first)


def test_flow_id_is_echoed_only_when_passed(allocated):
    assert "flow_id" not in allocated()
    assert allocated(flow_id="44XX8X")["flow_id"] == "44XX8X"


# "aparty_pins ... This can be any positive integer": the emulator's bound is a signed 64-bit integer (docs/fidelity.md)
LARGEST_PIN = 2**63 - 1
PINS = [1, 1234, 10**10, 2**53 + 1, LARGEST_PIN]  # 2**53 + 1: past what a JavaScript number holds exactly


@pytest.mark.parametrize("pin", PINS)
def test_pins_are_any_positive_integer_kept_exactly(client, auth, allocated, configure, listener, pin):
    configure(callbacks={"deallocation": listener.url + "/gone", "verification_success": listener.url + "/in"})
    created = allocated(aparty_pins=[pin], bparty_pins=None, deallocation_policy={"duration": "1m"})
    assert created["aparty_pins"] == [pin]
    gid = created["greenvn_id"]
    raw = client.put(f"{BASE}/{gid}/call-party", headers=auth, json={"bparty_numbers": [number()],
                                                                       "bparty_pins": [pin + 1 if pin < LARGEST_PIN
                                                                                       else pin - 1]})
    assert raw.status_code == 200 and f"[{pin}]".encode() in raw.data  # the digits, not a rounded float
    caller = number()
    call = client.post(f"/_emulator/accounts/{SID}/exobridge/calls",
                       json={"greenvn": created["greenvn"], "from": caller, "pin": str(pin)}).get_json()
    assert call["connected"] and call["greenvn_id"] == gid
    client.post("/_emulator/clock/advance", json={"seconds": 60})
    received = {r["path"]: r["json"] for r in listener.wait(2)}
    assert received["/in"]["pin"] == str(pin) and received["/in"]["caller"] == caller
    assert received["/gone"]["aparty_pins"] == [pin]


@pytest.mark.parametrize("raw", ["0", "-1", str(LARGEST_PIN + 1), "1234.0", "1e3", "1.5", '"1234"', "true", "null"])
def test_a_pin_that_is_no_positive_integer_is_400_5(client, auth, raw):
    body = json.dumps(request_body()).replace('"usage"', f'"aparty_pins": [{raw}], "usage"')
    envelope(client.post(BASE, data=body, headers=auth, content_type="application/json"), 5)


def test_pins_default_to_empty_lists(allocated):
    data = allocated(aparty_pins=None)
    assert data["aparty_pins"] == [] and data["bparty_pins"] == []


@pytest.mark.parametrize("strictness", ["true", "false", True, False])
def test_strictness_takes_strings_and_booleans(allocate, strictness):
    assert allocate(strictness=strictness).status_code == 200


def test_get_returns_green_vn_and_no_pins(client, auth, allocated):
    created = allocated(aparty_pins=[11])
    response = client.get(f"{BASE}/{created['greenvn_id']}", headers=auth)
    assert response.status_code == 200
    reply = response.get_json()
    assert list(reply) == ["success", "status", "data"] and reply["success"] is True
    assert list(reply["data"]) == DETAIL_KEYS
    assert reply["data"]["green_vn"] == created["greenvn"] and reply["data"]["state"] == "active"


def test_delete_moves_to_vault_and_a_second_delete_is_410(client, auth, allocated):
    gid = allocated()["greenvn_id"]
    response = client.delete(f"{BASE}/{gid}", headers=auth)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == DETAIL_KEYS and data["state"] == "vault"
    assert client.get(f"{BASE}/{gid}", headers=auth).get_json()["data"]["state"] == "vault"
    envelope(client.delete(f"{BASE}/{gid}", headers=auth), 22)


def test_call_party_update_replaces_parties_pins_and_usage(client, auth, allocated):
    created = allocated(aparty_pins=[1], bparty_pins=[2])
    a, b = [number(), number()], [number()]
    response = client.put(f"{BASE}/{created['greenvn_id']}/call-party", headers=auth,
                          json={"aparty_numbers": a, "bparty_numbers": b, "bparty_pins": [2340], "usage": "oneway"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == ["connection_id", "aparty_numbers", "bparty_numbers", "aparty_pins", "bparty_pins", "usage",
                          "state", "green_vn", "greenvn_id"]
    assert data["aparty_numbers"] == a and data["bparty_numbers"] == b
    assert data["aparty_pins"] == [1] and data["bparty_pins"] == [2340] and data["usage"] == "oneway"
    assert data["green_vn"] == created["greenvn"] and data["connection_id"] == created["connection_id"]


def test_call_party_update_with_one_party_keeps_the_other(client, auth, allocated):
    created = allocated()
    a = [number()]
    data = client.put(f"{BASE}/{created['greenvn_id']}/call-party", headers=auth,
                      json={"aparty_numbers": a}).get_json()["data"]
    assert data["aparty_numbers"] == a and data["bparty_numbers"] == created["bparty_numbers"]


def test_call_party_update_needs_a_party(client, auth, allocated):
    gid = allocated()["greenvn_id"]
    envelope(client.put(f"{BASE}/{gid}/call-party", headers=auth, json={"usage": "oneway"}), 3)
    envelope(client.put(f"{BASE}/{gid}/call-party", headers=auth), 3)


def test_vn_update_without_body_moves_to_another_vn(client, auth, allocated):
    created = allocated()
    response = client.put(f"{BASE}/{created['greenvn_id']}/vn", headers=auth)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert list(data) == DETAIL_KEYS
    assert data["green_vn"] != created["greenvn"] and data["aparty_numbers"] == created["aparty_numbers"]
    again = client.get(f"{BASE}/{created['greenvn_id']}", headers=auth).get_json()["data"]
    assert again["green_vn"] == data["green_vn"]


def test_vn_update_to_a_preferred_number(client, auth, allocated):
    gid = allocated()["greenvn_id"]
    body = {"strictness": "true", "preferences": {"greenvn": "+917205827365", "region": "KA", "number_type": "mobile"}}
    data = client.put(f"{BASE}/{gid}/vn", headers=auth, json=body).get_json()["data"]
    assert data["green_vn"] == "+917205827365"


def test_vn_update_to_the_same_number_is_a_no_op(client, auth, allocated):
    created = allocated()
    body = {"strictness": "true", "preferences": {"greenvn": created["greenvn"], "region": "DL"}}
    response = client.put(f"{BASE}/{created['greenvn_id']}/vn", headers=auth, json=body)
    assert response.status_code == 200 and response.get_json()["data"]["green_vn"] == created["greenvn"]


def test_updates_on_a_vault_allocation_are_410(client, auth, allocated):
    gid = allocated()["greenvn_id"]
    client.delete(f"{BASE}/{gid}", headers=auth)
    envelope(client.put(f"{BASE}/{gid}/call-party", headers=auth, json={"aparty_numbers": [number()]}), 22)
    envelope(client.put(f"{BASE}/{gid}/vn", headers=auth), 22)


def test_unknown_allocation_is_404(client, auth):
    gid = str(uuid.uuid4())
    envelope(client.get(f"{BASE}/{gid}", headers=auth), 1)
    envelope(client.delete(f"{BASE}/{gid}", headers=auth), 1)
    envelope(client.put(f"{BASE}/{gid}/vn", headers=auth), 1)
    envelope(client.put(f"{BASE}/{gid}/call-party", headers=auth, json={"aparty_numbers": [number()]}), 1)


# ---- credentials -----------------------------------------------------------------------------------------


def test_sid_and_api_token_also_authenticate(allocate, account):
    assert allocate(headers=basic(account["sid"], account["api_token"])).status_code == 200


@pytest.mark.parametrize("headers", [{}, basic("emulator_api_key", "wrong"), basic("nobody", "emulator_api_token"),
                                     {"Authorization": "Bearer emulator_api_token"}])
def test_missing_or_wrong_credentials_are_401(allocate, client, headers):
    envelope(allocate(headers=headers), 7)
    envelope(client.get(f"{BASE}/{uuid.uuid4()}", headers=headers), 7)


def test_another_tenants_credentials_are_403(allocate, new_account):
    _, other = new_account("acme")
    envelope(allocate(headers=other), 8)


def test_another_tenants_allocation_is_403(client, auth, allocated, new_account):
    gid = allocated()["greenvn_id"]
    _, other = new_account("acme")
    theirs = f"/v1/tenants/acme/greenvn/{gid}"
    envelope(client.get(theirs, headers=other), 8)
    envelope(client.delete(theirs, headers=other), 8)
    envelope(client.put(f"{theirs}/vn", headers=other), 8)
    envelope(client.put(f"{theirs}/call-party", headers=other, json={"aparty_numbers": [number()]}), 8)
    assert client.get(f"{BASE}/{gid}", headers=auth).get_json()["data"]["state"] == "active"


def test_a_new_tenant_allocates_from_its_own_default_pool(client, allocated, new_account):
    mine = allocated(preferences={"greenvn": "+914048212136"}, strictness=True)
    _, other = new_account("acme")
    body = request_body(aparty_numbers=mine["aparty_numbers"], bparty_numbers=mine["bparty_numbers"],
                        connection_id=mine["connection_id"], preferences={"greenvn": "+914048212136"}, strictness=True)
    response = client.post("/v1/tenants/acme/greenvn", json=body, headers=other)
    # same numbers, same connection_id, same VN: pools and allocations are per tenant
    assert response.status_code == 200 and response.get_json()["data"]["greenvn"] == "+914048212136"


def test_unknown_paths_and_methods_answer_in_the_envelope(client, auth):
    envelope(client.get(f"/v1/tenants/{SID}/greenvn/a/b/c", headers=auth), 1)
    response = client.get(BASE, headers=auth)
    assert response.status_code == 405 and response.get_json()["code"] == 5 and response.get_json()["success"] is False
