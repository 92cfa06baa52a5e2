"""Each endpoint's errors say what its own status table says: the page's per-endpoint tables, copied word for
word into contract_tests/data/integrations_status_tables.json, give every expected text."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest

from contract_tests.documented import INTEGRATIONS_TABLES, integrations_table
from emulator.integrations.errors import PREFIX, IntegrationsError
from tests.integrations.conftest import BASE, data

# What each placeholder of the tables' endpoints stands for in a concrete request
PLACEHOLDER = re.compile(r"\{\{?(\w+)\}\}?")
VALUES = {"AppUserID": "1", "configKey": "popup", "userId": "1", "optional": "1", "popup": "popup"}


def concrete(endpoint: str, app_id: str) -> tuple[str, str, dict]:
    """(method, path, query) of a request to a table's endpoint (``GET /v2/integrations/app?entity=app``)."""
    method, _, rest = endpoint.partition(" ")
    path, _, query = rest.partition("?")

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: app_id if m.group(1) == "appId" else VALUES[m.group(1)], text)

    return method, fill(path), {name: fill(value) for name, value in parse_qsl(query)}


FAULTED = [(endpoint, status, text) for endpoint, table in INTEGRATIONS_TABLES
           for status, text in table.items() if status != 200]


@pytest.mark.parametrize("endpoint,status,text", FAULTED, ids=[f"{e} {s}" for e, s, _ in FAULTED])
def test_a_fault_answers_the_endpoints_own_description(client, new_app, endpoint, status, text):
    created, auth = new_app()
    method, path, query = concrete(endpoint, created["AppID"])
    assert client.post("/_emulator/faults", json={"method": method, "path": path, "status": status}).status_code == 201
    response = client.open(path, method=method, query_string=query, headers=auth)
    assert data(response, status) == text


# A request of each endpoint that fails naturally with 400 (the endpoints with no parameter to get wrong,
# DELETE /usermapping and DELETE /users/<AppUserID>, have none).
BAD_REQUESTS = {
    "POST /v2/integrations/token": {"json": {"Id": "x"}},
    "POST /v2/integrations/app": {"json": {"AppName": "CRM"}, "token": "customer"},
    "GET /v2/integrations/app?entity=app": {"query_string": {"entity": "apps"}},
    "GET /v2/integrations/app?entity=customer": {"query_string": {"entity": "customers"}, "token": "customer"},
    "POST /v2/integrations/app_setting": {"json": {"Key": "nope", "Value": "https://x.example.com"}},
    "GET /v2/integrations/app_setting?key={{configKey}}": {"query_string": {"key": "nope"}},
    "GET /v2/integrations/app_setting": {"json": {"Key": "nope"}},
    "DELETE /v2/integrations/app_setting?key={{configKey}}": {"query_string": {"key": "nope"}},
    "POST /v2/integrations/usermapping": {"json": []},
    "GET /v2/integrations/usermapping?user_id={{userId}}": {"query_string": {"user_id": "a b"}},
    "GET /v2/integrations/usermapping?last_value={{optional}}&page_size={{optional}}": {
        "query_string": {"last_value": "0", "page_size": "0"}},
    "PUT /v2/integrations/device": {"json": {"DeviceName": "phone"}},
    "GET /v2/integrations/call/inbound_call/{appId}?type={popup}": {"query_string": {"type": "ringing"}},
}
NO_NATURAL_400 = {"DELETE /v2/integrations/usermapping", "DELETE /v2/integrations/users/{{AppUserID}}"}


def test_every_table_with_a_400_has_a_bad_request_here():
    with_400 = {endpoint for endpoint, table in INTEGRATIONS_TABLES if 400 in table}
    assert with_400 - NO_NATURAL_400 <= set(BAD_REQUESTS) and NO_NATURAL_400 <= with_400


@pytest.mark.parametrize("endpoint", sorted(BAD_REQUESTS))
def test_a_natural_error_opens_with_the_endpoints_description_then_says_what_failed(client, new_app,
                                                                                    customer_auth, endpoint):
    created, app_auth = new_app()
    request = dict(BAD_REQUESTS[endpoint])
    headers = customer_auth if request.pop("token", "app") == "customer" else app_auth
    method, path, _ = concrete(endpoint, created["AppID"])
    description = dict(INTEGRATIONS_TABLES)[endpoint][400]
    error = data(client.open(path, method=method, headers=headers, **request), 400)
    assert error.startswith(description + " ") and len(error) > len(description) + 1, error


TOKEN_ENDPOINTS = [endpoint for endpoint, _ in INTEGRATIONS_TABLES
                   if not endpoint.startswith(("POST /v2/integrations/token", "GET /v2/integrations/call/"))]


@pytest.mark.parametrize("endpoint", TOKEN_ENDPOINTS)
def test_an_unknown_token_is_the_endpoints_401_then_why(client, new_app, endpoint):
    created, _ = new_app()
    method, path, query = concrete(endpoint, created["AppID"])
    table = dict(INTEGRATIONS_TABLES)[endpoint]
    error = data(client.open(path, method=method, query_string=query, headers={"Authorization": "bm9wZQ=="}), 401)
    assert error == f"{table[401]} Unknown token."


def test_a_wrong_secret_is_the_token_endpoints_401_then_why(client):
    table = dict(INTEGRATIONS_TABLES)["POST /v2/integrations/token"]
    error = data(client.post(f"{BASE}/token", json={"Id": "nobody", "Secret": "x", "Entity": "app"}), 401)
    assert error == f"{table[401]} No app nobody with that secret."


def package_route(method: str, path: str) -> tuple[str, str] | None:
    """The package table's key that a request (method, path) falls under, if any."""
    for key_method, route in IntegrationsError.tables:
        if key_method == method and re.fullmatch(PREFIX + re.sub(r"<\w+>", "[^/]+", route), path):
            return key_method, route
    return None


@pytest.mark.parametrize("endpoint,table", INTEGRATIONS_TABLES, ids=[e for e, _ in INTEGRATIONS_TABLES])
def test_every_table_of_the_page_is_the_packages_for_its_endpoint(endpoint, table):
    method, path, _ = concrete(endpoint, "some-app")
    key = package_route(method, path)
    assert key is not None, endpoint
    assert dict(IntegrationsError.tables[key]) == {status: text for status, text in table.items() if status != 200}


# Parametrized over the package's tables, so an endpoint added there cannot go unchecked against the page.
@pytest.mark.parametrize("method,route", sorted(IntegrationsError.tables))
def test_every_table_of_the_package_is_one_of_the_pages(method, route):
    path = PREFIX + re.sub(r"<\w+>", "x", route)
    documented = integrations_table(method, path)
    assert documented is not None and package_route(method, path) == (method, route)
    assert dict(IntegrationsError.tables[(method, route)]) == {s: t for s, t in documented.items() if s != 200}


@pytest.mark.parametrize("method,path", [("PUT", "/app_setting"), ("PUT", "/usermapping"), ("PUT", "/app"),
                                         ("PUT", "/customer"), ("POST", "/call/outbound_call")])
@pytest.mark.parametrize("status", [400, 401, 500])
def test_an_endpoint_without_a_table_says_what_the_page_says_most(client, method, path, status):
    assert client.post("/_emulator/faults", json={"method": method, "path": BASE + path, "status": status}
                       ).status_code == 201
    expected = {400: "Bad request. Check the input parameters.", 401: "Unauthorized. Check the entity id and secret.",
                500: "Internal server error."}  # the token table's 400 and 401; every 500 row's first sentence
    assert data(client.open(BASE + path, method=method), status) == expected[status]
