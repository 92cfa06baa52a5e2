"""GET /_emulator/accounts/<sid>/exophones: an account's ExoPhones as the control API lists them."""

from __future__ import annotations

import pytest

from tests.exophones.test_v2_beta import BASE, buy, first_available

SID = "exotel_emulator"
LIST = f"/_emulator/accounts/{SID}/exophones"
# the shipped fixtures' ExoPhones of the default account, in the order fixtures/exophones/default.json gives them
FIXTURE_NUMBERS = ["+911139585476", "+918039591111", "+919845012345"]


def listed(client, path=LIST, **query) -> dict:
    response = client.get(path, query_string=query)
    assert response.status_code == 200 and response.content_type == "application/json", response.get_json()
    return response.get_json()


def test_lists_the_accounts_exophones_in_purchase_order_as_v2_shows_them(client, auth):
    body = listed(client)
    assert [p["phone_number"] for p in body["exophones"]] == FIXTURE_NUMBERS
    assert (body["total"], body["page"], body["page_size"]) == (3, 0, 100)
    first = body["exophones"][0]
    v2 = client.get(f"/v2/accounts/{SID}/incoming-phone-numbers/{first['sid']}", headers=auth).get_json()
    assert first == v2["response"][0]["data"]  # the same fields, connectivity included


def test_a_bought_number_comes_last_and_a_released_one_goes(client, auth):
    number = first_available(client, auth)[0]["phone_number"]
    bought = buy(client, auth, number).get_json()
    assert [p["sid"] for p in listed(client)["exophones"]][-1] == bought["sid"]
    assert client.delete(f"{BASE}/IncomingPhoneNumbers/{bought['sid']}", headers=auth).status_code == 202
    assert [p["phone_number"] for p in listed(client)["exophones"]] == FIXTURE_NUMBERS


def test_scripted_connectivity_shows_in_the_list(client):
    sid = listed(client)["exophones"][1]["sid"]
    block = {"status": "major_outage", "alternate_exophone": ["+918039591112"]}
    assert client.put(f"{LIST}/{sid}/connectivity", json={"incoming_call": block}).status_code == 200
    row = listed(client)["exophones"][1]
    assert row["connectivity"]["incoming_call"]["status"] == "major_outage"
    assert row["connectivity"]["incoming_call"]["alternate_exophone"] == ["+918039591112"]
    assert row["connectivity"]["outgoing_call"]["status"] == "active"


def test_pages(client):
    pages = [listed(client, page=n, page_size=2) for n in range(3)]
    numbers = [[p["phone_number"] for p in b["exophones"]] for b in pages]
    assert numbers == [FIXTURE_NUMBERS[:2], FIXTURE_NUMBERS[2:], []]
    assert {b["total"] for b in pages} == {3}


def test_another_account_has_its_own_list(client, new_account):
    account, _ = new_account("acme")
    assert listed(client, f"/_emulator/accounts/{account['sid']}/exophones")["exophones"] == []


@pytest.mark.parametrize("query", [{"page": -1}, {"page": "x"}, {"page_size": 0}, {"page_size": 1001}, {"size": 5}])
def test_a_bad_query_is_400_in_the_control_envelope(client, query):
    response = client.get(LIST, query_string=query)
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_an_unknown_account_is_404(client):
    response = client.get("/_emulator/accounts/nobody/exophones")
    assert response.status_code == 404 and response.get_json() == {"status": 404, "error": "account nobody not found"}
