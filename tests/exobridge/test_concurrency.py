"""Sixteen threads at once: one allocation per connection_id, and the per-VN rules hold on a tiny pool."""

from __future__ import annotations

from collections import Counter

from emulator import create_app
from tests.conftest import DEFAULT_ACCOUNT, TEST_CONFIG, basic, race
from tests.exobridge.conftest import BASE, CONTROL, number, request_body

AUTH = basic(DEFAULT_ACCOUNT["api_key"], DEFAULT_ACCOUNT["api_token"])


def test_sixteen_allocations_of_one_connection_id_one_wins():
    app = create_app(TEST_CONFIG)
    body = request_body()
    results = race(16, lambda i: app.test_client().post(BASE, headers=AUTH, json={
        **body, "aparty_numbers": [number()], "bparty_numbers": [number()]}))
    assert sorted(r.status_code for r in results) == [200] + [409] * 15
    assert {r.get_json()["code"] for r in results if r.status_code == 409} == {18}
    assert app.test_client().get(CONTROL).get_json()["active_allocations"] == 1


def test_sixteen_threads_on_a_tiny_pool_never_break_the_per_vn_rules():
    app = create_app(TEST_CONFIG)
    client = app.test_client()
    pool = ["+918012345678", "+914048212136", "+911140591234"]
    assert client.put(CONTROL, json={"vn_pool": pool}).status_code == 200
    shared = [number() for _ in range(4)]  # every thread wants these callers, so VNs run out of room

    def churn(i):
        c, outcomes = app.test_client(), []
        for round_ in range(6):
            r = c.post(BASE, headers=AUTH, json=request_body(
                aparty_numbers=[shared[(i + round_) % 4]], bparty_numbers=[number()],
                aparty_pins=[1000 + (i + round_) % 5]))
            outcomes.append(r.status_code)
            if r.status_code == 200 and round_ % 3 == 2:
                c.delete(f"{BASE}/{r.get_json()['data']['greenvn_id']}", headers=AUTH)
        return outcomes

    statuses = Counter(s for outcome in race(16, churn) for s in outcome)
    assert set(statuses) <= {200, 452} and statuses[200] and statuses[452]
    model = app.extensions["exotel_emulator"].model("exobridge")
    active = [a for a in model.allocations.values() if a.state == "active"]
    for vn in pool:
        on_vn = [a for a in active if a.greenvn == vn]
        numbers = [n for a in on_vn for n in a.numbers()]
        pins = [p for a in on_vn for p in a.pins()]
        assert len(numbers) == len(set(numbers)) and len(pins) == len(set(pins)), vn
    # the indexes agree with the allocations they index
    tenant = model.tenants["exotel_emulator"]
    assert sorted(tenant.by_connection.values()) == sorted(a.greenvn_id for a in active)
    assert sum(line.count for line in tenant.lines.values()) == len(active)
