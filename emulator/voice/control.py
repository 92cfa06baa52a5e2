"""The voice family's part of the control API: scripted numbers, and the account's sender IDs and DLT
templates."""

from __future__ import annotations

from flask import Blueprint

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
    from dataclasses import asdict

    return views.script(number, asdict(script), meta)


@bp.get("/numbers/<number>")
def get_number(sid, number):
    number = _number(number)
    return _script_view(number, *Voice.current().script(sid, number))


@bp.put("/numbers/<number>")
@req.body(schemas.NumberScript)
def script_number(changes, sid, number):
    number = _number(number)
    return _script_view(number, *Voice.current().script(sid, number, changes))


@bp.delete("/numbers/<number>")
def forget_number(sid, number):
    number = _number(number)
    Voice.current().forget_script(sid, number)
    return _script_view(number, *Voice.current().script(sid, number))


@bp.get("/sms")
def get_sms(sid):
    sender_ids, templates = Voice.current().configure_sms(sid, {})
    return {"sid": sid, "sender_ids": sender_ids, "dlt_templates": templates}


@bp.put("/sms")
@req.body(schemas.SmsConfig)
def configure_sms(changes, sid):
    sender_ids, templates = Voice.current().configure_sms(sid, changes)
    return {"sid": sid, "sender_ids": sender_ids, "dlt_templates": templates}
