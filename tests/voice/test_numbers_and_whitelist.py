"""Number metadata (deterministic from the seed, overridable) and the customer whitelist on the clock."""

from __future__ import annotations

import re

import pytest

from emulator import create_app
from tests.conftest import TEST_CONFIG
from tests.voice.conftest import EXOPHONE, SID, documented


def metadata(api, number: str) -> dict:
    response = api.get(f"Numbers/{number}.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["Numbers"]


def test_the_documented_shape(api):
    doc = documented("voice/numbers_metadata.json")
    meta = metadata(api, "+919811130240")
    assert list(meta) == list(doc["Numbers"]) and meta["PhoneNumber"] == "09811130240"
    assert meta["Type"] == "Mobile" and meta["DND"] == "No"
    assert meta["CircleName"].endswith(" Telecom Circle")


def test_the_same_seed_gives_the_same_answer_and_another_seed_may_not(api, auth):
    numbers = [f"0981113{i:04d}" for i in range(20)]
    first = [metadata(api, n) for n in numbers]
    assert [metadata(api, n) for n in numbers] == first
    for seed, same in ((0, True), (7, False)):
        other = create_app(dict(TEST_CONFIG, SEED=seed)).test_client()
        again = [other.get(f"/v1/Accounts/{SID}/Numbers/{n}.json", headers=auth).get_json()["Numbers"]
                 for n in numbers]
        assert (again == first) is same


def test_landlines_and_their_circles(api):
    meta = metadata(api, EXOPHONE)
    assert (meta["Type"], meta["Circle"], meta["CircleName"]) == ("Landline", "KA", "Karnataka Telecom Circle")


def test_overridden_through_the_control_api(api, script):
    script("09811130240", circle="GJ", operator="R", dnd=True)
    meta = metadata(api, "9811130240")
    doc = documented("voice/numbers_metadata.json")["Numbers"]
    assert {k: meta[k] for k in ("Circle", "CircleName", "Operator", "OperatorName", "DND")} == {
        k: doc[k] for k in ("Circle", "CircleName", "Operator", "OperatorName", "DND")}
    xml = api.get("Numbers/09811130240").get_data(as_text=True)
    assert "<Numbers><PhoneNumber>09811130240</PhoneNumber><Circle>GJ</Circle>" in xml


@pytest.mark.parametrize("number", ["12", "+6591234567"])
def test_not_an_indian_number_is_400(api, number):
    assert api.get(f"Numbers/{number}.json").status_code == 400


def test_whitelisting_and_its_status(api):
    before = api.get("CustomerWhitelist/09123456789.json").get_json()
    result_keys = re.findall(r"<(\w+)>\(", documented("voice_whitelist_get_template.txt"))  # <Status>(...)
    assert list(before["Result"]) == result_keys
    assert before == {"Result": {"Status": "Neutral", "Type": "", "Expiry": -1}}
    response = api.post("CustomerWhitelist/", data={"VirtualNumber": EXOPHONE,
                                                    "Number": "09123456789,9123456790,09123456789,x"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml"
    counts = api.post("CustomerWhitelist.json", data={"VirtualNumber": EXOPHONE, "Number[]": ["09123456789",
                                                                                            "09123456791"]})
    assert counts.get_json()["Result"] == {"Total": 2, "Duplicate": 0, "Processed": 2, "Succeeded": 1,
                                           "Redundant": 1, "Failed": 0}
    after = api.get("CustomerWhitelist/+919123456789.json").get_json()["Result"]
    assert after["Status"] == "Whitelist" and after["Type"] == "API" and 181 * 86400 <= after["Expiry"] <= 184 * 86400


@pytest.mark.parametrize("path, kind", [("CustomerWhitelist", "application/xml"),
                                        ("CustomerWhitelist/", "application/xml"),
                                        ("CustomerWhitelist.json", "application/json")])
def test_every_spelling_of_the_whitelist_takes_the_post(api, path, kind):
    # without the slash, Werkzeug once answered an HTML redirect to the slash form of the path
    response = api.post(path, data={"VirtualNumber": EXOPHONE, "Number": "09123456789"})
    assert response.status_code == 200 and response.headers["Content-Type"] == kind


def test_a_whitelisting_lasts_six_months_on_the_clock(api, advance, script):
    script("09123456701", dnd=True)
    api.post("CustomerWhitelist.json", data={"VirtualNumber": EXOPHONE, "Number": "09123456701"})
    expiry = api.get("CustomerWhitelist/09123456701.json").get_json()["Result"]["Expiry"]
    advance(expiry - 1)
    assert api.call(To="09123456701")["Status"] == "in-progress"
    advance(1)
    assert api.get("CustomerWhitelist/09123456701.json").get_json()["Result"]["Status"] == "Neutral"
    refused = api.post("Calls/connect.json", data={"From": "09876543210", "To": "09123456701", "CallerId": EXOPHONE})
    assert refused.status_code == 403


@pytest.mark.parametrize("data", [{"Number": "09123456789"}, {"VirtualNumber": EXOPHONE},
                                  {"VirtualNumber": "08000000000", "Number": "09123456789"}])
def test_whitelist_bad_requests(api, data):
    assert api.post("CustomerWhitelist.json", data=data).status_code == 400


def test_the_whitelist_is_per_account(api, client, new_account):
    api.post("CustomerWhitelist.json", data={"VirtualNumber": EXOPHONE, "Number": "09123456789"})
    _, acme = new_account("acme")
    other = client.get("/v1/Accounts/acme/CustomerWhitelist/09123456789.json", headers=acme).get_json()
    assert other["Result"]["Status"] == "Neutral"
