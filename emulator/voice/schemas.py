"""What v1 requests, the control API's voice side, fixture files and snapshots may contain."""

from __future__ import annotations

import re
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from emulator.core.clock import IST
from emulator.core.fields import HttpUrl, Lenient, Strict, StrictInteger, is_url
from emulator.voice import numbers
from emulator.voice import sms as texts
from emulator.voice.flows import APP_ID, FLOW_URL

CALL_STATUSES = ("queued", "in-progress", "completed", "failed", "busy", "no-answer", "canceled")
DIRECTIONS = ("inbound", "outbound-dial", "outbound-api")
SMS_TYPES = ("transactional", "transactional_opt_in", "promotional")
RANGE = re.compile(r"^(gte|lte|gt|lt|eq):(.+)$")
SENDER_ID = validate.Regexp(r"^[A-Za-z0-9-]{3,11}$", error="must be 3-11 letters, digits or '-'")


class Phone(fields.Field):
    """A phone number as E.164, 0-prefixed national or 10 digits (a JSON number too): kept in E.164."""

    json_schema = {"type": ["string", "integer"], "pattern": r"^(\+[1-9]\d{6,14}|0?[1-9]\d{9}|91[1-9]\d{9})$"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        number = numbers.parse(value) if isinstance(value, str) else None
        if number is None:
            raise ValidationError("must be a phone number: +919876543210, 09876543210 or 9876543210")
        return number


class Flag(fields.Field):
    """``true``/``false`` in any case (``str(True)`` from Python clients), or a JSON boolean."""

    json_schema = {"type": ["boolean", "string"], "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValidationError("must be true or false")


class Words(fields.Field):
    """A list of values: a form array, a JSON list, or one comma-separated string."""

    def __init__(self, choices=None, max_items: int = 100, item=None, **kwargs):
        super().__init__(**kwargs)
        self.choices, self.max_items, self.item = choices, max_items, item

    def json_schema(self) -> dict:
        item: dict = {"type": ["string", "integer"]}
        if self.choices is not None:
            item = {"enum": list(self.choices)}
        elif self.item is not None and hasattr(self.item, "json_schema"):
            item = dict(self.item.json_schema)
        one = item if "enum" in item else dict(item, type="string")
        return {"description": "one value, several joined by commas, or an array",
                "anyOf": [one, {"type": "array", "items": item, "minItems": 1, "maxItems": self.max_items}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [v for v in (part.strip() for part in value.split(",")) if v]
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
            raise ValidationError("must be a value or a list of values")
        if len(value) > self.max_items:
            raise ValidationError(f"at most {self.max_items} values")
        if self.choices is not None and any(v not in self.choices for v in value):
            raise ValidationError(f"must be among {', '.join(self.choices)}")
        return [self.item.deserialize(v) for v in value] if self.item is not None else [str(v) for v in value]


class Text(fields.String):
    """A string; a number sent as JSON is taken as its text (CustomField=42)."""

    json_schema = {"type": ["string", "number"]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Range(fields.Field):
    """``gte:10s;lte:45s``: conditions joined by ``;``, each ``op:value``, values read by ``parse``."""

    json_schema = {"type": "string", "pattern": "^(gte|lte|gt|lt|eq):[^;]+(;(gte|lte|gt|lt|eq):[^;]+)*$"}

    def __init__(self, parse, **kwargs):
        super().__init__(**kwargs)
        self.parse = parse

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be like gte:<value>;lte:<value>")
        conditions = []
        for part in value.split(";"):
            match = RANGE.match(part.strip())
            if match is None:
                raise ValidationError("must be like gte:<value>;lte:<value>")
            try:
                conditions.append((match.group(1), self.parse(match.group(2).strip())))
            except ValueError:
                raise ValidationError(f"{match.group(2)!r} is not a valid value here") from None
        return conditions


def _ist(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=IST).timestamp()


def _seconds(text: str) -> float:
    return float(int(text[:-1] if text.endswith("s") else text))


class Cursor(fields.Field):
    """A page cursor as ``Metadata`` hands it out: ``<DateCreated in µs, hex>-<Sid>``."""

    json_schema = {"type": "string", "pattern": "^[0-9a-f]{1,16}-[0-9A-Za-z]{1,64}$"}

    def _deserialize(self, value, attr, data, **kwargs):
        match = re.fullmatch(r"([0-9a-f]{1,16})-([0-9A-Za-z]{1,64})", value) if isinstance(value, str) else None
        if match is None:
            raise ValidationError("not a cursor from PrevPageUri or NextPageUri")
        return int(match.group(1), 16), match.group(2)


class V1(Lenient):
    """A v1 request: unknown parameters are ignored, and so is a known one sent empty (clients send
    ``StatusCallback=`` or ``MediaUrl=``): it counts as absent."""

    @pre_load
    def _drop_empty(self, data, **kwargs):
        if not isinstance(data, dict):
            raise ValidationError("must be an object of parameters")
        return {k: v for k, v in data.items() if v not in ("", None)}


class Connect(V1):
    From = Phone(required=True)
    To = Phone()
    Url = fields.String(validate=validate.Regexp(FLOW_URL, error="must be a flow URL like "
                                                 "http://my.exotel.com/<sid>/exoml/start_voice/<app_id>"))
    CallerId = Phone(required=True)
    CallType = fields.String(validate=validate.OneOf(("trans", "promo")))
    TimeLimit = fields.Integer(validate=validate.Range(min=1, max=14400))
    TimeOut = fields.Integer(validate=validate.Range(min=1, max=3600))
    WaitUrl = HttpUrl()
    Record = Flag()
    RecordingChannels = fields.String(validate=validate.OneOf(("single", "dual")))
    RecordingFormat = fields.String(validate=validate.OneOf(("mp3", "mp3-hq")))
    CustomField = Text(validate=validate.Length(max=128))
    StatusCallback = HttpUrl()
    StatusCallbackEvents = Words(choices=("terminal", "answered"), max_items=2)
    StatusCallbackContentType = fields.String(validate=validate.OneOf(("multipart/form-data", "application/json")))
    StartPlaybackToNew = fields.String(validate=validate.OneOf(("Callee", "Both")))
    StartPlaybackValueNew = HttpUrl()
    StreamUrl = fields.String(validate=lambda v: is_url(v, ("ws", "wss")) or _fail("must be a ws:// or wss:// URL"))
    StreamBegin = fields.String(validate=validate.OneOf(("Leg1Connect", "Leg2Connect")))

    @validates_schema
    def _to_or_flow(self, data, **kwargs):
        if "To" not in data and "Url" not in data:
            raise ValidationError("To (a number) or Url (a flow) is required", "To")


def _fail(message: str):
    raise ValidationError(message)


class CallQuery(V1):
    details = Flag()
    RecordingUrlValidity = fields.Integer(validate=validate.Range(min=5, max=60))


class CallsQuery(CallQuery):
    Sid = Words(max_items=100)
    DateCreated = Range(_ist)
    To = Words(max_items=5, item=Phone())
    From = Words(max_items=5, item=Phone())
    PhoneNumber = Words(max_items=5, item=Phone())
    Status = Words(choices=CALL_STATUSES)
    Duration = Range(_seconds)
    Price = Range(float)
    Direction = Words(choices=DIRECTIONS)
    PageSize = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    SortBy = fields.String(load_default="DateCreated:desc", validate=validate.OneOf(
        ("DateCreated:asc", "DateCreated:desc")))
    Before = Cursor()
    After = Cursor()

    @validates_schema
    def _one_cursor(self, data, **kwargs):
        if "Before" in data and "After" in data:
            raise ValidationError("give Before or After, not both", "After")


class SmsFields(V1):
    """What one message may carry, in ``Sms/send`` and in each ``Sms/bulksend`` entry."""

    Body = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    From = Text(validate=validate.Length(min=1, max=64))
    EncodingType = fields.String(validate=validate.OneOf(("plain", "unicode")))
    Priority = fields.String(validate=validate.OneOf(("normal", "high")))
    StatusCallback = HttpUrl()
    DltEntityId = Text(validate=validate.Length(min=1, max=64))
    DltTemplateId = Text(validate=validate.Length(min=1, max=64))
    SmsType = fields.String(validate=validate.OneOf(SMS_TYPES))
    CustomField = Text(validate=validate.Length(max=256))


class Send(SmsFields):
    From = Text(required=True, validate=validate.Length(min=1, max=64))
    To = Words(required=True, max_items=100)


class BulkMessage(SmsFields):
    To = Text(required=True, validate=validate.Length(min=1, max=32))


class BulkSend(V1):
    From = Text(validate=validate.Length(min=1, max=64))
    Messages = fields.List(fields.Nested(BulkMessage), required=True, validate=validate.Length(min=1, max=100))
    StatusCallback = HttpUrl()
    SmsType = fields.String(validate=validate.OneOf(SMS_TYPES))
    DltEntityId = Text(validate=validate.Length(min=1, max=64))

    @pre_load
    def _sms_key(self, data, **kwargs):
        # the newer pages send the list as "sms" in a JSON body; the older ones "Messages"
        if isinstance(data, dict) and "Messages" not in data and "sms" in data:
            data = {**data, "Messages": data["sms"]}
        return data


class Whitelist(V1):
    VirtualNumber = Phone(required=True)
    Number = Words(required=True, max_items=1000)
    Language = fields.String(validate=validate.Length(max=16))


# ---- the control API's voice side -------------------------------------------------------------------


class NumberScript(Strict):
    """PUT /_emulator/accounts/<sid>/numbers/<number>: any subset; null puts a field back to its default."""

    call = fields.String(allow_none=True, validate=validate.OneOf(("answer", "busy", "no-answer", "failed")))
    ring_seconds = StrictInteger(allow_none=True, validate=validate.Range(min=0, max=3600))
    talk_seconds = StrictInteger(allow_none=True, validate=validate.Range(min=0, max=14400))
    answered_by = fields.String(allow_none=True, validate=validate.OneOf(("Human", "Machine")))
    sms = fields.String(allow_none=True, validate=validate.OneOf(("sent", "failed_dnd", "failed")))
    sms_code = StrictInteger(allow_none=True, validate=validate.OneOf(
        texts.FAILURE_CODES, error="must be a failure DetailedStatusCode (23xxx, 24xxx)"))
    dnd = fields.Boolean(allow_none=True, truthy={True}, falsy={False})
    circle = fields.String(allow_none=True, validate=validate.OneOf(sorted(numbers.CIRCLES)))
    operator = fields.String(allow_none=True, validate=validate.OneOf(sorted(numbers.OPERATORS)))
    type = fields.String(allow_none=True, validate=validate.OneOf(("Mobile", "Landline")))
    digits = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9*#]{1,64}$", error=(
        "must be the keys pressed: 1-64 of 0-9, * and #")))


class SmsConfig(Strict):
    """PUT /_emulator/accounts/<sid>/sms."""

    sender_ids = fields.List(fields.String(validate=SENDER_ID), validate=validate.Length(max=100))
    dlt_templates = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=64)),
                                values=fields.String(validate=validate.Length(min=1, max=2000)),
                                validate=validate.Length(max=1000))


