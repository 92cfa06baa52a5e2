"""The Python control client: the same calls over HTTP and in-process, and the exact requests it sends."""

from __future__ import annotations

import pytest
import requests

from emulator.control.client import AppTransport, ControlClient, ControlClientError, HttpTransport

SID = "exotel_emulator"
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"


@pytest.fixture(params=["http", "in-process"])
def emulator(request, exotel_emulator, app):
    """(control client, a function GETting a vendor path with the default credentials) per transport."""
    if request.param == "http":
        session = requests.Session()
        session.trust_env = False
        auth = (exotel_emulator.api_key, exotel_emulator.api_token)
        yield exotel_emulator.client, lambda path: session.get(exotel_emulator.url + path, auth=auth).status_code
        session.close()
    else:
        client = app.test_client()
        yield ControlClient(app=app), lambda path: client.get(
            path, auth=("emulator_api_key", "emulator_api_token")).status_code


def test_transports(exotel_emulator, app):
    assert isinstance(ControlClient(exotel_emulator.url).transport, HttpTransport)
    assert isinstance(ControlClient(app=app).transport, AppTransport)
    with pytest.raises(TypeError):
        ControlClient()


def test_core_calls(emulator):
    control, get = emulator
    assert control.health()["status"] == "ok"
    account = control.create_account("acme")
    assert account == {"sid": "acme", "api_key": "acme_key", "api_token": "acme_token"}
    assert "acme" in [a["sid"] for a in control.accounts()]
    assert control.advance_clock(120)["offset_seconds"] == 120
    assert control.clock()["offset_seconds"] == 120
    control.reset()
    assert control.clock()["offset_seconds"] == 0 and "acme" not in [a["sid"] for a in control.accounts()]


def test_faults_rate_limits_and_journal(emulator):
    control, get = emulator
    fault_id = control.add_fault(LIST, status=503, times=1)
    assert [f["id"] for f in control.faults()] == [fault_id]
    assert get(LIST) == 503 and get(LIST) == 200
    control.add_fault("/other", body=None, status=200)
    assert control.faults()[1]["body"] is None
    control.remove_fault(fault_id)
    control.clear_faults()
    assert control.faults() == []
    control.set_rate_limit(SID, 1)
    assert get(LIST) == 200 and get(LIST) == 429
    control.set_rate_limit(SID, None)
    assert [r["status"] for r in control.requests(path=LIST)] == [503, 200, 200, 429]
    assert control.requests(method="POST") == [] and len(control.requests(account=SID)) == 4


def test_state_round_trip(emulator):
    control, get = emulator
    control.create_account("acme")
    saved = control.get_state()
    control.reset()
    assert control.put_state(saved) == saved and control.get_state() == saved


def test_errors_raise_with_status_and_body(emulator):
    control, _ = emulator
    control.create_account("acme")
    with pytest.raises(ControlClientError) as caught:
        control.create_account("acme")
    assert caught.value.status == 409 and caught.value.body["status"] == 409
    with pytest.raises(ControlClientError) as caught:
        control.add_fault("/x")
    assert caught.value.status == 400 and "status, code, body" in str(caught.value)


def test_wait_callbacks_returns_finished_deliveries(exotel_emulator, listener):
    exotel_emulator.store.callbacks.send(listener.url + "/hook", "test_event", {"n": 1})
    [delivery] = exotel_emulator.client.wait_callbacks(1, event="test_event", timeout=5)
    assert delivery["state"] == "delivered" and delivery["payload"] == {"n": 1}
    with pytest.raises(TimeoutError):
        exotel_emulator.client.wait_callbacks(2, timeout=0.05)


class Recorder:
    """A transport that records what the client sends and answers 200 ``{}``."""

    def __init__(self):
        self.sent = []

    def request(self, method, path, json=None, params=None):
        self.sent.append((method, path, json))
        return 200, {}


def test_family_scripting_calls_send_the_documented_requests():
    recorder = Recorder()
    control = ControlClient(transport=recorder)
    control.set_connectivity("acc", "ph1", incoming_call={"status": "major_outage", "alternate_exophone": None})
    control.configure_exobridge("acc", vn_pool=["+918000000001"], insights=True)
    control.simulate_exobridge_call("acc", "+918000000001", "+919000000001", pin=1234)
    control.simulate_exobridge_call("acc", "+918000000001", "+919000000002", dial_call_status="busy", duration=0)
    control.create_integrations_customer("cid", "secret", "Acme", "ops@acme.test")
    control.simulate_outbound_call("app1", "user1", "+919000000003", FromNumber="+918000000001", CallSid="c1")
    assert recorder.sent == [
        ("PUT", "/_emulator/accounts/acc/exophones/ph1/connectivity",
         {"incoming_call": {"status": "major_outage", "alternate_exophone": None}}),
        ("PUT", "/_emulator/accounts/acc/exobridge", {"vn_pool": ["+918000000001"], "insights": True}),
        ("POST", "/_emulator/accounts/acc/exobridge/calls",
         {"greenvn": "+918000000001", "from": "+919000000001", "pin": 1234}),
        ("POST", "/_emulator/accounts/acc/exobridge/calls",
         {"greenvn": "+918000000001", "from": "+919000000002", "dial_call_status": "busy", "duration": 0}),
        ("POST", "/_emulator/integrations/customers",
         {"Id": "cid", "Secret": "secret", "CustomerName": "Acme", "Email": "ops@acme.test"}),
        ("POST", "/_emulator/integrations/apps/app1/outbound_calls",
         {"AppUserID": "user1", "ToNumber": "+919000000003", "CallSid": "c1", "FromNumber": "+918000000001"}),
    ]


def test_set_connectivity_really_scripts_the_v2_block(exotel_emulator):
    session = requests.Session()
    session.trust_env = False
    session.auth = exotel_emulator.auth
    phone = session.get(exotel_emulator.url + LIST).json()["incoming_phone_numbers"][0]
    block = exotel_emulator.client.set_connectivity(
        SID, phone["sid"], outgoing_call={"status": "partial_network_outage", "alternate_exophone": ["+918039591111"]})
    assert block["connectivity"]["outgoing_call"]["status"] == "partial_network_outage"
    v2 = session.get(f"{exotel_emulator.url}/v2/accounts/{SID}/incoming-phone-numbers/{phone['sid']}").json()
    assert v2["response"][0]["data"]["connectivity"]["outgoing_call"]["alternate_exophone"] == ["+918039591111"]
