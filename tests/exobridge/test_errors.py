"""Appendix 1: every code with its documented status and message, by natural requests and by the table."""

from __future__ import annotations

import pytest

from contract_tests.documented import (
    APPENDIX_1,
    CODE_LIST,
    STATUS_LIST,
    exobridge_code_for_status,
    exobridge_error,
    exobridge_status_error,
)
from emulator import create_app
from emulator.core.errors import ApiError
from emulator.exobridge import ExoBridgeError
from tests.exobridge.conftest import BASE, envelope, number, request_body

# ---- the table -------------------------------------------------------------------------------------------


def test_the_table_is_appendix_1():
    assert sorted(ExoBridgeError.codes) == [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 50]
    assert ExoBridgeError.codes[4] == (452, "No free GreenVNs are available for allocation")
    assert ExoBridgeError.codes[17] == (413, "Too many allocation requests in bulk.")
    assert ExoBridgeError.codes[22] == (410, "This greenvn is already deleted")
    # every code, status and message, against the page's table copied into contract_tests/data
    assert {code: tuple(entry) for code, entry in ExoBridgeError.codes.items()} == APPENDIX_1


# Parametrized over the package's table, so a code added there cannot go untested; the expected status and
# message come from the page (a code the page does not list fails with a KeyError).
@pytest.mark.parametrize("code", sorted(ExoBridgeError.codes))
def test_of_gives_the_documented_envelope(app, code):
    status, message = APPENDIX_1[code]
    error = ExoBridgeError.of(code)
    assert isinstance(error, ApiError) and error.status == status
    assert error.body() == {"success": False, "status": status, "code": code, "message": message, "data": None}


@pytest.mark.parametrize("code", sorted(ExoBridgeError.codes))
def test_from_status_with_a_code_gives_its_documented_status_and_message(code):
    status, message = APPENDIX_1[code]
    for error in (ExoBridgeError.from_status(None, code), ExoBridgeError.from_status(status, code)):
        assert (error.status, error.code, error.message) == (status, code, message)


@pytest.mark.parametrize("status,code", [(404, 1), (401, 7), (403, 8), (400, 5), (405, 5), (413, 5), (410, 22),
                                         (452, 4), (422, 50), (500, 0), (503, 0), (418, 5)])
def test_from_status_alone_picks_the_fitting_code(status, code):
    error = ExoBridgeError.from_status(status)
    assert (error.status, error.code, error.message) == (status, code, APPENDIX_1[code][1])


@pytest.mark.parametrize("status", [404, 401, 403, 400, 405, 413, 409, 410, 422, 452, 429, 499, 500, 502, 503])
def test_from_status_alone_follows_the_documented_rule(status):
    """The status -> code rule of docs/exobridge.md, with Appendix 1's messages (the page's wording for 429 and 499)."""
    error = ExoBridgeError.from_status(status)
    assert error.code == exobridge_code_for_status(status)
    assert error.body() == exobridge_status_error(status)


def test_rate_limit_is_429_with_code_17():
    error = ExoBridgeError.from_status(429)
    assert (error.status, error.code, error.message) == (429, 17, "Too many requests")
    assert (error.status, error.code, error.message) == (429, 17, CODE_LIST[17])  # the page's code list
    assert ExoBridgeError.from_status(429, 17).message == "Too many requests"
    assert ExoBridgeError.of(17).status == 413  # Appendix 1's own 17 stays as documented
    assert ExoBridgeError.of(17).body() == exobridge_error(17)


def test_499_is_the_documented_timeout_status():
    error = ExoBridgeError.from_status(499)
    assert (error.status, error.code, error.message) == (499, 0, "Response timeout exceeded")
    assert error.message == STATUS_LIST[499]  # the page's status list


# ---- natural requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["connection_id", "aparty_numbers", "bparty_numbers", "usage"])
def test_3_mandatory_parameter_missing(client, auth, missing):
    body = request_body()
    body.pop(missing)
    envelope(client.post(BASE, json=body, headers=auth), 3)


@pytest.mark.parametrize("fields", [{"aparty_numbers": []}, {"connection_id": ""}])
def test_3_empty_mandatory_parameter(allocate, fields):
    envelope(allocate(**fields), 3)


def test_3_empty_body(client, auth):
    envelope(client.post(BASE, headers=auth), 3)
    envelope(client.post(BASE, json={}, headers=auth), 3)


@pytest.mark.parametrize("fields", [
    {"usage": "both"}, {"usage": "oneway|twoway"}, {"usage": 1}, {"connection_id": 5},
    {"aparty_numbers": "+919900000001"},
    {"aparty_numbers": [919900000001]}, {"aparty_pins": [0]}, {"aparty_pins": ["1234"]}, {"bparty_pins": [True]},
    {"aparty_pins": 1234}, {"strictness": "yes"}, {"strictness": 1}, {"preferences": "KA"},
    {"preferences": {"type": "satellite"}}, {"preferences": {"number_type": 5}}, {"preferences": {"region": 29}},
    {"preferences": {"pin_code": "56004"}}, {"preferences": {"pin_code": "ABCDEF"}},
    {"preferences": {"type": "mobile", "number_type": "landline"}}, {"deallocation_policy": {"duration": "20"}},
    {"deallocation_policy": {"duration": "20h"}}, {"deallocation_policy": {"duration": "-5s"}},
    {"deallocation_policy": {"duration": 20}}, {"deallocation_policy": {"duration": "0s"}},
    {"deallocation_policy": "600s"}, {"flow_id": 448581},
    # a bad value next to a bad number is a plain bad request
    {"usage": "both", "aparty_numbers": ["12345"]},
])
def test_5_bad_parameters(allocate, fields):
    envelope(allocate(**fields), 5)


