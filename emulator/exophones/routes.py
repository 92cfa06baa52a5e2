"""ExoPhones over HTTP: v2_beta (buy, list, get, update, release) and v2 details."""

from __future__ import annotations

from flask import Blueprint, request

from emulator.core import request as req
from emulator.core.auth import require_basic
from emulator.core.errors import Reason, Refused
from emulator.core.request import Schemas
from emulator.exophones import views
from emulator.exophones.models import NUMBER_TYPES, ExoPhones

schemas = Schemas("emulator.exophones.schemas")

beta = Blueprint("exophones_v2_beta", __name__, url_prefix="/v2_beta/Accounts/<sid>")
v2 = Blueprint("exophones_v2", __name__, url_prefix="/v2/accounts/<sid>")

beta.before_request(require_basic)
v2.before_request(require_basic)


def route(rule: str, **options):
    """A v2_beta route, also answered with the ``.json`` suffix some clients add."""

    def register(view):
        beta.add_url_rule(rule, view_func=view, **options)
        beta.add_url_rule(rule + ".json", endpoint=view.__name__ + "_json", view_func=view, **options)
        return view

    return register


@route("/AvailablePhoneNumbers", methods=["GET"])
def available_countries(sid):
    return views.countries(sid, ExoPhones.current().countries)


@route("/AvailablePhoneNumbers/<country>", methods=["GET"])
def available_country(sid, country):
    return views.country(sid, country, ExoPhones.current().country(country))


@route("/AvailablePhoneNumbers/<country>/<number_type>", methods=["GET"])
@req.declare(query=schemas.AvailableQuery)
def available_numbers(sid, country, number_type):
    if number_type not in NUMBER_TYPES:
        raise Refused(Reason.INVALID, f"Unknown number type {number_type}: use one of {', '.join(NUMBER_TYPES)}")
    q = req.read_query(schemas.AvailableQuery)
    found = ExoPhones.current().available(sid, country, number_type, sms=q.get("IncomingSMS"),
                                          region=q.get("InRegion"), contains=q.get("Contains"))
    return [views.listing(n) for n in found]


@route("/IncomingPhoneNumbers", methods=["POST"])
@req.body(schemas.BuyBody, allow_form=True)
def buy(data, sid):
    phone = ExoPhones.current().buy(sid, data["PhoneNumber"], data.get("FriendlyName"), data.get("VoiceUrl"),
                                    data.get("SMSUrl"))
    return views.beta(phone)


@route("/IncomingPhoneNumbers", methods=["GET"])
@req.query(schemas.ListQuery)
def list_exophones(q, sid):
    phones, total = ExoPhones.current().page(sid, q["Page"], q["PageSize"])
    base = request.host_url.rstrip("/") + request.path
    return views.page(base, q["Page"], q["PageSize"], total, phones)


@route("/IncomingPhoneNumbers/<exophone_sid>", methods=["GET"])
def get_exophone(sid, exophone_sid):
    return views.beta(ExoPhones.current().get(sid, exophone_sid))


@route("/IncomingPhoneNumbers/<exophone_sid>", methods=["PUT", "POST"])
@req.body(schemas.UpdateBody, allow_form=True)
def update_exophone(data, sid, exophone_sid):
    return views.beta(ExoPhones.current().update(sid, exophone_sid, data))


@route("/IncomingPhoneNumbers/<exophone_sid>", methods=["DELETE"])
def release_exophone(sid, exophone_sid):
    ExoPhones.current().release(sid, exophone_sid)
    return {"Status": 202, "Message": "Accepted"}, 202


@v2.get("/incoming-phone-numbers/<exophone_sid>")
def v2_exophone(sid, exophone_sid):
    return views.v2_details(ExoPhones.current().get(sid, exophone_sid))
