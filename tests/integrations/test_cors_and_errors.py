"""Browsers call the integrations API directly: CORS on every path; and bad requests of every kind get the
integrations envelope."""

from __future__ import annotations

import pytest

from contract_tests.documented import CORS_ALLOWED_HEADERS as ALLOWED_HEADERS
from contract_tests.documented import INTEGRATIONS_MESSAGES, INTEGRATIONS_TABLES, integrations_descriptions
from emulator.integrations.errors import IntegrationsError
from tests.integrations.conftest import BASE, data

ORIGIN = "http://localhost:3000"
PATHS = ["/token", "/customer", "/app", "/app_setting", "/usermapping", "/users/1", "/device",
         "/call/inbound_call/some-app", "/call/outbound_call", "/no/such/path"]


@pytest.mark.parametrize("path", PATHS)
def test_preflight_passes_on_every_path(client, path):
    response = client.options(BASE + path, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-request-id"})
    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN)
    allowed = [h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")]
    # named explicitly: a "*" does not cover Authorization
    assert {h.lower() for h in ALLOWED_HEADERS} <= set(allowed) and "x-request-id" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_names_authorization_even_when_not_asked(client):
    response = client.options(BASE + "/app", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert set(ALLOWED_HEADERS) <= allowed


@pytest.mark.parametrize("method, path, headers, status", [
    ("GET", "/customer", None, 401),  # no token
    ("GET", "/nowhere", None, 404),
    ("PATCH", "/app", None, 405),
])
def test_errors_carry_the_allow_origin_header_too(client, method, path, headers, status):
    response = client.open(BASE + path, method=method, headers={"Origin": ORIGIN, **(headers or {})})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN)
    data(response, status)


def test_success_carries_the_allow_origin_header(client, customer_auth):
    response = client.get(BASE + "/customer", headers={"Origin": ORIGIN, **customer_auth})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] in ("*", ORIGIN)


def test_other_families_get_no_cors_headers(client):
    response = client.options("/v2_beta/Accounts/x/IncomingPhoneNumbers", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_unknown_path_and_wrong_method_answer_in_the_envelope(client):
    assert data(client.get(BASE + "/nowhere"), 404)
    response = client.patch(BASE + "/customer")
    assert data(response, 405) and "GET" in response.headers["Allow"]


@pytest.mark.parametrize("raw, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2", "application/json"),
    (b"\xff\xfe", "application/json"),
    (b'"a string"', "application/json"),
])
def test_malformed_bodies_are_400(client, raw, content_type):
    assert data(client.post(BASE + "/token", data=raw, content_type=content_type), 400)


def test_oversized_body_is_413_in_the_envelope(client, app_auth):
    huge = b'{"Key": "popup", "Value": "' + b"x" * (2 << 20) + b'"}'
    response = client.post(BASE + "/app_setting", data=huge, content_type="application/json", headers=app_auth)
    assert data(response, 413)


# The texts of an endpoint without a table of its own (each endpoint's own: test_status_tables.py). Parametrized
# over the package's table (a new entry cannot go untested); the expected text is the page's, from its
# per-endpoint status tables copied into contract_tests/data (a status the page never describes fails).
@pytest.mark.parametrize("status", sorted(IntegrationsError.messages))
def test_documented_status_descriptions_are_the_messages(status):
    assert IntegrationsError.messages[status] == INTEGRATIONS_MESSAGES[status]
    assert IntegrationsError.from_status(status).body()["Error"] == INTEGRATIONS_MESSAGES[status]


def test_every_status_the_page_describes_has_its_message():
    described = {s for _, table in INTEGRATIONS_TABLES for s in table if s != 200}
    assert set(IntegrationsError.messages) == described == set(INTEGRATIONS_MESSAGES)


@pytest.mark.parametrize("status", [400, 401])
def test_the_messages_are_the_pages_own_words(status):
    # the one the emulator answers is among the descriptions the page gives that status
    assert INTEGRATIONS_MESSAGES[status] in integrations_descriptions(status)
    assert IntegrationsError.from_status(status).message in integrations_descriptions(status)
