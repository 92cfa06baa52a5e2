"""GET /_emulator/integrations/customers and /apps: what a tester needs to see of the platform's state."""

from __future__ import annotations

import pytest

from tests.integrations.conftest import BASE, CUSTOMER, FIXTURE_APP, data

CONTROL = "/_emulator/integrations"


def listed(client, what, **query) -> dict:
    response = client.get(f"{CONTROL}/{what}", query_string=query)
    assert response.status_code == 200 and response.content_type == "application/json", response.get_json()
    return response.get_json()


def test_the_fixture_customer_and_app(client, customer_auth):
    body = listed(client, "customers")
    [customer] = body["customers"]
    assert (body["total"], body["page"], body["page_size"]) == (1, 0, 100)
    shown = data(client.get(f"{BASE}/customer", headers=customer_auth))
    assert customer == dict(shown, Apps=[FIXTURE_APP["AppID"]])  # GET /customer's fields, and its apps
    [app] = listed(client, "apps")["apps"]
    assert app["AppID"] == FIXTURE_APP["AppID"] and app["AppSecret"] == FIXTURE_APP["AppSecret"]
    assert app["CustomerID"] == CUSTOMER["Id"] and app["AppName"] == FIXTURE_APP["AppName"]
    assert app["Settings"] == {} and app["Users"] == 0


def test_a_provisioned_customer_and_a_new_app_with_settings_and_users(client, new_app, add_users, app_auth):
    body = {"Id": "acme-customer", "Secret": "acme-secret", "CustomerName": "Acme Corp", "Email": "ops@acme.example"}
    assert client.post(f"{CONTROL}/customers", json=body).status_code == 201
    customers = listed(client, "customers")["customers"]
    assert [c["CustomerID"] for c in customers] == [CUSTOMER["Id"], "acme-customer"]
    assert customers[1]["CustomerName"] == "Acme Corp" and customers[1]["Apps"] == []

    created, headers = new_app(AppName="CRM")
    client.post(f"{BASE}/app_setting", json={"Key": "callback", "Value": "http://127.0.0.1:9/cb"}, headers=headers)
    add_users("1", "2", headers=headers)
    apps = listed(client, "apps")["apps"]
    assert [a["AppID"] for a in apps][-1] == created["AppID"]
    assert apps[-1]["AppSecret"] == created["AppSecret"] and apps[-1]["AppName"] == "CRM"
    assert apps[-1]["Settings"] == {"callback": "http://127.0.0.1:9/cb"} and apps[-1]["Users"] == 2
    mine = listed(client, "customers")["customers"][0]
    assert mine["Apps"] == [a["AppID"] for a in apps if a["CustomerID"] == CUSTOMER["Id"]]


def test_apps_of_one_customer_and_pages(client, new_app):
    made = [new_app(AppName=f"App {n}")[0]["AppID"] for n in range(3)]
    theirs = listed(client, "apps", customer=CUSTOMER["Id"])["apps"]
    assert [a["AppID"] for a in theirs] == [FIXTURE_APP["AppID"], *made]
    assert listed(client, "apps", customer="someone-else")["apps"] == []
    page = listed(client, "apps", page=1, page_size=3)
    assert [a["AppID"] for a in page["apps"]] == made[2:] and page["total"] == 4


def test_a_deleted_app_is_gone(client, new_app):
    created, headers = new_app()
    assert client.delete(f"{BASE}/app", headers=headers).status_code == 200
    assert created["AppID"] not in [a["AppID"] for a in listed(client, "apps")["apps"]]


@pytest.mark.parametrize("what,query", [("customers", {"page": -1}), ("customers", {"page_size": 0}),
                                        ("apps", {"page_size": 5000}), ("apps", {"customer": ""})])
def test_a_bad_query_is_400_in_the_control_envelope(client, what, query):
    response = client.get(f"{CONTROL}/{what}", query_string=query)
    assert response.status_code == 400 and response.get_json()["status"] == 400
