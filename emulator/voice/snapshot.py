"""What a snapshot's voice part may contain: every field typed, so a restored world never fails later.
Imported only when a snapshot is restored."""

from __future__ import annotations

from marshmallow import fields, validate

from emulator.core.e164 import E164_RE
from emulator.core.fields import HttpUrl, Strict, StrictInteger
from emulator.voice import flows
from emulator.voice import sms as texts
from emulator.voice.flows import APP_ID, FLOW_URL
from emulator.voice.schemas import (
    CALL_STATUSES,
    DIRECTIONS,
    SENDER_ID,
    SMS_TYPES,
    AccountFixture,
    Flow,
    NumberScript,
)

E164 = validate.Regexp(E164_RE, error="must be an E.164 number")
TIMESTAMP = validate.Range(min=0, max=253402300799)  # up to the year 9999


def _time(required: bool = True) -> fields.Float:
    """A timestamp; ``required=False``: one that may be null (never absent: dumps write every field)."""
    return fields.Float(required=True, allow_none=not required, allow_nan=False, validate=TIMESTAMP)


class LegState(Strict):
    number = fields.String(required=True)
    status = fields.String(required=True, allow_none=True, validate=validate.OneOf(
        ("ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled")))
    answered_at = _time(False)
    ended_at = _time(False)
    answered_by = fields.String(required=True, allow_none=True, validate=validate.OneOf(("Human", "Machine")))


def _flag() -> fields.Boolean:
    return fields.Boolean(required=True, truthy={True}, falsy={False})


class FlowRunState(Strict):
    app_id = fields.String(required=True, allow_none=True, validate=validate.Regexp(APP_ID))
    index = StrictInteger(required=True, validate=validate.Range(min=0))
    steps = StrictInteger(required=True, validate=validate.Range(min=0))
    keys = fields.String(required=True, validate=validate.Regexp(r"^[0-9*#]{0,64}$"))
    digits = fields.String(required=True, allow_none=True, validate=validate.Regexp(r"^[0-9*#]{0,64}$"))
    ends_at = _time(False)
    ends_by = fields.String(required=True, validate=validate.OneOf(("caller", "time_limit")))
    hung_up = _flag()
    connecting = _flag()
    dial = fields.List(fields.String(validate=E164), required=True, validate=validate.Length(max=flows.MAX_DIALLED))
    dial_started = _time(False)
    dial_number = fields.String(required=True, allow_none=True, validate=E164)
    dial_status = fields.String(required=True, allow_none=True, validate=validate.OneOf(flows.DIAL_STATUSES))
    dial_duration = StrictInteger(required=True, validate=validate.Range(min=0))
    call_type = fields.String(required=True, validate=validate.OneOf(flows.CALL_TYPES))
    waiting = fields.String(required=True, allow_none=True, validate=validate.OneOf(("passthru", "dial_whom")))
    ended_by = fields.String(required=True, allow_none=True, validate=validate.OneOf(tuple(flows.ENDINGS)))


class CallState(Strict):
    sid = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z]{1,64}$"))
    account_sid = fields.String(required=True)
    from_ = fields.String(required=True, validate=E164)
    to = fields.String(required=True, allow_none=True, validate=E164)
    caller_id = fields.String(required=True, validate=E164)
    flow_url = fields.String(required=True, allow_none=True, validate=validate.Regexp(FLOW_URL))
    created = _time()
    updated = _time()
    status = fields.String(required=True, validate=validate.OneOf(CALL_STATUSES))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    ended = _time(False)
    # a flow's connect applets add a leg per number dialled, each a step: at most FLOW_MAX_STEPS of them
    legs = fields.List(fields.Nested(LegState), required=True, validate=validate.Length(min=1, max=100_001))
    record = fields.Boolean(required=True, truthy={True}, falsy={False})
    recording_channels = fields.String(required=True, validate=validate.OneOf(("single", "dual")))
    recording_format = fields.String(required=True, validate=validate.OneOf(("mp3", "mp3-hq")))
    time_limit = StrictInteger(required=True, validate=validate.Range(min=1, max=14400))
    time_out = StrictInteger(required=True, validate=validate.Range(min=1, max=3600))
    custom_field = fields.String(required=True, allow_none=True, validate=validate.Length(max=128))
    status_callback = HttpUrl(required=True, allow_none=True)
    events = fields.List(fields.String(validate=validate.OneOf(("terminal", "answered"))), required=True)
    content_type = fields.String(required=True, validate=validate.OneOf(("multipart/form-data", "application/json")))
    base_url = fields.String(required=True, validate=validate.Length(max=2000))
    price = fields.String(required=True, allow_none=True, validate=validate.Regexp(r"^\d+\.\d{3}$"))
    step = fields.String(required=True, allow_none=True, validate=validate.OneOf(
        ("leg1", "leg2", "cancel", "end", "applet", "dial", "talked", "hangup")))
    due = _time(False)
    flow = fields.Nested(FlowRunState, required=True, allow_none=True)


class MessageState(Strict):
    sid = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z]{1,64}$"))
    account_sid = fields.String(required=True)
    from_ = fields.String(required=True, validate=validate.Length(min=1, max=80))
    to = fields.String(required=True, validate=E164)
    body = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    created = _time()
    updated = _time()
    encoding = fields.String(required=True, validate=validate.OneOf(("plain", "unicode")))
    units = StrictInteger(required=True, validate=validate.Range(min=1, max=2000))
    code = StrictInteger(required=True, validate=validate.OneOf(tuple(texts.STATUS_CODES)))
    sent = _time(False)
    price = fields.String(required=True, allow_none=True, validate=validate.Regexp(r"^\d+\.\d{6}$"))
    sms_type = fields.String(required=True, allow_none=True, validate=validate.OneOf(SMS_TYPES))
    priority = fields.String(required=True, validate=validate.OneOf(("normal", "high")))
    dlt_entity_id = fields.String(required=True, allow_none=True)
    dlt_template_id = fields.String(required=True, allow_none=True)
    dlt_failure = StrictInteger(required=True, allow_none=True, validate=validate.OneOf(texts.FAILURE_CODES))
    custom_field = fields.String(required=True, allow_none=True)
    status_callback = HttpUrl(required=True, allow_none=True)
    step = StrictInteger(required=True, allow_none=True, validate=validate.Range(min=0, max=len(texts.PROGRESSION) - 1))
    due = _time(False)


class WhitelistState(Strict):
    number = fields.String(required=True, validate=E164)
    since = _time()
    until = _time()
    virtual_number = fields.String(required=True, validate=E164)


class AccountState(AccountFixture):
    sender_ids = fields.List(fields.String(validate=SENDER_ID), required=True)
    dlt_templates = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    numbers = fields.Dict(keys=fields.String(validate=E164), values=fields.Nested(NumberScript), required=True)
    calls = fields.List(fields.Nested(CallState), required=True)
    messages = fields.List(fields.Nested(MessageState), required=True)
    whitelist = fields.List(fields.Nested(WhitelistState), required=True)
    flows = fields.Dict(keys=fields.String(validate=validate.Regexp(APP_ID)), values=fields.Nested(Flow),
                        required=True)


class Snapshot(Strict):
    default_account = fields.Nested(AccountFixture, required=True)
    accounts = fields.Dict(keys=fields.String(), values=fields.Nested(AccountState), required=True)
