"""The classic v1 API over HTTP: calls, call details, recordings, SMS, number metadata and the whitelist
under /v1/Accounts/<sid>/, every path also with ``.json`` (JSON) or without (XML)."""

from __future__ import annotations

import functools
import json
from urllib.parse import parse_qsl

from flask import Blueprint, current_app, request
from werkzeug.routing import BaseConverter

from emulator.core import request as req
from emulator.core.auth import require_basic
from emulator.core.errors import Reason, Refused
from emulator.core.forms import FormError, unflatten
from emulator.core.request import Schemas, validate
from emulator.voice import audio, numbers, views
from emulator.voice.errors import DETAIL_HEADER
from emulator.voice.models import Voice
from emulator.voice.wire import respond, suffix

schemas = Schemas("emulator.voice.schemas")


class JsonSuffix(BaseConverter):
    """An optional ``.json`` at the end of a path: one rule serves both encodings (each rule costs start-up
    time, and every test builds an app)."""

    regex = r"(?:\.json)?"
    part_isolating = False
    variants = ("", ".json")  # the API description writes one path for each


class Name(BaseConverter):
    """A path segment without dots (sids, numbers), so a ``.json`` after it is the suffix."""

    regex = r"[^/.]+"


bp = Blueprint("voice", __name__, url_prefix="/v1/Accounts/<sid>")
# converters must be on the app's map before the blueprint's rules are: recorded first, so they run first
bp.record_once(lambda state: state.app.url_map.converters.update(json_suffix=JsonSuffix, name=Name))
bp.before_request(require_basic)


def route(rule: str, **options):
    """A v1 route, answered in XML as written and in JSON with ``.json`` appended."""

    def register(view):
        @functools.wraps(view)
        def without_suffix(*args, suffix_: str = "", **kwargs):
            return view(*args, **kwargs)

        bp.add_url_rule(rule + "<json_suffix:suffix_>", view_func=without_suffix, **options)
        return view

    return register


def params(cls) -> dict:
    """The request's parameters through ``cls``: the query string (production reads it on a POST too),
    then the body, form-encoded (bracket-indexed arrays), multipart or JSON, which wins."""
    try:
        found = unflatten(request.args.items(multi=True))
        raw = request.get_data(cache=True) if request.method != "GET" else b""
        if raw.strip():
            if request.mimetype == "application/json" or raw.lstrip()[:1] in (b"{", b"["):
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise Refused(Reason.INVALID, "a JSON body must be an object of parameters")
                json.dumps(body, ensure_ascii=False).encode("utf-8")  # a lone surrogate ("\ud800") is no text
                found.update(body)
            elif request.mimetype == "multipart/form-data":
                found.update(unflatten(request.form.items(multi=True)))
            else:
                found.update(unflatten(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)))
    except (FormError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Refused(Reason.MALFORMED, f"unreadable parameters: {exc}") from None
    return validate(cls, found)


def _number(text: str) -> str:
    number = numbers.parse(text)
    if number is None:
        raise Refused(Reason.INVALID, f"{text} is not a phone number")
    return number


# ---- calls ---------------------------------------------------------------------------------------------


@route("/Calls/connect", methods=["POST"])
@req.declare(body=schemas.Connect, form=True)
def connect(sid):
    data = params(schemas.Connect)
    call = Voice.current().connect(sid, data, f"{request.scheme}://{request.host}")
    details = request.args.get("details", "").lower() == "true"
    return respond({"Call": views.call(call, suffix(), details)})


def _call_details(sid: str, call_sid: str, encoding: str):
    q = params(schemas.CallQuery)
    voice = Voice.current()
    call = voice.call(sid, call_sid)
    ending = voice.ending(call)  # how a flow call ended, in the emulator's own header (no documented field says it)
    return respond({"Call": views.call(call, encoding, q.get("details", False))},
                   headers={DETAIL_HEADER: ending} if ending else None)


@route("/Calls/<name:call_sid>", methods=["GET"])
@req.declare(query=schemas.CallQuery)
def call_details(sid, call_sid):
    return _call_details(sid, call_sid, suffix())


@bp.get("/Calls.json/<call_sid>")
@req.declare(query=schemas.CallQuery)
def call_details_documented_uri(sid, call_sid):
    """The form of ``Uri`` the newer pages print (``Calls.json/<CallSid>``), so it resolves too."""
    return _call_details(sid, call_sid, ".json")


@route("/Calls", methods=["GET"])
@req.declare(query=schemas.CallsQuery)
def bulk_call_details(sid):
    q = params(schemas.CallsQuery)
    q["SortBy"] = q["SortBy"].split(":")[1]
    calls, total, before, after = Voice.current().calls(sid, q)
    filters = [(k, v) for k, v in request.args.items(multi=True) if k not in ("Before", "After", "PageSize")]
    page = views.calls_page(sid, calls, total, q["PageSize"], filters,
                            views.cursor(before) if before else None, views.cursor(after) if after else None,
                            suffix(), q.get("details", False))
    return respond(page)


@bp.get("/Recordings/<call_sid>.mp3")
def recording(sid, call_sid):
    call = Voice.current().recording(sid, call_sid)
    return current_app.response_class(audio.silence(call.recording_format, call.recording_channels),
                                      mimetype="audio/mpeg")


# ---- SMS -----------------------------------------------------------------------------------------------

SMS = "/<any(Sms, SMS):sms>"


def _messages_view(made: list) -> list[dict]:
    return [views.message(m, suffix()) for m in made]


@route(SMS + "/send", methods=["POST"])
@req.declare(body=schemas.Send, form=True)
def send(sid, sms):
    data = params(schemas.Send)
    to = data.pop("To")
    made = _messages_view(Voice.current().send(sid, [dict(data, To=number) for number in to]))
    return respond({"SMSMessage": made[0] if len(made) == 1 else made})


@route(SMS + "/bulksend", methods=["POST"])
@req.declare(body=schemas.BulkSend, form=True)
def bulksend(sid, sms):
    data = params(schemas.BulkSend)
    shared = {k: data[k] for k in ("From", "StatusCallback", "SmsType", "DltEntityId") if k in data}
    made = Voice.current().send(sid, [{**shared, **entry} for entry in data["Messages"]])
    return respond({"SMSMessages": _messages_view(made)})


@route(SMS + "/Messages/<name:sms_sid>", methods=["GET"])
def sms_details(sid, sms, sms_sid):
    return respond({"SMSMessage": views.message(Voice.current().message(sid, sms_sid), suffix())})


# ---- number metadata and whitelist ---------------------------------------------------------------------


@route("/Numbers/<name:number>", methods=["GET"])
def number_metadata(sid, number):
    return respond(views.metadata(Voice.current().metadata(sid, _number(number))))


@route("/CustomerWhitelist", methods=["POST"])
@req.declare(body=schemas.Whitelist, form=True)
def whitelist(sid):
    data = params(schemas.Whitelist)
    return respond({"Result": Voice.current().whitelist(sid, data["VirtualNumber"], data["Number"])})


# the page's URL ends in a slash, and clients post to it as printed; not strict, or Werkzeug would answer the
# path without the slash (the XML form of the rule above) with an HTML redirect to this one
bp.add_url_rule("/CustomerWhitelist/", endpoint="whitelist_slash", view_func=whitelist, methods=["POST"],
                strict_slashes=False)


@route("/CustomerWhitelist/<name:number>", methods=["GET"])
def whitelist_status(sid, number):
    return respond(views.whitelist_status(*Voice.current().whitelist_status(sid, _number(number))))
