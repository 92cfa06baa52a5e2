"""The Integrations platform under /v2/integrations/: tokens, customers, apps, app settings, user mapping,
devices and call notifications."""

from emulator.core.family import Family
from emulator.core.request import Schemas
from emulator.integrations import cors, views
from emulator.integrations.client import IntegrationsClient
from emulator.integrations.control import bp as control
from emulator.integrations.errors import IntegrationsError
from emulator.integrations.models import NOTIFICATIONS, Integrations
from emulator.integrations.routes import bp as blueprint

# CORS has to wrap the whole app (error responses included); Flask calls this once per app the
# blueprint is registered on, so the app factory needs no integrations-specific code.
blueprint.record_once(lambda state: cors.install(state.app))  # type: ignore[arg-type]

SCHEMAS = Schemas("emulator.integrations.schemas")  # imported when first used (emulator.core.request)

FAMILY = Family(
    name="integrations",
    envelopes={"/v2/integrations/": IntegrationsError},
    blueprint=blueprint,
    model=Integrations,
    fixture_schema=SCHEMAS.FixtureFile,
    state_schema=SCHEMAS.State,
    control=control,
    hosts=("integrationscore.mum1.exotel.com",),
    client=IntegrationsClient,  # its paths name no account: tokens say whose they are
    dashboard="emulator.integrations.dashboard",
    # the inbound notifications (popup, incomingCallHangup, missedCall) and the outbound call's callback
    notifications=dict.fromkeys([*NOTIFICATIONS.values(), "callback"], views.call),
)

__all__ = ["FAMILY", "IntegrationsError"]
