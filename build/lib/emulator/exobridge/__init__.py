"""ExoBridge number masking: GreenVN allocations under /v1/tenants/<sid>/greenvn (seed 003)."""

from emulator.core.family import Family
from emulator.exobridge.errors import ExoBridgeError

FAMILY = Family(name="exobridge", envelopes={"/v1/tenants/": ExoBridgeError})

__all__ = ["FAMILY", "ExoBridgeError"]
