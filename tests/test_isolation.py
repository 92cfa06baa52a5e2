"""One app serves every Flask-client test of the session (tests/conftest.py ``app``), reset before each test:
nothing one test changes may reach another.

``observable`` gathers everything a test can see of an app's world (the whole ``GET /_emulator/state``
export, the journal, the callback log, the faults, the clock, the accounts, each family's control settings,
pending jobs, deliveries in flight, the config, and what the vendor endpoints list), with random ids and load
times made comparable. It is compared with a freshly built app's: after ``pristine`` (what the fixture does),
and at the start of two tests that each change all of it, so whichever of them runs second, and every test
that ran before either, is checked for leftovers.
"""

from __future__ import annotations

import itertools
import re

import pytest

from emulator import create_app
from tests.conftest import DISPATCHER_SETTINGS, TEST_CONFIG, basic, pristine
from tests.integrations.conftest import CUSTOMER, FIXTURE_APP

SID = "exotel_emulator"
KEY, TOKEN = "emulator_api_key", "emulator_api_token"
BETA = f"/v2_beta/Accounts/{SID}"
GREENVN = f"/v1/tenants/{SID}/greenvn"
INTEGRATIONS = "/v2/integrations"

# a UUID or a 32-hex sid, alone or inside a text (a uri)
RANDOM_ID = re.compile(r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})\b")
DATE = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")


def canonical(value, ids=None):
    """``value`` with what differs between two equal worlds built at different moments replaced: random ids
    by their order of first appearance (so references between them still have to match) and wall-clock
    times (epoch floats, date strings) by a marker."""
    ids = {} if ids is None else ids
    if isinstance(value, dict):
        return {canonical(k, ids): canonical(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v, ids) for v in value]
    if isinstance(value, float) and value > 1e9:
        return "<time>"
    if isinstance(value, str):
        if DATE.match(value):
            return "<time>"
        return RANDOM_ID.sub(lambda m: ids.setdefault(m[0], f"<id {len(ids) + 1}>"), value)
    return value


def observable(app) -> dict:
    """Everything a test can see of ``app``'s world. Reading the vendor endpoints records them in the journal
    (after the journal itself was read) and builds inventories lazily: both sides of a comparison read alike."""
    store = app.extensions["exotel_emulator"]
    client = app.test_client()
    auth = basic(KEY, TOKEN)
    seen = {path: client.get(f"/_emulator{path}").get_json() for path in (
        "/state", "/requests", "/callbacks", "/faults", "/clock", "/accounts", f"/accounts/{SID}/exobridge")}
    seen["pending_jobs"] = store.scheduler.pending()
    seen["idle"] = store.callbacks.wait_idle(5)
    seen["config"] = {k: app.config[k] for k in ("FIXTURES", "SEED", "MAX_CONTENT_LENGTH", "CALLBACKS",
                                                 "JOURNAL_SIZE", "JOURNAL_BYTES")}
    seen["dispatcher"] = {k: getattr(store.callbacks, k) for k in DISPATCHER_SETTINGS}
    seen["journal_limits"] = (store.journal.size, store.journal.max_bytes)
    seen["owned"] = client.get(f"{BETA}/IncomingPhoneNumbers", headers=auth).get_json()
    seen["available"] = client.get(f"{BETA}/AvailablePhoneNumbers/IN/Mobile", headers=auth).get_json()
    token = client.post(f"{INTEGRATIONS}/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"],
                                                       "Entity": "customer"}).get_json()["Data"]
    apps = client.get(f"{INTEGRATIONS}/app?entity=customer", headers={"Authorization": token})
    seen["apps"] = apps.get_json()["Data"]
    seen["allocation"] = client.get(f"{GREENVN}/{'0' * 8}-0000-0000-0000-{'0' * 12}", headers=auth).status_code
    seen["v2_beta_list"] = client.get(f"{BETA}/IncomingPhoneNumbers", headers=auth).status_code  # no fault, no limit
    return canonical(seen)


