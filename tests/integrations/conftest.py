"""Helpers for the integrations tests: the fixture customer, tokens, a fresh app and terse users."""

from __future__ import annotations

import itertools
import json

import pytest

from contract_tests.documented import integrations_text
from emulator.core.fixtures import default_dir

BASE = "/v2/integrations"
FIXTURE = json.loads((default_dir() / "integrations" / "default.json").read_text())
CUSTOMER = FIXTURE["customers"][0]
FIXTURE_APP = CUSTOMER["Apps"][0]
APP_BODY = {"AppName": "WebRTC", "ExotelAccountSid": "exoteldemo", "ExotelApiKey": "key", "ExotelApiToken": "token",
            "ExotelDomain": "mumbai", "IsActive": True}

_ids = itertools.count(1)


def user_body(app_user_id=None, **fields) -> dict:
    body = {"AppUserId": app_user_id or f"u{next(_ids)}", "AppUsername": "Temp Name", "Email": "temp.user@company.in",
            "ExotelAccountSid": "exoteldemo", "ExotelUserName": "Agent Smith", "AgentNumber": "+919876543210",
            "VirtualNumber": "01135124165"}
    body.update(fields)
    return body


def page_text(response) -> str | None:
    """What the page says first for this response's status on the endpoint its request asked (docs/fidelity.md: that
    endpoint's own status table, else the texts the page gives most), copied in contract_tests/data."""
    asked = response.request
    return integrations_text(response.status_code, asked.method, asked.path, asked.args.to_dict())


def data(response, status: int = 200):
    """Asserts the success envelope and returns ``Data``; for another ``status``, the failure envelope, with
    ``Error`` opening with the page's text for that status on that endpoint, and returns ``Error``."""
    body = response.get_json()
    assert response.status_code == status and response.content_type == "application/json", body
    if status == 200:
        assert body["Status"] == "Success" and body["Code"] == 200 and body["Error"] == "", body
    else:
        assert body["Status"] == "Failure" and body["Code"] == status and body["Data"] is None, body
        assert isinstance(body["Error"], str) and body["Error"]
        documented = page_text(response)
        if documented is not None:
            assert body["Error"] == documented or body["Error"].startswith((documented + " ", documented + ": ")), (
                body["Error"], documented)
        return body["Error"]
    return body["Data"]


def what_failed(response, status: int) -> str:
    """The failure envelope's ``Error`` after the page's text: what the emulator says failed."""
    error = data(response, status)
    documented = page_text(response)
    return error[len(documented):].lstrip(": ") if documented is not None else error


@pytest.fixture
def issue(client):
    """``issue(id, secret, entity)`` -> a token (asserting 200)."""

    def post(entity_id: str, secret: str, entity: str) -> str:
        return data(client.post(f"{BASE}/token", json={"Id": entity_id, "Secret": secret, "Entity": entity}))

    return post


@pytest.fixture
def customer_auth(issue) -> dict:
    return {"Authorization": issue(CUSTOMER["Id"], CUSTOMER["Secret"], "customer")}


@pytest.fixture
def new_app(client, customer_auth, issue):
    """``new_app(**fields)`` -> (the created app's Data, headers with an app token)."""

    def create(**fields):
        created = data(client.post(f"{BASE}/app", json=dict(APP_BODY, **fields), headers=customer_auth))
        return created, {"Authorization": issue(created["AppID"], created["AppSecret"], "app")}

    return create


@pytest.fixture
def app_auth(new_app) -> dict:
    return new_app()[1]


@pytest.fixture
def add_users(client, app_auth):
    """``add_users(*ids, headers=app_auth)`` maps users with those AppUserIds and returns their Data."""

    def post(*ids, headers=None, **fields):
        return data(client.post(f"{BASE}/usermapping", json=[user_body(i, **fields) for i in ids],
                                headers=headers or app_auth))

    return post
