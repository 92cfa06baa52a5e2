"""The pytest plugin (registered through the ``pytest11`` entry point: installing the package enables it).

Fixtures:

- ``exotel_emulator``: a real emulator on a free 127.0.0.1 port, in the state of its fixtures, with
  an empty journal, callback log, no faults or rate limits and the real time: every test starts from
  the same world. It has ``.url``, ``.sid``/``.api_key``/``.api_token``/``.auth`` (the default account),
  ``.client`` (``ControlClient``) and helpers (``new_account``, ``advance_clock``, ``add_fault``,
  ``set_rate_limit``, ``callbacks``, ``wait_callbacks``, ``requests``, ``reset``).
- ``exotel_emulator_config``: the ``create_app`` config (session scope); override it in a conftest to
  serve your own fixtures, e.g. ``return {"FIXTURES": "tests/exotel_fixtures"}``.

One server serves the whole session (one per xdist worker) and is reset before each test, which costs
well under a millisecond; a request still held by a delay fault from an earlier test is dropped then.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def exotel_emulator_config() -> dict:
    return {}


@pytest.fixture(scope="session")
def exotel_emulator_server(exotel_emulator_config):
    """The session's emulator server; use ``exotel_emulator`` in tests, which also resets it."""
    from emulator.testing import EmulatorServer

    server = EmulatorServer(exotel_emulator_config)
    yield server
    server.close()


@pytest.fixture
def exotel_emulator(exotel_emulator_server):
    exotel_emulator_server.store.reset()
    return exotel_emulator_server
