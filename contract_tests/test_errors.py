"""Every documented error over real HTTP, against the running command: Appendix 1 of the ExoBridge page, the v2 error
table (the ExoPhone v2 page's 1000 and docs/exophones.md's others) and the Integrations page's status descriptions,
each reached through a fault and compared with the copies of the pages in contract_tests/data, word for word and key
by key."""

from __future__ import annotations

import pytest

from contract_tests.conftest import conforms, example
from contract_tests.documented import (
    APPENDIX_1,
    INTEGRATIONS_MESSAGES,
    V2_ERRORS,
    V2_NOT_FOUND,
    exobridge_error,
    integrations_error,
)


def fault(api, **rule) -> None:
    response = api.post(f"{api.base}/_emulator/faults", json=dict(rule, times=1))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("code", sorted(APPENDIX_1))
def test_every_appendix_1_code(api, code):
    fault(api, method="POST", path="/v1/tenants/*/greenvn", code=code)
    response = api.post(f"{api.base}/v1/tenants/{api.sid}/greenvn", json={})
    body = response.json()
    assert response.status_code == APPENDIX_1[code][0] and response.headers["Content-Type"] == "application/json"
    conforms(body, "exobridge/error_409.json")  # the page's error example: its keys, in its order
    assert body == exobridge_error(code)


@pytest.mark.parametrize("code", sorted(V2_ERRORS))
def test_every_v2_error_code(api, code):
    fault(api, path="/v2/accounts/*", code=code)
    response = api.get(f"{api.base}/v2/accounts/{api.sid}/incoming-phone-numbers/{'0' * 32}")
    status, description = V2_ERRORS[code]
    body = response.json()
    assert response.status_code == status == body["http_code"]
    [block] = body["response"]
    assert (block["code"], block["status"], block["data"]) == (status, "failure", None)
    assert block["error_data"] == {"code": code, "description": description, "message": description}
    assert list(block["error_data"]) == list(V2_NOT_FOUND)  # the page's error_data block, in its order


@pytest.mark.parametrize("status", sorted(INTEGRATIONS_MESSAGES))
def test_every_integrations_status_description(api, status):
    fault(api, path="/v2/integrations/*", status=status)
    response = api.get(f"{api.base}/v2/integrations/customer")
    body = response.json()
    assert response.status_code == status
    assert list(body) == list(example("integrations/token.json"))  # RequestId, Status, Code, Error, Data
    # GET /customer's own table where it has the status (401, 500), else the page's most common text (400)
    assert {k: v for k, v in body.items() if k != "RequestId"} == integrations_error(status, "GET",
                                                                                   "/v2/integrations/customer")
