"""ExoPhones v2_beta over HTTP: every endpoint and error path of the ExoPhones v2_beta page
(Available ExoPhones Beta)."""

from __future__ import annotations

import re

import pytest

from contract_tests.documented import DOCUMENTED_SMS, INVENTORY_MINIMUM, SEVERAL_REGIONS, V2_BETA_NUMBER_TYPES
from emulator.exophones.schemas import NUMBER_TYPES
from tests.conftest import basic

BASE = "/v2_beta/Accounts/exotel_emulator"
CLASSIC_DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
PRICE = re.compile(r"^\d+\.\d{6}$")


def rest_exception(response, status):
    assert response.status_code == status
    assert response.content_type == "application/json"
    error = response.get_json()["RestException"]
    assert error["Status"] == status and error["Message"]
    return error


def first_available(client, auth, country="IN", number_type="Landline", **query):
    response = client.get(f"{BASE}/AvailablePhoneNumbers/{country}/{number_type}", headers=auth, query_string=query)
    assert response.status_code == 200
    return response.get_json()


def buy(client, auth, number, **extra):
    return client.post(f"{BASE}/IncomingPhoneNumbers", headers=auth, data={"PhoneNumber": number, **extra})


def test_countries_list_links_each_number_type(client, auth):
    body = client.get(f"{BASE}/AvailablePhoneNumbers", headers=auth).get_json()
    assert body["uri"] == f"{BASE}/AvailablePhoneNumbers"
    india = next(c for c in body["countries"] if c["country_code"] == "IN")
    assert india["country"] == "India" and india["uri"] == f"{BASE}/AvailablePhoneNumbers/IN"
    assert tuple(NUMBER_TYPES) == V2_BETA_NUMBER_TYPES
    assert india["subresource_uris"] == {t: f"{BASE}/AvailablePhoneNumbers/IN/{t}" for t in V2_BETA_NUMBER_TYPES}


def advertised(client, headers, base=BASE) -> list[tuple[str, str, str]]:
    """(country, number type, path) for every link of the countries answer's ``subresource_uris``."""
    countries = client.get(f"{base}/AvailablePhoneNumbers", headers=headers).get_json()["countries"]
    return [(c["country_code"], t, path) for c in countries for t, path in c["subresource_uris"].items()]


@pytest.fixture(params=["the default account", "a new account"])
def whose(request, auth, new_account):
    """(v2_beta base path, credentials) of the default account, then of one made through the control API."""
    if request.param == "the default account":
        return BASE, auth
    account, headers = new_account("fresh")
    return f"/v2_beta/Accounts/{account['sid']}", headers


def test_every_advertised_country_and_type_has_fifty_numbers_over_several_regions(client, whose):
    base, headers = whose
    pairs = advertised(client, headers, base)
    assert {t for _, t, _ in pairs} == set(V2_BETA_NUMBER_TYPES) and {c for c, _, _ in pairs} >= {"IN", "MY"}
    short = {}
    for country, number_type, path in pairs:
        numbers = client.get(path, headers=headers).get_json()
        regions = {n["region"] for n in numbers}
        if len(numbers) < INVENTORY_MINIMUM or len(regions) < SEVERAL_REGIONS:
            short[f"{country}/{number_type}"] = (len(numbers), sorted(regions))
        assert all(n["country"] == country and n["number_type"] == number_type for n in numbers)
    assert not short, f"fewer than {INVENTORY_MINIMUM} numbers or {SEVERAL_REGIONS} regions: {short}"


@pytest.mark.parametrize("number_type", NUMBER_TYPES)
def test_available_numbers_carry_the_documented_fields(client, auth, number_type):
    n = first_available(client, auth, number_type=number_type)[0]
    assert n["number_type"] == number_type and n["country"] == "IN"
    assert n["phone_number"].startswith("+91") and n["friendly_name"] == n["phone_number"]
    assert all(PRICE.match(n[k]) for k in ("one_time_price", "rental_price", "incoming_rate"))
    assert n["incoming_pulse"] == "60" and n["vanity_number"] is False
    assert set(n["capabilities"]) == {"sms", "voice"}


