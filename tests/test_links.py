"""Every link the emulator hands out resolves: a crawler follows each one, from a request of every kind that
answers links, until nothing new turns up."""

from __future__ import annotations

from urllib.parse import urlsplit

from contract_tests.documented import example
from tests.conftest import basic
from tests.exobridge.conftest import request_body
from tests.integrations.conftest import APP_BODY, CUSTOMER, user_body

BETA = "/v2_beta/Accounts/exotel_emulator"
V2 = "/v2/accounts/exotel_emulator"
GREENVN = "/v1/tenants/exotel_emulator/greenvn"
V1 = "/v1/Accounts/exotel_emulator"
INTEGRATIONS = "/v2/integrations"
HOST = "localhost"  # the Flask test client's host: absolute links on it are the emulator's own
PREFIXES = ("/v1/", "/v2/", "/v2_beta/", "/_emulator/")  # a path that is none of these is no link (SMS From "/EXOTEL")


def links(value, found: list[str]) -> list[str]:
    """Every path the emulator links to in a JSON body: a string that is a path, or an absolute URL on its host."""
    if isinstance(value, dict):
        for item in value.values():
            links(item, found)
    elif isinstance(value, list):
        for item in value:
            links(item, found)
    elif isinstance(value, str):
        if value.startswith(PREFIXES):
            found.append(value)
        elif value.startswith(("http://", "https://")) and urlsplit(value).hostname == HOST:
            parts = urlsplit(value)
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_every_link_the_emulator_hands_out_resolves(client, auth):
    # answers of every kind that carries links (and of every family, so a new link anywhere is walked too)
    token = client.post(f"{INTEGRATIONS}/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"],
                                                        "Entity": "customer"}).get_json()["Data"]
    app = client.post(f"{INTEGRATIONS}/app", json=APP_BODY, headers={"Authorization": token}).get_json()["Data"]
    app_token = client.post(f"{INTEGRATIONS}/token", json={"Id": app["AppID"], "Secret": app["AppSecret"],
                                                            "Entity": "app"}).get_json()["Data"]
    tokens = {"customer": {"Authorization": token}, "app": {"Authorization": app_token}}
    number = client.get(f"{BETA}/AvailablePhoneNumbers/IN/Mobile", headers=auth).get_json()[0]["phone_number"]
    bought = client.post(f"{BETA}/IncomingPhoneNumbers", data={"PhoneNumber": number}, headers=auth).get_json()
    allocation = client.post(GREENVN, json=request_body(), headers=auth).get_json()["data"]
    call = {"From": "09876543210", "To": "09123456789", "CallerId": "08039591111"}
    calls = [client.post(f"{V1}/Calls/connect.json", data=dict(call, Record="true"), headers=auth).get_json(),
             client.post(f"{V1}/Calls/connect.json", data=call, headers=auth).get_json()]
    sms = client.post(f"{V1}/Sms/send.json", data={"From": "EXOTEL", "To": "09123456789", "Body": "hi"},
                      headers=auth).get_json()
    assert client.post("/_emulator/clock/advance", json={"seconds": 3600}).status_code == 200  # calls over
    answers = [
        bought,
        client.put(f"{BETA}/IncomingPhoneNumbers/{bought['sid']}", data={"FriendlyName": "Sales"}, headers=auth),
        client.get(f"{BETA}/AvailablePhoneNumbers", headers=auth),
        client.get(f"{BETA}/AvailablePhoneNumbers.json", headers=auth),
        client.get(f"{BETA}/IncomingPhoneNumbers?PageSize=1", headers=auth),
        client.get(f"{BETA}/IncomingPhoneNumbers?Page=9&PageSize=1", headers=auth),  # past the last page
        client.get(f"{V2}/incoming-phone-numbers/{bought['sid']}", headers=auth),
        allocation,
        client.put(f"{GREENVN}/{allocation['greenvn_id']}/vn", headers=auth),
        client.put(f"{GREENVN}/{allocation['greenvn_id']}/call-party", json={"bparty_pins": [7]}, headers=auth),
        client.post(f"{INTEGRATIONS}/app_setting", json={"Key": "record", "Value": "true"}, headers=tokens["app"]),
        client.post(f"{INTEGRATIONS}/usermapping", json=[user_body()], headers=tokens["app"]),
        client.get(f"{INTEGRATIONS}/app?entity=customer", headers=tokens["customer"]),
        client.get(f"{INTEGRATIONS}/customer", headers=tokens["customer"]),
        *calls, sms,
        client.get(f"{V1}/Calls.json?PageSize=1", headers=auth),
    ]
    queue = links([a if isinstance(a, dict) else a.get_json() for a in answers], [])

    def headers(path: str) -> dict:
        return tokens["app"] if path.startswith(INTEGRATIONS) else auth

    seen: dict[str, int] = {}
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path, headers=headers(path))
        seen[path] = response.status_code
        if "/Recordings/" in path:  # the recording itself: audio
            assert response.status_code == 200 and response.content_type.startswith("audio/"), path
            continue
        assert response.status_code == 200 and response.content_type == "application/json", (path, response.status_code)
        links(response.get_json(), queue)

    # the walk reached every kind of link there is, so it cannot pass by finding none
    walked = set(seen)
    assert f"{BETA}/AvailablePhoneNumbers" in walked
    assert {f"{BETA}/AvailablePhoneNumbers/{c}" for c in ("IN", "MY")} <= walked
    assert {f"{BETA}/AvailablePhoneNumbers/IN/{t}" for t in ("Landline", "Mobile", "TollFree")} <= walked
    assert f"{BETA}/IncomingPhoneNumbers/{bought['sid']}" in walked
    assert f"{V2}/incoming-phone-numbers/{bought['sid']}" in walked
    assert {f"{BETA}/IncomingPhoneNumbers?Page={p}&PageSize=1" for p in range(4)} <= walked  # 4 owned, 1 a page
    assert {c["Call"]["Uri"] for c in calls} | {sms["SMSMessage"]["Uri"]} <= walked
    assert any("/Calls.json?" in p and "After=" in p for p in walked)  # the next page of call details
    assert any("/Recordings/" in p for p in walked)


def test_a_countrys_uri_answers_its_entry_of_the_list(client, auth):
    listed = client.get(f"{BETA}/AvailablePhoneNumbers", headers=auth).get_json()["countries"]
    for entry in listed:
        for path in (entry["uri"], entry["uri"] + ".json"):
            response = client.get(path, headers=auth)
            assert response.status_code == 200 and response.get_json() == entry
            assert list(response.get_json()) == list(example("exophones/available_countries.json")["countries"][0])
    assert client.get(f"{BETA}/AvailablePhoneNumbers/ZZ", headers=auth).status_code == 404
    assert client.get(f"{BETA}/AvailablePhoneNumbers/IN", headers=basic("nobody", "x")).status_code == 401
