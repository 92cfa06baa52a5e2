"""app_setting: the seven documented keys, their values, and get/list/update/delete."""

from __future__ import annotations

import pytest

from emulator.integrations.schemas import SETTING_KEYS
from tests.integrations.conftest import BASE, data, what_failed

GOOD_VALUES = {"popup": "https://crm.example.com/popup", "incomingCallHangup": "http://crm.example.com/hangup",
               "missedCall": "https://crm.example.com/missed", "callback": "https://webhook.site/a4089342",
               "record": "true", "streaming": "wss://streamhandler.yourdomain.com", "playback": "https://cdn.example.com/tune.mp3"}
BAD_VALUES = {"popup": "not a url", "incomingCallHangup": "ftp://crm.example.com", "missedCall": "",
              "callback": "wss://x.example.com", "record": "yes", "streaming": "https://x.example.com",
              "playback": "crm.example.com/x"}


def test_every_documented_key_has_a_good_and_a_bad_value_here():
    assert set(GOOD_VALUES) == set(BAD_VALUES) == set(SETTING_KEYS) and len(SETTING_KEYS) == 7


@pytest.mark.parametrize("key", SETTING_KEYS)
def test_add_then_get_each_key(client, new_app, key):
    created, auth = new_app()
    expected = {"CustomerID": created["CustomerID"], "AppID": created["AppID"], "Key": key, "Value": GOOD_VALUES[key]}
    setting = {"Key": key, "Value": GOOD_VALUES[key]}
    assert data(client.post(f"{BASE}/app_setting", json=setting, headers=auth)) == expected
    assert data(client.get(f"{BASE}/app_setting", query_string={"key": key}, headers=auth)) == expected


@pytest.mark.parametrize("key", SETTING_KEYS)
def test_bad_value_for_each_key_is_400(client, app_auth, key):
    response = client.post(f"{BASE}/app_setting", json={"Key": key, "Value": BAD_VALUES[key]}, headers=app_auth)
    assert what_failed(response, 400).startswith("Value")


@pytest.mark.parametrize("key", ["Popup", "unknown", "recording", "", "callBack"])
def test_undocumented_key_is_400_everywhere(client, app_auth, key):
    data(client.post(f"{BASE}/app_setting", json={"Key": key, "Value": "https://x.example.com"}, headers=app_auth), 400)
    data(client.put(f"{BASE}/app_setting", json={"Key": key, "Value": "https://x.example.com"}, headers=app_auth), 400)
    data(client.get(f"{BASE}/app_setting", query_string={"key": key}, headers=app_auth), 400)
    data(client.delete(f"{BASE}/app_setting", query_string={"key": key}, headers=app_auth), 400)


@pytest.mark.parametrize("body", [{"Key": "record"}, {"Value": "true"}, {"Key": "record", "Value": True},
                                  {"Key": ["record"], "Value": "true"}, [{"Key": "record", "Value": "true"}]])
def test_bad_setting_body_is_400(client, app_auth, body):
    data(client.post(f"{BASE}/app_setting", json=body, headers=app_auth), 400)


def test_list_is_empty_not_404_for_an_app_without_settings(client, app_auth):
    assert data(client.get(f"{BASE}/app_setting", headers=app_auth)) == []


def test_list_in_the_order_added(client, app_auth):
    for key in ("record", "callback", "popup"):
        data(client.post(f"{BASE}/app_setting", json={"Key": key, "Value": GOOD_VALUES[key]}, headers=app_auth))
    settings = data(client.get(f"{BASE}/app_setting", headers=app_auth))
    assert [s["Key"] for s in settings] == ["record", "callback", "popup"]


def test_post_on_a_set_key_replaces_its_value(client, app_auth):
    for value in ("true", "false"):
        data(client.post(f"{BASE}/app_setting", json={"Key": "record", "Value": value}, headers=app_auth))
    assert [s["Value"] for s in data(client.get(f"{BASE}/app_setting", headers=app_auth))] == ["false"]


