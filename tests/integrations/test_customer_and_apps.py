"""The customer, its apps, the cascades that deleting them runs, and the control API's customers."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.integrations.conftest import APP_BODY, BASE, CUSTOMER, FIXTURE_APP, data, user_body, what_failed

IST_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$")
APP_VIEW = ["AppID", "CustomerID", "AppName", "ExotelAccountSid", "ExotelDomain", "IsActive", "CreatedAt", "UpdatedAt"]


def test_get_customer(client, customer_auth):
    customer = data(client.get(f"{BASE}/customer", headers=customer_auth))
    assert list(customer) == ["CustomerID", "CustomerSecret", "CustomerName", "Email", "CustomerSetting",
                              "CreatedAt", "UpdatedAt", "DeletedAt"]
    assert customer["CustomerID"] == CUSTOMER["Id"] and customer["CustomerSecret"] == CUSTOMER["Secret"]
    assert customer["CustomerName"] == CUSTOMER["CustomerName"] and customer["Email"] == CUSTOMER["Email"]
    assert customer["CustomerSetting"] is None and customer["DeletedAt"] is False
    assert IST_DATE.match(customer["CreatedAt"]) and IST_DATE.match(customer["UpdatedAt"])


def test_update_customer_moves_updated_at_on_the_emulator_clock(client, customer_auth):
    before = data(client.get(f"{BASE}/customer", headers=customer_auth))
    client.post("/_emulator/clock/advance", json={"seconds": 3600})
    after = data(client.put(f"{BASE}/customer", json={"CustomerName": "Acme Corp", "Email": "ops@acme.in"},
                            headers=customer_auth))
    assert after["CustomerName"] == "Acme Corp" and after["Email"] == "ops@acme.in"
    assert after["CreatedAt"] == before["CreatedAt"] and after["UpdatedAt"] > before["UpdatedAt"]
    assert data(client.get(f"{BASE}/customer", headers=customer_auth)) == after


@pytest.mark.parametrize("body", [{}, {"Email": "not-an-email"}, {"CustomerName": ""}, {"CustomerName": 5}, []])
def test_bad_customer_update_is_400(client, customer_auth, body):
    data(client.put(f"{BASE}/customer", json=body, headers=customer_auth), 400)


def test_create_app_answers_with_its_secret_and_credentials(client, customer_auth):
    app = data(client.post(f"{BASE}/app", json=APP_BODY, headers=customer_auth))
    assert list(app) == ["AppID", "AppSecret", "CustomerID", "AppName", "ExotelAccountSid", "ExotelApiKey",
                         "ExotelApiToken", "ExotelDomain", "IsActive", "CreatedAt", "UpdatedAt"]
    assert uuid.UUID(app["AppID"]) and uuid.UUID(app["AppSecret"]) and app["CustomerID"] == CUSTOMER["Id"]
    assert {k: app[k] for k in APP_BODY} == APP_BODY
    assert IST_DATE.match(app["CreatedAt"])


@pytest.mark.parametrize("field,value", [
    ("AppName", None), ("AppName", ""), ("AppName", 7), ("ExotelAccountSid", "has space"), ("ExotelApiKey", ""),
    ("ExotelApiToken", None), ("ExotelDomain", "london"), ("IsActive", "yes"), ("IsActive", 1), ("IsActive", None),
])
def test_bad_app_field_is_400(client, customer_auth, field, value):
    response = client.post(f"{BASE}/app", json=dict(APP_BODY, **{field: value}), headers=customer_auth)
    assert what_failed(response, 400).startswith(field)


@pytest.mark.parametrize("field", list(APP_BODY))
def test_each_app_field_is_required(client, customer_auth, field):
    body = {k: v for k, v in APP_BODY.items() if k != field}
    assert field in data(client.post(f"{BASE}/app", json=body, headers=customer_auth), 400)


def test_domain_accepts_both_documented_spellings(client, customer_auth):
    for domain in ("Mumbai", "singapore", "SINGAPORE"):
        created = data(client.post(f"{BASE}/app", json=dict(APP_BODY, ExotelDomain=domain), headers=customer_auth))
        assert created["ExotelDomain"] == domain


def test_get_app_by_entity_and_without(client, new_app):
    created, auth = new_app()
    expected = {k: created[k] for k in APP_VIEW}
    assert data(client.get(f"{BASE}/app?entity=app", headers=auth)) == expected
    assert data(client.get(f"{BASE}/app", headers=auth)) == expected  # the web SDK's call


def test_list_apps_of_the_customer_in_creation_order(client, customer_auth, new_app):
    ids = [new_app(AppName=f"app {i}")[0]["AppID"] for i in range(3)]
    for query in ("?entity=customer", ""):
        listed = data(client.get(f"{BASE}/app{query}", headers=customer_auth))
        assert [a["AppID"] for a in listed] == [FIXTURE_APP["AppID"]] + ids
        assert all(list(a) == APP_VIEW for a in listed)


def test_unknown_entity_query_is_400(client, customer_auth):
    assert what_failed(client.get(f"{BASE}/app?entity=user", headers=customer_auth), 400).startswith("entity")


def test_update_app(client, new_app):
    created, auth = new_app()
    client.post("/_emulator/clock/advance", json={"seconds": 5})
    updated = data(client.put(f"{BASE}/app", json={"AppName": "Renamed", "IsActive": False}, headers=auth))
    assert updated["AppName"] == "Renamed" and updated["IsActive"] is False
    assert updated["UpdatedAt"] > created["UpdatedAt"] and updated["CreatedAt"] == created["CreatedAt"]
    assert data(client.get(f"{BASE}/app", headers=auth)) == updated


@pytest.mark.parametrize("body", [{}, {"IsActive": "false"}, {"ExotelDomain": "delhi"}, ["AppName"]])
def test_bad_app_update_is_400(client, app_auth, body):
    data(client.put(f"{BASE}/app", json=body, headers=app_auth), 400)


def test_delete_app_drops_settings_users_and_tokens(client, store, new_app, customer_auth):
    created, auth = new_app()
    data(client.post(f"{BASE}/app_setting", json={"Key": "record", "Value": "true"}, headers=auth))
    data(client.post(f"{BASE}/usermapping", json=[user_body("1")], headers=auth))
    assert data(client.delete(f"{BASE}/app", headers=auth)) == "Deleted Successfully"

    for path in ("/app", "/app_setting", "/usermapping"):
        data(client.get(BASE + path, headers=auth), 401)
    model = store.model("integrations")
    assert created["AppID"] not in model.apps
    assert all(t.owner != created["AppID"] for t in model.tokens.values())
    listed = data(client.get(f"{BASE}/app?entity=customer", headers=customer_auth))
    assert created["AppID"] not in [a["AppID"] for a in listed]
    data(client.post(f"{BASE}/token", json={"Id": created["AppID"], "Secret": created["AppSecret"], "Entity": "app"}),
         401)
    # its inbound URL is gone too
    data(client.get(f"{BASE}/call/inbound_call/{created['AppID']}?type=popup"), 404)


def test_delete_customer_cascades_to_everything(client, store, customer_auth, new_app, issue):
    _, auth = new_app()
    data(client.post(f"{BASE}/usermapping", json=[user_body("1")], headers=auth))
    fixture_app = {"Authorization": issue(FIXTURE_APP["AppID"], FIXTURE_APP["AppSecret"], "app")}
    assert data(client.delete(f"{BASE}/customer", headers=customer_auth)) == "Deleted Successfully"

    for headers in (customer_auth, auth, fixture_app):
        data(client.get(f"{BASE}/customer", headers=headers), 401)
        data(client.get(f"{BASE}/app", headers=headers), 401)
    model = store.model("integrations")
    assert model.customers == {} and model.apps == {} and model.tokens == {}
    data(client.post(f"{BASE}/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"],
                                             "Entity": "customer"}), 401)


def test_deleting_twice_is_401_the_second_time(client, customer_auth):
    data(client.delete(f"{BASE}/customer", headers=customer_auth))
    data(client.delete(f"{BASE}/customer", headers=customer_auth), 401)


def test_one_customers_token_never_reaches_another_customers_apps(client, issue, new_app):
    created, _ = new_app()
    assert client.post("/_emulator/integrations/customers", json={
        "Id": "other", "Secret": "s3cret", "CustomerName": "Other Corp", "Email": "o@other.in"}).status_code == 201
    other = {"Authorization": issue("other", "s3cret", "customer")}
    assert data(client.get(f"{BASE}/app?entity=customer", headers=other)) == []
    mine = data(client.post(f"{BASE}/app", json=APP_BODY, headers=other))
    assert mine["CustomerID"] == "other" and mine["AppID"] != created["AppID"]


# ---- control API ----------------------------------------------------------------------------------------


def test_control_creates_a_customer_usable_at_once(client, issue):
    body = {"Id": "c-1", "Secret": "secret-1", "CustomerName": "Acme Corp", "Email": "ops@acme.in"}
    response = client.post("/_emulator/integrations/customers", json=body)
    assert response.status_code == 201
    assert response.get_json()["CustomerID"] == "c-1"
    token = issue("c-1", "secret-1", "customer")
    customer = data(client.get(f"{BASE}/customer", headers={"Authorization": token}))
    assert (customer["CustomerName"], customer["Email"]) == ("Acme Corp", "ops@acme.in")


def test_control_customer_conflict_is_409(client):
    body = {"Id": CUSTOMER["Id"], "Secret": "x", "CustomerName": "Acme Corp", "Email": "ops@acme.in"}
    response = client.post("/_emulator/integrations/customers", json=body)
    assert response.status_code == 409
    assert response.get_json() == {"status": 409, "error": f"customer {CUSTOMER['Id']} exists"}


@pytest.mark.parametrize("body", [{}, {"Id": "x", "Secret": "y", "CustomerName": "Acme", "Email": "nope"},
                                  {"Id": "", "Secret": "y", "CustomerName": "Acme", "Email": "a@b.in"},
                                  {"Id": 1, "Secret": "y", "CustomerName": "Acme", "Email": "a@b.in"}])
def test_control_customer_bad_input_is_400_in_the_control_envelope(client, body):
    response = client.post("/_emulator/integrations/customers", json=body)
    assert response.status_code == 400 and set(response.get_json()) == {"status", "error"}


def test_reset_brings_the_fixture_customer_back(client, customer_auth):
    data(client.delete(f"{BASE}/customer", headers=customer_auth))
    client.post("/_emulator/reset")
    data(client.post(f"{BASE}/token", json={"Id": CUSTOMER["Id"], "Secret": CUSTOMER["Secret"], "Entity": "customer"}))
