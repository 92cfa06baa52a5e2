"""The QA dashboard at /_emulator/ui: every family's panels and actions, refreshing live (``GET /`` leads there)."""

from emulator.core.family import Family
from emulator.dashboard.routes import root, ui

# Its pages are under /_emulator/, so errors come in the control API's envelope and the gate never
# journals or faults them; only the redirect at "/" is a path of its own.
FAMILY = Family(name="dashboard", envelopes={}, blueprint=root, control=ui)

__all__ = ["FAMILY"]
