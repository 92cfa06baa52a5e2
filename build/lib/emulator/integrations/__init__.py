"""The Integrations platform under /v2/integrations/ (seed 004)."""

from emulator.core.family import Family
from emulator.integrations.errors import IntegrationsError

FAMILY = Family(name="integrations", envelopes={"/v2/integrations/": IntegrationsError})

__all__ = ["FAMILY", "IntegrationsError"]
