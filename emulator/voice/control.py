"""The voice family's part of the control API: scripted numbers, the account's sender IDs and DLT
templates, call flows, and simulated incoming calls."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from emulator.control.views import bounds, listing
from emulator.core import request as req
from emulator.core.errors import Reason, Refused
from emulator.core.request import Schemas
from emulator.voice import numbers, views
from emulator.voice.flows import APP_ID
from emulator.voice.models import Voice

schemas = Schemas("emulator.voice.schemas")
PageQuery = Schemas("emulator.control.schemas").PageQuery

bp = Blueprint("voice_control", __name__, url_prefix="/_emulator/accounts/<sid>")
bp.before_request(req.known_account)


def _number(text: str) -> str:
    number = numbers.parse(text)
    if number is None:
        raise Refused(Reason.INVALID, f"{text} is not a phone number (E.164, 0-prefixed or 10 digits)")
    return number


def _script_view(number: str, script, meta: dict) -> dict:
    return views.script(number, asdict(script), meta)


@bp.route("/numbers/<number>", methods=["GET", "PUT", "DELETE"])
@req.declare(body=schemas.NumberScript)
def number(sid, number):
    """GET the script and metadata, PUT changes to the script (null resets a field), DELETE forgets it."""
    number = _number(number)
    voice = Voice.current()
    if request.method == "PUT":
        return _script_view(number, *voice.script(sid, number, req.read_body(schemas.NumberScript)))
    if request.method == "DELETE":
        voice.forget_script(sid, number)
    return _script_view(number, *voice.script(sid, number))


@bp.route("/sms", methods=["GET", "PUT"])
@req.declare(body=schemas.SmsConfig)
def sms(sid):
    changes = req.read_body(schemas.SmsConfig) if request.method == "PUT" else {}
    sender_ids, templates = Voice.current().configure_sms(sid, changes)
    return {"sid": sid, "sender_ids": sender_ids, "dlt_templates": templates}


def _app_id(text: str) -> str:
    if not APP_ID.match(text):
        raise Refused(Reason.INVALID, f"{text!r} is not an app_id (1-64 letters, digits, '_' or '-')")
    return text


@bp.get("/flows")
def flows(sid):
    return {"flows": [views.flow(sid, app_id, flow) for app_id, flow in Voice.current().flows(sid).items()]}


@bp.route("/flows/<app_id>", methods=["GET", "PUT", "DELETE"])
@req.declare(body=schemas.Flow)
def flow(sid, app_id):
    """PUT defines (or replaces) a flow; GET shows it; DELETE forgets it (404 if unknown)."""
    app_id = _app_id(app_id)
    voice = Voice.current()
    if request.method == "PUT":
        return views.flow(sid, app_id, voice.define_flow(sid, app_id, req.read_body(schemas.Flow)))
    if request.method == "DELETE":
        return views.flow(sid, app_id, voice.delete_flow(sid, app_id))
    return views.flow(sid, app_id, voice.flow(sid, app_id))


@bp.post("/calls/incoming")
@req.declare(body=schemas.IncomingCall)
def incoming(sid):
    """A caller dials an ExoPhone; its first applet has run (queued its request, if any) when this answers."""
    call = Voice.current().incoming(sid, req.read_body(schemas.IncomingCall), request.host_url.rstrip("/"))
    store = req.store()
    store.scheduler.run_due()
    store.scheduler.wake()
    return {"call_sid": call.sid, "app_id": call.flow.app_id if call.flow else None, "status": call.status}, 201


@bp.get("/calls")
@req.query(PageQuery)
def list_calls(q, sid):
    """The account's calls, newest first, as call details show them."""
    calls, total = Voice.current().recent_calls(sid, *bounds(q))
    return listing("calls", [views.call(c) for c in calls], total, q)


@bp.get("/messages")
@req.query(PageQuery)
def list_messages(q, sid):
    """The account's SMS, newest first, as SMS details show them."""
    messages, total = Voice.current().recent_messages(sid, *bounds(q))
    return listing("messages", [views.message(m) for m in messages], total, q)


@bp.get("/calls/<call_sid>")
def call(sid, call_sid):
    """Where a call is in its flow, and why it ended."""
    voice = Voice.current()
    found = voice.call(sid, call_sid)
    return views.call_state(found, voice.ending(found))