def test_incoming_sms_filters_every_advertised_country_and_type(client, whose):
    base, headers = whose
    offered = set()
    for country, number_type, path in advertised(client, headers, base):
        every = {n["phone_number"]: n for n in client.get(path, headers=headers).get_json()}
        split = {sms: client.get(path, headers=headers, query_string={"IncomingSMS": str(sms).lower()}).get_json()
                 for sms in (True, False)}
        for sms, numbers in split.items():
            assert all(n["capabilities"]["sms"] is sms for n in numbers), (country, number_type, sms)
            assert all(every[n["phone_number"]] == n for n in numbers)
            offered |= {(country, number_type, sms)} if numbers else set()
        assert len(split[True]) + len(split[False]) == len(every), (country, number_type)
    # every kind of number the pages show can be found, SMS-capable IN landlines included
    assert DOCUMENTED_SMS <= offered, DOCUMENTED_SMS - offered
    assert ("IN", "Landline", True) in DOCUMENTED_SMS and ("IN", "Landline", False) in DOCUMENTED_SMS


def test_a_realistic_share_of_in_landlines_take_sms(client, auth, new_account):
    _, headers = new_account("sms_share")
    numbers = client.get("/v2_beta/Accounts/sms_share/AvailablePhoneNumbers/IN/Landline", headers=headers).get_json()
    share = sum(n["capabilities"]["sms"] for n in numbers) / len(numbers)
    assert 0.25 <= share <= 0.75, share  # both kinds plentiful, as the pages show both


def test_a_region_filter_works_in_every_country(client, auth):
    for country, number_type, path in advertised(client, auth):
        region = client.get(path, headers=auth).get_json()[0]["region"]
        found = client.get(path, headers=auth, query_string={"InRegion": region}).get_json()
        assert found and {n["region"] for n in found} == {region}, (country, number_type)


def test_filters_region_sms_and_contains(client, auth):
    ka = first_available(client, auth, number_type="Mobile", InRegion="KA")
    assert ka and all(n["region"] == "KA" for n in ka)
    sms = first_available(client, auth, IncomingSMS="true")
    assert sms and all(n["capabilities"]["sms"] for n in sms)
    no_sms = first_available(client, auth, IncomingSMS="false")
    assert no_sms and not any(n["capabilities"]["sms"] for n in no_sms)
    digits = first_available(client, auth)[5]["phone_number"][-6:]
    found = first_available(client, auth, Contains=digits)
    assert found and all(digits in n["phone_number"] for n in found)


@pytest.mark.parametrize("query", [{"InRegion": "ZZ"}, {"InRegion": "karnataka"}, {"IncomingSMS": "maybe"},
                                   {"Contains": "abc"}])
def test_bad_filters_are_400(client, auth, query):
    response = client.get(f"{BASE}/AvailablePhoneNumbers/IN/Landline", headers=auth, query_string=query)
    rest_exception(response, 400)


def test_unknown_country_is_404_and_unknown_type_400(client, auth):
    rest_exception(client.get(f"{BASE}/AvailablePhoneNumbers/ZZ/Landline", headers=auth), 404)
    rest_exception(client.get(f"{BASE}/AvailablePhoneNumbers/IN/Satellite", headers=auth), 400)


def test_inventory_is_deterministic_per_seed(auth):
    from emulator import create_app

    def numbers(seed):
        client = create_app({"SEED": seed}).test_client()
        return [(n["phone_number"], n["capabilities"]) for t in ("Mobile", "Landline")
                for n in client.get(f"{BASE}/AvailablePhoneNumbers/IN/{t}", headers=auth).get_json()]

    assert numbers(7) == numbers(7)
    assert numbers(7) != numbers(8)


