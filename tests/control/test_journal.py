"""The request journal (GET /_emulator/requests): what each vendor request sent and got, credentials hidden."""

from __future__ import annotations

import base64
import json
import re

import pytest

from emulator import create_app
from tests.conftest import TEST_CONFIG, basic

REDACTED = "[redacted]"  # the control API page's word for a hidden credential (GET /_emulator/requests)

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


def journal(client, **filters) -> list[dict]:
    response = client.get("/_emulator/requests", query_string=filters)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["requests"]


def test_an_entry_has_the_request_and_the_answer(client, auth):
    answer = client.get(LIST, query_string={"Page": 0, "PageSize": 2}, headers={**auth, "X-Trace": "t-1"})
    [entry] = journal(client)
    assert entry["method"] == "GET" and entry["path"] == LIST and entry["account"] == SID
    assert entry["query"] == {"Page": "0", "PageSize": "2"}
    assert entry["headers"]["X-Trace"] == "t-1"
    assert entry["headers"]["Authorization"] == f"Basic {REDACTED}"
    assert entry["body"] is None
    assert entry["status"] == 200 and entry["response"] == answer.get_json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["time"]) and entry["fault"] is None


def test_the_base64_credentials_appear_nowhere(client, auth):
    client.get(LIST, headers=auth)
    secret = auth["Authorization"].split()[1]
    assert secret not in str(journal(client)) and "emulator_api_token" not in str(journal(client))


def test_json_bodies_are_parsed_and_credential_fields_redacted(client):
    body = {"Id": "cust-1", "Secret": "s3cr3t", "Entity": "customer", "nested": [{"api_token": "t", "ok": 1}]}
    client.post("/v2/integrations/token", json=body)
    [entry] = journal(client)
    assert entry["body"] == {"Id": "cust-1", "Secret": REDACTED, "Entity": "customer",
                             "nested": [{"api_token": REDACTED, "ok": 1}]}
    assert entry["headers"]["Content-Type"] == "application/json"
    assert "s3cr3t" not in str(entry)


def test_raw_integrations_token_header_is_redacted(client):
    client.get("/v2/integrations/customer", headers={"Authorization": "NmUxNGIyN2ItY2YzYy00MzRh"})
    [entry] = journal(client)
    assert entry["headers"]["Authorization"] == REDACTED and entry["account"] is None


def test_form_bodies_are_text_and_query_credentials_redacted(client, auth):
    client.post(LIST + "?api_token=abc", data={"PhoneNumber": "+913330240240", "FriendlyName": "Sales"}, headers=auth)
    [entry] = journal(client)
    assert entry["body"] == "PhoneNumber=%2B913330240240&FriendlyName=Sales"
    assert entry["query"] == {"api_token": REDACTED}


def test_repeated_query_parameters_become_a_list(client, auth):
    client.get(LIST + "?Page=0&x=1&x=2", headers=auth)
    assert journal(client)[0]["query"] == {"Page": "0", "x": ["1", "2"]}


def test_errors_are_journaled_with_their_envelope(client):
    client.get(LIST, headers=basic("wrong", "creds"))
    client.get("/v2_beta/nowhere")
    statuses = [(e["status"], "RestException" in e["response"]) for e in journal(client)]
    assert statuses == [(401, True), (404, True)]


def test_time_is_the_emulator_clock(client, auth):
    client.post("/_emulator/clock/advance", json={"seconds": 10 * 365 * 86400})
    client.get(LIST, headers=auth)
    now = client.get("/_emulator/clock").get_json()["now"]
    assert journal(client)[0]["time"][:4] == now[:4]


def test_oldest_first_and_filters(client, auth, new_account):
    _, acme = new_account("acme")
    client.get(LIST, headers=auth)
    client.post(LIST, data={"PhoneNumber": "1"}, headers=auth)
    client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=acme)
    client.get(f"/v1/tenants/{SID}/greenvn/x", headers=auth)
    everything = journal(client)
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything) and len(everything) == 4
    assert [e["method"] for e in journal(client, method="post")] == ["POST"]
    assert [e["path"] for e in journal(client, path="/v1/")] == [f"/v1/tenants/{SID}/greenvn/x"]
    assert [e["path"] for e in journal(client, path="/v2_beta/Accounts/acme")] == [
        "/v2_beta/Accounts/acme/IncomingPhoneNumbers"]
    assert len(journal(client, account=SID)) == 3 and len(journal(client, account="acme")) == 1
    assert journal(client, account=SID, method="GET", path="/v2_beta") == [everything[0]]


def test_control_requests_are_not_journaled(client):
    client.get("/_emulator/health")
    client.post("/_emulator/accounts", json={"sid": "x", "api_key": "xk", "api_token": "xt"})
    assert journal(client) == []


def test_reset_empties_it(client, auth):
    client.get(LIST, headers=auth)
    client.post("/_emulator/reset")
    assert journal(client) == []


def test_keeps_only_the_newest_entries():
    app = create_app({**TEST_CONFIG, "JOURNAL_SIZE": 5})
    client = app.test_client()
    for page in range(8):
        client.get(LIST, query_string={"Page": page})
    assert [e["query"]["Page"] for e in journal(client)] == ["3", "4", "5", "6", "7"]


def test_keeps_only_the_newest_bytes_too():
    app = create_app({**TEST_CONFIG, "JOURNAL_BYTES": 3000})
    client = app.test_client()
    for n in range(6):  # each ~1 kB answer (an error naming the long path) plus a 500-byte body
        client.post(LIST + "/" + "x" * 400 + str(n), data="y" * 500, content_type="text/plain")
    entries = journal(client)
    assert 1 <= len(entries) < 6 and entries[-1]["path"].endswith("x5")
    assert sum(len(e["body"]) + len(json.dumps(e["response"])) for e in entries) <= 3000 + 500


def test_an_entry_larger_than_the_bound_is_still_kept():
    app = create_app({**TEST_CONFIG, "JOURNAL_BYTES": 10})
    client = app.test_client()
    client.get(LIST)
    assert len(journal(client)) == 1


def test_size_zero_turns_it_off():
    app = create_app({**TEST_CONFIG, "JOURNAL_SIZE": 0})
    client = app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(b"emulator_api_key:emulator_api_token").decode()}
    assert client.get(LIST, headers=auth).status_code == 200
    assert journal(client) == []


@pytest.mark.parametrize("query", [{"verb": "GET"}, {"method": ""}])
def test_bad_filters_are_400(client, query):
    response = client.get("/_emulator/requests", query_string=query)
    assert response.status_code == 400 and response.get_json()["status"] == 400
