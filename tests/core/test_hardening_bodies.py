"""Bodies no API accepts (nested too deep, NaN, lone surrogates) are a 4xx in the family's envelope, never a
500, wherever a body is read: vendor endpoints, control endpoints and the journal that shows them later."""

from __future__ import annotations

import re

import pytest

from tests.conftest import DEFAULT_ACCOUNT, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
CUSTOMER = {"Id": "99fa98a1-2ce0-457c-9371-0d3a01eb6ef0", "Secret": "5b8215f7-8595-42c0-9b63-404bcc474f94"}
APP = {"Id": "2e6440ed-ff62-49d7-bb00-5494b313a863", "Secret": "61b1f4c2-30d5-4819-9a5c-006ed9784313"}

DEEP_LIST = b"[" * 1000 + b"]" * 1000
DEEP_OBJECT = b'{"a":' * 1000 + b"1" + b"}" * 1000

# ExoBridge's documented answer to a malformed body (Appendix 1, code 5)
EXOBRIDGE_5 = {"success": False, "status": 400, "code": 5, "message": "Bad or missing parameters in Request",
               "data": None}


def tokens(client) -> dict:
    def issue(who, entity):
        return client.post("/v2/integrations/token", json={**who, "Entity": entity}).get_json()["Data"]

    return {"customer": issue(CUSTOMER, "customer"), "app": issue(APP, "app")}


def concrete(rule: str) -> str:
    """A URL rule with every variable filled in (the default account, made-up ids; the classic v1 API's
    optional ``.json`` given, so it answers JSON)."""
    filled = re.sub(r"<json_suffix:\w+>", ".json", rule)
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SID if m.group(1) == "sid" else "x1", filled)


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["lists", "objects"])
def test_no_endpoint_answers_a_deep_body_with_a_5xx(app, client, body):
    issued = tokens(client)
    seen = 0
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH"}):
            for headers in (AUTH, {"Authorization": issued["customer"]}, {"Authorization": issued["app"]}):
                response = client.open(concrete(rule.rule), method=method, data=body, headers=headers,
                                       content_type="application/json")
                assert response.status_code < 500, (method, rule.rule, response.get_json())
                # the classic v1 API answers XML where the path has no .json, its errors too
                classic_xml = rule.rule.startswith("/v1/Accounts/") and response.mimetype == "application/xml"
                assert response.is_json or classic_xml, (method, rule.rule)
                seen += 1
    assert seen > 60  # every family's writes were tried


def test_a_deep_body_is_each_familys_malformed_body(client):
    token = client.post("/v2/integrations/token", data=DEEP_LIST, content_type="application/json")
    assert token.status_code == 400 and token.get_json()["Status"] == "Failure"
    assert "nested deeper than 64 levels" in token.get_json()["Error"]

    allocation = client.post(f"/v1/tenants/{SID}/greenvn", data=DEEP_OBJECT, headers=AUTH,
                             content_type="application/json")
    assert (allocation.status_code, allocation.get_json()) == (400, EXOBRIDGE_5)

    buy = client.post(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", data=DEEP_LIST, headers=AUTH,
                      content_type="application/json")
    assert buy.status_code == 400 and buy.get_json()["RestException"]["Status"] == 400

    fault = client.post("/_emulator/faults", data=DEEP_LIST, content_type="application/json")
    assert fault.status_code == 400 and fault.get_json()["status"] == 400
    assert "nested deeper" in fault.get_json()["error"]


def test_the_limit_is_64_levels(client):  # the documented limit (docs/control-api.md, Bounds)
    def fault_with_body(levels: int):  # the rule object is one level, its body the rest
        body = "[" * (levels - 1) + "]" * (levels - 1)
        return client.post("/_emulator/faults", data=f'{{"path": "/x", "status": 500, "body": {body}}}',
                           content_type="application/json")

    assert fault_with_body(64).status_code == 201
    assert fault_with_body(65).status_code == 400


def test_brackets_inside_strings_do_not_count(client):
    deep_text = "[" * 500 + "{" * 500
    response = client.post("/_emulator/faults", json={"path": "/x", "status": 500, "body": deep_text})
    assert response.status_code == 201 and response.get_json()["body"] == deep_text


def test_the_journal_shows_a_deep_body_as_text_and_stays_readable(client):
    client.post("/v2/integrations/token", data=DEEP_LIST, content_type="application/json")
    journal = client.get("/_emulator/requests")
    assert journal.status_code == 200
    [entry] = journal.get_json()["requests"]
    assert entry["body"] == DEEP_LIST.decode() and entry["status"] == 400


def test_a_lone_surrogate_in_a_secret_is_a_400_not_a_500(client):
    body = b'{"Id": "%s", "Secret": "\\ud800", "Entity": "customer"}' % CUSTOMER["Id"].encode()
    response = client.post("/v2/integrations/token", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["Status"] == "Failure"
    assert "surrogate" in response.get_json()["Error"]
    # a surrogate pair is one character (U+1F600): a wrong secret like any other, 401
    pair = b'{"Id": "%s", "Secret": "\\ud83d\\ude00", "Entity": "customer"}' % CUSTOMER["Id"].encode()
    assert client.post("/v2/integrations/token", data=pair, content_type="application/json").status_code == 401


def test_surrogates_encoded_as_utf8_bytes_are_refused_too(client):
    body = b'{"Id": "%s", "Secret": "\xed\xa0\x80", "Entity": "customer"}' % CUSTOMER["Id"].encode()
    response = client.post("/v2/integrations/token", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["Status"] == "Failure"


def test_an_escaped_backslash_before_u_is_not_a_surrogate(client):
    response = client.post("/_emulator/faults", data=b'{"path": "/x", "status": 500, "body": "\\\\ud800"}',
                           content_type="application/json")
    assert response.status_code == 201 and response.get_json()["body"] == "\\ud800"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_not_json(client, number):
    response = client.post("/_emulator/faults", data=f'{{"path": "/v2_beta/*", "status": 500, "body": {number}}}',
                           content_type="application/json")
    assert response.status_code == 400 and response.get_json()["status"] == 400
    assert client.get("/_emulator/faults").get_json()["faults"] == []
    assert client.get(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=AUTH).status_code == 200
