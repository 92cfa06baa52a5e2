"""Helpers for the voice and SMS tests: the v1 API through Flask's test client, and documented data."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from werkzeug.formparser import parse_form_data
from werkzeug.test import EnvironBuilder

from emulator.core.forms import unflatten

DATA = Path(__file__).resolve().parents[2] / "contract_tests" / "data"
SID = "exotel_emulator"
EXOPHONE = "08039591111"  # an ExoPhone the default account owns in the shipped fixtures
V1 = f"/v1/Accounts/{SID}"


def documented(name: str):
    """A documented example (``voice/<file>``, in emulator/voice/examples/) or table (contract_tests/data/), as
    copied from the vendor's pages."""
    if "/" in name:
        from contract_tests.conftest import example

        return example(name)
    text = (DATA / name).read_text()
    return json.loads(text) if name.endswith(".json") else text


class Api:
    """The v1 API of one account: ``api.post("Calls/connect.json", data={...})``."""

    def __init__(self, client, sid: str, headers: dict):
        self.client, self.sid, self.headers = client, sid, headers

    def url(self, path: str) -> str:
        return f"/v1/Accounts/{self.sid}/{path}"

    def get(self, path: str, **kwargs):
        return self.client.get(self.url(path), headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs):
        return self.client.post(self.url(path), headers=self.headers, **kwargs)

    def call(self, **params) -> dict:
        params.setdefault("From", "09876543210")
        params.setdefault("CallerId", EXOPHONE)
        if "Url" not in params:
            params.setdefault("To", "09123456789")
        response = self.post("Calls/connect.json", data=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["Call"]

    def details(self, call_sid: str, **query) -> dict:
        response = self.get(f"Calls/{call_sid}.json", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["Call"]

    def sms(self, **params) -> dict:
        params.setdefault("From", EXOPHONE)
        params.setdefault("To", "09123456789")
        params.setdefault("Body", "Hello")
        response = self.post("Sms/send.json", data=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["SMSMessage"]


@pytest.fixture
def api(client, auth) -> Api:
    return Api(client, SID, auth)


@pytest.fixture
def advance(client):
    def move(seconds: float) -> dict:
        response = client.post("/_emulator/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200
        return response.get_json()

    return move


@pytest.fixture
def script(client):
    def put(number: str, sid: str = SID, **fields) -> dict:
        response = client.put(f"/_emulator/accounts/{sid}/numbers/{number}", json=fields)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return put


def form_of(received: dict) -> dict:
    """A callback as a form handler reads it (urlencoded or multipart), brackets made nested again."""
    content_type = received["headers"]["Content-Type"]
    raw = received["json"] if isinstance(received["json"], str) else json.dumps(received["json"])
    if content_type.startswith("application/x-www-form-urlencoded"):
        return unflatten(parse_qsl(raw, keep_blank_values=True))
    environ = EnvironBuilder(method="POST", data=raw.encode(), content_type=content_type).get_environ()
    _, form, _ = parse_form_data(environ)
    return unflatten(form.items(multi=True))


# ---- call flows ------------------------------------------------------------------------------------------

FLOW_EXOPHONE = "08039591111"  # the shipped ExoPhone without a VoiceUrl: flow tests point it at their flow
CALLER = "09876543210"


def flow_url(app_id, sid: str = SID) -> str:
    return f"http://my.exotel.com/{sid}/exoml/start_voice/{app_id}"


@pytest.fixture
def define(client):
    """``define("4242", {"type": "greeting"}, ...)``: a flow through the control API; answers its view."""

    def put(app_id, *applets, sid: str = SID, **options) -> dict:
        response = client.put(f"/_emulator/accounts/{sid}/flows/{app_id}", json={"applets": list(applets), **options})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return put


@pytest.fixture
def voice_url(client, auth):
    """Sets an ExoPhone's VoiceUrl through the ExoPhones API, as production does."""

    def put(url: str, number: str = FLOW_EXOPHONE) -> dict:
        owned = client.get(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=auth).get_json()
        e164 = "+91" + number[1:]
        [phone] = [p for p in owned["incoming_phone_numbers"] if p["phone_number"] == e164]
        response = client.put(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers/{phone['sid']}", data={"VoiceUrl": url},
                              headers=auth)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return put


@pytest.fixture
def incoming(client):
    """A simulated caller dials an ExoPhone: ``incoming(digits="1")`` -> the call sid."""

    def dial(from_: str = CALLER, to: str = FLOW_EXOPHONE, **extra) -> str:
        response = client.post(f"/_emulator/accounts/{SID}/calls/incoming", json={"from": from_, "to": to, **extra})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["call_sid"]

    return dial


@pytest.fixture
def flow_call(define, voice_url, incoming):
    """A flow on the flow ExoPhone and a caller dialling it: ``flow_call([applets...], digits="1")``."""

    def run(applets: list[dict], app_id: str = "4242", **extra) -> str:
        define(app_id, *applets)
        voice_url(flow_url(app_id))
        return incoming(**extra)

    return run


@pytest.fixture
def settle(store, advance):
    """Until no request to a user's URL is in flight: each answer taken and the applets it let run (the clock
    does not move)."""

    def wait() -> None:
        for _ in range(100):
            assert store.callbacks.wait_idle(10)
            advance(0)
            if store.callbacks.wait_idle(0):
                return
        raise AssertionError("the flow keeps asking its URLs")

    return wait


@pytest.fixture
def state(client):
    """The control API's view of a call: where it is in its flow, and why it ended."""

    def get(call_sid: str) -> dict:
        response = client.get(f"/_emulator/accounts/{SID}/calls/{call_sid}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return get


def queries(listener, path: str | None = None) -> list[dict]:
    """The GETs a listener received (each query as a dict in arrival order), optionally those to ``path``."""
    return [dict(r["query"]) for r in listener.received
            if r["method"] == "GET" and (path is None or r["path"].split("?")[0] == path)]
