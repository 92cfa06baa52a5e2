"""Helpers for the ExoBridge tests: the default tenant's paths and a terse allocation request."""

from __future__ import annotations

import itertools

import pytest

from contract_tests.documented import APPENDIX_1

SID = "exotel_emulator"
BASE = f"/v1/tenants/{SID}/greenvn"
CONTROL = f"/_emulator/accounts/{SID}/exobridge"

_numbers = itertools.count(1)


def number() -> str:
    """A fresh E.164 mobile number, never used by another test in this run."""
    return f"+9199{next(_numbers):08d}"


def request_body(**fields) -> dict:
    body = {"connection_id": f"conn-{next(_numbers)}", "aparty_numbers": [number()], "bparty_numbers": [number()],
            "usage": "twoway"}
    body.update(fields)
    return body


def envelope(response, code: int):
    """Asserts the documented error envelope for an Appendix 1 code (status and message from the page's copy in
    contract_tests/data) and returns the body."""
    status, message = APPENDIX_1[code]
    body = response.get_json()
    assert response.status_code == status and response.content_type == "application/json", body
    assert body == {"success": False, "status": status, "code": code, "message": message, "data": None}
    assert list(body) == ["success", "status", "code", "message", "data"]  # the order of the page's 409 example
    return body


@pytest.fixture
def allocate(client, auth):
    """``allocate(**fields)`` POSTs an allocation for the default tenant (fresh numbers unless given)."""

    def post(headers=None, base=BASE, **fields):
        return client.post(base, json=request_body(**fields), headers=auth if headers is None else headers)

    return post


@pytest.fixture
def allocated(allocate):
    """``allocated(**fields)`` -> the created allocation's ``data`` (asserting 200)."""

    def make(**fields):
        response = allocate(**fields)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]

    return make


@pytest.fixture
def configure(client):
    """``configure(**settings)`` PUTs the default tenant's ExoBridge settings through the control API."""

    def put(sid=SID, **settings):
        response = client.put(f"/_emulator/accounts/{sid}/exobridge", json=settings)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return put
