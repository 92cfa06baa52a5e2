"""usermapping, users and device: bulk all-or-nothing mapping, lookups, paging, SipSecret, devices."""

from __future__ import annotations

import re
import uuid

import pytest

from contract_tests.documented import INTEGRATIONS_ZERO_TIME as ZERO_TIME
from emulator.integrations import crypto
from emulator.integrations.schemas import DEVICES
from tests.conftest import race
from tests.integrations.conftest import BASE, data, user_body

USER_KEYS = ["CustomerId", "AppID", "AppUserId", "ExotelAccountSid", "ExotelUserId", "AppUsername", "ExotelUserName",
             "AgentNumber", "ActiveDeviceId", "PhoneDeviceID", "SipDeviceID", "VirtualNumber", "Email",
             "OutboundActive", "Role", "SipId", "SipSecret", "IsActive", "UserDetail", "CreatedAt", "UpdatedAt"]


def ids(users):
    return [u["AppUserId"] for u in users]


def test_map_users_in_bulk(client, new_app):
    created, auth = new_app()
    sent = [user_body("1"), user_body("2", AgentNumber="9234567890")]
    users = data(client.post(f"{BASE}/usermapping", json=sent, headers=auth))
    assert ids(users) == ["1", "2"]
    for user, body in zip(users, sent):
        assert list(user) == USER_KEYS
        assert {k: user[k] for k in body} == body
        assert user["CustomerId"] == created["CustomerID"] and user["AppID"] == created["AppID"]
        assert uuid.UUID(user["ExotelUserId"]) and uuid.UUID(user["PhoneDeviceID"]) and uuid.UUID(user["SipDeviceID"])
        assert user["ActiveDeviceId"] == "" and user["OutboundActive"] is False and user["IsActive"] is True
        assert user["Role"] == "admin" and user["UserDetail"] is None
        assert re.fullmatch(r"sip:agent[0-9a-f]{8}", user["SipId"]) and len(user["SipSecret"]) == 20
        assert user["CreatedAt"] == user["UpdatedAt"] == ZERO_TIME


def test_agent_number_is_optional(client, app_auth):
    body = user_body("1")
    del body["AgentNumber"]
    assert data(client.post(f"{BASE}/usermapping", json=[body], headers=app_auth))[0]["AgentNumber"] == ""


INVALID = [
    ("AppUsername", "ABC"),  # the page's own example: one part, three letters
    ("AppUsername", "Ann Smith"),  # first part not longer than 3
    ("AppUsername", "Temp  Name"),
    ("AppUsername", "Tempname"),
    ("ExotelUserName", "Temp Nam"),
    ("ExotelUserName", "Agent Smith Junior"),
    ("Email", "xyz@"),
    ("Email", 5),
    ("VirtualNumber", "0113512****"),
    ("VirtualNumber", ""),
    ("AgentNumber", "12-34"),
    ("ExotelAccountSid", ""),
    ("AppUserId", "a/b"),
    ("AppUserId", 7),
]


@pytest.mark.parametrize("field,value", INVALID)
def test_one_invalid_user_fails_the_whole_request(client, app_auth, field, value):
    response = client.post(f"{BASE}/usermapping", json=[user_body("ok"), user_body("bad", **{field: value})],
                           headers=app_auth)
    assert f"users.1.{field}" in data(response, 400)  # the second user of the array
    assert data(client.get(f"{BASE}/usermapping", headers=app_auth)) == []


@pytest.mark.parametrize("field", ["AppUserId", "AppUsername", "Email", "ExotelAccountSid", "ExotelUserName",
                                   "VirtualNumber"])
def test_required_fields(client, app_auth, field):
    body = user_body("1")
    del body[field]
    assert field in data(client.post(f"{BASE}/usermapping", json=[body], headers=app_auth), 400)


@pytest.mark.parametrize("body", [[], {}, user_body("1"), "users", [1, 2], None])
def test_body_must_be_a_non_empty_array_of_users(client, app_auth, body):
    data(client.post(f"{BASE}/usermapping", json=body, headers=app_auth), 400)


def test_existing_or_repeated_app_user_id_is_400_and_adds_no_one(client, app_auth, add_users):
    add_users("1")
    data(client.post(f"{BASE}/usermapping", json=[user_body("2"), user_body("1")], headers=app_auth), 400)
    data(client.post(f"{BASE}/usermapping", json=[user_body("3"), user_body("3")], headers=app_auth), 400)
    assert ids(data(client.get(f"{BASE}/usermapping", headers=app_auth))) == ["1"]


def test_sixteen_threads_creating_the_same_user_make_one(app, app_auth):
    clients = [app.test_client() for _ in range(16)]
    statuses = race(16, lambda i: clients[i].post(f"{BASE}/usermapping", json=[user_body("same")],
                                                  headers=app_auth).status_code)
    assert sorted(statuses) == [200] + [400] * 15
    assert ids(data(app.test_client().get(f"{BASE}/usermapping", headers=app_auth))) == ["same"]


