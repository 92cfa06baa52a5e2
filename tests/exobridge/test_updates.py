"""Both updates take the create parameters ("Please refer 'Create a VN Allocation' (POST) API for details on
request parameters"): ``flow_id`` and ``deallocation_policy`` are checked and applied as on create."""

from __future__ import annotations

import pytest

from tests.exobridge.conftest import BASE, envelope, number
from tests.exobridge.test_expiry import advance, state

# The page's own flow ids: its curl example's and its node example's
FLOW, OTHER_FLOW = "44XX8X", "9867XX"


def update(client, auth, gid: str, which: str, **fields):
    """PUT .../vn or .../call-party (the latter with a new a-party: it needs one party) plus ``fields``."""
    body = dict({"aparty_numbers": [number()]} if which == "call-party" else {}, **fields)
    return client.put(f"{BASE}/{gid}/{which}", headers=auth, json=body)


UPDATES = ["vn", "call-party"]


@pytest.mark.parametrize("which", UPDATES)
def test_an_unknown_flow_id_is_422_and_changes_nothing(client, auth, allocated, which):
    created = allocated(flow_id=FLOW)
    before = client.get(f"{BASE}/{created['greenvn_id']}", headers=auth).get_json()
    envelope(update(client, auth, created["greenvn_id"], which, flow_id="NOSUCH"), 50)
    assert client.get(f"{BASE}/{created['greenvn_id']}", headers=auth).get_json() == before


@pytest.mark.parametrize("which", UPDATES)
def test_a_flow_id_given_replaces_the_allocations_and_shows_from_then_on(client, auth, allocated, which):
    gid = allocated()["greenvn_id"]
    response = update(client, auth, gid, which, flow_id=OTHER_FLOW)
    assert response.status_code == 200 and response.get_json()["data"]["flow_id"] == OTHER_FLOW
    assert client.get(f"{BASE}/{gid}", headers=auth).get_json()["data"]["flow_id"] == OTHER_FLOW


@pytest.mark.parametrize("which", UPDATES)
def test_without_a_flow_id_the_allocations_is_inherited(client, auth, allocated, which):
    with_flow, without = allocated(flow_id=FLOW)["greenvn_id"], allocated()["greenvn_id"]
    assert update(client, auth, with_flow, which).get_json()["data"]["flow_id"] == FLOW
    assert "flow_id" not in update(client, auth, without, which).get_json()["data"]
    assert "flow_id" not in update(client, auth, without, which, flow_id=None).get_json()["data"]


@pytest.mark.parametrize("which", UPDATES)
def test_a_new_duration_reschedules_the_expiry_from_the_update(client, auth, allocated, which):
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    advance(client, 10)
    assert update(client, auth, gid, which, deallocation_policy={"duration": "1m"}).status_code == 200
    advance(client, 20)  # past the first policy: no longer due
    assert state(client, auth, gid) == "active"
    assert advance(client, 39)["jobs_run"] == 0 and state(client, auth, gid) == "active"
    assert advance(client, 1)["jobs_run"] == 1 and state(client, auth, gid) == "vault"


@pytest.mark.parametrize("which", UPDATES)
def test_a_shorter_duration_expires_sooner_and_fires_the_callback_once(client, auth, allocated, configure, listener,
                                                                      store, which):
    configure(callbacks={"deallocation": listener.url})
    gid = allocated()["greenvn_id"]  # the tenant default: a day
    assert update(client, auth, gid, which, deallocation_policy={"duration": "30s"}).status_code == 200
    assert advance(client, 30)["jobs_run"] == 1 and state(client, auth, gid) == "vault"
    [received] = listener.wait(1)
    assert received["json"]["greenvn_id"] == gid and received["json"]["state"] == "vault"
    advance(client, 86_400)  # past the day the replaced policy named (and the vault's one-day retention)
    assert store.callbacks.wait_idle()
    assert [e["event"] for e in store.callbacks.entries()] == ["deallocation"]  # the old policy fired nothing


@pytest.mark.parametrize("which", UPDATES)
@pytest.mark.parametrize("policy", [None, {}, {"duration": None}])
def test_without_a_duration_the_expiry_is_inherited(client, auth, allocated, which, policy):
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    advance(client, 10)
    assert update(client, auth, gid, which, deallocation_policy=policy).status_code == 200
    assert advance(client, 10)["jobs_run"] == 1 and state(client, auth, gid) == "vault"


@pytest.mark.parametrize("which", UPDATES)
@pytest.mark.parametrize("fields", [{"flow_id": 448581}, {"flow_id": ""}, {"deallocation_policy": "600s"},
                                    {"deallocation_policy": {"duration": "20h"}},
                                    {"deallocation_policy": {"duration": "0s"}}])
def test_bad_flow_ids_and_policies_are_400_5(client, auth, allocated, which, fields):
    envelope(update(client, auth, allocated()["greenvn_id"], which, **fields), 5)


@pytest.mark.parametrize("which", UPDATES)
def test_a_refused_update_keeps_the_old_expiry(client, auth, allocated, which, configure):
    configure(vn_pool=["+918012345678"])  # a one-VN pool: a VN update has nowhere to go (452)
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    taken = allocated()["aparty_numbers"]  # on the same VN: moving these numbers here is a 409
    body = {"deallocation_policy": {"duration": "1d"}, "flow_id": FLOW}
    if which == "vn":
        envelope(client.put(f"{BASE}/{gid}/vn", headers=auth, json=body), 4)
    else:
        envelope(client.put(f"{BASE}/{gid}/call-party", headers=auth, json=dict(body, aparty_numbers=taken)), 19)
    assert "flow_id" not in client.get(f"{BASE}/{gid}", headers=auth).get_json()["data"]
    assert advance(client, 20)["jobs_run"] == 1 and state(client, auth, gid) == "vault"


def test_an_expiry_already_running_when_an_update_reschedules_does_nothing(client, auth, allocated, store):
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    old = store.model("exobridge").jobs[gid]
    assert update(client, auth, gid, "vn", deallocation_policy={"duration": "1m"}).status_code == 200
    advance(client, 20)
    old.fn()  # as if the scheduler had taken the old job before the update cancelled it
    assert state(client, auth, gid) == "active"


def test_asking_for_the_vn_it_has_keeps_it_and_applies_the_flow_and_policy(client, auth, allocated):
    created = allocated(deallocation_policy={"duration": "20s"})
    body = {"preferences": {"greenvn": created["greenvn"]}, "flow_id": FLOW, "deallocation_policy": {"duration": "1m"}}
    data = client.put(f"{BASE}/{created['greenvn_id']}/vn", headers=auth, json=body).get_json()["data"]
    assert data["green_vn"] == created["greenvn"] and data["flow_id"] == FLOW
    assert advance(client, 59)["jobs_run"] == 0 and advance(client, 1)["jobs_run"] == 1
