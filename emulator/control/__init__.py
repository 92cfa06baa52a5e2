"""The emulator's own API under /_emulator/: health, reset, accounts, clock and the test tooling.

A family like the others; the families' own control endpoints live in their folders.
"""

from emulator.control import access, tooling  # noqa: F401  (tooling adds the faults, journal and state routes)
from emulator.control.client import CoreClient
from emulator.control.errors import ControlError
from emulator.control.routes import bp
from emulator.core.family import Family

# who may call /_emulator/ at all (Host, Origin, token) is checked for the whole app, so the families'
# control blueprints are covered too
bp.record_once(lambda state: access.install(state.app))  # type: ignore[arg-type]

FAMILY = Family(name="control", envelopes={"/_emulator/": ControlError}, blueprint=bp, client=CoreClient,
                dashboard="emulator.control.dashboard")

__all__ = ["FAMILY", "ControlError"]