def test_update_changes_a_set_key_and_404s_an_unset_one(client, app_auth):
    data(client.put(f"{BASE}/app_setting", json={"Key": "record", "Value": "true"}, headers=app_auth), 404)
    data(client.post(f"{BASE}/app_setting", json={"Key": "record", "Value": "true"}, headers=app_auth))
    changed = data(client.put(f"{BASE}/app_setting", json={"Key": "record", "Value": "false"}, headers=app_auth))
    assert changed["Value"] == "false"
    assert data(client.get(f"{BASE}/app_setting?key=record", headers=app_auth))["Value"] == "false"


def test_get_and_delete_of_an_unset_key_are_404(client, app_auth):
    assert "callback" in data(client.get(f"{BASE}/app_setting?key=callback", headers=app_auth), 404)
    data(client.delete(f"{BASE}/app_setting?key=callback", headers=app_auth), 404)


def test_delete_by_query_or_body(client, app_auth):
    for key in ("record", "popup"):
        data(client.post(f"{BASE}/app_setting", json={"Key": key, "Value": GOOD_VALUES[key]}, headers=app_auth))
    assert data(client.delete(f"{BASE}/app_setting?key=record", headers=app_auth)) == "Deleted Successfully"
    assert data(client.delete(f"{BASE}/app_setting", json={"Key": "popup"}, headers=app_auth)) == "Deleted Successfully"
    assert data(client.get(f"{BASE}/app_setting", headers=app_auth)) == []


def test_delete_without_a_key_is_400(client, app_auth):
    assert "Key: Missing data for required field." in data(client.delete(f"{BASE}/app_setting", headers=app_auth), 400)


# The page spells the parameter both ways: its GET and DELETE tables name it "Key", their curl examples send
# "?key={{configKey}}"; the DELETE table puts it in the body.
DOCUMENTED_SPELLINGS = ("Key", "key")


@pytest.mark.parametrize("spelling", DOCUMENTED_SPELLINGS)
@pytest.mark.parametrize("where", ["query", "body"])
def test_get_and_delete_take_either_spelling_in_the_query_or_the_body(client, app_auth, spelling, where):
    for key in ("record", "popup"):
        data(client.post(f"{BASE}/app_setting", json={"Key": key, "Value": GOOD_VALUES[key]}, headers=app_auth))
    sent = {"query_string": {spelling: "popup"}} if where == "query" else {"json": {spelling: "popup"}}
    assert data(client.get(f"{BASE}/app_setting", headers=app_auth, **sent))["Value"] == GOOD_VALUES["popup"]
    assert data(client.delete(f"{BASE}/app_setting", headers=app_auth, **sent)) == "Deleted Successfully"
    assert [s["Key"] for s in data(client.get(f"{BASE}/app_setting", headers=app_auth))] == ["record"]
    data(client.get(f"{BASE}/app_setting", headers=app_auth, **sent), 404)


@pytest.mark.parametrize("spelling", DOCUMENTED_SPELLINGS)
def test_an_undocumented_key_is_400_in_either_spelling(client, app_auth, spelling):
    data(client.get(f"{BASE}/app_setting", query_string={spelling: "Popup"}, headers=app_auth), 400)
    data(client.delete(f"{BASE}/app_setting", json={spelling: "Popup"}, headers=app_auth), 400)


def test_both_spellings_naming_different_keys_is_400(client, app_auth):
    for key in ("record", "popup"):
        data(client.post(f"{BASE}/app_setting", json={"Key": key, "Value": GOOD_VALUES[key]}, headers=app_auth))
    data(client.get(f"{BASE}/app_setting?key=record&Key=popup", headers=app_auth), 400)
    data(client.delete(f"{BASE}/app_setting?key=record", json={"Key": "popup"}, headers=app_auth), 400)
    assert len(data(client.get(f"{BASE}/app_setting", headers=app_auth))) == 2
    assert data(client.delete(f"{BASE}/app_setting?Key=record", json={"key": "record"}, headers=app_auth))


def test_settings_belong_to_one_app(client, new_app):
    _, first = new_app()
    _, second = new_app()
    data(client.post(f"{BASE}/app_setting", json={"Key": "record", "Value": "true"}, headers=first))
    assert data(client.get(f"{BASE}/app_setting", headers=second)) == []
    data(client.delete(f"{BASE}/app_setting?key=record", headers=second), 404)
