"""ExoPhones: v2_beta buy/list/update/release (seeds 000, 001) and v2 details (seed 002)."""

from flask import Blueprint

from emulator.core.family import Family
from emulator.exophones.errors import RestException, V2Error
from emulator.exophones.models import ExoPhones
from emulator.exophones.routes import beta, control, v2
from emulator.exophones.schemas import FixtureFile

blueprint = Blueprint("exophones", __name__)
blueprint.register_blueprint(beta)
blueprint.register_blueprint(v2)

FAMILY = Family(
    name="exophones",
    envelopes={"/v2_beta/": RestException, "/v2/accounts/": V2Error},
    blueprint=blueprint,
    model=ExoPhones,
    fixture_schema=FixtureFile,
    control=control,
)

__all__ = ["FAMILY", "RestException", "V2Error"]
