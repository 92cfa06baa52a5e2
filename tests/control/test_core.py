"""The control API's core: health, reset, accounts, clock."""

from __future__ import annotations

import re

import pytest

from emulator import create_app
from tests.conftest import basic


def test_health(client):
    response = client.get("/_emulator/health")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_new_account_is_usable_at_once_and_duplicates_are_409(client):
    body = {"sid": "acme", "api_key": "acme_key", "api_token": "acme_token"}
    assert client.post("/_emulator/accounts", json=body).status_code == 201
    auth = basic("acme_key", "acme_token")
    assert client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=auth).status_code == 200
    again = client.post("/_emulator/accounts", json=body)
    assert again.status_code == 409 and again.get_json()["status"] == 409
    key_taken = client.post("/_emulator/accounts", json={**body, "sid": "acme2"})
    assert key_taken.status_code == 409


@pytest.mark.parametrize("body", [{}, {"sid": "a b", "api_key": "k", "api_token": "t"},
                                  {"sid": "x", "api_key": 5, "api_token": "t"}, ["sid"], "x"])
def test_bad_account_bodies_are_400(client, body):
    response = client.post("/_emulator/accounts", json=body)
    assert response.status_code == 400 and "error" in response.get_json()


def test_malformed_json_is_400(client):
    response = client.post("/_emulator/accounts", data="{", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_clock_advance_moves_now(client):
    before = client.get("/_emulator/clock").get_json()["now"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", before)
    after = client.post("/_emulator/clock/advance", json={"seconds": 86400 * 3}).get_json()
    assert after["offset_seconds"] == 86400 * 3 and after["now"] > before


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "soon"}, {"seconds": None}])
def test_bad_advance_is_400(client, body):
    assert client.post("/_emulator/clock/advance", json=body).status_code == 400


def test_reset_restores_fixtures_and_real_time(client, auth):
    path = "/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers"
    first = client.get(path, headers=auth).get_json()["incoming_phone_numbers"][0]["sid"]
    client.delete(f"{path}/{first}", headers=auth)
    client.post("/_emulator/accounts", json={"sid": "acme", "api_key": "k", "api_token": "t"})
    client.post("/_emulator/clock/advance", json={"seconds": 1000})
    assert client.post("/_emulator/reset").status_code == 200
    assert client.get("/_emulator/clock").get_json()["offset_seconds"] == 0
    assert len(client.get(path, headers=auth).get_json()["incoming_phone_numbers"]) == 3
    assert client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=basic("k", "t")).status_code == 401


def test_unknown_control_path_is_json_404(client):
    response = client.get("/_emulator/nothing")
    assert response.status_code == 404 and response.get_json() == {"status": 404, "error": "Not Found"}


def test_two_apps_share_nothing():
    a, b = create_app().test_client(), create_app().test_client()
    a.post("/_emulator/accounts", json={"sid": "only_a", "api_key": "k", "api_token": "t"})
    a.post("/_emulator/clock/advance", json={"seconds": 50})
    assert b.get("/_emulator/clock").get_json()["offset_seconds"] == 0
    assert b.post("/_emulator/accounts", json={"sid": "only_a", "api_key": "k", "api_token": "t"}).status_code == 201
