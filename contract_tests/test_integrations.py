"""The Integrations page over real HTTP: each documented example, field by field, against the running command."""

from __future__ import annotations

import json
import re

import pytest
import requests

from contract_tests.conftest import conforming, conforms, example
from emulator.core.fixtures import default_dir
from emulator.integrations.crypto import DEFAULT_KEY, decrypt
from emulator.testing import CallbackListener

# The shipped customer: a bare `serve` issues its tokens at once (docs/integrations.md).
CUSTOMER = json.loads((default_dir() / "integrations" / "default.json").read_text())["customers"][0]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
APP = {"AppName": "WebRTC", "ExotelAccountSid": "abc", "ExotelApiKey": "wefwejfoiweuiof",
       "ExotelApiToken": "wefwejfoiweuiof", "ExotelDomain": "mumbai", "IsActive": True}
# The documented user, with the masked digits filled in and names that pass the documented rule
USER = {"AppUserId": "1", "AppUsername": "Userone Name", "Email": "xyz@exotel.in", "ExotelAccountSid": "exoteldemo",
        "ExotelUserName": "Abcd Wxyz", "AgentNumber": "9561901234", "VirtualNumber": "01135121234"}


class Integrations:
    """A client of /v2/integrations/ holding a customer token and (after ``new_app``) an app token."""

    def __init__(self, base: str, openapi):
        self.base = base + "/v2/integrations"
        self.http = conforming(requests.Session(), openapi)
        self.http.trust_env = False
        self.customer_token = self.token("customer", CUSTOMER["Id"], CUSTOMER["Secret"])
        self.app = self.app_token = None

    def token(self, entity: str, id: str, secret: str) -> str:
        return self.call("POST", "/token", json={"Id": id, "Secret": secret, "Entity": entity})["Data"]

    def call(self, method: str, path: str, token: str | None = None, status: int = 200, **kwargs) -> dict:
        headers = {"Authorization": token} if token else {}
        response = self.http.request(method, self.base + path, headers=headers, timeout=10, **kwargs)
        assert response.status_code == status and response.headers["Content-Type"] == "application/json", response.text
        return response.json()

    def as_customer(self, method: str, path: str, **kwargs) -> dict:
        return self.call(method, path, self.customer_token, **kwargs)

    def as_app(self, method: str, path: str, **kwargs) -> dict:
        return self.call(method, path, self.app_token, **kwargs)

    def new_app(self) -> dict:
        self.app = self.as_customer("POST", "/app", json=APP)["Data"]
        self.app_token = self.token("app", self.app["AppID"], self.app["AppSecret"])
        return self.app


@pytest.fixture
def integrations(api, openapi):
    client = Integrations(api.base, openapi)
    yield client
    client.http.close()


@pytest.fixture
def app(integrations):
    integrations.new_app()
    return integrations


@pytest.fixture
def listener(app):
    """A receiver on 127.0.0.1 set as the app's three notification URLs and its outbound callback URL."""
    with CallbackListener() as server:
        for key in ("popup", "incomingCallHangup", "missedCall", "callback"):
            app.as_app("POST", "/app_setting", json={"Key": key, "Value": f"{server.url}/{key}"})
        yield server


def test_token(integrations):
    body = integrations.call("POST", "/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"],
                                                     "Entity": "customer"})
    conforms(body, "integrations/token.json")
    assert UUID.match(body["RequestId"]) and body["Data"]


def test_customer_get(integrations):
    body = integrations.as_customer("GET", "/customer")
    conforms(body, "integrations/customer_get.json")
    assert body["Data"]["CustomerID"] == CUSTOMER["Id"] and body["Data"]["DeletedAt"] is False
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$", body["Data"]["CreatedAt"])


def test_customer_delete(integrations):
    body = integrations.as_customer("DELETE", "/customer")
    conforms(body, "integrations/customer_delete.json")  # and in the documented order
    assert body == dict(example("integrations/customer_delete.json"), RequestId=body["RequestId"])
    integrations.as_customer("GET", "/customer", status=401)


def test_app_create(integrations):
    body = integrations.as_customer("POST", "/app", json=APP)
    conforms(body, "integrations/app_create.json")
    data = body["Data"]
    assert UUID.match(data["AppID"]) and UUID.match(data["AppSecret"]) and data["CustomerID"] == CUSTOMER["Id"]
    assert {k: data[k] for k in APP} == APP


def test_app_get(app):
    body = app.as_app("GET", "/app", params={"entity": "app"})
    conforms(body, "integrations/app_get.json")
    assert body["Data"]["AppID"] == app.app["AppID"] and "AppSecret" not in body["Data"]


def test_app_list(app):
    body = app.as_customer("GET", "/app", params={"entity": "customer"})
    conforms(body, "integrations/app_list.json")
    assert app.app["AppID"] in [a["AppID"] for a in body["Data"]]


def test_app_delete(app):
    body = app.as_app("DELETE", "/app")
    conforms(body, "integrations/app_delete.json")  # and in the documented order
    assert body == dict(example("integrations/app_delete.json"), RequestId=body["RequestId"])
    app.as_app("GET", "/app", params={"entity": "app"}, status=401)


def test_app_setting_create(app):
    body = app.as_app("POST", "/app_setting", json={"Key": "popup", "Value": "https://webhook.site/"})
    conforms(body, "integrations/app_setting_create.json")
    assert body["Data"] == {"CustomerID": CUSTOMER["Id"], "AppID": app.app["AppID"], "Key": "popup",
                            "Value": "https://webhook.site/"}


