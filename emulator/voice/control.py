"""The voice family's part of the control API: scripted numbers, and the account's sender IDs and DLT
templates."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from emulator.core import request as req
from emulator.core.errors import Reason, Refused
from emulator.voice import numbers, schemas, views
from emulator.voice.models import Voice

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
