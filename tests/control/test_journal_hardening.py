"""The journal's bound counts every byte it keeps, a delayed request is visible while it waits, a CORS
preflight never spends a fault, and no live token or secret is ever shown."""

from __future__ import annotations

import threading

from emulator import create_app
from emulator.core.journal import REDACTED
from tests.conftest import DEFAULT_ACCOUNT, TEST_CONFIG, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"
CUSTOMER = {"Id": "99fa98a1-2ce0-457c-9371-0d3a01eb6ef0", "Secret": "5b8215f7-8595-42c0-9b63-404bcc474f94"}


def journal(client) -> list[dict]:
    response = client.get("/_emulator/requests")
    assert response.status_code == 200
    return response.get_json()["requests"]


def test_query_strings_count_toward_the_bound():
    client = create_app({**TEST_CONFIG, "JOURNAL_BYTES": 1 << 20}).test_client()
    for n in range(40):
        client.get(LIST, query_string={"n": n, "pad": "q" * 100_000})
    kept = journal(client)
    assert 1 <= len(kept) <= 10 and kept[-1]["query"]["n"] == "39"  # 1 MiB holds ten 100 kB queries at most


def test_an_entry_takes_the_memory_its_bound_counts():
    # orjson's output holds on to its whole buffer (8 kB for a 600-byte ExoPhone): kept as it came, a full
    # journal of GETs took 10 MB where its bound counted 1; it keeps a copy of the bytes alone
    import gc
    import tracemalloc

    client = create_app(TEST_CONFIG).test_client()
    one = f"{LIST}/{client.get(LIST, headers=AUTH).get_json()['incoming_phone_numbers'][0]['sid']}"
    for _ in range(50):  # the caches a first request fills
        client.get(one, headers=AUTH)
    tracemalloc.start()
    try:
        gc.collect()  # what is kept, not the garbage of cycles the collector has not reached yet
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(200):
            assert client.get(one, headers=AUTH).status_code == 200
        gc.collect()
        grown = (tracemalloc.get_traced_memory()[0] - before) / 200
    finally:
        tracemalloc.stop()
    assert grown < 4000, f"{grown:.0f} bytes an entry"  # 2.3 kB measured; 9.6 kB before


def test_headers_count_toward_the_bound():
    client = create_app({**TEST_CONFIG, "JOURNAL_BYTES": 1 << 20}).test_client()
    for n in range(40):
        client.get(LIST, headers={"X-Pad": "h" * 100_000, "X-N": str(n)})
    kept = journal(client)
    assert 1 <= len(kept) <= 10 and kept[-1]["headers"]["X-N"] == "39"


def test_a_request_held_by_a_delay_is_shown_in_flight(client, store, watch_delays):
    delays = watch_delays(store)
    fault = client.post("/_emulator/faults", json={"path": LIST, "delay_ms": 60_000, "times": 1}).get_json()
    answers: list = []
    waiting = threading.Thread(target=lambda: answers.append(client.get(LIST, headers=AUTH)))
    waiting.start()
    assert delays.wait_held(1)  # the gate has taken the fault: the request waits in its delay
    [held] = journal(client)
    assert held["in_flight"] is True and held["status"] is None and held["fault"] == fault["id"]
    assert held["path"] == LIST and held["headers"]["Authorization"] == f"Basic {REDACTED}"

    client.delete("/_emulator/faults")  # wakes the request: it answers now
    waiting.join(10)
    [done] = journal(client)
    assert answers[0].status_code == 200
    assert done["id"] == held["id"] and done["in_flight"] is False and done["status"] == 200


def test_a_finished_request_is_not_in_flight(client):
    client.get(LIST, headers=AUTH)
    assert journal(client)[0]["in_flight"] is False


PREFLIGHT = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization"}


def test_a_cors_preflight_never_consumes_a_fault(client):
    fault = client.post("/_emulator/faults", json={"path": "/v2/integrations/*", "status": 503, "times": 1})
    preflight = client.options("/v2/integrations/customer", headers=PREFLIGHT)
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == PREFLIGHT["Origin"]
    [rule] = client.get("/_emulator/faults").get_json()["faults"]
    assert rule["hits"] == 0 and rule["remaining"] == 1
    real = client.get("/v2/integrations/customer", headers={"Origin": PREFLIGHT["Origin"]})
    assert real.status_code == 503 and real.get_json()["Code"] == 503
    [rule] = client.get("/_emulator/faults").get_json()["faults"]
    assert rule["id"] == fault.get_json()["id"] and rule["hits"] == 1 and rule["remaining"] == 0


def test_a_plain_options_request_can_still_be_faulted(client):
    client.post("/_emulator/faults", json={"path": "/v2/integrations/*", "method": "OPTIONS", "status": 503})
    assert client.options("/v2/integrations/customer").status_code == 503


def test_the_issued_token_is_redacted_in_the_journal(client):
    issued = client.post("/v2/integrations/token", json={**CUSTOMER, "Entity": "customer"}).get_json()["Data"]
    assert client.get("/v2/integrations/customer", headers={"Authorization": issued}).status_code == 200
    entries = journal(client)
    assert entries[0]["response"]["Data"] == REDACTED and entries[0]["status"] == 200
    assert issued not in str(entries)


def test_credential_fields_of_a_form_are_redacted_whatever_its_content_type(client):
    form = "PhoneNumber=%2B913330240240&api_token=live-token-1"
    for content_type in ("text/plain", "application/json", "application/octet-stream"):
        client.post(LIST, data=form, headers={**AUTH, "Content-Type": content_type})
    bodies = [e["body"] for e in journal(client)]
    assert bodies == [f"PhoneNumber=%2B913330240240&api_token={REDACTED.replace('[', '%5B').replace(']', '%5D')}"] * 3
    assert "live-token-1" not in str(journal(client))


def test_credential_fields_of_a_multipart_form_are_redacted(client):
    client.post(LIST, data={"PhoneNumber": "+913330240240", "api_token": "live-token-2"}, headers=AUTH,
                content_type="multipart/form-data")
    [entry] = journal(client)
    assert entry["body"] == {"PhoneNumber": "+913330240240", "api_token": REDACTED}


def test_a_secret_in_a_body_too_deep_to_parse_is_redacted(client):
    body = b'{"a": ' * 100 + b'{"Secret": "live-secret-3", "Id": "x"}' + b"}" * 100
    client.post("/v2/integrations/token", data=body, content_type="application/json")
    [entry] = journal(client)
    assert entry["status"] == 400 and "live-secret-3" not in str(entry) and f'"Secret": "{REDACTED}"' in entry["body"]