def test_get_one_user_with_an_encrypted_sip_secret(client, store, app_auth, add_users):
    [mapped] = add_users("42")
    user = data(client.get(f"{BASE}/usermapping?user_id=42", headers=app_auth))
    assert {k: v for k, v in user.items() if k != "SipSecret"} == {k: v for k, v in mapped.items() if k != "SipSecret"}
    assert re.fullmatch(r"[0-9a-f]+", user["SipSecret"])
    assert len(user["SipSecret"]) == 2 * (16 + len(mapped["SipSecret"]))
    assert crypto.decrypt(user["SipSecret"], b"change this password to a secret") == mapped["SipSecret"]
    again = data(client.get(f"{BASE}/usermapping?user_id=42", headers=app_auth))["SipSecret"]
    assert again != user["SipSecret"]  # a fresh IV each time
    assert again[32:] != user["SipSecret"][32:]


def test_the_sip_key_comes_from_the_app_config(app_auth):
    from emulator import create_app

    key = "0123456789abcdef0123456789abcdef"
    app = create_app({"INTEGRATIONS_SIP_KEY": key})
    model = app.extensions["exotel_emulator"].model("integrations")
    assert model.sip_key == key.encode()
    with pytest.raises(ValueError, match="32 bytes"):
        create_app({"INTEGRATIONS_SIP_KEY": "short"})


def test_unknown_user_is_404(client, app_auth):
    assert "nobody" in data(client.get(f"{BASE}/usermapping?user_id=nobody", headers=app_auth), 404)


def test_full_list_without_query(client, app_auth, add_users):
    add_users("b", "10", "a", "2")
    users = data(client.get(f"{BASE}/usermapping", headers=app_auth))
    assert ids(users) == ["2", "10", "a", "b"]  # numeric ids in numeric order, then the rest
    assert all(len(u["SipSecret"]) == 20 for u in users)  # stored form outside ?user_id=


def test_paging_walks_every_user_once(client, app_auth, add_users):
    add_users(*[str(i) for i in range(1, 26)])
    first = data(client.get(f"{BASE}/usermapping?page_size=20", headers=app_auth))
    assert list(first) == ["Users", "PageSize", "LastEvaluatedValue"]
    assert ids(first["Users"]) == [str(i) for i in range(1, 21)]
    assert first["PageSize"] == 20 and first["LastEvaluatedValue"] == "20"
    second = data(client.get(f"{BASE}/usermapping", query_string={"last_value": "20", "page_size": 20},
                             headers=app_auth))
    assert ids(second["Users"]) == [str(i) for i in range(21, 26)] and second["LastEvaluatedValue"] == ""


def test_page_size_defaults_to_20_and_last_value_0_is_the_start(client, app_auth, add_users):
    add_users(*[str(i) for i in range(1, 22)])
    page = data(client.get(f"{BASE}/usermapping?last_value=0", headers=app_auth))
    assert page["PageSize"] == 20 and len(page["Users"]) == 20 and page["LastEvaluatedValue"] == "20"


def test_exactly_full_last_page_has_no_next(client, app_auth, add_users):
    add_users("1", "2")
    page = data(client.get(f"{BASE}/usermapping?page_size=2", headers=app_auth))
    assert ids(page["Users"]) == ["1", "2"] and page["LastEvaluatedValue"] == ""


def test_last_value_need_not_be_a_user(client, app_auth, add_users):
    add_users("1", "3", "5")
    page = data(client.get(f"{BASE}/usermapping?last_value=2&page_size=1", headers=app_auth))
    assert ids(page["Users"]) == ["3"] and page["LastEvaluatedValue"] == "3"


def test_paging_an_empty_app(client, app_auth):
    assert data(client.get(f"{BASE}/usermapping?page_size=5", headers=app_auth)) == {
        "Users": [], "PageSize": 5, "LastEvaluatedValue": ""}


@pytest.mark.parametrize("query", ["page_size=0", "page_size=-1", "page_size=abc", "page_size=1001", "user_id="])
def test_bad_paging_query_is_400(client, app_auth, query):
    data(client.get(f"{BASE}/usermapping?{query}", headers=app_auth), 400)


def test_paging_does_not_scan_the_app(store, client, app_auth, add_users, monkeypatch):
    add_users(*[str(i) for i in range(1, 301)])
    model = store.model("integrations")
    [app] = [a for a in model.apps.values() if a.users]
    # a scan would iterate the SortedDict (keys, values or items); irange must not
    for name in ("__iter__", "values", "items", "keys"):
        monkeypatch.setattr(type(app.users), name, lambda self: pytest.fail("scanned every user"))
    page = data(client.get(f"{BASE}/usermapping?last_value=150&page_size=3", headers=app_auth))
    assert ids(page["Users"]) == ["151", "152", "153"]


def test_update_users(client, app_auth, add_users):
    add_users("1", "2")
    one = data(client.put(f"{BASE}/usermapping", json={"AppUserId": "1", "Email": "new@company.in"}, headers=app_auth))
    assert one["AppUserId"] == "1" and one["Email"] == "new@company.in"
    many = data(client.put(f"{BASE}/usermapping", json=[{"AppUserId": "1", "AppUsername": "Other Name"},
                                                         {"AppUserId": "2", "VirtualNumber": "08012345678"}],
                           headers=app_auth))
    assert [(u["AppUsername"], u["VirtualNumber"]) for u in many] == [("Other Name", "01135124165"),
                                                                      ("Temp Name", "08012345678")]
    assert data(client.get(f"{BASE}/usermapping?user_id=1", headers=app_auth))["Email"] == "new@company.in"


