"""State snapshots (GET/PUT /_emulator/state): export, restore, and a bad snapshot changes nothing."""

from __future__ import annotations

import copy

import pytest

from emulator.core.family import Family, Model
from emulator.core.fixtures import World
from emulator.core.snapshot import SnapshotError, export, restore
from emulator.core.store import Store
from tests.conftest import basic

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


def state(client) -> dict:
    response = client.get("/_emulator/state")
    assert response.status_code == 200
    return response.get_json()


def build_world(client, auth) -> dict:
    """Some of everything: a bought number, an outage, a new account with a limit, a moved clock."""
    available = client.get(f"/v2_beta/Accounts/{SID}/AvailablePhoneNumbers/IN/Landline", headers=auth).get_json()
    bought = client.post(LIST, data={"PhoneNumber": available[0]["phone_number"], "FriendlyName": "Kept"},
                         headers=auth).get_json()
    client.put(f"/_emulator/accounts/{SID}/exophones/{bought['sid']}/connectivity",
               json={"incoming_call": {"status": "major_outage", "alternate_exophone": ["+918039591111"]}})
    client.post("/_emulator/accounts", json={"sid": "acme", "api_key": "acme_key", "api_token": "acme_token"})
    client.put("/_emulator/accounts/acme/rate_limit", json={"per_minute": 2})
    client.post("/_emulator/clock/advance", json={"seconds": 3600})
    return bought


def test_export_has_every_part(client):
    snapshot = state(client)
    assert snapshot["format"] == "exotel-emulator/state" and snapshot["version"] == 1
    assert snapshot["clock"] == {"offset_seconds": 0}
    assert snapshot["accounts"][0]["sid"] == SID and snapshot["rate_limits"] == {}
    assert set(snapshot["families"]) == {"exophones", "exobridge", "integrations", "voice", "control", "dashboard"}


def test_restore_brings_the_world_back_and_exports_the_same_document(client, auth):
    bought = build_world(client, auth)
    saved = state(client)
    client.post("/_emulator/reset")
    assert client.get(f"{LIST}/{bought['sid']}", headers=auth).status_code == 404

    response = client.put("/_emulator/state", json=saved)
    assert response.status_code == 200 and response.get_json() == saved
    assert state(client) == saved
    phone = client.get(f"{LIST}/{bought['sid']}", headers=auth).get_json()
    assert phone["friendly_name"] == "Kept" and phone["date_created"] == bought["date_created"]
    v2 = client.get(f"/v2/accounts/{SID}/incoming-phone-numbers/{bought['sid']}", headers=auth).get_json()
    assert v2["response"][0]["data"]["connectivity"]["incoming_call"]["status"] == "major_outage"
    assert client.get("/_emulator/clock").get_json()["offset_seconds"] == 3600
    acme = basic("acme_key", "acme_token")
    assert [client.get("/v2_beta/Accounts/acme/IncomingPhoneNumbers", headers=acme).status_code
            for _ in range(3)] == [200, 200, 429]


def test_restore_leaves_faults_and_the_journal_alone(client, auth):
    saved = state(client)
    client.post("/_emulator/faults", json={"path": "/nowhere", "status": 500})
    client.get(LIST, headers=auth)
    client.put("/_emulator/state", json=saved)
    assert len(client.get("/_emulator/faults").get_json()["faults"]) == 1
    assert len(client.get("/_emulator/requests").get_json()["requests"]) == 1


def _broken(mutate):
    def apply(snapshot):
        mutate(snapshot)
        return snapshot
    return apply


