"""ExoPhones: v2_beta available numbers, buy, list, get, update, release, and v2 details with connectivity."""

from flask import Blueprint

from emulator.core.family import Family
from emulator.core.request import Schemas
from emulator.exophones.client import ExoPhonesClient
from emulator.exophones.control import bp as control
from emulator.exophones.errors import RestException, V2Error
from emulator.exophones.models import ExoPhones
from emulator.exophones.routes import beta, v2

SCHEMAS = Schemas("emulator.exophones.schemas")  # imported when first used (emulator.core.request)

blueprint = Blueprint("exophones", __name__)
blueprint.register_blueprint(beta)
blueprint.register_blueprint(v2)

FAMILY = Family(
    name="exophones",
    # "": any path no family owns answers in the classic Exotel envelope
    envelopes={"/v2_beta/": RestException, "/v2/accounts/": V2Error, "": RestException},
    blueprint=blueprint,
    model=ExoPhones,
    fixture_schema=SCHEMAS.FixtureFile,
    state_schema=SCHEMAS.State,
    control=control,
    hosts=("api.exotel.com", "api.in.exotel.com"),  # Singapore, Mumbai
    account_prefixes=("/v2_beta/Accounts/", "/v2/accounts/"),
    client=ExoPhonesClient,
    dashboard="emulator.exophones.dashboard",
)

__all__ = ["FAMILY", "RestException", "V2Error"]
