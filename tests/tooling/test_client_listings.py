"""ControlClient's listing methods read what the control API lists."""

from __future__ import annotations

import pytest

from emulator.control.client import ControlClient
from tests.conftest import basic

SID = "exotel_emulator"


@pytest.fixture
def control(app):
    return ControlClient(app=app)


def test_exophones_and_allocations(control, client, auth):
    assert [p["phone_number"] for p in control.exophones(SID)] == ["+911139585476", "+918039591111", "+919845012345"]
    assert [p["phone_number"] for p in control.exophones(SID, page=1, page_size=2)] == ["+919845012345"]
    body = {"connection_id": "c-1", "aparty_numbers": ["+919170006528"], "bparty_numbers": ["+918100006620"],
            "usage": "twoway"}
    made = client.post(f"/v1/tenants/{SID}/greenvn", json=body, headers=auth).get_json()["data"]
    assert [a["greenvn_id"] for a in control.allocations(SID)] == [made["greenvn_id"]]
    assert control.allocations(SID, state="vault") == []


def test_integrations_customers_and_apps(control):
    control.create_integrations_customer("acme", "acme-secret", "Acme Corp", "ops@acme.example")
    assert [c["CustomerName"] for c in control.integrations_customers()] == ["Temp Name", "Acme Corp"]
    assert [a["AppName"] for a in control.integrations_apps()] == ["WebRTC"]
    assert control.integrations_apps(customer="acme") == []


def test_requests_and_callbacks_take_a_limit(control, client, store, listener):
    for page in range(3):
        client.get(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", query_string={"Page": page},
                   headers=basic("emulator_api_key", "emulator_api_token"))
    assert [r["query"]["Page"] for r in control.requests(limit=2)] == ["1", "2"]
    for n in range(2):
        store.callbacks.send(listener.url, "test", {"n": n})
    listener.wait(2)
    assert [c["payload"] for c in control.callbacks(limit=1)] == [{"n": 1}]


def test_callbacks_take_an_account(control, store, listener):
    for n, account in enumerate([SID, "other", SID]):
        store.callbacks.send(listener.url, "test", {"n": n}, account=account)
    listener.wait(3)
    assert [c["payload"]["n"] for c in control.callbacks(account=SID)] == [0, 2]
    assert [c["payload"]["n"] for c in control.callbacks(account=SID, limit=1)] == [2]
    assert control.callbacks(account="nobody") == []