def test_app_setting_get(app):
    app.as_app("POST", "/app_setting", json={"Key": "callback", "Value": "https://webhook.site/a4089342"})
    body = app.as_app("GET", "/app_setting", params={"key": "callback"})
    conforms(body, "integrations/app_setting_get.json")
    assert body["Data"]["Value"] == "https://webhook.site/a4089342"


def test_app_setting_get_all(app):
    assert app.as_app("GET", "/app_setting")["Data"] == []  # never 404 (docs/integrations.md)
    app.as_app("POST", "/app_setting", json={"Key": "callback", "Value": "https://webhook.site/a4089342"})
    body = app.as_app("GET", "/app_setting")
    conforms(body, "integrations/app_setting_get_all.json")
    assert [s["Key"] for s in body["Data"]] == ["callback"]


def test_app_setting_delete(app):
    app.as_app("POST", "/app_setting", json={"Key": "record", "Value": "true"})
    body = app.as_app("DELETE", "/app_setting", params={"key": "record"})
    conforms(body, "integrations/app_setting_delete.json")  # and in the documented order
    assert body == dict(example("integrations/app_setting_delete.json"), RequestId=body["RequestId"])
    assert app.as_app("GET", "/app_setting")["Data"] == []


def test_usermapping_create(app):
    body = app.as_app("POST", "/usermapping", json=[USER, dict(USER, AppUserId="2", AppUsername="Usertwo Name")])
    conforms(body, "integrations/usermapping_create.json")
    assert [u["AppUserId"] for u in body["Data"]] == ["1", "2"]
    assert body["Data"][0]["AppID"] == app.app["AppID"] and body["Data"][0]["Role"] == "admin"


def test_usermapping_get(app):
    created = app.as_app("POST", "/usermapping", json=[USER])["Data"][0]
    body = app.as_app("GET", "/usermapping", params={"user_id": "1"})
    conforms(body, "integrations/usermapping_get.json")
    # the page shows "*****": the web SDK decrypts it (hex IV + AES-256-CFB under the SDK's key)
    assert body["Data"]["SipSecret"] != created["SipSecret"]
    assert decrypt(body["Data"]["SipSecret"], DEFAULT_KEY) == created["SipSecret"]


def test_usermapping_paged(app):
    app.as_app("POST", "/usermapping", json=[dict(USER, AppUserId=str(n)) for n in range(1, 26)])
    body = app.as_app("GET", "/usermapping", params={"last_value": 0, "page_size": 20})
    conforms(body, "integrations/usermapping_paged.json")
    assert body["Data"]["PageSize"] == 20 and body["Data"]["LastEvaluatedValue"] == "20"
    rest = app.as_app("GET", "/usermapping", params={"last_value": "20", "page_size": 20})["Data"]
    assert [u["AppUserId"] for u in rest["Users"]] == [str(n) for n in range(21, 26)]
    assert rest["LastEvaluatedValue"] == ""


def test_usermapping_delete(app):
    app.as_app("POST", "/usermapping", json=[USER])
    body = app.as_app("DELETE", "/usermapping")
    conforms(body, "integrations/usermapping_delete.json")  # and in the documented order
    assert body == dict(example("integrations/usermapping_delete.json"), RequestId=body["RequestId"])
    assert app.as_app("GET", "/usermapping")["Data"] == []


def test_users_delete(app):
    app.as_app("POST", "/usermapping", json=[USER])
    body = app.as_app("DELETE", "/users/1")
    conforms(body, "integrations/users_delete.json")  # and in the documented order
    assert body == dict(example("integrations/users_delete.json"), RequestId=body["RequestId"])
    app.as_app("GET", "/usermapping", params={"user_id": "1"}, status=404)


def test_device(app):
    app.as_app("POST", "/usermapping", json=[USER])
    body = app.as_app("PUT", "/device", json={"UserId": "1", "DeviceName": "phone", "DeviceStatus": True})
    conforms(body, "integrations/device.json")
    assert body["Data"]["ActiveDeviceId"] == body["Data"]["PhoneDeviceID"] and body["Data"]["OutboundActive"] is True


def test_inbound_call(listener, app):
    body = app.call("GET", f"/call/inbound_call/{app.app['AppID']}", params={"type": "popup"})
    conforms(body, "integrations/inbound_call.json")  # and in the documented order
    assert body == dict(example("integrations/inbound_call.json"), RequestId=body["RequestId"])


@pytest.mark.parametrize("kind, key", [("popup", "popup"), ("incomingcallhungup", "incomingCallHangup"),
                                       ("missedcall", "missedCall")])
def test_inbound_notification_payload(listener, app, kind, key):
    app.as_app("POST", "/usermapping", json=[USER])
    query = {"type": kind, "CallSid": "7bea36f8c95f0fb10027daa6acee17c1", "AppUserID": "1",
             "FromNumber": "08789489697", "ToNumber": "07251937261"}
    app.call("GET", f"/call/inbound_call/{app.app['AppID']}", params=query)
    (received,) = listener.wait(1)
    assert received["path"] == f"/{key}"
    conforms(received["json"], f"integrations/inbound_{kind}.json")
    assert received["json"]["AppId"] == app.app["AppID"] and received["json"]["FromNumber"] == "08789489697"


def test_outbound_callback(listener, app):
    app.as_app("POST", "/usermapping", json=[USER])
    body = app.as_app("POST", "/call/outbound_call",
                      json={"app_id": app.app["AppID"], "to": "07251937261", "user_id": "1"})
    (received,) = listener.wait(1)
    assert received["path"] == "/callback"
    conforms(received["json"], "integrations/outbound_callback.json")
    assert received["json"]["CallSid"] == body["Data"]["CallSid"] and received["json"]["Direction"] == "outbound"
