"""Snapshots (dump/restore) of the whole ExoBridge state, and the fixture files that seed it."""

from __future__ import annotations

import json
import shutil

import pytest

from emulator import create_app
from emulator.core.fixtures import FixtureError, default_dir
from tests.exobridge.conftest import BASE, CONTROL, SID, number


def test_dump_restore_round_trips_and_keeps_pending_expiries(client, auth, allocated, configure, store, listener):
    configure(insights=True, callbacks={"deallocation": listener.url}, flows=["448581"])
    expiring = allocated(deallocation_policy={"duration": "60s"}, aparty_pins=[12], flow_id="448581")
    vaulted = allocated()
    client.delete(f"{BASE}/{vaulted['greenvn_id']}", headers=auth)
    model = store.model("exobridge")
    document = model.dump()
    assert json.loads(json.dumps(document)) == document  # JSON-ready

    client.post("/_emulator/reset")  # forget everything, then bring it back
    assert client.get(f"{BASE}/{expiring['greenvn_id']}", headers=auth).status_code == 404
    restored = store.model("exobridge")
    restored.restore(json.loads(json.dumps(document)))
    assert restored.dump() == document

    assert client.get(f"{BASE}/{vaulted['greenvn_id']}", headers=auth).get_json()["data"]["state"] == "vault"
    got = client.get(f"{BASE}/{expiring['greenvn_id']}", headers=auth).get_json()["data"]
    assert got["state"] == "active" and got["flow_id"] == "448581"
    assert client.get(CONTROL).get_json()["insights"] is True
    # the restored indexes route and guard as before
    assert client.post(BASE, headers=auth, json={"connection_id": expiring["connection_id"], "usage": "twoway",
                                                 "aparty_numbers": [number()], "bparty_numbers": [number()]}
                       ).get_json()["code"] == 18
    client.post("/_emulator/clock/advance", json={"seconds": 60})
    assert client.get(f"{BASE}/{expiring['greenvn_id']}", headers=auth).get_json()["data"]["state"] == "vault"
    assert listener.wait(1)[0]["json"]["greenvn_id"] == expiring["greenvn_id"]


def test_restore_replaces_pending_expiries_instead_of_adding_to_them(allocated, store):
    allocated(deallocation_policy={"duration": "60s"})
    model = store.model("exobridge")
    document = model.dump()
    model.restore(document)
    model.restore(document)
    assert store.scheduler.pending() == 1


@pytest.fixture
def fixtures(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(default_dir(), target)
    return target


def write(fixtures, doc, name="default.json"):
    (fixtures / "exobridge" / name).write_text(json.dumps(doc))


def test_tenant_overrides_apply_after_the_default(fixtures):
    write(fixtures, {"tenants": [{"sid": SID, "vn_pool": [{"number": "+918012345678", "region": "KA"}],
                                  "default_deallocation": "30m", "insights": True}]}, "zz-overrides.json")
    client = create_app({"FIXTURES": str(fixtures)}).test_client()
    config = client.get(CONTROL).get_json()
    assert config["vn_pool"] == ["+918012345678"] and config["vn_types"] == {"+918012345678": "landline"}
    assert config["default_deallocation"] == "30m" and config["insights"] is True
    assert "44XX8X" in config["flows"]  # from the default


def test_without_exobridge_fixtures_the_pool_is_empty(fixtures, auth):
    shutil.rmtree(fixtures / "exobridge")
    client = create_app({"FIXTURES": str(fixtures)}).test_client()
    assert client.get(CONTROL).get_json()["vn_pool"] == []
    response = client.post(BASE, headers=auth, json={"connection_id": "c", "usage": "oneway",
                                                     "aparty_numbers": [number()], "bparty_numbers": [number()]})
    assert response.status_code == 452 and response.get_json()["code"] == 4


@pytest.mark.parametrize("doc,expected", [
    ({"default_tenant": {"vn_pool": [{"number": "8012345678"}]}}, "record default_tenant.vn_pool[0], field number"),
    ({"default_tenant": {"vn_pool": [{"number": "+918012345678", "region": "ZZ"}]}},
     "record default_tenant.vn_pool[0], field region"),
    ({"default_tenant": {"default_deallocation": "forever"}}, "field default_deallocation"),
    ({"default_tenant": {"pool": []}}, "field pool"),
    ({"tenants": [{"vn_pool": []}]}, "record tenants[0], field sid"),
])
def test_malformed_fixture_names_file_record_and_field(fixtures, doc, expected):
    write(fixtures, doc)
    with pytest.raises(FixtureError) as error:
        create_app({"FIXTURES": str(fixtures)})
    assert "default.json" in str(error.value) and expected in str(error.value)


def test_a_tenant_not_in_accounts_is_named(fixtures):
    write(fixtures, {"tenants": [{"sid": "ghost"}]}, "zz.json")
    with pytest.raises(FixtureError, match="ghost"):
        create_app({"FIXTURES": str(fixtures)})