def test_buy_list_get_update_release_round_trip(client, auth):
    number = first_available(client, auth)[0]
    bought = buy(client, auth, number["phone_number"], FriendlyName="Sales")
    assert bought.status_code == 200
    phone = bought.get_json()
    assert re.fullmatch(r"[0-9a-f]{32}", phone["sid"])
    assert phone["friendly_name"] == "Sales" and phone["phone_number"] == number["phone_number"]
    assert phone["account_sid"] == "exotel_emulator" and phone["currency"] == "INR"
    assert CLASSIC_DATE.match(phone["date_created"]) and CLASSIC_DATE.match(phone["date_updated"])
    assert phone["uri"] == f"{BASE}/IncomingPhoneNumbers/{phone['sid']}"
    assert phone["voice_url"] is None and phone["sms_url"] is None

    # gone from the inventory, present in the list and by sid
    assert number["phone_number"] not in [n["phone_number"] for n in first_available(client, auth)]
    listed = client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth, query_string={"PageSize": 1000}).get_json()
    assert phone["sid"] in [p["sid"] for p in listed["incoming_phone_numbers"]]
    assert client.get(f"{BASE}/IncomingPhoneNumbers/{phone['sid']}", headers=auth).get_json() == phone

    flow = "http://my.exotel.com/exotel_emulator/exoml/start_voice/12348"
    updated = client.put(f"{BASE}/IncomingPhoneNumbers/{phone['sid']}", headers=auth,
                         data={"VoiceUrl": flow, "SMSUrl": "https://example.com/sms", "FriendlyName": "Support"})
    assert updated.status_code == 200
    assert updated.get_json()["voice_url"] == flow and updated.get_json()["friendly_name"] == "Support"
    assert updated.get_json()["sms_url"] == "https://example.com/sms"

    released = client.delete(f"{BASE}/IncomingPhoneNumbers/{phone['sid']}", headers=auth)
    assert released.status_code == 202 and released.get_json() == {"Status": 202, "Message": "Accepted"}
    rest_exception(client.get(f"{BASE}/IncomingPhoneNumbers/{phone['sid']}", headers=auth), 404)
    assert number["phone_number"] in [n["phone_number"] for n in first_available(client, auth)]


def test_buy_accepts_national_and_e164_spellings_and_json_bodies(client, auth):
    numbers = first_available(client, auth)
    national = "0" + numbers[0]["phone_number"][3:]
    by_national = buy(client, auth, national)
    assert by_national.status_code == 200
    assert by_national.get_json()["phone_number"] == numbers[0]["phone_number"]
    assert by_national.get_json()["friendly_name"] == national
    by_json = client.post(f"{BASE}/IncomingPhoneNumbers.json", headers=auth,
                          json={"PhoneNumber": numbers[1]["phone_number"]})
    assert by_json.status_code == 200
    # the documented default friendly name is the national spelling
    assert by_json.get_json()["friendly_name"] == "0" + numbers[1]["phone_number"][3:]
    without_plus = buy(client, auth, numbers[2]["phone_number"][1:])  # E.164 without its "+"
    assert without_plus.status_code == 200
    assert without_plus.get_json()["friendly_name"] == "0" + numbers[2]["phone_number"][3:]


def test_buying_twice_is_409_and_unknown_number_400(client, auth):
    number = first_available(client, auth)[0]["phone_number"]
    assert buy(client, auth, number).status_code == 200
    rest_exception(buy(client, auth, number), 409)
    rest_exception(buy(client, auth, "+915555555555"), 400)


@pytest.mark.parametrize("data", [{}, {"PhoneNumber": ""}, {"PhoneNumber": "not-a-number"},
                                  {"PhoneNumber": "+918000000000", "VoiceUrl": "not a url"}])
def test_bad_buy_bodies_are_400(client, auth, data):
    error = rest_exception(client.post(f"{BASE}/IncomingPhoneNumbers", headers=auth, data=data), 400)
    assert "PhoneNumber" in error["Message"] or "VoiceUrl" in error["Message"]


def test_malformed_bodies_are_400(client, auth):
    path = f"{BASE}/IncomingPhoneNumbers"
    rest_exception(client.post(path, headers=auth, data="{not json", content_type="application/json"), 400)
    form = "application/x-www-form-urlencoded"
    rest_exception(client.post(path, headers=auth, data="a=%zz&&=", content_type=form), 400)
    rest_exception(client.post(path, headers=auth, json=["PhoneNumber"]), 400)
    rest_exception(client.post(path, headers=auth, json={"PhoneNumber": 918000000000}), 400)


def test_oversized_body_is_413_in_the_envelope(client, auth):
    response = client.post(f"{BASE}/IncomingPhoneNumbers", headers=auth, data="P=" + "9" * (2 << 20),
                           content_type="application/x-www-form-urlencoded")
    rest_exception(response, 413)


@pytest.mark.parametrize("data", [{"VoiceUrl": "ftp://x"}, {"FriendlyName": ""}, {"SMSUrl": "nope"}])
def test_bad_updates_are_400(client, auth, data):
    sid = client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth).get_json()["incoming_phone_numbers"][0]["sid"]
    rest_exception(client.put(f"{BASE}/IncomingPhoneNumbers/{sid}", headers=auth, data=data), 400)