@pytest.mark.parametrize("raw", ["{", '{"connection_id": "x",}', "[1, 2]", '"text"', "\xff\xfe"])
def test_5_malformed_or_non_object_json(client, auth, raw):
    envelope(client.post(BASE, data=raw.encode("latin-1"), headers=auth, content_type="application/json"), 5)


def test_5_body_over_the_size_limit_is_413_in_the_envelope(client, auth):
    response = client.post(BASE, data=b'{"connection_id": "' + b"x" * (1 << 20) + b'"}', headers=auth,
                           content_type="application/json")
    body = response.get_json()
    assert response.status_code == 413 and body["success"] is False and body["code"] == 5 and body["data"] is None


@pytest.mark.parametrize("fields", [{"aparty_numbers": ["9876543210"]}, {"bparty_numbers": ["+91 98765 43210"]},
                                    {"aparty_numbers": ["+91917XXX6528"]}, {"preferences": {"greenvn": "080123"}}])
def test_16_invalid_number(allocate, fields):
    envelope(allocate(**fields), 16)


@pytest.mark.parametrize("region", ["ZZ", "UP", "karnataka"])
def test_15_region_not_supported(allocate, region):
    envelope(allocate(preferences={"region": region}), 15)


def test_region_is_case_insensitive(allocated):
    assert allocated(preferences={"region": "ka"}, strictness=True)["greenvn"] in ("+918012345678", "+917205827365")


def test_14_same_number_on_both_sides_or_twice(allocate):
    shared = number()
    envelope(allocate(aparty_numbers=[shared], bparty_numbers=[shared]), 14)
    envelope(allocate(aparty_numbers=[shared, shared]), 14)
    envelope(allocate(aparty_pins=[7], bparty_pins=[7]), 14)


def test_14_on_call_party_update(client, auth, allocated):
    created = allocated()
    body = {"aparty_numbers": created["bparty_numbers"]}
    envelope(client.put(f"{BASE}/{created['greenvn_id']}/call-party", headers=auth, json=body), 14)


def test_18_connection_id_of_an_active_allocation_and_reuse_after_vault(client, auth, allocated, allocate):
    first = allocated()
    envelope(allocate(connection_id=first["connection_id"]), 18)
    client.delete(f"{BASE}/{first['greenvn_id']}", headers=auth)
    again = allocate(connection_id=first["connection_id"])
    assert again.status_code == 200 and again.get_json()["data"]["greenvn_id"] != first["greenvn_id"]


def test_50_unknown_flow(allocate):
    envelope(allocate(flow_id="000000"), 50)


def test_4_no_vn_meets_strict_preferences(allocate, configure):
    envelope(allocate(preferences={"greenvn": "+919999999999"}, strictness="true"), 4)
    configure(vn_pool=["+918012345678"], vn_regions={"+918012345678": "KA"})
    envelope(allocate(preferences={"region": "DL"}, strictness=True), 4)
    envelope(allocate(preferences={"type": "mobile"}, strictness=True), 4)
    envelope(allocate(preferences={"pin_code": "110001"}, strictness=True), 4)


def test_4_empty_pool(allocate, configure):
    configure(vn_pool=[])
    envelope(allocate(), 4)


def test_13_every_number_already_mapped_on_the_requested_vn(allocated, allocate):
    vn = {"preferences": {"greenvn": "+914048212136"}, "strictness": True}
    first = allocated(**vn)
    same = allocate(aparty_numbers=first["aparty_numbers"], bparty_numbers=first["bparty_numbers"], **vn)
    envelope(same, 13)


def test_19_some_numbers_or_a_pin_already_on_the_requested_vn(allocated, allocate):
    vn = {"preferences": {"greenvn": "+914048212136"}, "strictness": True}
    first = allocated(aparty_pins=[4321], **vn)
    envelope(allocate(aparty_numbers=first["aparty_numbers"], **vn), 19)
    envelope(allocate(bparty_pins=[4321], **vn), 19)


def test_13_and_19_on_call_party_update(client, auth, allocated):
    vn = {"preferences": {"greenvn": "+914048212136"}, "strictness": True}
    first, second = allocated(aparty_pins=[55], **vn), allocated(**vn)
    path = f"{BASE}/{second['greenvn_id']}/call-party"
    envelope(client.put(path, headers=auth, json={"aparty_numbers": first["aparty_numbers"],
                                                  "bparty_numbers": first["bparty_numbers"]}), 13)
    envelope(client.put(path, headers=auth, json={"aparty_numbers": first["aparty_numbers"]}), 19)
    envelope(client.put(path, headers=auth, json={"aparty_numbers": [number()], "aparty_pins": [55]}), 19)


def test_natural_errors_never_reach_500(client, auth):
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
        for path in (BASE, f"{BASE}/x", f"{BASE}/x/vn", f"{BASE}/x/call-party", "/v1/tenants/", "/v1/tenants/x"):
            response = client.open(path, method=method, headers=auth, data="%%{", content_type="application/json")
            assert response.status_code < 500 and response.get_json()["success"] is False, (method, path)


def test_an_unexpected_bug_is_code_0_in_the_envelope(monkeypatch, auth):
    app = create_app()
    model = app.extensions["exotel_emulator"].model("exobridge")
    monkeypatch.setattr(model, "get", lambda *a: 1 / 0)
    response = app.test_client().get(f"{BASE}/x", headers=auth)
    envelope(response, 0)
