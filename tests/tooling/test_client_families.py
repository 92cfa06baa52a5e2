"""ControlClient is combined from the families' declarations, and works with a transport of the user's."""

from __future__ import annotations

from emulator.app import families
from emulator.control.client import ControlClient, FamilyClient


def test_every_family_client_method_is_a_control_client_method():
    expected = {"set_connectivity", "configure_exobridge", "simulate_exobridge_call",
                "create_integrations_customer", "simulate_outbound_call", "reset", "add_fault"}
    assert expected <= set(dir(ControlClient))
    for family in families():
        if family.client is not None:
            assert issubclass(family.client, FamilyClient) and issubclass(ControlClient, family.client)


class Recording:
    """A transport of the user's: answers every call itself and records what it was asked."""

    def __init__(self):
        self.calls, self.closed = [], False

    def request(self, method, path, json=None, params=None):
        self.calls.append((method, path, json))
        return 200, {"status": "ok"}

    def close(self):
        self.closed = True


def test_a_custom_transport_is_used_and_closed():
    transport = Recording()
    client = ControlClient(transport=transport)
    client.simulate_exobridge_call("acme", "+918012345678", "+919170006528", pin=1234)
    client.close()
    assert transport.calls == [("POST", "/_emulator/accounts/acme/exobridge/calls",
                                {"greenvn": "+918012345678", "from": "+919170006528", "pin": 1234})]
    assert transport.closed


def test_mock_exotel_serves_every_host_a_family_declares():
    from emulator.testing import PRODUCTION_HOSTS

    declared = {host for family in families() for host in family.hosts}
    assert declared and set(PRODUCTION_HOSTS) == declared
