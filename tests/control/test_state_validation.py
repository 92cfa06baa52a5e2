"""PUT /_emulator/state checks every field of every family's part before anything is swapped in: a wrong
type anywhere is a 400 that changes nothing, never a world that answers 500 later."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import DEFAULT_ACCOUNT, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
APP = {"Id": "2e6440ed-ff62-49d7-bb00-5494b313a863", "Secret": "61b1f4c2-30d5-4819-9a5c-006ed9784313"}
USER = {"AppUserId": "1", "AppUsername": "Asha Kumari", "Email": "asha@example.in", "ExotelAccountSid": SID,
        "ExotelUserName": "Asha Kumari", "AgentNumber": "+919876500001", "VirtualNumber": "+918045600001"}


@pytest.fixture
def world(client) -> dict:
    """A snapshot with something in every part: an owned number, an allocation, a user, a token."""
    number = client.get(f"/v2_beta/Accounts/{SID}/AvailablePhoneNumbers/IN/Mobile", headers=AUTH).get_json()[0]
    assert client.post(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=AUTH,
                       data={"PhoneNumber": number["phone_number"]}).status_code == 200
    allocation = client.post(f"/v1/tenants/{SID}/greenvn", headers=AUTH, json={
        "connection_id": "c-1", "aparty_numbers": ["+919900000001"], "bparty_numbers": ["+919900000002"],
        "aparty_pins": [1234], "usage": "twoway"})
    assert allocation.status_code == 200
    token = client.post("/v2/integrations/token", json={**APP, "Entity": "app"}).get_json()["Data"]
    assert client.post("/v2/integrations/usermapping", json=[USER], headers={"Authorization": token}).status_code == 200
    return client.get("/_emulator/state").get_json()


def _owned(s):
    return s["families"]["exophones"]["accounts"][SID]["owned"][-1]


def _tenant(s):
    return s["families"]["exobridge"]["tenants"][SID]


def _allocation(s):
    return s["families"]["exobridge"]["allocations"][0]


def _app(s):
    return s["families"]["integrations"]["customers"][0]["apps"][0]


BROKEN = {
    "exophones date": lambda s: _owned(s).update(date_created="x"),
    "exophones number": lambda s: _owned(s)["listing"].update(phone_number=918000000000),
    "exophones price": lambda s: _owned(s)["listing"].update(rental_price="free"),
    "exophones url": lambda s: _owned(s).update(voice_url="http://["),
    "exophones connectivity": lambda s: _owned(s)["connectivity"]["incoming_call"].update(status="down"),
    "exophones seq": lambda s: _owned(s).update(seq="1"),
    "exophones country": lambda s: s["families"]["exophones"]["countries"]["IN"].update(dial_code=91),
    "exophones inventory": lambda s: s["families"]["exophones"]["accounts"][SID].update(inventory="all"),
    "exophones unknown field": lambda s: _owned(s).update(colour="red"),
    "exobridge default_deallocation": lambda s: _tenant(s).update(default_deallocation="forever"),
    "exobridge default tenant": lambda s: s["families"]["exobridge"]["default_tenant"].update(insights="yes"),
    "exobridge pool": lambda s: _tenant(s)["vn_pool"][0].update(number="08012345678"),
    "exobridge callback": lambda s: _tenant(s)["callbacks"].update(call_event=7),
    "exobridge expiry": lambda s: _allocation(s).update(expires_at="x"),
    "exobridge pins": lambda s: _allocation(s).update(aparty_pins=["1234"]),
    "exobridge state": lambda s: _allocation(s).update(state="gone"),
    "exobridge tenant": lambda s: _allocation(s).update(tenant="nobody"),
    "integrations secret": lambda s: s["families"]["integrations"]["customers"][0].update(secret=123),
    "integrations date": lambda s: s["families"]["integrations"]["customers"][0].update(created="x"),
    "integrations setting": lambda s: _app(s)["settings"].update(popup="not a url"),
    "integrations device": lambda s: _app(s)["users"][0].update(active_device="tablet"),
    "integrations user": lambda s: _app(s)["users"][0].update(email=5),
    "integrations token expiry": lambda s: s["families"]["integrations"]["tokens"][0].update(expires="soon"),
    "integrations token owner": lambda s: s["families"]["integrations"]["tokens"][0].update(owner="nobody"),
}


@pytest.mark.parametrize("mutate", list(BROKEN.values()), ids=list(BROKEN))
def test_a_wrong_field_is_refused_and_changes_nothing(client, world, mutate):
    snapshot = copy.deepcopy(world)
    mutate(snapshot)
    client.post("/_emulator/reset")
    before = client.get("/_emulator/state").get_json()
    response = client.put("/_emulator/state", json=snapshot)
    assert response.status_code == 400 and response.get_json()["error"].startswith("bad snapshot: families.")
    assert client.get("/_emulator/state").get_json() == before
    assert client.get(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=AUTH).status_code == 200


def test_the_error_names_the_field(client, world):
    _owned(world).update(date_created="x")
    error = client.put("/_emulator/state", json=world).get_json()["error"]
    assert "families.exophones.accounts" in error and "date_created" in error


def test_an_account_missing_from_a_part_gets_its_default_world(client, world):
    world["accounts"].append({"sid": "acme", "api_key": "acme_key", "api_token": "acme_token"})
    assert client.put("/_emulator/state", json=world).status_code == 200
    acme = basic("acme_key", "acme_token")
    assert client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=acme).status_code == 200
    assert client.get("/v1/tenants/acme/greenvn/unknown", headers=acme).status_code == 404


def test_a_valid_snapshot_still_round_trips(client, world):
    client.post("/_emulator/reset")
    response = client.put("/_emulator/state", json=world)
    assert response.status_code == 200 and response.get_json() == world