def test_update_is_all_or_nothing(client, app_auth, add_users):
    add_users("1")
    data(client.put(f"{BASE}/usermapping", json=[{"AppUserId": "1", "Email": "x@y.in"},
                                                  {"AppUserId": "404", "Email": "x@y.in"}], headers=app_auth), 404)
    data(client.put(f"{BASE}/usermapping", json=[{"AppUserId": "1", "Email": "x@y.in"},
                                                  {"AppUserId": "1", "Email": "bad"}], headers=app_auth), 400)
    data(client.put(f"{BASE}/usermapping", json={"AppUserId": "1"}, headers=app_auth), 400)
    assert data(client.get(f"{BASE}/usermapping?user_id=1", headers=app_auth))["Email"] == "temp.user@company.in"


def test_delete_all_users(client, app_auth, add_users):
    add_users("1", "2")
    assert data(client.delete(f"{BASE}/usermapping", headers=app_auth)) == "Deleted Successfuly"
    assert data(client.get(f"{BASE}/usermapping", headers=app_auth)) == []
    add_users("1")  # the id is free again


def test_delete_one_user(client, app_auth, add_users):
    add_users("1", "2")
    assert data(client.delete(f"{BASE}/users/1", headers=app_auth)) == "Deleted Successfuly"
    assert ids(data(client.get(f"{BASE}/usermapping", headers=app_auth))) == ["2"]
    assert "1" in data(client.delete(f"{BASE}/users/1", headers=app_auth), 404)


def test_users_belong_to_one_app(client, new_app, add_users):
    add_users("1")
    _, other = new_app()
    data(client.get(f"{BASE}/usermapping?user_id=1", headers=other), 404)
    data(client.delete(f"{BASE}/users/1", headers=other), 404)
    assert data(client.get(f"{BASE}/usermapping", headers=other)) == []


# ---- devices --------------------------------------------------------------------------------------------

# (state before, request fields, state after): which device is on ("" = none)
DEVICE_STEPS = [
    ("", {"DeviceName": "phone", "DeviceStatus": True}, "phone"),
    ("", {"DeviceName": "sip", "DeviceStatus": True}, "sip"),
    ("phone", {"DeviceName": "sip", "DeviceStatus": True}, "sip"),  # toggle by naming the other device
    ("sip", {"DeviceName": "phone"}, "phone"),  # a name alone turns that device on
    ("phone", {}, "sip"),  # neither: swap
    ("sip", {}, "phone"),
    ("phone", {"DeviceStatus": False}, ""),  # off, whichever it is
    ("sip", {"DeviceName": "sip", "DeviceStatus": False}, ""),
    ("phone", {"DeviceName": "sip", "DeviceStatus": False}, "phone"),  # the sip device was already off
    ("", {"DeviceStatus": False}, ""),
]


def turn_on(client, auth, device):
    if device:
        data(client.put(f"{BASE}/device", json={"UserId": "1", "DeviceName": device}, headers=auth))


@pytest.mark.parametrize("before,fields,after", DEVICE_STEPS)
def test_device_operations(client, app_auth, add_users, before, fields, after):
    add_users("1")
    turn_on(client, app_auth, before)
    user = data(client.put(f"{BASE}/device", json=dict(fields, UserId="1"), headers=app_auth))
    expected_id = {"": "", "phone": user["PhoneDeviceID"], "sip": user["SipDeviceID"]}[after]
    assert user["ActiveDeviceId"] == expected_id and user["OutboundActive"] is bool(after)
    assert data(client.get(f"{BASE}/usermapping?user_id=1", headers=app_auth))["ActiveDeviceId"] == expected_id


def test_every_device_is_covered():
    assert {f.get("DeviceName") for _, f, _ in DEVICE_STEPS} >= set(DEVICES) | {None}


@pytest.mark.parametrize("fields", [{"DeviceStatus": True}, {}])
def test_turning_on_without_a_device_name_is_400(client, app_auth, add_users, fields):
    add_users("1")
    assert "DeviceName" in data(client.put(f"{BASE}/device", json=dict(fields, UserId="1"), headers=app_auth), 400)


@pytest.mark.parametrize("body", [{"DeviceName": "phone"}, {"UserId": "1", "DeviceName": "desk"},
                                  {"UserId": "1", "DeviceStatus": "true"}, {"UserId": 1, "DeviceName": "sip"}])
def test_bad_device_body_is_400(client, app_auth, add_users, body):
    add_users("1")
    data(client.put(f"{BASE}/device", json=body, headers=app_auth), 400)


def test_device_of_unknown_user_is_404(client, app_auth):
    data(client.put(f"{BASE}/device", json={"UserId": "nobody", "DeviceName": "sip"}, headers=app_auth), 404)
