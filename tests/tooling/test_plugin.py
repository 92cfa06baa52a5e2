"""The pytest plugin, as a user gets it: installed package, a test using only the ``exotel_emulator`` fixture."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# the plugins only this suite's own extras bring (a user has the emulator's, maybe faker's): loading them
# would cost each run seconds
AS_A_USER = ("-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio",
             "-p", "no:requests_mock")

USER_TESTS = '''
import requests

SID = "exotel_emulator"


def list_url(emulator):
    return f"{emulator.url}/v2_beta/Accounts/{emulator.sid}/IncomingPhoneNumbers"


def test_first_changes_everything(exotel_emulator):
    assert exotel_emulator.url.startswith("http://127.0.0.1:")
    assert (exotel_emulator.sid, exotel_emulator.api_key, exotel_emulator.api_token) == (
        "exotel_emulator", "emulator_api_key", "emulator_api_token")
    session = requests.Session()
    session.trust_env = False
    phones = session.get(list_url(exotel_emulator), auth=exotel_emulator.auth).json()["incoming_phone_numbers"]
    released = session.delete(f"{list_url(exotel_emulator)}/{phones[0]['sid']}", auth=exotel_emulator.auth)
    assert released.status_code == 202
    account = exotel_emulator.new_account("shared_nothing")
    assert account["api_key"] == "shared_nothing_key"
    exotel_emulator.advance_clock(86400)
    exotel_emulator.add_fault("/v2_beta/*", status=503)
    exotel_emulator.client.set_rate_limit(SID, 1)
    assert session.get(list_url(exotel_emulator), auth=exotel_emulator.auth).status_code == 503
    assert exotel_emulator.requests() and exotel_emulator.callbacks() == []


def test_second_sees_none_of_it(exotel_emulator):
    session = requests.Session()
    session.trust_env = False
    answer = session.get(list_url(exotel_emulator), auth=exotel_emulator.auth)
    assert answer.status_code == 200 and len(answer.json()["incoming_phone_numbers"]) == 3
    assert session.get(list_url(exotel_emulator), auth=exotel_emulator.auth).status_code == 200
    assert exotel_emulator.client.clock()["offset_seconds"] == 0
    assert exotel_emulator.client.faults() == []
    assert "shared_nothing" not in [a["sid"] for a in exotel_emulator.client.accounts()]
    assert [r["status"] for r in exotel_emulator.requests()] == [200, 200]


def test_third_gets_the_same_server(exotel_emulator, request):
    assert request.getfixturevalue("exotel_emulator_server") is exotel_emulator
'''


def test_the_package_registers_the_plugin_entry_point():
    [plugin] = [e for e in entry_points(group="pytest11") if e.name == "exotel_emulator"]
    assert plugin.value == "emulator.pytest_plugin"


def test_a_users_tests_get_an_isolated_emulator_each(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's code, through the installed entry point
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess(*AS_A_USER)
    result.assert_outcomes(passed=3)


def test_the_config_fixture_serves_the_users_own_fixtures(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    fixtures = pytester.mkdir("exotel_fixtures")
    (fixtures / "accounts.json").write_text(
        '{"accounts": [{"sid": "mine", "api_key": "my_key", "api_token": "my_token"}]}')
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def exotel_emulator_config():
    return {"FIXTURES": "exotel_fixtures"}
''')
    pytester.makepyfile(test_mine='''
def test_mine(exotel_emulator):
    assert (exotel_emulator.sid, exotel_emulator.api_key) == ("mine", "my_key")
''')
    result = pytester.runpytest_subprocess(*AS_A_USER)
    result.assert_outcomes(passed=1)