class NumberKey(fields.String):
    """A number as a key: any accepted spelling, kept E.164."""

    def _deserialize(self, value, attr, data, **kwargs):
        number = numbers.parse(super()._deserialize(value, attr, data, **kwargs))
        if number is None:
            raise ValidationError("must be a phone number")
        return number


# ---- call flows ----------------------------------------------------------------------------------------

KEYS = validate.Regexp(r"^[0-9*#]{1,64}$", error="must be the keys pressed: 1-64 of 0-9, * and #")
BRANCHES = ("on_200", "on_302", "on_completed", "on_no_answer")


class Branch(StrictInteger):
    """The index of the applet a branch goes to (checked against the flow once every applet is read)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=0), **kwargs)


class GreetingApplet(Strict):
    type = fields.String(required=True)
    seconds = StrictInteger(load_default=5, validate=validate.Range(min=0, max=3600))  # how long it plays


class GatherApplet(Strict):
    type = fields.String(required=True)
    digits = StrictInteger(load_default=1, validate=validate.Range(min=1, max=64))


class PassthruApplet(Strict):
    type = fields.String(required=True)
    url = HttpUrl(required=True)
    mode = fields.String(load_default="sync", validate=validate.OneOf(("sync", "async")))
    on_200 = Branch()
    on_302 = Branch()

    @validates_schema
    def _async_does_not_branch(self, data, **kwargs):
        if data.get("mode") == "async" and "on_302" in data:
            raise ValidationError("an async passthru does not wait for the answer, so it has no 302 branch",
                                  "on_302")


class ConnectApplet(Strict):
    type = fields.String(required=True)
    numbers = fields.List(Phone(), validate=validate.Length(min=1, max=20))
    url = HttpUrl()  # "dial whom": a GET whose answer names the numbers
    record = fields.Boolean(truthy={True}, falsy={False})
    on_completed = Branch()
    on_no_answer = Branch()

    @validates_schema
    def _whom(self, data, **kwargs):
        if ("numbers" in data) == ("url" in data):
            raise ValidationError("give numbers (static) or url (dial whom from a URL), one of them", "numbers")


class HangupApplet(Strict):
    type = fields.String(required=True)


APPLETS: dict[str, type[Schema]] = {"greeting": GreetingApplet, "passthru": PassthruApplet,
                                    "gather": GatherApplet, "connect": ConnectApplet, "hangup": HangupApplet}


class Applets(fields.Field):
    """The applets of a flow, each read by its type's schema; a problem names the applet by index and type:
    ``applet 2 (passthru): url: Not a valid http(s) URL.``"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not 1 <= len(value) <= 200:
            raise ValidationError("must be a list of 1-200 applets")
        from emulator.core.errors import describe
        from emulator.core.request import schema

        loaded, problems = [], []
        for i, applet in enumerate(value):
            kind = applet.get("type") if isinstance(applet, dict) else None
            if not isinstance(kind, str):
                problems.append(f"applet {i}: must be an object with a type ({', '.join(APPLETS)})")
                continue
            if kind not in APPLETS:
                problems.append(f"applet {i} ({kind}): unknown applet type; the types are {', '.join(APPLETS)}")
                continue
            try:
                loaded.append(schema(APPLETS[kind]).load(applet))
            except ValidationError as exc:
                problems.append(f"applet {i} ({kind}): {describe(exc.messages)}")
                continue
            for branch in BRANCHES:
                target = loaded[-1].get(branch)
                if target is not None and target >= len(value):
                    problems.append(f"applet {i} ({kind}): {branch} {target} is not an applet of this flow "
                                    f"(0-{len(value) - 1})")
        if problems:
            raise ValidationError(problems)
        return loaded


