"""Sixteen threads racing for the same number: exactly one buys it."""

from __future__ import annotations

from emulator import create_app
from tests.conftest import DEFAULT_ACCOUNT, basic, race

AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
BASE = "/v2_beta/Accounts/exotel_emulator"


def test_sixteen_buyers_one_number_one_sale():
    app = create_app()
    available = app.test_client().get(f"{BASE}/AvailablePhoneNumbers/IN/Landline", headers=AUTH).get_json()
    number = available[0]["phone_number"]

    statuses = race(16, lambda i: app.test_client().post(f"{BASE}/IncomingPhoneNumbers", headers=AUTH,
                                                         data={"PhoneNumber": number}).status_code)
    assert sorted(statuses) == [200] + [409] * 15
    owned = app.test_client().get(f"{BASE}/IncomingPhoneNumbers", headers=AUTH).get_json()["incoming_phone_numbers"]
    assert [p["phone_number"] for p in owned].count(number) == 1


def test_buy_and_release_interleaved_never_duplicate_a_number():
    app = create_app()
    client = app.test_client()
    mobiles = client.get(f"{BASE}/AvailablePhoneNumbers/IN/Mobile", headers=AUTH).get_json()
    numbers = [n["phone_number"] for n in mobiles[:4]]

    def churn(i):
        c = app.test_client()
        for _ in range(10):
            r = c.post(f"{BASE}/IncomingPhoneNumbers", headers=AUTH, data={"PhoneNumber": numbers[i % 4]})
            if r.status_code == 200:
                c.delete(f"{BASE}/IncomingPhoneNumbers/{r.get_json()['sid']}", headers=AUTH)
        return True

    race(16, churn)
    owned = client.get(f"{BASE}/IncomingPhoneNumbers", headers=AUTH, query_string={"PageSize": 1000}).get_json()
    phones = [p["phone_number"] for p in owned["incoming_phone_numbers"]]
    assert len(phones) == len(set(phones))
    mobiles = client.get(f"{BASE}/AvailablePhoneNumbers/IN/Mobile", headers=AUTH).get_json()
    available = {n["phone_number"] for n in mobiles}
    assert set(numbers) <= available  # every number went back exactly once