def test_unknown_exophone_is_404_on_every_method(client, auth):
    for method in ("get", "put", "delete"):
        rest_exception(getattr(client, method)(f"{BASE}/IncomingPhoneNumbers/{'0' * 32}", headers=auth), 404)


def test_paging_is_zero_based_with_page_uris(client, auth):
    for n in first_available(client, auth)[:4]:
        assert buy(client, auth, n["phone_number"]).status_code == 200
    total = 3 + 4  # fixtures own three
    pages = [client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth,
                        query_string={"Page": p, "PageSize": 3}).get_json() for p in range(3)]
    assert [len(p["incoming_phone_numbers"]) for p in pages] == [3, 3, total - 6]
    sids = [x["sid"] for p in pages for x in p["incoming_phone_numbers"]]
    assert len(set(sids)) == total
    first, middle, last = pages
    assert first["page"] == 0 and first["page_size"] == 3 and first["previous_page_uri"] is None
    assert first["uri"].endswith(f"{BASE}/IncomingPhoneNumbers?Page=0&PageSize=3")
    assert first["first_page_uri"] == first["uri"]
    assert first["next_page_uri"].endswith("?Page=1&PageSize=3")
    assert middle["previous_page_uri"].endswith("?Page=0&PageSize=3")
    assert last["next_page_uri"] is None
    assert client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth).get_json()["page_size"] == 50


@pytest.mark.parametrize("query", [{"Page": -1}, {"PageSize": -5}, {"Page": "x"}, {"PageSize": "1.5"},
                                   {"PageSize": 0}])
def test_bad_paging_is_400(client, auth, query):
    rest_exception(client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth, query_string=query), 400)


@pytest.mark.parametrize("headers", [{}, basic("emulator_api_key", "wrong"), basic("nobody", "x"),
                                     {"Authorization": "Bearer abc"}])
def test_bad_credentials_are_401(client, headers):
    rest_exception(client.get(f"{BASE}/IncomingPhoneNumbers", headers=headers), 401)


def test_sid_and_token_also_authenticate(client):
    sid_and_token = basic("exotel_emulator", "emulator_api_token")
    assert client.get(f"{BASE}/IncomingPhoneNumbers", headers=sid_and_token).status_code == 200


def test_accounts_never_see_each_others_numbers(client, auth, new_account):
    other, other_auth = new_account("acme")
    mine = client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth).get_json()["incoming_phone_numbers"]
    theirs = client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=other_auth).get_json()
    assert theirs["incoming_phone_numbers"] == []  # a new account owns nothing
    # their credentials on my account, and my number through their account
    rest_exception(client.get(f"{BASE}/IncomingPhoneNumbers", headers=other_auth), 403)
    rest_exception(client.get(f"/v2_beta/Accounts/acme/IncomingPhoneNumbers/{mine[0]['sid']}", headers=other_auth), 404)
    rest_exception(client.delete(f"{BASE}/IncomingPhoneNumbers/{mine[0]['sid']}", headers=other_auth), 403)
    # inventories are per account: acme buying changes nothing on mine
    before = first_available(client, auth)
    acme_numbers = client.get("/v2_beta/Accounts/acme/AvailablePhoneNumbers/IN/Landline", headers=other_auth).get_json()
    assert len(acme_numbers) >= 50
    assert client.post("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=other_auth,
                       data={"PhoneNumber": acme_numbers[0]["phone_number"]}).status_code == 200
    assert first_available(client, auth) == before
    owned = client.get(f"{BASE}/IncomingPhoneNumbers", headers=auth).get_json()["incoming_phone_numbers"]
    assert len(owned) == len(mine)


def test_unknown_paths_and_methods_answer_in_the_envelope(client, auth):
    rest_exception(client.get(f"{BASE}/Nothing", headers=auth), 404)
    response = client.patch(f"{BASE}/IncomingPhoneNumbers", headers=auth)
    rest_exception(response, 405)
    assert "GET" in response.headers["Allow"]


def test_production_host_header_is_served(client, auth):
    response = client.get(f"{BASE}/IncomingPhoneNumbers", headers={**auth, "Host": "api.in.exotel.com"})
    assert response.status_code == 200
    assert response.get_json()["uri"].startswith("http://api.in.exotel.com/v2_beta/")
