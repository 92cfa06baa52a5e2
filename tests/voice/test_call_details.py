"""Bulk call details: every documented filter, SortBy, Before/After cursors, Metadata; single details'
query parameters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.voice.conftest import EXOPHONE, documented


@pytest.fixture
def calls(api, advance, script):
    """Five calls a second apart: two completed, one busy (its From), one no-answer (its To), one still in
    progress."""
    script("09000000011", call="busy")
    script("09000000012", call="no-answer")
    made = []
    for to in ("09123456781", "09123456782", "09123456785", "09000000012"):
        made.append(api.call(To=to, From="09000000011" if to == "09123456785" else "09876543210"))
        advance(1)
    advance(120)
    made.append(api.call(To="09123456783", From="09876500000"))
    return made


def page(api, **query) -> dict:
    response = api.get("Calls.json", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def sids(body: dict) -> list[str]:
    return [c["Sid"] for c in body["Calls"]]


def test_the_documented_shape_newest_first(api, calls):
    body = page(api)
    assert list(body) == list(documented("voice/bulk_details.json"))
    assert list(body["Metadata"]) == list(documented("voice/bulk_details.json")["Metadata"])
    assert body["Metadata"]["Total"] == 5 and body["Metadata"]["PageSize"] == 50
    assert sids(body) == [c["Sid"] for c in reversed(calls)]
    assert body["Metadata"]["PrevPageUri"] is None and body["Metadata"]["NextPageUri"] is None
    assert page(api, SortBy="DateCreated:asc")["Calls"][0]["Sid"] == calls[0]["Sid"]


@pytest.mark.parametrize("sort", ["DateCreated:asc", "DateCreated:desc"])
def test_after_and_before_walk_every_page(api, calls, sort):
    first = page(api, PageSize=2, SortBy=sort)
    seen, body = sids(first), first
    while body["Metadata"]["NextPageUri"]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(body["Metadata"]["NextPageUri"]).query).items()}
        assert query["SortBy"] == sort and query["PageSize"] == "2"
        body = page(api, **query)
        seen += sids(body)
    expected = [c["Sid"] for c in (calls if sort.endswith("asc") else reversed(calls))]
    assert seen == expected and body["Metadata"]["NextPageUri"] is None
    back = []
    while body["Metadata"]["PrevPageUri"]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(body["Metadata"]["PrevPageUri"]).query).items()}
        body = page(api, **query)
        back = sids(body) + back
    assert back == expected[:len(back)] and len(back) == 4  # every page before the last, in order


@pytest.mark.parametrize("query, expected", [
    ({"Status": "completed"}, [1, 0]),
    ({"Status": "in-progress"}, [4]),
    ({"Status": "busy,no-answer"}, [3, 2]),
    ({"To": "+919123456781"}, [0]),
    ({"To": "9123456781,09123456782"}, [1, 0]),
    ({"From": "09876500000"}, [4]),
    ({"PhoneNumber": EXOPHONE}, [4, 3, 2, 1, 0]),
    ({"PhoneNumber": "08000000000"}, []),
    ({"Duration": "gte:40s"}, [1, 0]),
    ({"Duration": "gte:5s;lte:10s"}, [2]),
    ({"Duration": "eq:35s"}, [3]),
    ({"Duration": "eq:40s"}, [1, 0]),
    ({"Price": "gte:1.0"}, [3, 1, 0]),
    ({"Price": "lte:0.5"}, [2]),
    ({"Direction": "outbound-api"}, [4, 3, 2, 1, 0]),
    ({"Direction": "inbound"}, []),
    ({"Status": "completed", "To": "09123456781"}, [0]),
])
def test_filters(api, calls, query, expected):
    body = page(api, **query)
    assert sids(body) == [calls[i]["Sid"] for i in expected] and body["Metadata"]["Total"] == len(expected)


def test_sid_and_date_created_filters(api, calls):
    wanted = ",".join(c["Sid"] for c in calls[:2]) + ",ffffffffffffffffffffffffffffffff"
    assert set(sids(page(api, Sid=wanted))) == {calls[0]["Sid"], calls[1]["Sid"]}
    second = calls[1]["DateCreated"]
    assert sids(page(api, DateCreated=f"gte:{second};lte:{second}")) == [calls[1]["Sid"]]
    assert sids(page(api, DateCreated=f"gt:{second}", Status="completed")) == []
    assert sids(page(api, DateCreated=f"gt:{second}", Status="busy")) == [calls[2]["Sid"]]
    assert page(api, DateCreated=f"lt:{second}")["Metadata"]["Total"] == 1


def test_filters_are_kept_in_the_page_links(api, calls):
    body = page(api, Status="completed", PageSize=1)
    next_uri = body["Metadata"]["NextPageUri"]
    assert next_uri.startswith("/v1/Accounts/exotel_emulator/Calls.json?") and "Status=completed" in next_uri
    assert body["Metadata"]["FirstPageUri"] == "/v1/Accounts/exotel_emulator/Calls.json?Status=completed&PageSize=1"


@pytest.mark.parametrize("query", [
    {"PageSize": "0"}, {"PageSize": "101"}, {"SortBy": "Duration:asc"}, {"After": "nonsense"},
    {"Before": "12-abc", "After": "12-abc"}, {"Status": "ringing"}, {"Direction": "sideways"},
    {"DateCreated": "gte:yesterday"}, {"DateCreated": "2019-01-01"}, {"Duration": "gte:ten"},
    {"To": "1,2,3,4,5,6"}, {"Sid": ",".join(["a"] * 101)}, {"RecordingUrlValidity": "4"},
])
def test_bad_queries_are_400(api, query):
    response = api.get("Calls.json", query_string=query)
    assert response.status_code == 400 and response.get_json()["RestException"]["Message"] == "Invalid Parameters"


def test_a_page_of_another_account_is_its_own(api, calls, client, new_account):
    _, acme = new_account("acme")
    body = client.get("/v1/Accounts/acme/Calls.json", headers=acme).get_json()
    assert body["Calls"] == [] and body["Metadata"]["Total"] == 0


def test_bulk_details_true_and_xml(api, calls):
    assert "Details" in page(api, details="true")["Calls"][0]
    xml = api.get("Calls", query_string={"PageSize": 2}).get_data(as_text=True)
    assert "<Metadata><Total>5</Total><PageSize>2</PageSize>" in xml and xml.count("<Call>") == 2
    assert "<Calls><Call><Sid>" in xml


@pytest.mark.parametrize("value, status", [("4", 400), ("5", 200), ("60", 200), ("61", 400), ("x", 400)])
def test_recording_url_validity_is_5_to_60(api, value, status):
    call = api.call()
    assert api.get(f"Calls/{call['Sid']}.json", query_string={"RecordingUrlValidity": value}).status_code == status


def test_details_true_on_the_connect_request_itself(api):
    # frappe's integration posts Calls/connect.json?details=true
    response = api.post("Calls/connect.json?details=true", data={"From": "09876543210", "To": "09123456789",
                                                                 "CallerId": EXOPHONE})
    assert response.get_json()["Call"]["Details"]["Leg1Status"] is None