BAD = {
    "not an object": lambda s: ["nope"],
    "empty": lambda s: {},
    "wrong format": _broken(lambda s: s.update(format="something-else")),
    "future version": _broken(lambda s: s.update(version=2)),
    "no clock": _broken(lambda s: s.pop("clock")),
    "clock not a number": _broken(lambda s: s.update(clock={"offset_seconds": "later"})),
    "unknown top-level field": _broken(lambda s: s.update(extra=1)),
    "account without token": _broken(lambda s: s["accounts"].append({"sid": "x", "api_key": "k"})),
    "duplicate sid": _broken(lambda s: s["accounts"].append(dict(s["accounts"][0], api_key="other"))),
    "duplicate api_key": _broken(lambda s: s["accounts"].append(dict(s["accounts"][0], sid="other"))),
    "rate limit of no account": _broken(lambda s: s.update(rate_limits={"ghost": 5})),
    "rate limit zero": _broken(lambda s: s.update(rate_limits={SID: 0})),
    "missing family": _broken(lambda s: s["families"].pop("exophones")),
    "unknown family": _broken(lambda s: s["families"].update(telepathy={})),
    "family data broken": _broken(lambda s: s["families"]["exophones"].pop("accounts")),
    "family data of the wrong type": _broken(lambda s: s["families"]["exophones"].update(accounts=[1, 2])),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_snapshot_is_400_and_changes_nothing(client, auth, name):
    build_world(client, auth)
    before = state(client)
    response = client.put("/_emulator/state", json=BAD[name](copy.deepcopy(before)))
    assert response.status_code == 400 and response.get_json()["error"].startswith("bad snapshot")
    assert state(client) == before
    assert client.get(LIST, headers=auth).status_code == 200


def test_malformed_json_is_400(client):
    assert client.put("/_emulator/state", data="{", content_type="application/json").status_code == 400


def test_a_family_error_names_the_family(client):
    snapshot = state(client)
    snapshot["families"]["exophones"]["accounts"] = [1]
    assert "families.exophones" in client.put("/_emulator/state", json=snapshot).get_json()["error"]


def test_snapshots_larger_than_an_api_body_are_accepted(client):
    snapshot = state(client)
    listing = {"phone_number": "+911100000000", "country": "IN", "region": "DL", "number_type": "Landline",
               "currency": "INR", "capabilities": {"voice": True, "sms": False}, "one_time_price": "0.000000",
               "rental_price": "0.000000", "incoming_rate": "0.000000", "incoming_pulse": "60",
               "vanity_number": False}
    extra = [dict(listing, phone_number=f"+9111{n:08d}") for n in range(6000)]
    snapshot["families"]["exophones"]["accounts"][SID]["extra"] = extra
    response = client.put("/_emulator/state", json=snapshot)
    assert response.status_code == 200 and len(response.get_data()) > 1 << 20
    assert state(client) == snapshot


# ---- jobs of restored models: adopted on success, never run on failure -----------------------------------


class Timers(Model):
    """A family whose state is a list of due times, each scheduled as a job that records it ran."""

    def __init__(self, store):
        super().__init__(store)
        self.due: list[float] = []
        self.ran: list[float] = []

    def dump(self) -> dict:
        return {"due": self.due}

    def restore(self, data: dict) -> None:
        self.due = list(data["due"])
        for due in self.due:
            self.store.scheduler.at(due, lambda due=due: self.ran.append(due))
        if data.get("fail"):
            raise ValueError("this part is broken")


def timers_store() -> Store:
    return Store([Family(name="timers", envelopes={}, model=Timers)], World(), {})


def test_jobs_scheduled_by_a_restore_run_on_the_store_clock():
    store = timers_store()
    now = store.clock.time()
    restore(store, dict(export(store), families={"timers": {"due": [now + 10, now + 20]}}))
    store.clock.advance(15)
    assert store.scheduler.run_due() == 1 and store.model("timers").ran == [now + 10]
    store.scheduler.stop()


def test_a_failed_restore_schedules_nothing_and_keeps_the_old_models():
    store = timers_store()
    old = store.model("timers")
    now = store.clock.time()
    with pytest.raises(SnapshotError, match="families.timers: ValueError: this part is broken"):
        restore(store, dict(export(store), clock={"offset_seconds": 500},
                            families={"timers": {"due": [now + 1], "fail": True}}))
    assert store.model("timers") is old and store.clock.offset == 0
    store.clock.advance(10)
    assert store.scheduler.run_due() == 0 and store.scheduler.pending() == 0
    store.scheduler.stop()
