"""Deallocation policies on the emulator clock, and the deallocation callback."""

from __future__ import annotations

import pytest

from tests.exobridge.conftest import BASE, SID


def advance(client, seconds):
    response = client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200
    return response.get_json()


def state(client, auth, gid):
    return client.get(f"{BASE}/{gid}", headers=auth).get_json()["data"]["state"]


@pytest.mark.parametrize("duration,seconds", [("20s", 20), ("10m", 600), ("2d", 172_800), ("600s", 600)])
def test_allocation_expires_when_its_duration_has_passed(client, auth, allocated, duration, seconds):
    gid = allocated(deallocation_policy={"duration": duration})["greenvn_id"]
    advance(client, seconds - 1)
    assert state(client, auth, gid) == "active"
    assert advance(client, 1)["jobs_run"] == 1
    assert state(client, auth, gid) == "vault"


def test_without_a_policy_the_tenant_default_applies(client, auth, allocated, configure):
    one_day = allocated()["greenvn_id"]
    empty_policy = allocated(deallocation_policy={})["greenvn_id"]
    configure(default_deallocation="90s")
    ninety = allocated()["greenvn_id"]
    advance(client, 90)
    assert [state(client, auth, g) for g in (one_day, empty_policy, ninety)] == ["active", "active", "vault"]
    advance(client, 86_400 - 90)
    assert [state(client, auth, g) for g in (one_day, empty_policy)] == ["vault", "vault"]


def test_expiry_fires_the_deallocation_callback(client, auth, allocated, configure, listener, store):
    configure(callbacks={"deallocation": listener.url + "/dealloc"})
    created = allocated(aparty_pins=[1234], usage="oneway", deallocation_policy={"duration": "20s"})
    advance(client, 20)
    [received] = listener.wait(1)
    assert received["path"] == "/dealloc" and received["headers"]["Content-Type"] == "application/json"
    assert received["json"] == {
        "connection_id": created["connection_id"], "aparty_numbers": created["aparty_numbers"],
        "bparty_numbers": created["bparty_numbers"], "aparty_pins": [1234], "bparty_pins": [None],
        "usage": "oneway", "state": "vault", "greenvn": created["greenvn"], "greenvn_id": created["greenvn_id"],
    }
    [entry] = store.callbacks.entries()
    assert entry["event"] == "deallocation" and entry["url"] == listener.url + "/dealloc"
    assert entry["account"] == SID  # the tenant whose allocation ran out


def test_manual_delete_cancels_the_expiry_and_fires_nothing(client, auth, allocated, configure, listener, store):
    configure(callbacks={"deallocation": listener.url})
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    client.delete(f"{BASE}/{gid}", headers=auth)
    assert advance(client, 60)["jobs_run"] == 0
    assert store.callbacks.wait_idle()  # nothing is on its way either
    assert listener.payloads() == [] and store.callbacks.entries() == []


def test_expired_connection_id_can_be_allocated_again(client, allocated):
    first = allocated(deallocation_policy={"duration": "1s"})
    advance(client, 1)
    assert allocated(connection_id=first["connection_id"])["greenvn_id"] != first["greenvn_id"]


def test_expiry_runs_as_real_time_passes_too(store, allocated, auth, client, configure, listener):
    # Nobody advances the clock through the API: the scheduler's own thread expires the allocation when its
    # time comes. The clock is moved (without running anything) to 0.1 s before that time, the thread is told
    # to look again, and the last 0.1 s passes in real time; the deallocation callback says when it has run.
    configure(callbacks={"deallocation": listener.url + "/dealloc"})
    gid = allocated(deallocation_policy={"duration": "1s"})["greenvn_id"]
    store.clock.advance(0.9)
    store.scheduler.wake()
    [received] = listener.wait(1)
    assert received["path"] == "/dealloc" and received["json"]["greenvn_id"] == gid
    assert state(client, auth, gid) == "vault"


def test_a_dead_callback_url_never_slows_or_fails_the_api(client, auth, allocated, configure, store, hanging,
                                                          monkeypatch):
    # The URL takes each callback and answers nothing until released, then dies (closes unanswered). Every
    # expiry below is answered while all their callbacks are still held there: the API never waits for one.
    monkeypatch.setattr(store.callbacks, "timeout", 30)  # a try can only end by the release
    configure(callbacks={"deallocation": hanging.url + "/hook", "call_event": hanging.url + "/hook"})
    for _ in range(5):
        gid = allocated(deallocation_policy={"duration": "5s"})["greenvn_id"]
        advance(client, 5)
        assert state(client, auth, gid) == "vault"
    assert hanging.wait_arrived(1)  # deliveries are under way...
    entries = store.callbacks.entries()
    assert len(entries) == 5 and all(e["state"] == "pending" for e in entries)  # ...and none has finished
    hanging.release()
    assert store.callbacks.wait_idle()
    entries = store.callbacks.entries()
    assert len(entries) == 5 and all(e["state"] == "failed" and e["error"] for e in entries)


def test_clock_only_not_wall_time_decides(client, auth, allocated, store):
    gid = allocated(deallocation_policy={"duration": "2d"})["greenvn_id"]
    assert store.scheduler.pending() >= 1
    advance(client, 86_400)
    assert state(client, auth, gid) == "active"


def test_reset_forgets_allocations_and_their_expiries(client, auth, allocated, store):
    gid = allocated(deallocation_policy={"duration": "20s"})["greenvn_id"]
    client.post("/_emulator/reset")
    assert store.scheduler.pending() == 0
    assert client.get(f"{BASE}/{gid}", headers=auth).status_code == 404
    assert client.get(f"/_emulator/accounts/{SID}/exobridge").get_json()["active_allocations"] == 0
