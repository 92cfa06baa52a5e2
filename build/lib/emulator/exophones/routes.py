"""ExoPhones over HTTP: v2_beta (seeds 000, 001), v2 details (seed 002) and its control endpoint."""

from __future__ import annotations

import uuid

from flask import Blueprint, request

from emulator.control.errors import ControlError
from emulator.core import request as req
from emulator.core.auth import Credentials, check_basic
from emulator.exophones import schemas, views
from emulator.exophones.errors import RestException, V2Error
from emulator.exophones.models import ExoPhoneError, ExoPhones

beta = Blueprint("exophones_v2_beta", __name__, url_prefix="/v2_beta/Accounts/<sid>")
v2 = Blueprint("exophones_v2", __name__, url_prefix="/v2/accounts/<sid>")
control = Blueprint("exophones_control", __name__, url_prefix="/_emulator/accounts/<sid>/exophones")


def model() -> ExoPhones:
    return req.store().model("exophones")


def authenticate(error: type) -> None:
    outcome = check_basic(req.store(), request.view_args["sid"])
    if outcome == Credentials.OTHER_ACCOUNT:
        raise error.from_status(403, message="Credentials do not grant access to this account")
    if outcome != Credentials.OK:
        raise error.from_status(401, message="Authentication failed")


@beta.before_request
def _beta_auth():
    authenticate(RestException)


@v2.before_request
def _v2_auth():
    authenticate(V2Error)


# The model speaks one language; each blueprint answers in its version's envelope.
@beta.errorhandler(ExoPhoneError)
def _beta_error(e: ExoPhoneError):
    return req.render(RestException(e.status, e.message))


@v2.errorhandler(ExoPhoneError)
def _v2_error(e: ExoPhoneError):
    # seed 002 documents the 404 block word for word ("Not Found" twice); other errors say what failed
    return req.render(V2Error.from_status(e.status, message=None if e.status == 404 else e.message))


@control.errorhandler(ExoPhoneError)
def _control_error(e: ExoPhoneError):
    return req.render(ControlError(e.status, e.message))


def route(rule: str, **options):
    """A v2_beta route, also answered with the ``.json`` suffix some clients add."""

    def register(view):
        beta.add_url_rule(rule, view_func=view, **options)
        beta.add_url_rule(rule + ".json", endpoint=view.__name__ + "_json", view_func=view, **options)
        return view

    return register


@route("/AvailablePhoneNumbers", methods=["GET"])
def available_countries(sid):
    return views.countries(sid, model().countries)


@route("/AvailablePhoneNumbers/<country>/<number_type>", methods=["GET"])
def available_numbers(sid, country, number_type):
    if number_type not in schemas.NUMBER_TYPES:
        raise RestException(400, f"Unknown number type {number_type}: use one of {', '.join(schemas.NUMBER_TYPES)}")
    q = req.query(schemas.AvailableQuery, RestException)
    found = model().available(sid, country, number_type, sms=q.get("IncomingSMS"), region=q.get("InRegion"),
                              contains=q.get("Contains"))
    return [views.listing(n) for n in found]


@route("/IncomingPhoneNumbers", methods=["POST"])
def buy(sid):
    data = req.body(schemas.BuyBody, RestException, allow_form=True)
    phone = model().buy(sid, data["PhoneNumber"], data.get("FriendlyName"), data.get("VoiceUrl"), data.get("SMSUrl"))
    return views.beta(phone)


@route("/IncomingPhoneNumbers", methods=["GET"])
def list_exophones(sid):
    q = req.query(schemas.ListQuery, RestException)
    phones, total = model().page(sid, q["Page"], q["PageSize"])
    base = request.host_url.rstrip("/") + request.path
    return views.page(base, q["Page"], q["PageSize"], total, phones)


@route("/IncomingPhoneNumbers/<exophone_sid>", methods=["GET"])
def get_exophone(sid, exophone_sid):
    return views.beta(model().get(sid, exophone_sid))


@route("/IncomingPhoneNumbers/<exophone_sid>", methods=["PUT", "POST"])
def update_exophone(sid, exophone_sid):
    data = req.body(schemas.UpdateBody, RestException, allow_form=True)
    return views.beta(model().update(sid, exophone_sid, data))


@route("/IncomingPhoneNumbers/<exophone_sid>", methods=["DELETE"])
def release_exophone(sid, exophone_sid):
    model().release(sid, exophone_sid)
    return {"Status": 202, "Message": "Accepted"}, 202


@v2.get("/incoming-phone-numbers/<exophone_sid>")
def v2_exophone(sid, exophone_sid):
    phone = model().get(sid, exophone_sid)
    return {
        "request_id": uuid.uuid4().hex,
        "method": "GET",
        "http_code": 200,
        "metadata": {"page_size": 1, "page": 0},
        "response": [{"code": 200, "error_data": None, "status": "success", "data": views.v2(phone)}],
    }


@control.put("/<exophone_sid>/connectivity")
def set_connectivity(sid, exophone_sid):
    if sid not in req.store().accounts:
        raise ControlError(404, f"account {sid} not found")
    blocks = req.body(schemas.ConnectivityBody, ControlError)
    return views.v2(model().set_connectivity(sid, exophone_sid, blocks))
