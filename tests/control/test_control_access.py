"""The control API is closed to web pages (foreign Origin, text/plain smuggling, DNS rebinding through a
foreign Host) and, with a control token, to anyone without it; the vendor APIs are not affected."""

from __future__ import annotations

import pytest
import requests

from emulator import create_app
from emulator.control.client import ControlClient, ControlClientError
from emulator.testing import EmulatorServer
from tests.conftest import DEFAULT_ACCOUNT, TEST_CONFIG, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
LIST = f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers"
ACME = {"sid": "acme", "api_key": "acme_key", "api_token": "acme_token"}


def client_of(**config):
    return create_app({**TEST_CONFIG, **config}).test_client()


def refused(response, status: int = 403) -> str:
    body = response.get_json()
    assert response.status_code == status and body["status"] == status, body
    return body["error"]


def test_a_foreign_page_cannot_reset_with_text_plain_json(client):
    assert client.post("/_emulator/accounts", json=ACME).status_code == 201
    smuggled = client.post("/_emulator/reset", data='{"x": 1}', content_type="text/plain",
                           headers={"Origin": "https://evil.example"})
    assert "https://evil.example" in refused(smuggled)
    assert "acme" in [a["sid"] for a in client.get("/_emulator/accounts").get_json()["accounts"]]


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost:3000", "http://127.0.0.1"])
def test_any_origin_but_the_emulators_own_is_refused(client, origin):
    refused(client.post("/_emulator/faults", json={"path": "/x", "status": 500}, headers={"Origin": origin}))
    refused(client.get("/_emulator/state", headers={"Origin": origin}))
    assert client.get("/_emulator/faults").get_json()["faults"] == []


def test_the_emulators_own_origin_is_welcome(client):
    # the test client is http://localhost: a page the emulator itself served (its dashboard) is that origin
    assert client.post("/_emulator/reset", headers={"Origin": "http://localhost"}).status_code == 200


@pytest.mark.parametrize("site,status", [("cross-site", 403), ("same-site", 403), ("same-origin", 200),
                                         ("none", 200)])
def test_sec_fetch_site_speaks_for_browsers_that_send_no_origin(client, site, status):
    assert client.get("/_emulator/state", headers={"Sec-Fetch-Site": site}).status_code == status


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "10.0.0.5:8080"])
def test_a_host_that_is_not_loopback_is_refused(client, host):
    error = refused(client.post("/_emulator/reset", headers={"Host": host}))
    assert "--allow-host" in error


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:8080", "127.0.0.1:8080", "127.1.2.3", "[::1]:8080",
                                  "dashboard.localhost:8080"])
def test_loopback_hosts_are_welcome(client, host):
    assert client.get("/_emulator/health", headers={"Host": host}).status_code == 200


def test_allow_host_adds_names(client):
    allowed = client_of(CONTROL_HOSTS=["emulator.internal"])
    assert allowed.get("/_emulator/health", headers={"Host": "emulator.internal:8080"}).status_code == 200
    assert allowed.get("/_emulator/health", headers={"Host": "other.internal"}).status_code == 403
    assert client_of(CONTROL_HOSTS=["*"]).get("/_emulator/health", headers={"Host": "x.y"}).status_code == 200


def test_bound_to_every_interface_any_host_is_allowed_unless_narrowed():
    container = client_of(BIND_HOST="0.0.0.0")
    assert container.get("/_emulator/health", headers={"Host": "emulator:8080"}).status_code == 200
    narrowed = client_of(BIND_HOST="0.0.0.0", CONTROL_HOSTS=["emulator"])
    assert narrowed.get("/_emulator/health", headers={"Host": "emulator:8080"}).status_code == 200
    assert narrowed.get("/_emulator/health", headers={"Host": "attacker.example"}).status_code == 403
    assert narrowed.get("/_emulator/health", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    # the Origin rule still holds in a container
    assert container.post("/_emulator/reset", headers={"Host": "emulator:8080",
                                                       "Origin": "http://evil.example"}).status_code == 403


def test_allow_origin_adds_origins():
    client = client_of(CONTROL_ORIGINS=["http://localhost:3000"])
    assert client.get("/_emulator/health", headers={"Origin": "http://localhost:3000"}).status_code == 200
    assert client.get("/_emulator/health", headers={"Origin": "http://localhost:3001"}).status_code == 403


def test_vendor_apis_keep_serving_any_host_and_origin(client):
    response = client.get(LIST, headers={**AUTH, "Host": "api.exotel.com", "Origin": "https://evil.example"})
    assert response.status_code == 200


def test_a_control_token_guards_every_control_endpoint(app):
    client = client_of(CONTROL_TOKEN="s3cret")
    control_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/_emulator")]
    assert len(control_rules) > 15
    for rule in control_rules:
        path = rule.rule.replace("<sid>", SID).replace("<", "").replace(">", "")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            assert response.status_code == 401, (method, path)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert refused(client.get("/_emulator/health", headers={"Authorization": "Bearer wrong"}), 401)
    assert refused(client.get("/_emulator/health", headers={"Authorization": "s3cret"}), 401)
    assert client.get("/_emulator/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get(LIST, headers=AUTH).status_code == 200  # the vendor API's own credentials only


def test_the_control_client_passes_the_token():
    app = create_app({**TEST_CONFIG, "CONTROL_TOKEN": "s3cret"})
    assert ControlClient(app=app, token="s3cret").health()["status"] == "ok"
    with pytest.raises(ControlClientError) as refusal:
        ControlClient(app=app).health()
    assert refusal.value.status == 401


def test_emulator_server_hands_out_a_client_with_its_token():
    with EmulatorServer({**TEST_CONFIG, "CONTROL_TOKEN": "s3cret"}) as server:
        assert server.client.create_account("acme")["sid"] == "acme"
        session = requests.Session()
        session.trust_env = False
        assert session.get(server.url + "/_emulator/health").status_code == 401
        assert session.get(server.url + "/_emulator/health",
                           headers={"Authorization": "Bearer s3cret"}).status_code == 200
        session.close()