@pytest.fixture(scope="module")
def fresh_world():
    """What a newly built app with the tests' config shows."""
    app = create_app(TEST_CONFIG)
    yield observable(app)
    store = app.extensions["exotel_emulator"]
    store.scheduler.stop()
    store.callbacks.shutdown()


_n = itertools.count(1)


def change_everything(app, listener) -> None:
    """Through the APIs (and the two things only code touches), everything a test may leave behind."""
    store = app.extensions["exotel_emulator"]
    client = app.test_client()
    auth = basic(KEY, TOKEN)
    n = next(_n)
    client.post("/_emulator/clock/advance", json={"seconds": 3600})  # first: the expiry below stays pending

    def ok(response, status=200):
        assert response.status_code == status, response.get_json()
        return response.get_json()

    # ExoPhones: buy, rename, release, an outage
    number = ok(client.get(f"{BETA}/AvailablePhoneNumbers/IN/Mobile", headers=auth))[0]["phone_number"]
    bought = ok(client.post(f"{BETA}/IncomingPhoneNumbers", data={"PhoneNumber": number}, headers=auth))
    ok(client.put(f"{BETA}/IncomingPhoneNumbers/{bought['sid']}", data={"FriendlyName": "Changed"}, headers=auth))
    owned = ok(client.get(f"{BETA}/IncomingPhoneNumbers", headers=auth))["incoming_phone_numbers"]
    ok(client.delete(f"{BETA}/IncomingPhoneNumbers/{owned[0]['sid']}", headers=auth), 202)
    ok(client.put(f"/_emulator/accounts/{SID}/exophones/{owned[1]['sid']}/connectivity",
                  json={"incoming_call": {"status": "major_outage", "alternate_exophone": ["+918039591111"]}}))
    # ExoBridge: settings, an allocation with a pending expiry, a call and its callbacks
    ok(client.put(f"/_emulator/accounts/{SID}/exobridge", json={
        "insights": True, "default_deallocation": "30m", "flows": ["44XX8X", "123456"],
        "callbacks": {"call_event": listener.url + "/call", "deallocation": listener.url + "/gone"}}))
    allocation = ok(client.post(GREENVN, headers=auth, json={
        "connection_id": f"leak-{n}", "aparty_numbers": ["+919900000001"], "bparty_numbers": ["+919900000002"],
        "usage": "twoway", "deallocation_policy": {"duration": "20s"}}))["data"]
    ok(client.post(f"/_emulator/accounts/{SID}/exobridge/calls",
                   json={"greenvn": allocation["greenvn"], "from": "+919900000001"}))
    listener.wait(1)
    # Integrations: tokens, an app, a setting, users, a device, a customer
    token = ok(client.post(f"{INTEGRATIONS}/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"],
                                                          "Entity": "customer"}))["Data"]
    app_token = ok(client.post(f"{INTEGRATIONS}/token", json={"Id": FIXTURE_APP["AppID"],
                                                              "Secret": FIXTURE_APP["AppSecret"],
                                                              "Entity": "app"}))["Data"]
    ok(client.post(f"{INTEGRATIONS}/app", headers={"Authorization": token}, json={
        "AppName": "Leaky", "ExotelAccountSid": "x", "ExotelApiKey": "k", "ExotelApiToken": "t",
        "ExotelDomain": "mumbai", "IsActive": True}))
    ok(client.post(f"{INTEGRATIONS}/app_setting", headers={"Authorization": app_token},
                   json={"Key": "popup", "Value": listener.url + "/popup"}))
    ok(client.post(f"{INTEGRATIONS}/usermapping", headers={"Authorization": app_token}, json=[{
        "AppUserId": "leak", "AppUsername": "Leaky User", "Email": "leak@example.com", "ExotelAccountSid": "x",
        "ExotelUserName": "Leaky Agent", "AgentNumber": "+919876543210", "VirtualNumber": "01135124165"}]))
    ok(client.put(f"{INTEGRATIONS}/device", headers={"Authorization": app_token},
                  json={"UserId": "leak", "DeviceName": "phone", "DeviceStatus": True}))
    ok(client.post("/_emulator/integrations/customers", json={"Id": f"leak-{n}", "Secret": "s",
                                                              "CustomerName": "Leak", "Email": "l@example.com"}), 201)
    # Voice: a flow, an ExoPhone's VoiceUrl naming it, and an incoming call in the middle of it
    ok(client.put(f"/_emulator/accounts/{SID}/flows/leak{n}", json={"applets": [
        {"type": "passthru", "url": listener.url + "/passthru", "mode": "async"},
        {"type": "greeting", "seconds": 600}]}))
    exophone = ok(client.get(f"{BETA}/IncomingPhoneNumbers", headers=auth))["incoming_phone_numbers"][-1]
    ok(client.put(f"{BETA}/IncomingPhoneNumbers/{exophone['sid']}", headers=auth,
                  data={"VoiceUrl": f"http://my.exotel.com/{SID}/exoml/start_voice/leak{n}"}))
    ok(client.post(f"/_emulator/accounts/{SID}/calls/incoming", json={
        "from": "+919900000003", "to": exophone["phone_number"]}), 201)
    # the tooling: an account with a rate limit, a fault, the clock, a snapshot restore
    ok(client.post("/_emulator/accounts", json={"sid": f"leak{n}", "api_key": f"leak{n}_key",
                                                "api_token": f"leak{n}_token"}), 201)
    ok(client.put(f"/_emulator/accounts/{SID}/rate_limit", json={"per_minute": 1}))
    ok(client.post("/_emulator/faults", json={"path": "/v1/tenants/*", "status": 503}), 201)
    ok(client.put("/_emulator/state", json=ok(client.get("/_emulator/state"))))
    # what only code changes (tests do it through monkeypatch, which undoes it; this checks the fixture anyway)
    app.config["JOURNAL_SIZE"] = 3
    app.config["LEAKED"] = True
    store.callbacks.retries = 7


