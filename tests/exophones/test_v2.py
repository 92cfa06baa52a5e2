"""ExoPhone v2 details (the ExoPhone v2 page) and the control API's connectivity endpoint."""

from __future__ import annotations

import re

import pytest

from contract_tests.documented import V2_CODE_FOR_STATUS, V2_ERRORS, V2_NOT_FOUND
from emulator.exophones.errors import V2Error
from tests.conftest import basic

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def owned_sid(client, auth):
    return client.get("/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers", headers=auth).get_json()[
        "incoming_phone_numbers"][0]["sid"]


def v2_path(sid, account="exotel_emulator"):
    return f"/v2/accounts/{account}/incoming-phone-numbers/{sid}"


def failure_block(response, status, code):
    assert response.status_code == status and response.content_type == "application/json"
    body = response.get_json()
    assert body["http_code"] == status and re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
    [block] = body["response"]
    assert block["code"] == status and block["status"] == "failure" and block["data"] is None
    assert block["error_data"]["code"] == code
    return block["error_data"]


def test_details_in_the_v2_envelope_with_connectivity(client, auth):
    sid = owned_sid(client, auth)
    body = client.get(v2_path(sid), headers=auth).get_json()
    assert body["method"] == "GET" and body["http_code"] == 200
    assert body["metadata"] == {"page_size": 1, "page": 0}
    [block] = body["response"]
    assert block["code"] == 200 and block["status"] == "success" and block["error_data"] is None
    data = block["data"]
    assert data["sid"] == sid and data["uri"] == v2_path(sid)
    assert RFC3339.match(data["date_created"]) and RFC3339.match(data["date_updated"])
    for direction in ("incoming_call", "outgoing_call"):
        c = data["connectivity"][direction]
        assert c["status"] == "active" and c["alternate_exophone"] is None and RFC3339.match(c["last_check_time"])


def test_a_number_bought_through_v2_beta_is_visible_in_v2(client, auth):
    number = client.get("/v2_beta/Accounts/exotel_emulator/AvailablePhoneNumbers/IN/Mobile", headers=auth).get_json()[0]
    bought = client.post("/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers", headers=auth,
                         data={"PhoneNumber": number["phone_number"]}).get_json()
    data = client.get(v2_path(bought["sid"]), headers=auth).get_json()["response"][0]["data"]
    assert data["phone_number"] == number["phone_number"] and data["region"] == number["region"]


def test_not_found_is_documented_block(client, auth):
    error = failure_block(client.get(v2_path("f" * 32), headers=auth), 404, 1000)
    assert error == {"code": 1000, "description": "Not Found", "message": "Not Found"}
    assert error == V2_NOT_FOUND and list(error) == list(V2_NOT_FOUND)  # the page's block, in its order


@pytest.mark.parametrize("headers,status", [({}, 401), (basic("emulator_api_key", "bad"), 401)])
def test_auth_errors_use_the_v2_envelope(client, headers, status):
    error = failure_block(client.get(v2_path("f" * 32), headers=headers), status, V2_CODE_FOR_STATUS[status])
    assert error["description"] == V2_ERRORS[V2_CODE_FOR_STATUS[status]][1]


def test_other_accounts_credentials_are_403(client, auth, new_account):
    _, other = new_account("acme")
    failure_block(client.get(v2_path(owned_sid(client, auth)), headers=other), 403, V2_CODE_FOR_STATUS[403])


def test_unknown_path_and_method_under_v2(client, auth):
    failure_block(client.get("/v2/accounts/exotel_emulator/nothing", headers=auth), 404, 1000)
    failure_block(client.delete(v2_path(owned_sid(client, auth)), headers=auth), 405, V2_CODE_FOR_STATUS[405])


def test_the_table_is_the_readmes_and_1000_is_the_pages():
    assert {code: tuple(entry) for code, entry in V2Error.codes.items()} == V2_ERRORS
    assert V2_ERRORS[1000] == (404, V2_NOT_FOUND["description"]) and V2_NOT_FOUND["code"] == 1000


# Parametrized over the package's table (a new code cannot go untested), expected values from docs/exophones.md's table
# copied into contract_tests/data (a code it does not list fails with a KeyError).
@pytest.mark.parametrize("code", sorted(V2Error.codes))
def test_every_v2_code_renders_its_status_and_description(app, code):
    status, description = V2_ERRORS[code]
    with app.test_request_context("/v2/accounts/x/incoming-phone-numbers/y"):
        error = V2Error.from_status(status)
        assert (error.status, error.code) == (status, code)
        assert error.body()["response"][0]["error_data"]["description"] == description


def test_connectivity_is_scripted_through_the_control_api(client, auth):
    sid = owned_sid(client, auth)
    outage = {"incoming_call": {"status": "major_outage", "alternate_exophone": ["+918039591111"]},
              "outgoing_call": {"status": "partial_network_outage"}}
    response = client.put(f"/_emulator/accounts/exotel_emulator/exophones/{sid}/connectivity", json=outage)
    assert response.status_code == 200
    c = client.get(v2_path(sid), headers=auth).get_json()["response"][0]["data"]["connectivity"]
    assert c["incoming_call"]["status"] == "major_outage"
    assert c["incoming_call"]["alternate_exophone"] == ["+918039591111"]
    assert c["outgoing_call"] == {"status": "partial_network_outage", "alternate_exophone": None,
                                  "last_check_time": c["outgoing_call"]["last_check_time"]}


@pytest.mark.parametrize("body", [{"incoming_call": {"status": "down"}}, {"incoming_call": {}},
                                  {"incoming_call": {"status": "active", "alternate_exophone": "123"}},
                                  {"sideways": {"status": "active"}}])
def test_bad_connectivity_bodies_are_400(client, auth, body):
    sid = owned_sid(client, auth)
    response = client.put(f"/_emulator/accounts/exotel_emulator/exophones/{sid}/connectivity", json=body)
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_connectivity_of_unknown_number_or_account_is_404(client):
    good = {"incoming_call": {"status": "active"}}
    assert client.put("/_emulator/accounts/exotel_emulator/exophones/nope/connectivity", json=good).status_code == 404
    assert client.put("/_emulator/accounts/nobody/exophones/nope/connectivity", json=good).status_code == 404
