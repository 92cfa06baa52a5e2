"""mock_exotel as start()/stop(), as a class decorator, and beside a user's own ``responses`` mock."""

from __future__ import annotations

import unittest

import pytest
import requests
import responses

from emulator.testing import current_mock, mock_exotel

NUMBERS = "https://api.exotel.com/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers"
AUTH = ("emulator_api_key", "emulator_api_token")
STUB = "https://crm.example.com/contacts/42"


def test_start_and_stop():
    exotel = mock_exotel().start()
    try:
        assert requests.get(NUMBERS, auth=exotel.auth).status_code == 200
        assert current_mock() is exotel
    finally:
        exotel.stop()
    with pytest.raises(RuntimeError):
        current_mock()


@mock_exotel
class TestDecoratedClass(unittest.TestCase):
    def test_one(self):
        current_mock().new_account("in_one")  # each test method gets its own world: no 409 in the other
        assert requests.get(NUMBERS, auth=AUTH).status_code == 200

    def test_two(self):
        current_mock().new_account("in_one")
        assert requests.get(NUMBERS, auth=AUTH).status_code == 200


def test_a_users_responses_stubs_still_answer_inside_mock_exotel():
    with responses.RequestsMock() as user:
        user.add(responses.GET, STUB, json={"name": "Asha"})
        with mock_exotel():
            assert requests.get(STUB).json() == {"name": "Asha"}
            assert requests.get(NUMBERS, auth=AUTH).status_code == 200


def test_exotel_hosts_are_still_served_inside_a_users_responses_mock():
    with mock_exotel():
        with responses.RequestsMock() as user:
            user.add(responses.GET, STUB, json={"name": "Ravi"})
            assert requests.get(NUMBERS, auth=AUTH).status_code == 200
            assert requests.get(STUB).json() == {"name": "Ravi"}


@responses.activate
@mock_exotel
def test_stacked_with_responses_activate():
    responses.add(responses.GET, STUB, json={"ok": True})
    assert requests.get(STUB).json() == {"ok": True}
    assert requests.get(NUMBERS, auth=AUTH).json()["page"] == 0


def test_a_streamed_answer_reads_like_a_real_one():
    with mock_exotel():
        response = requests.get(NUMBERS, auth=AUTH, stream=True)
        assert response.status_code == 200 and response.reason == "OK"
        assert b"".join(response.iter_content(64)).startswith(b'{"page":0')
        assert response.encoding == "utf-8" or response.headers["Content-Type"] == "application/json"
