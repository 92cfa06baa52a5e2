"""ExoBridge number masking: GreenVN allocations under /v1/tenants/<sid>/greenvn, their expiry and callbacks."""

from emulator.core.family import Family
from emulator.core.request import Schemas
from emulator.exobridge import views
from emulator.exobridge.client import COMMANDS, ExoBridgeClient
from emulator.exobridge.control import bp as control
from emulator.exobridge.errors import ExoBridgeError
from emulator.exobridge.models import ExoBridge
from emulator.exobridge.routes import bp as blueprint

SCHEMAS = Schemas("emulator.exobridge.schemas")  # imported when first used (emulator.core.request)

FAMILY = Family(
    name="exobridge",
    envelopes={"/v1/tenants/": ExoBridgeError},
    blueprint=blueprint,
    model=ExoBridge,
    fixture_schema=SCHEMAS.FixtureFile,
    state_schema=SCHEMAS.State,
    control=control,
    hosts=("leadassist.exotel.in",),
    account_prefixes=("/v1/tenants/",),
    client=ExoBridgeClient,
    commands=COMMANDS,
    dashboard="emulator.exobridge.dashboard",
    notifications={"deallocation": views.deallocation, "call_event": views.call_event,
                   "verification_failed": views.verification_failed,
                   "verification_success": views.verification_success},
)

__all__ = ["FAMILY", "ExoBridgeError"]