class Flow(Strict):
    """PUT /_emulator/accounts/<sid>/flows/<app_id>, and each flow of a fixture or snapshot."""

    applets = Applets(required=True)
    url_timeout = fields.Float(allow_nan=False, validate=validate.Range(min=0.01, max=120))


class AppId(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=validate.Regexp(APP_ID, error="must be 1-64 letters, digits, '_' or '-'"), **kwargs)


class IncomingCall(Strict):
    """POST /_emulator/accounts/<sid>/calls/incoming."""

    from_ = Phone(required=True, data_key="from")
    to = Phone(required=True)
    digits = fields.String(validate=KEYS)
    hangup_after = StrictInteger(validate=validate.Range(min=0, max=14400))


class DialWhomDestination(Lenient):
    numbers = fields.List(Text(), required=True, validate=validate.Length(max=100))


class DialWhomReply(Lenient):
    """The programmable Connect answer of a dial-whom URL; only whom to dial is read."""

    destination = fields.Nested(DialWhomDestination, required=True)


class AccountFixture(SmsConfig):
    numbers = fields.Dict(keys=NumberKey(), values=fields.Nested(NumberScript))
    flows = fields.Dict(keys=AppId(), values=fields.Nested(Flow), validate=validate.Length(max=1000))


class NamedAccountFixture(AccountFixture):
    sid = fields.String(required=True)


class FixtureFile(Strict):
    default_account = fields.Nested(AccountFixture)  # applied to every account
    accounts = fields.List(fields.Nested(NamedAccountFixture), load_default=list)  # overrides, after it
