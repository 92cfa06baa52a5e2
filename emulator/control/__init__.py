"""The emulator's own API under /_emulator/ (CONTROL-API.md), a family like the others."""

from emulator.control.errors import ControlError
from emulator.control import tooling  # noqa: F401  (adds the faults, journal and state routes to bp)
from emulator.control.routes import bp
from emulator.core.family import Family

FAMILY = Family(name="control", envelopes={"/_emulator/": ControlError}, blueprint=bp)

__all__ = ["FAMILY", "ControlError"]
