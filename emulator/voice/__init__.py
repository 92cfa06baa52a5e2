"""Voice and SMS, the classic v1 API under /v1/Accounts/<sid>/: calls, call details, recordings, SMS,
number metadata and the customer whitelist, in XML or (with ``.json``) JSON."""

from functools import partial

from emulator.core.family import Family
from emulator.core.request import Schemas
from emulator.voice import views
from emulator.voice.client import COMMANDS, VoiceClient
from emulator.voice.control import bp as control
from emulator.voice.errors import VoiceError
from emulator.voice.models import Voice
from emulator.voice.routes import bp as blueprint

SCHEMAS = Schemas("emulator.voice.schemas")  # imported when first used (emulator.core.request)

FAMILY = Family(
    name="voice",
    envelopes={"/v1/Accounts/": VoiceError},
    blueprint=blueprint,
    model=Voice,
    fixture_schema=SCHEMAS.FixtureFile,
    control=control,
    # the legacy hosts old clients still call; api.exotel.com and api.in.exotel.com serve it too (declared
    # by ExoPhones, whose hosts they also are)
    hosts=("twilix.exotel.in", "api.exotel.in"),
    account_prefixes=("/v1/Accounts/",),
    client=VoiceClient,
    commands=COMMANDS,
    dashboard="emulator.voice.dashboard",
    notifications={"terminal": partial(views.status_callback, event="terminal"),
                   "answered": partial(views.status_callback, event="answered"),
                   "sms_status": views.sms_callback,
                   # a call flow's GETs: a Passthru applet's, a connect applet's dial-whom URL's
                   "passthru": views.flow_params, "dial_whom": views.flow_params},
)

__all__ = ["FAMILY", "VoiceError"]
