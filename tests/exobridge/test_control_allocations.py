"""GET /_emulator/accounts/<sid>/exobridge/allocations: a tenant's allocations, active and in the vault."""

from __future__ import annotations

import pytest

from tests.exobridge.conftest import BASE, CONTROL

LIST = f"{CONTROL}/allocations"


def listed(client, path=LIST, **query) -> dict:
    response = client.get(path, query_string=query)
    assert response.status_code == 200 and response.content_type == "application/json", response.get_json()
    return response.get_json()


def test_lists_allocations_in_creation_order_with_what_the_emulator_knows(client, allocated):
    first = allocated(aparty_pins=[1234], flow_id="44XX8X", deallocation_policy={"duration": "600s"})
    second = allocated(usage="oneway")
    body = listed(client)
    assert [a["greenvn_id"] for a in body["allocations"]] == [first["greenvn_id"], second["greenvn_id"]]
    assert (body["total"], body["page"], body["page_size"]) == (2, 0, 100)
    row = body["allocations"][0]
    for name in ("connection_id", "greenvn", "state", "usage", "aparty_numbers", "bparty_numbers", "aparty_pins",
                 "bparty_pins", "flow_id"):
        assert row[name] == first[name], name
    assert row["deallocated_at"] is None
    now = client.get("/_emulator/clock").get_json()["now"]
    assert row["created_at"] == now or row["created_at"] < now
    assert body["allocations"][1]["flow_id"] is None and body["allocations"][1]["usage"] == "oneway"


def test_expires_at_follows_the_policy_and_expiry_moves_it_to_the_vault(client, allocated):
    allocation = allocated(deallocation_policy={"duration": "600s"})
    [row] = listed(client)["allocations"]
    client.post("/_emulator/clock/advance", json={"seconds": 600})
    [after] = listed(client)["allocations"]
    assert after["state"] == "vault" and after["deallocated_at"] == row["expires_at"]
    assert listed(client, state="active")["allocations"] == []
    assert [a["greenvn_id"] for a in listed(client, state="vault")["allocations"]] == [allocation["greenvn_id"]]


def test_one_long_advance_ends_an_allocation_when_its_policy_ran_out_not_when_the_clock_stopped(client, auth,
                                                                                                 allocated):
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    [row] = listed(client)["allocations"]
    client.post("/_emulator/clock/advance", json={"seconds": 3_600})
    [after] = listed(client)["allocations"]
    assert after["state"] == "vault" and after["deallocated_at"] == row["expires_at"]
    # and the vault's day of retention counts from then: 20 s and a day after allocating, it is forgotten
    client.post("/_emulator/clock/advance", json={"seconds": 20 + 86_400 - 3_600})
    assert client.get(f"{BASE}/{gid}", headers=auth).status_code == 404


def test_a_simulated_call_that_verifies_a_pin_adds_the_caller(client, allocated):
    allocation = allocated(aparty_pins=[4321])
    caller = "+919812300001"
    call = {"greenvn": allocation["greenvn"], "from": caller, "pin": "4321"}
    assert client.post(f"{CONTROL}/calls", json=call).get_json()["connected"] is True
    [row] = listed(client)["allocations"]
    assert row["aparty_numbers"] == allocation["aparty_numbers"] + [caller]


def test_a_deleted_allocation_is_listed_in_the_vault(client, auth, allocated):
    allocation = allocated()
    assert client.delete(f"{BASE}/{allocation['greenvn_id']}", headers=auth).status_code == 200
    [row] = listed(client, state="vault")["allocations"]
    assert row["greenvn_id"] == allocation["greenvn_id"] and row["deallocated_at"] is not None


def test_pages_and_tenants_see_only_their_own(client, allocated, new_account):
    made = [allocated()["greenvn_id"] for _ in range(3)]
    pages = [listed(client, page=n, page_size=2) for n in range(2)]
    assert [a["greenvn_id"] for b in pages for a in b["allocations"]] == made
    assert [b["total"] for b in pages] == [3, 3]
    account, _ = new_account("acme")
    assert listed(client, f"/_emulator/accounts/{account['sid']}/exobridge/allocations")["total"] == 0


@pytest.mark.parametrize("query", [{"state": "expired"}, {"page": -1}, {"page_size": 0}, {"tenant": "x"}])
def test_a_bad_query_is_400_in_the_control_envelope(client, query):
    response = client.get(LIST, query_string=query)
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_an_unknown_tenant_is_404(client):
    response = client.get("/_emulator/accounts/nobody/exobridge/allocations")
    assert response.status_code == 404 and response.get_json() == {"status": 404, "error": "account nobody not found"}


def test_the_listing_follows_the_vault_and_its_end_and_survives_a_snapshot(client, auth, allocated):
    # the listing is kept per tenant and state as allocations move (no scan of every allocation a page)
    gone, kept, deleted = (allocated(deallocation_policy={"duration": f"{s}s"})["greenvn_id"] for s in (60, 600, 600))
    assert client.delete(f"{BASE}/{deleted}", headers=auth).status_code == 200
    client.post("/_emulator/clock/advance", json={"seconds": 60})  # gone: to the vault, after deleted

    def ids(**query):
        return [a["greenvn_id"] for a in listed(client, **query)["allocations"]]

    assert (ids(), ids(state="active"), ids(state="vault")) == ([gone, kept, deleted], [kept], [gone, deleted])
    assert ids(state="vault", page=1, page_size=1) == [deleted]
    state = client.get("/_emulator/state").get_json()
    client.post("/_emulator/clock/advance", json={"seconds": 540})  # kept: to the vault
    client.post("/_emulator/clock/advance", json={"seconds": 86_400})  # the vault keeps them a day: all forgotten
    assert (ids(), listed(client)["total"]) == ([], 0)
    assert client.put("/_emulator/state", json=state).status_code == 200
    assert (ids(), ids(state="active"), ids(state="vault")) == ([gone, kept, deleted], [kept], [gone, deleted])
