"""Malformed URLs (an IPv6 host left open: ``http://[``) in every family's URL fields are a 400, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import DEFAULT_ACCOUNT, basic

SID = DEFAULT_ACCOUNT["sid"]
AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])
APP = {"Id": "2e6440ed-ff62-49d7-bb00-5494b313a863", "Secret": "61b1f4c2-30d5-4819-9a5c-006ed9784313"}

BROKEN = ["http://[", "http://[::1", "https://[::1]x/", "http://]/", "http://[zz::1]/"]


@pytest.mark.parametrize("url", BROKEN)
@pytest.mark.parametrize("field", ["VoiceUrl", "SMSUrl"])
def test_exophones_url_fields(client, field, url):
    response = client.post(f"/v2_beta/Accounts/{SID}/IncomingPhoneNumbers", headers=AUTH,
                           data={"PhoneNumber": "+913330240240", field: url})
    assert response.status_code == 400
    assert response.get_json()["RestException"]["Status"] == 400 and field in response.get_json()["RestException"][
        "Message"]


@pytest.mark.parametrize("key,url", [("popup", u) for u in BROKEN] + [("streaming", "ws://["), ("streaming", "wss://[::1")])
def test_app_setting_urls(client, key, url):
    token = client.post("/v2/integrations/token", json={**APP, "Entity": "app"}).get_json()["Data"]
    response = client.post("/v2/integrations/app_setting", json={"Key": key, "Value": url},
                           headers={"Authorization": token})
    body = response.get_json()
    assert response.status_code == 400 and body["Status"] == "Failure" and body["Code"] == 400


@pytest.mark.parametrize("url", BROKEN)
def test_exobridge_callback_urls(client, url):
    response = client.put(f"/_emulator/accounts/{SID}/exobridge", json={"callbacks": {"call_event": url}})
    assert response.status_code == 400 and response.get_json()["status"] == 400
    assert "call_event" in response.get_json()["error"]
