"""State that would only grow is forgotten on the emulator clock after its documented retention (one day):
allocations in the vault, expired integrations tokens, and cancelled jobs in the scheduler."""

from __future__ import annotations

from tests.conftest import DEFAULT_ACCOUNT, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
BASE = f"/v1/tenants/{SID}/greenvn"
CUSTOMER = {"Id": "99fa98a1-2ce0-457c-9371-0d3a01eb6ef0", "Secret": "5b8215f7-8595-42c0-9b63-404bcc474f94"}
DAY = 86_400
TOKEN_DAYS = 90


def allocate(client, n: int, **fields) -> dict:
    body = {"connection_id": f"c-{n}", "aparty_numbers": [f"+9199{n:08d}"], "bparty_numbers": [f"+9198{n:08d}"],
            "usage": "twoway", **fields}
    response = client.post(BASE, json=body, headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def advance(client, seconds: float) -> None:
    assert client.post("/_emulator/clock/advance", json={"seconds": seconds}).status_code == 200


def test_a_deleted_allocation_stays_in_the_vault_for_a_day_then_is_forgotten(client, store):
    gid = allocate(client, 1)["greenvn_id"]
    assert client.delete(f"{BASE}/{gid}", headers=AUTH).status_code == 200
    advance(client, DAY - 60)
    assert client.get(f"{BASE}/{gid}", headers=AUTH).get_json()["data"]["state"] == "vault"
    assert client.delete(f"{BASE}/{gid}", headers=AUTH).get_json()["code"] == 22
    advance(client, 61)
    gone = client.get(f"{BASE}/{gid}", headers=AUTH)
    assert gone.status_code == 404 and gone.get_json()["code"] == 1
    assert gid not in store.model("exobridge").allocations


def test_an_expired_allocation_is_forgotten_a_day_after_its_expiry(client, store):
    gid = allocate(client, 2, deallocation_policy={"duration": "600s"})["greenvn_id"]
    advance(client, 600)
    assert client.get(f"{BASE}/{gid}", headers=AUTH).get_json()["data"]["state"] == "vault"
    advance(client, DAY)
    assert client.get(f"{BASE}/{gid}", headers=AUTH).status_code == 404


def test_the_vault_survives_a_snapshot_and_is_still_forgotten(client):
    gid = allocate(client, 3)["greenvn_id"]
    client.delete(f"{BASE}/{gid}", headers=AUTH)
    saved = client.get("/_emulator/state").get_json()
    client.post("/_emulator/reset")
    assert client.put("/_emulator/state", json=saved).status_code == 200
    assert client.get(f"{BASE}/{gid}", headers=AUTH).get_json()["data"]["state"] == "vault"
    advance(client, DAY + 1)
    assert client.get(f"{BASE}/{gid}", headers=AUTH).status_code == 404


def test_expired_tokens_say_so_for_a_day_then_are_forgotten_without_any_new_request(client, store):
    tokens = [client.post("/v2/integrations/token", json={**CUSTOMER, "Entity": "customer"}).get_json()["Data"]
              for _ in range(3)]
    advance(client, TOKEN_DAYS * DAY + 1)
    expired = client.get("/v2/integrations/customer", headers={"Authorization": tokens[0]})
    assert expired.status_code == 401 and "expired" in expired.get_json()["Error"]
    assert set(tokens[1:]) <= set(store.model("integrations").tokens)
    advance(client, DAY)
    assert not set(tokens) & set(store.model("integrations").tokens)
    unknown = client.get("/v2/integrations/customer", headers={"Authorization": tokens[2]})
    assert unknown.status_code == 401 and "unknown token" in unknown.get_json()["Error"].lower()


def test_cancelled_jobs_do_not_pile_up_in_the_scheduler(client, store):
    for n in range(150):  # each leaves a cancelled expiry due in 999999999 days
        gid = allocate(client, 100 + n, deallocation_policy={"duration": "999999999d"})["greenvn_id"]
        client.delete(f"{BASE}/{gid}", headers=AUTH)
    assert store.scheduler.pending() == 150  # the vault retentions
    advance(client, DAY + 1)  # the vault is emptied: only the cancelled expiries would be left
    assert store.scheduler.pending() == 0 and len(store.scheduler) <= 65
