"""How calls, messages, number metadata and the whitelist look on the wire: the documented field names
and order, times ``YYYY-MM-DD HH:mm:ss`` in IST, Indian numbers 0-prefixed, durations strings in call
objects and integers in ``Details``. Encoding (JSON or XML) is ``wire``'s business, not theirs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from emulator.core.clock import IST, classic
from emulator.voice import sms
from emulator.voice.numbers import CIRCLES, OPERATORS, national

if TYPE_CHECKING:
    from emulator.voice.flows import FlowRun
    from emulator.voice.models import Call, Leg, Message

UNANSWERED = ("busy", "no-answer", "failed")


def cursor(key: tuple[int, str]) -> str:
    """A page cursor, as ``PrevPageUri``/``NextPageUri`` carry it (``schemas.Cursor`` reads it back)."""
    return f"{key[0]:x}-{key[1]}"


def _time(ts: float | None) -> str | None:
    return None if ts is None else classic(ts)


def _leg_status(leg: "Leg | None") -> str | None:
    return None if leg is None or leg.status == "ringing" else leg.status


def call(c: "Call", suffix: str = ".json", details: bool = False) -> dict:
    body: dict[str, Any] = {
        "Sid": c.sid,
        "ParentCallSid": None,
        "DateCreated": classic(c.created),
        "DateUpdated": classic(c.updated),
        "AccountSid": c.account_sid,
        "To": national(c.to),
        "From": national(c.from_),
        "PhoneNumberSid": national(c.caller_id),
        "Status": c.status,
        "StartTime": classic(c.created),
        "EndTime": _time(c.ended),
        "Duration": None if c.duration is None else str(c.duration),
        "Price": c.price,
        "Direction": c.direction,
        "AnsweredBy": c.answered_by,
        "ForwardedFrom": None,
        "CallerName": None,
        "Uri": f"/v1/Accounts/{c.account_sid}/Calls/{c.sid}{suffix}",
        "RecordingUrl": c.recording_url,
    }
    if details:
        body["Details"] = call_details(c)
    return body


def call_details(c: "Call") -> dict:
    legs = list(c.legs)
    if not c.flow_call and len(legs) == 1:
        legs.append(None)  # type: ignore[arg-type]  # the To leg was never dialled
    return {
        "ConversationDuration": c.conversation,
        "Leg1Status": _leg_status(c.legs[0]),
        # a flow's connect may dial several numbers, each a leg: the last one dialled is leg 2's status
        "Leg2Status": _leg_status(c.legs[-1]) if len(c.legs) > 1 else None,
        "Legs": [{"Leg": {"Id": i, "OnCallDuration": leg.on_call(c.ended) if leg is not None else 0}}
                 for i, leg in enumerate(legs, 1)],
    }


def calls_page(sid: str, calls: list["Call"], total: int, size: int, filters: list[tuple[str, str]],
               before: str | None, after: str | None, suffix: str, details: bool) -> dict:
    base = f"/v1/Accounts/{sid}/Calls{suffix}"

    def uri(*extra: tuple[str, str]) -> str:
        return f"{base}?{urlencode([*filters, ('PageSize', str(size)), *extra])}"

    return {
        "Metadata": {
            "Total": total,
            "PageSize": size,
            "FirstPageUri": uri(),
            "PrevPageUri": uri(("Before", before)) if before is not None else None,
            "NextPageUri": uri(("After", after)) if after is not None else None,
        },
        "Calls": [call(c, suffix, details) for c in calls],
    }


def status_callback(c: "Call", extended: bool, event: str) -> dict:
    """The StatusCallback payload of ``event``: the four default fields, and the event's fields when the
    request subscribed to events (``extended``). No ``RecordingUrl`` for calls that ended unanswered (as
    production sends it), ``CustomField`` on the terminal event only."""
    body: dict = {"CallSid": c.sid, "DateUpdated": classic(c.updated), "Status": c.status,
                  "RecordingUrl": c.recording_url}
    if event == "terminal" and c.status in UNANSWERED:
        del body["RecordingUrl"]
    if not extended:
        return body
    legs = list(c.legs) + ([None] if not c.flow_call and len(c.legs) == 1 else [])
    body.update({
        "EventType": event,
        "DateCreated": classic(c.created),
        "To": national(c.to),
        "From": national(c.from_),
        "PhoneNumberSid": national(c.caller_id),
        "StartTime": classic(c.created),
        "EndTime": _time(c.ended),
        "ConversationDuration": c.conversation,
        "Direction": c.direction,
    })
    if event == "terminal":
        body["CustomField"] = c.custom_field
    body["Legs"] = [{"OnCallDuration": leg.on_call(c.ended or c.updated) if leg is not None else 0,
                     "Status": _leg_status(leg)} for leg in legs]
    return body


# ---- call flows: what a user's URL is told ------------------------------------------------------------

UNKNOWN_END_TIME = "1970-01-01 05:30:00"  # EndTime while a call runs: the epoch in IST, as production sends it
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def created(ts: float) -> str:
    """``Wed, 23 Feb 2022 12:31:59`` in IST, the ``Created`` of a passthru request (English whatever the
    locale)."""
    when = datetime.fromtimestamp(ts, IST)
    return f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year} {when:%H:%M:%S}"


def flow_params(c: "Call", at: float) -> dict[str, str]:
    """The query string of a Passthru or dial-whom GET, in the order production sends it. Numbers
    0-prefixed; ``CallTo`` and ``To`` are the ExoPhone; ``EndTime`` is the constant the pages document;
    ``digits`` in double quotes. ``RecordingUrl`` once a recorded conversation is over, ``DialCallStatus``
    and ``DialWhomNumber`` once a connect dialled, ``digits`` once a gather ran, ``CustomField`` when the
    call has one."""
    run = c.flow
    assert run is not None
    params = {
        "CallSid": c.sid,
        "CallFrom": _number(c.from_),
        "CallTo": _number(c.caller_id),
        "Direction": "incoming" if c.direction == "inbound" else "outbound-dial",
        "Created": created(c.created),
        "DialCallDuration": str(run.dial_duration),
    }
    if c.recording_url is not None:
        params["RecordingUrl"] = c.recording_url
    params.update({"StartTime": classic(c.created), "EndTime": UNKNOWN_END_TIME})
    if run.dial_status is not None:
        params["DialCallStatus"] = run.dial_status
    params["CallType"] = run.call_type
    if run.dial_number is not None:
        params["DialWhomNumber"] = _number(run.dial_number)
    params.update({"flow_id": run.app_id or "", "tenant_id": c.account_sid, "From": _number(c.from_),
                   "To": _number(c.caller_id), "CurrentTime": classic(at)})
    if run.digits is not None:
        params["digits"] = f'"{run.digits}"'
    if c.custom_field is not None:
        params["CustomField"] = c.custom_field
    return params


def _number(number: str) -> str:
    return national(number) or number


def message(m: "Message", suffix: str = ".json") -> dict:
    status, detailed = sms.STATUS_CODES[m.code]
    return {
        "Sid": m.sid,
        "AccountSid": m.account_sid,
        "From": m.from_,
        "To": national(m.to),
        "DateCreated": classic(m.created),
        "DateUpdated": classic(m.updated),
        "DateSent": _time(m.sent),
        "Body": m.body,
        "Direction": "outbound-api",
        "Uri": f"/v1/Accounts/{m.account_sid}/SMS/Messages/{m.sid}{suffix}",
        "ApiVersion": None,
        "Price": m.price,
        "Status": status,
        "SmsUnits": m.units,
        "DetailedStatusCode": m.code,
        "DetailedStatus": detailed,
    }


def sms_callback(m: "Message") -> dict:
    status, detailed = sms.STATUS_CODES[m.code]
    body = {"SmsSid": m.sid, "To": national(m.to), "Status": status, "SmsUnits": m.units,
            "DetailedStatus": detailed, "DetailedStatusCode": m.code, "DateSent": _time(m.sent)}
    if m.custom_field is not None:
        body["CustomField"] = m.custom_field
    return body


def metadata(meta: dict) -> dict:
    circle, operator = meta["circle"], meta["operator"]
    return {"Numbers": {
        "PhoneNumber": national(meta["number"]),
        "Circle": circle,
        "CircleName": f"{CIRCLES[circle]} Telecom Circle" if circle in CIRCLES else None,
        "Type": meta["type"],
        "Operator": operator,
        "OperatorName": OPERATORS.get(operator),
        "DND": "Yes" if meta["dnd"] else "No",
    }}


def whitelist_status(status: str, kind: str, expiry: int) -> dict:
    return {"Result": {"Status": status, "Type": kind, "Expiry": expiry}}


# ---- the control API ---------------------------------------------------------------------------------


def script(number: str, fields: dict, meta: dict) -> dict:
    return {"number": number, **fields, "metadata": metadata(meta)["Numbers"]}


def flow(sid: str, app_id: str, definition: dict) -> dict:
    """A flow as the control API shows it, with the URL an ExoPhone's VoiceUrl (or Calls/connect) names it by."""
    return {"app_id": app_id, "url": f"http://my.exotel.com/{sid}/exoml/start_voice/{app_id}",
            "applets": definition["applets"], "url_timeout": definition.get("url_timeout")}


def call_state(c: "Call", ending: str | None) -> dict:
    """A call as the control API shows it: where it is in its flow, and why it ended."""
    return {"call_sid": c.sid, "direction": c.direction, "status": c.status, "from": c.from_, "to": c.to,
            "flow": None if c.flow is None else _flow_run(c.flow, ending)}


def _flow_run(run: "FlowRun", ending: str | None) -> dict:
    return {"app_id": run.app_id, "applet": run.index, "steps": run.steps, "waiting": run.waiting,
            "digits": run.digits, "keys_left": run.keys, "hung_up": run.hung_up, "call_type": run.call_type,
            "dial_call_status": run.dial_status, "dial_whom_number": run.dial_number,
            "ended_by": run.ended_by, "ending": ending}
