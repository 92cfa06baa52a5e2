"""Fixture loading: the shipped world, a user's own directory, and malformed files named precisely."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import pytest

from emulator import create_app
from emulator.app import families
from emulator.core.fixtures import (
    SHIPPED_WORLD,
    FixtureError,
    World,
    default_dir,
    freeze,
    read_world,
    shipped_world,
)
from emulator.core.request import Schemas


@pytest.fixture
def fixtures(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(default_dir(), target)
    return target


def test_shipped_world_has_an_account_with_numbers(client, auth):
    body = client.get("/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers", headers=auth).get_json()
    assert len(body["incoming_phone_numbers"]) >= 1


def test_a_users_directory_replaces_the_shipped_one(tmp_path):
    mine = {"sid": "mine", "api_key": "k", "api_token": "t"}
    (tmp_path / "accounts.json").write_text(json.dumps({"accounts": [mine]}))
    store = create_app({"FIXTURES": str(tmp_path)}).extensions["exotel_emulator"]
    assert list(store.accounts) == ["mine"]


@pytest.mark.parametrize("path,mutate,expected", [
    ("accounts.json", lambda d: d["accounts"][0].pop("api_token"), "record accounts[0], field api_token"),
    ("accounts.json", lambda d: d["accounts"].append(dict(d["accounts"][0])), "record accounts[1], field sid"),
    ("exophones/default.json", lambda d: d["exophones"][1].update(phone_number="12345"),
     "record exophones[1], field phone_number"),
    ("exophones/default.json", lambda d: d["exophones"][0].update(number_type="Satellite"),
     "record exophones[0], field number_type"),
    ("exophones/inventory.json", lambda d: d["countries"][0]["types"]["Landline"].update(count="many"),
     "record countries[0].types.Landline.value, field count"),
])
def test_malformed_fixture_names_file_record_and_field(fixtures, path, mutate, expected):
    doc = json.loads((fixtures / path).read_text())
    mutate(doc)
    (fixtures / path).write_text(json.dumps(doc))
    with pytest.raises(FixtureError) as error:
        create_app({"FIXTURES": str(fixtures)})
    assert str(fixtures / path) in str(error.value) and expected in str(error.value)


def test_invalid_json_is_named(fixtures):
    (fixtures / "accounts.json").write_text("{")
    with pytest.raises(FixtureError, match="accounts.json: not valid JSON"):
        create_app({"FIXTURES": str(fixtures)})


def test_serve_stops_with_one_line_on_bad_fixtures(fixtures):
    no_number = {"exophones": [{"account_sid": "exotel_emulator"}]}
    (fixtures / "exophones" / "default.json").write_text(json.dumps(no_number))
    result = subprocess.run([sys.executable, "-m", "emulator", "serve", "--port", "0", "--fixtures", str(fixtures)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "default.json" in lines[0] and "record exophones[0], field" in lines[0]


# ---- the shipped world, validated before it ships ------------------------------------------------------


def same(a, b) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0 nor True), dict keys in the same order:
    what the app starts from is exactly what the schemas made."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(same(k, j) and same(a[k], b[j]) for k, j in zip(a, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def as_data(world: World) -> dict:
    return {"accounts": [a.to_dict() for a in world.accounts], "docs": world.docs}


def test_shipped_world_json_is_what_the_schemas_make_of_the_shipped_fixtures():
    """A shipped fixture its schema refuses fails here, and so does a stale shipped_world.json."""
    frozen = json.loads(SHIPPED_WORLD.read_text(encoding="utf-8"))
    assert same(frozen, freeze(default_dir(), families())), \
        "shipped_world.json is stale: run python -m emulator.core.fixtures"


def test_the_shipped_world_is_used_only_for_the_files_it_was_made_from(tmp_path):
    copy = tmp_path / "_fixtures"
    shutil.copytree(default_dir(), copy)
    declared = families()
    world = shipped_world(copy, declared)
    assert world is not None and same(as_data(world), as_data(read_world(copy, declared)))

    inventory = copy / "exophones" / "inventory.json"
    inventory.write_bytes(inventory.read_bytes() + b" ")
    assert shipped_world(copy, declared) is None  # a changed byte: the files are validated again
    inventory.write_bytes(inventory.read_bytes()[:-1])
    assert shipped_world(copy, declared) is not None
    (copy / "voice" / "extra.json").write_text("{}")
    assert shipped_world(copy, declared) is None  # a new file too

    (copy / "voice" / "extra.json").unlink()
    other = [dataclasses.replace(f, fixture_schema=Schemas("emulator.voice.schemas").Flow) if f.name == "voice" else f
             for f in declared]
    assert shipped_world(copy, other) is None  # a family reading its files with another schema


STARTS_WITHOUT_SCHEMAS = r"""
import re, sys, threading
from emulator.core import fixtures
fixtures.default_dir = lambda: fixtures.Path(sys.argv[1])  # an installed package's layout
from emulator.app import create_app
app = create_app()
# what only some requests need: marshmallow and the schemas, the dashboard's panels, ElementTree for XML
later = ("marshmallow", "emulator.core.panels", "xml.etree")
loaded = sorted(m for m in sys.modules if m.startswith(later) or m.endswith((".schemas", ".snapshot"))
                or re.fullmatch(r"emulator\.\w+\.dashboard", m))  # a family's tabs (emulator.dashboard serves them)
assert loaded == ["emulator.core.snapshot"], loaded
assert app.test_client().get("/_emulator/health").status_code == 200
assert not [m for m in sys.modules if m.startswith(later)]

# the first validating requests arrive together on several threads: each is answered as it would be alone
auth = ("emulator_api_key", "emulator_api_token")
requests = [("get", "/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers?PageSize=2", None),
            ("get", "/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers?PageSize=0", None),
            ("post", "/v1/tenants/exotel_emulator/greenvn", {"aparty_numbers": ["x"]}),
            ("post", "/_emulator/faults", {"path": "/x"}),
            ("get", "/v1/Accounts/exotel_emulator/Calls.json?PageSize=x", None),
            ("post", "/v2/integrations/token", {"Entity": "nobody"})] * 3
barrier = threading.Barrier(len(requests))
unique = lambda body: re.sub(rb'"RequestId":"[^"]*"', b"", body)  # Integrations gives each answer an id
answers = [None] * len(requests)

def send(i):
    method, path, body = requests[i]
    client = app.test_client()
    barrier.wait()
    response = getattr(client, method)(path, json=body, auth=auth)
    answers[i] = (response.status_code, unique(response.get_data()))

threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
for t in threads:
    t.start()
for t in threads:
    t.join()
again = []
for method, path, body in requests:
    response = getattr(app.test_client(), method)(path, json=body, auth=auth)
    again.append((response.status_code, unique(response.get_data())))
assert answers == again, [(a, b) for a, b in zip(answers, again) if a != b]
assert {status for status, _ in answers} >= {200, 400}, answers
print("ok")
"""


def test_an_installed_package_starts_without_what_only_some_requests_need(tmp_path):
    """Started from its shipped world, the app imports marshmallow and the schema modules only when a
    request first validates (the dashboard's panels and ElementTree likewise), and requests racing to do so
    first are answered as they would be alone."""
    installed = tmp_path / "_fixtures"
    shutil.copytree(default_dir(), installed)
    result = subprocess.run([sys.executable, "-c", STARTS_WITHOUT_SCHEMAS, str(installed)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