def test_the_comparison_sees_every_change(app, fresh_world, listener):
    change_everything(app, listener)
    changed = observable(app)
    assert changed != fresh_world
    # part by part: each of these must differ, or change_everything proves nothing about it
    for part in ("/state", "/requests", "/callbacks", "/faults", "/clock", "/accounts", f"/accounts/{SID}/exobridge",
                 "pending_jobs", "config", "dispatcher", "owned", "available", "apps", "allocation", "v2_beta_list"):
        assert changed[part] != fresh_world[part], part


def test_pristine_restores_a_fresh_apps_world(app, fresh_world, listener):
    change_everything(app, listener)
    pristine(app)
    assert observable(app) == fresh_world


# Two tests that leave everything changed: whichever runs second (and the first, after every test that ran
# before it on the shared app) starts from a world equal to a fresh app's.
@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_starts_from_a_fresh_apps_world(app, fresh_world, listener, turn):
    assert observable(app) == fresh_world
    pristine(app)  # observable's own reads are not this test's changes
    change_everything(app, listener)


# The journal's and the callback log's ids start again after a reset, as in a fresh app.
def test_ids_start_again_after_a_reset(app):
    client = app.test_client()
    client.get(f"{BETA}/IncomingPhoneNumbers", headers=basic(KEY, TOKEN))
    pristine(app)
    client.get(f"{BETA}/IncomingPhoneNumbers", headers=basic(KEY, TOKEN))
    app.extensions["exotel_emulator"].callbacks.send("http://127.0.0.1:9/", "test_event", {})
    assert [e["id"] for e in client.get("/_emulator/requests").get_json()["requests"]] == [1]
    assert [e["id"] for e in client.get("/_emulator/callbacks").get_json()["callbacks"]] == [1]
