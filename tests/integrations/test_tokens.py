"""POST /token and what tokens open: entity, expiry on the emulator clock, raw or Bearer, 401s."""

from __future__ import annotations

import base64
import uuid
from http import HTTPStatus

import pytest

from contract_tests.documented import INTEGRATIONS_MESSAGES, integrations_error
from emulator.integrations.errors import IntegrationsError
from emulator.integrations.models import TOKEN_TTL
from tests.integrations.conftest import BASE, CUSTOMER, FIXTURE_APP, data, what_failed

# every endpoint that needs a token, with the entity it needs
CUSTOMER_ONLY = [("get", "/customer", None), ("put", "/customer", {"CustomerName": "Some Body"}),
                 ("delete", "/customer", None), ("post", "/app", {}), ("get", "/app?entity=customer", None)]
APP_ONLY = [("get", "/app?entity=app", None), ("put", "/app", {"AppName": "x"}), ("delete", "/app", None),
            ("post", "/app_setting", {}), ("get", "/app_setting", None), ("put", "/app_setting", {}),
            ("delete", "/app_setting?key=popup", None), ("post", "/usermapping", []), ("get", "/usermapping", None),
            ("put", "/usermapping", []), ("delete", "/usermapping", None), ("delete", "/users/1", None),
            ("put", "/device", {}), ("post", "/call/outbound_call", {})]


def call(client, method, path, body, headers):
    return getattr(client, method)(BASE + path, json=body, headers=headers)


def test_token_is_base64_of_a_uuid(client):
    response = client.post(f"{BASE}/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"],
                                                  "Entity": "customer"})
    token = data(response)
    assert uuid.UUID(base64.b64decode(token).decode())
    assert uuid.UUID(response.get_json()["RequestId"])


def test_each_request_issues_a_new_token_and_both_work(client, issue):
    first, second = (issue(CUSTOMER["Id"], CUSTOMER["Secret"], "customer") for _ in range(2))
    assert first != second
    for token in (first, second):
        assert data(client.get(f"{BASE}/customer", headers={"Authorization": token}))["CustomerID"] == CUSTOMER["Id"]


def test_app_token_from_fixture_app(client, issue):
    token = issue(FIXTURE_APP["AppID"], FIXTURE_APP["AppSecret"], "app")
    assert data(client.get(f"{BASE}/app", headers={"Authorization": token}))["AppID"] == FIXTURE_APP["AppID"]


@pytest.mark.parametrize("body", [
    {"Id": CUSTOMER["Id"], "Secret": "wrong", "Entity": "customer"},
    {"Id": "nobody", "Secret": CUSTOMER["Secret"], "Entity": "customer"},
    {"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"], "Entity": "app"},  # a customer is not an app
    {"Id": FIXTURE_APP["AppID"], "Secret": CUSTOMER["Secret"], "Entity": "app"},
])
def test_wrong_id_or_secret_is_401(client, body):
    data(client.post(f"{BASE}/token", json=body), 401)


@pytest.mark.parametrize("body", [
    {"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"], "Entity": "user"},
    {"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"]},
    {"Id": CUSTOMER["Id"], "Entity": "customer"},
    {"Secret": CUSTOMER["Secret"], "Entity": "customer"},
    {"Id": 42, "Secret": CUSTOMER["Secret"], "Entity": "customer"},
    {"Id": CUSTOMER["Id"], "Secret": ["x"], "Entity": "customer"},
    [],
])
def test_bad_token_request_is_400(client, body):
    data(client.post(f"{BASE}/token", json=body), 400)


def test_malformed_json_is_400(client):
    response = client.post(f"{BASE}/token", data=b'{"Id": "x",', content_type="application/json")
    assert what_failed(response, 400) == "Malformed JSON body"


def test_unknown_entity_says_which_are_known(client):
    response = client.post(f"{BASE}/token", json={"Id": "x", "Secret": "y", "Entity": "admin"})
    assert what_failed(response, 400) == "Entity: must be customer or app"


def test_bearer_and_raw_tokens_both_work(client, customer_auth):
    token = customer_auth["Authorization"]
    for header in (token, f"Bearer {token}", f"bearer {token}"):
        data(client.get(f"{BASE}/customer", headers={"Authorization": header}))


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Bearer "},
                                     {"Authorization": "bm90LWEtdG9rZW4="}, {"Authorization": "Basic dTpw"}])
@pytest.mark.parametrize("method,path,body", CUSTOMER_ONLY + APP_ONLY)
def test_missing_or_unknown_token_is_401_everywhere(client, method, path, body, headers):
    data(call(client, method, path, body, headers), 401)


@pytest.mark.parametrize("method,path,body", APP_ONLY)
def test_customer_token_does_not_serve_app_endpoints(client, customer_auth, method, path, body):
    data(call(client, method, path, body, customer_auth), 401)


@pytest.mark.parametrize("method,path,body", CUSTOMER_ONLY)
def test_app_token_does_not_serve_customer_endpoints(client, app_auth, method, path, body):
    data(call(client, method, path, body, app_auth), 401)


def test_token_expires_after_90_days_on_the_emulator_clock(client, customer_auth, app_auth):
    assert TOKEN_TTL == 90 * 86400
    client.post("/_emulator/clock/advance", json={"seconds": TOKEN_TTL - 60})
    data(client.get(f"{BASE}/customer", headers=customer_auth))
    data(client.get(f"{BASE}/app", headers=app_auth))
    client.post("/_emulator/clock/advance", json={"seconds": 61})
    assert "expired" in data(client.get(f"{BASE}/customer", headers=customer_auth), 401)
    assert "expired" in data(client.get(f"{BASE}/app", headers=app_auth), 401)


def test_expiry_is_counted_from_issue(client, issue):
    client.post("/_emulator/clock/advance", json={"seconds": TOKEN_TTL + 1})
    token = issue(CUSTOMER["Id"], CUSTOMER["Secret"], "customer")  # issued on the advanced clock
    data(client.get(f"{BASE}/customer", headers={"Authorization": token}))
    client.post("/_emulator/clock/advance", json={"seconds": 90 * 86400 + 1})
    data(client.get(f"{BASE}/customer", headers={"Authorization": token}), 401)


def test_expired_tokens_are_pruned_from_the_table(client, store, issue):
    for _ in range(3):
        issue(CUSTOMER["Id"], CUSTOMER["Secret"], "customer")
    client.post("/_emulator/clock/advance", json={"seconds": TOKEN_TTL + 86400 + 1})  # a day past expiry
    fresh = issue(CUSTOMER["Id"], CUSTOMER["Secret"], "customer")
    assert list(store.model("integrations").tokens) == [fresh]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 413, 418, 429, 500, 502, 503, 599])
def test_from_status_gives_the_envelope_for_any_status(app, status):
    with app.test_request_context():
        error = IntegrationsError.from_status(status)
        body = error.body()
    assert error.status == status
    assert body["Status"] == "Failure" and body["Code"] == status and body["Data"] is None and body["Error"]
    assert uuid.UUID(body["RequestId"])
    if status in {s.value for s in HTTPStatus}:  # 599 has no reason phrase: any text will do
        # the page's description where it has one, else the HTTP reason phrase (contract_tests/documented.py)
        assert {k: v for k, v in body.items() if k != "RequestId"} == integrations_error(status)
    if status in INTEGRATIONS_MESSAGES:
        assert body["Error"] == INTEGRATIONS_MESSAGES[status]
