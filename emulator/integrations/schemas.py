"""What integrations requests, control requests and fixture files may contain.

Request fields keep the documented PascalCase names on the wire (``data_key``); the loaded dicts use the
model's attribute names, so a loaded body goes straight into the model.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from emulator.control.schemas import PageQuery
from emulator.core.fields import Lenient, Strict, Timestamp, is_url
from emulator.core.schemas import SID
from emulator.integrations.models import NOTIFICATIONS

ENTITIES = ("customer", "app")
SETTING_KEYS = ("popup", "incomingCallHangup", "missedCall", "callback", "record", "streaming", "playback")
DEVICES = ("phone", "sip")
DOMAINS = ("mumbai", "singapore")  # "Domain provided by exotel dashboard. (Singapore/Mumbai)"

PHONE = validate.Regexp(r"^\+?\d{6,15}$", error="must be a phone number: 6-15 digits, optionally after '+'")
OPTIONAL_PHONE = validate.Regexp(r"^(\+?\d{6,15})?$", error="must be a phone number or empty")
DIALLED = validate.Regexp(r"^(\+?\d{6,15}|sip:[A-Za-z0-9._-]{1,64})?$", error="must be a phone number or sip:<id>")
# an AppUserId ends up in /users/<AppUserID>: no slash, no whitespace
APP_USER_ID = validate.Regexp(r"^[^/\s]{1,128}$", error="must be 1-128 characters without '/' or spaces")
SECRET = validate.Length(min=1, max=128)
NAME = validate.Length(min=1, max=255)
SETTING_KEY = validate.OneOf(SETTING_KEYS, error="must be one of: {choices}")


class StrictBoolean(fields.Boolean):
    """JSON true/false only: "yes", "true" or 1 is a wrong type (marshmallow's Boolean would take them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def full_name(value: str) -> None:
    """'FirstName LastName', both longer than 3 characters (the usermapping table)."""
    if not re.fullmatch(r"\S{4,} \S{4,}", value):
        raise ValidationError("must be 'FirstName LastName', each part longer than 3 characters")


def domain(value: str) -> None:
    if value.lower() not in DOMAINS:
        raise ValidationError("must be Mumbai or Singapore")


def check_setting(key: str, value: str) -> None:
    """The value each documented key takes: webhook URLs, "true"/"false" for record, a ws(s) URL to stream."""
    if key == "record":
        ok, expected = value in ("true", "false"), '"true" or "false"'
    elif key == "streaming":
        ok, expected = is_url(value, ("ws", "wss")), "a ws:// or wss:// URL"
    else:
        ok, expected = is_url(value), "an http(s) URL"
    if not ok:
        raise ValidationError({"Value": [f"{key} takes {expected}"]})


class NonEmpty(Lenient):
    """An update: every field optional, at least one present."""

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError(f"send at least one of: {', '.join(f.data_key or n for n, f in self.fields.items())}")


# ---- tokens and customers -------------------------------------------------------------------------------


class TokenBody(Lenient):
    Id = fields.String(required=True, validate=SECRET)
    Secret = fields.String(required=True, validate=SECRET)
    Entity = fields.String(required=True, validate=validate.OneOf(ENTITIES, error="must be customer or app"))


class CustomerUpdate(NonEmpty):
    name = fields.String(data_key="CustomerName", validate=NAME)
    email = fields.Email(data_key="Email")


# ---- apps and their settings ----------------------------------------------------------------------------


class AppBody(Lenient):
    name = fields.String(data_key="AppName", required=True, validate=NAME)
    account_sid = fields.String(data_key="ExotelAccountSid", required=True, validate=SID)
    api_key = fields.String(data_key="ExotelApiKey", required=True, validate=SECRET)
    api_token = fields.String(data_key="ExotelApiToken", required=True, validate=SECRET)
    domain = fields.String(data_key="ExotelDomain", required=True, validate=domain)
    is_active = StrictBoolean(data_key="IsActive", required=True)


class AppUpdate(NonEmpty):
    name = fields.String(data_key="AppName", validate=NAME)
    account_sid = fields.String(data_key="ExotelAccountSid", validate=SID)
    api_key = fields.String(data_key="ExotelApiKey", validate=SECRET)
    api_token = fields.String(data_key="ExotelApiToken", validate=SECRET)
    domain = fields.String(data_key="ExotelDomain", validate=domain)
    is_active = StrictBoolean(data_key="IsActive")


class AppQuery(Lenient):
    entity = fields.String(validate=validate.OneOf(ENTITIES, error="must be customer or app"))


class SettingBody(Lenient):
    Key = fields.String(required=True, validate=SETTING_KEY)
    Value = fields.String(required=True, validate=validate.Length(min=1, max=2048))

    @validates_schema
    def _value(self, data, **kwargs):
        check_setting(data["Key"], data["Value"])


class SettingKey(Lenient):
    """Which setting GET and DELETE mean: ``key`` as the curl examples send it, ``Key`` as the parameter
    tables name it; in the query or the body."""

    key = fields.String(validate=SETTING_KEY)
    Key = fields.String(validate=SETTING_KEY)


# ---- users and devices ----------------------------------------------------------------------------------


class UserBody(Lenient):
    """One user of POST /usermapping, as the table documents it."""

    app_user_id = fields.String(data_key="AppUserId", required=True, validate=APP_USER_ID)
    username = fields.String(data_key="AppUsername", required=True, validate=full_name)
    email = fields.Email(data_key="Email", required=True)
    account_sid = fields.String(data_key="ExotelAccountSid", required=True, validate=SID)
    exotel_user_name = fields.String(data_key="ExotelUserName", required=True, validate=full_name)
    agent_number = fields.String(data_key="AgentNumber", validate=OPTIONAL_PHONE)
    virtual_number = fields.String(data_key="VirtualNumber", required=True, validate=PHONE)


def _unique_ids(users: list[dict]) -> None:
    seen: set[str] = set()
    for user in users:
        if user["app_user_id"] in seen:
            raise ValidationError(f"AppUserId {user['app_user_id']} appears twice in the request")
        seen.add(user["app_user_id"])


class UserList(Schema):
    """POST /usermapping's body (a JSON array), wrapped as ``{"users": [...]}`` to validate it as a whole
    (so an error reads ``users.3.Email: ...``: the fourth user of the array)."""

    users = fields.List(fields.Nested(UserBody), required=True, validate=validate.Length(min=1, max=1000))

    @validates_schema
    def _unique(self, data, **kwargs):
        _unique_ids(data["users"])


class UserChange(Lenient):
    """One user of PUT /usermapping: its AppUserId and the fields to change."""

    app_user_id = fields.String(data_key="AppUserId", required=True, validate=APP_USER_ID)
    username = fields.String(data_key="AppUsername", validate=full_name)
    email = fields.Email(data_key="Email")
    account_sid = fields.String(data_key="ExotelAccountSid", validate=SID)
    exotel_user_name = fields.String(data_key="ExotelUserName", validate=full_name)
    agent_number = fields.String(data_key="AgentNumber", validate=OPTIONAL_PHONE)
    virtual_number = fields.String(data_key="VirtualNumber", validate=PHONE)

    @validates_schema
    def _something(self, data, **kwargs):
        if len(data) < 2:
            raise ValidationError("send AppUserId and at least one field to change")


class UserChanges(Schema):
    """PUT /usermapping's body: an array of changes (or one object), wrapped like ``UserList``."""

    users = fields.List(fields.Nested(UserChange), required=True, validate=validate.Length(min=1, max=1000))

    @validates_schema
    def _unique(self, data, **kwargs):
        _unique_ids(data["users"])


class UserQuery(Lenient):
    user_id = fields.String(validate=APP_USER_ID)
    last_value = fields.String(validate=validate.Length(max=128))
    page_size = fields.Integer(validate=validate.Range(min=1, max=1000))


class DeviceBody(Lenient):
    UserId = fields.String(required=True, validate=APP_USER_ID)
    DeviceName = fields.String(validate=validate.OneOf(DEVICES, error="must be phone or sip"))
    DeviceStatus = StrictBoolean()


# ---- calls ----------------------------------------------------------------------------------------------


class InboundQuery(Lenient):
    """``type``, and the call's details: the payload's own names, or the ones a passthru applet sends."""

    type = fields.String(required=True,
                         validate=validate.OneOf(tuple(NOTIFICATIONS), error="must be one of: {choices}"))

    CallSid = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$", error="must be a call sid"))
    AppUserID = fields.String(validate=APP_USER_ID)
    AppUserId = fields.String(validate=APP_USER_ID)
    DialWhomNumber = fields.String(validate=DIALLED)
    VirtualNumber = fields.String(validate=OPTIONAL_PHONE)
    FromNumber = fields.String(validate=OPTIONAL_PHONE)
    From = fields.String(validate=OPTIONAL_PHONE)
    CallFrom = fields.String(validate=OPTIONAL_PHONE)
    ToNumber = fields.String(validate=OPTIONAL_PHONE)
    To = fields.String(validate=OPTIONAL_PHONE)
    CallTo = fields.String(validate=OPTIONAL_PHONE)
    CallStatus = fields.String(validate=validate.Length(max=64))
    DialCallStatus = fields.String(validate=validate.Length(max=64))
    CallState = fields.String(validate=validate.Length(max=64))
    TotalDuration = fields.Integer(validate=validate.Range(min=0, max=10**7))
    DialCallDuration = fields.Integer(validate=validate.Range(min=0, max=10**7))
    CallRecordings = fields.String(validate=validate.Length(max=2048))
    RecordingUrl = fields.String(validate=validate.Length(max=2048))
    TicketId = fields.String(validate=validate.Length(max=128))
    CallDetail = fields.String(validate=validate.Length(max=256))

    @pre_load
    def _drop_empty(self, data, **kwargs):
        # a passthru applet sends every parameter, empty ones included (DialCallDuration= before a dial)
        return {k: v for k, v in data.items() if v != ""}

    @post_load
    def _merge(self, data, **kwargs):
        """One value per payload field: its own name first, then the passthru's."""
        def first(*names):
            return next((data[n] for n in names if n in data), None)

        merged = {
            "type": data["type"],
            "sid": first("CallSid"),
            "app_user_id": first("AppUserID", "AppUserId"),
            "dial_whom": first("DialWhomNumber"),
            "virtual_number": first("VirtualNumber"),
            "from_number": first("FromNumber", "From", "CallFrom"),
            "to_number": first("ToNumber", "To", "CallTo"),
            "status": first("CallStatus", "DialCallStatus"),
            "state": first("CallState"),
            "duration": first("TotalDuration", "DialCallDuration"),
            "recordings": first("CallRecordings", "RecordingUrl"),
            "ticket": first("TicketId"),
            "detail": first("CallDetail"),
        }
        return {k: v for k, v in merged.items() if v is not None}


class OutboundBody(Lenient):
    """The web SDK's POST /call/outbound_call: the page does not reach it, the SDK's source does."""

    customer_id = fields.String(validate=SECRET)
    app_id = fields.String(required=True, validate=SECRET)
    to = fields.String(required=True, validate=PHONE)
    user_id = fields.String(required=True, validate=APP_USER_ID)


# ---- control API ----------------------------------------------------------------------------------------


class AppsQuery(PageQuery):
    """GET /_emulator/integrations/apps: optionally one customer's."""

    customer = fields.String(validate=validate.Length(min=1, max=128))


class ControlCustomer(Schema):
    id = fields.String(data_key="Id", required=True, validate=SECRET)
    secret = fields.String(data_key="Secret", required=True, validate=SECRET)
    name = fields.String(data_key="CustomerName", required=True, validate=NAME)
    email = fields.Email(data_key="Email", required=True)


class ControlOutbound(Schema):
    """A simulated outbound call: who calls whom, and anything of the callback to script."""

    AppUserID = fields.String(required=True, validate=APP_USER_ID)
    ToNumber = fields.String(required=True, validate=PHONE)
    FromNumber = fields.String(validate=DIALLED)
    VirtualNumber = fields.String(validate=PHONE)
    DialWhomNumber = fields.String(validate=DIALLED)
    CallSid = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$", error="must be a call sid"))
    CallStatus = fields.String(validate=validate.Length(max=64))
    CallState = fields.String(validate=validate.Length(max=64))
    TotalDuration = fields.Integer(strict=True, validate=validate.Range(min=0, max=10**7))
    CallRecordings = fields.String(validate=validate.Length(max=2048))
    TicketId = fields.String(validate=validate.Length(max=128))
    CallDetail = fields.String(validate=validate.Length(max=256))

    @post_load
    def _names(self, data, **kwargs):
        names = {"AppUserID": "app_user_id", "ToNumber": "to_number", "FromNumber": "from_number",
                 "VirtualNumber": "virtual_number", "DialWhomNumber": "dial_whom", "CallSid": "sid",
                 "CallStatus": "status", "CallState": "state", "TotalDuration": "duration",
                 "CallRecordings": "recordings", "TicketId": "ticket", "CallDetail": "detail"}
        return {names[k]: v for k, v in data.items()}


# ---- fixtures -------------------------------------------------------------------------------------------


class FixtureUser(UserBody):
    """A user as fixtures give it: the request's fields, plus the generated ones to pin if wanted."""

    class Meta:
        unknown = "raise"

    exotel_user_id = fields.String(data_key="ExotelUserId", validate=SECRET)
    phone_device_id = fields.String(data_key="PhoneDeviceID", validate=SECRET)
    sip_device_id = fields.String(data_key="SipDeviceID", validate=SECRET)
    active_device = fields.String(data_key="ActiveDevice", validate=validate.OneOf(("",) + DEVICES))
    role = fields.String(data_key="Role", validate=NAME)
    sip_id = fields.String(data_key="SipId", validate=validate.Regexp(r"^sip:[A-Za-z0-9._-]{1,64}$"))
    sip_secret = fields.String(data_key="SipSecret", validate=SECRET)


class FixtureApp(AppBody):
    class Meta:
        unknown = "raise"

    id = fields.String(data_key="AppID", required=True, validate=SECRET)
    secret = fields.String(data_key="AppSecret", required=True, validate=SECRET)
    settings = fields.Dict(data_key="Settings", keys=fields.String(validate=SETTING_KEY), values=fields.String(),
                           load_default=dict)
    users = fields.List(fields.Nested(FixtureUser), data_key="Users", load_default=list)

    @validates_schema
    def _settings(self, data, **kwargs):
        for key, value in data.get("settings", {}).items():
            try:
                check_setting(key, value)
            except ValidationError as exc:
                raise ValidationError({"Settings": {key: exc.normalized_messages()["Value"]}}) from None
        _unique_ids(data.get("users", []))


class FixtureCustomer(ControlCustomer):
    class Meta:
        unknown = "raise"

    apps = fields.List(fields.Nested(FixtureApp), data_key="Apps", load_default=list)


class FixtureFile(Schema):
    customers = fields.List(fields.Nested(FixtureCustomer), load_default=list)


# ---- snapshots: the model's dump (attribute names, not the wire's), checked with the fixtures' rules ----


class UserState(Strict):
    app_user_id = fields.String(required=True, validate=APP_USER_ID)
    username = fields.String(required=True, validate=full_name)
    email = fields.Email(required=True)
    account_sid = fields.String(required=True, validate=SID)
    exotel_user_name = fields.String(required=True, validate=full_name)
    virtual_number = fields.String(required=True, validate=PHONE)
    agent_number = fields.String(required=True, validate=OPTIONAL_PHONE)
    exotel_user_id = fields.String(required=True, validate=SECRET)
    phone_device_id = fields.String(required=True, validate=SECRET)
    sip_device_id = fields.String(required=True, validate=SECRET)
    active_device = fields.String(required=True, validate=validate.OneOf(("",) + DEVICES))
    role = fields.String(required=True, validate=NAME)
    sip_id = fields.String(required=True, validate=validate.Regexp(r"^sip:[A-Za-z0-9._-]{1,64}$"))
    sip_secret = fields.String(required=True, validate=SECRET)
    is_active = StrictBoolean(required=True)


class AppState(Strict):
    id = fields.String(required=True, validate=SECRET)
    secret = fields.String(required=True, validate=SECRET)
    customer_id = fields.String(required=True, validate=SECRET)
    name = fields.String(required=True, validate=NAME)
    account_sid = fields.String(required=True, validate=SID)
    api_key = fields.String(required=True, validate=SECRET)
    api_token = fields.String(required=True, validate=SECRET)
    domain = fields.String(required=True, validate=domain)
    is_active = StrictBoolean(required=True)
    created = Timestamp(required=True)
    updated = Timestamp(required=True)
    settings = fields.Dict(keys=fields.String(validate=SETTING_KEY), values=fields.String(), required=True)
    users = fields.List(fields.Nested(UserState), required=True)

    @validates_schema
    def _settings_and_users(self, data, **kwargs):
        for key, value in data.get("settings", {}).items():
            try:
                check_setting(key, value)
            except ValidationError as exc:
                raise ValidationError({"settings": {key: exc.normalized_messages()["Value"]}}) from None
        _unique_ids(data.get("users", []))


class CustomerState(Strict):
    id = fields.String(required=True, validate=SECRET)
    secret = fields.String(required=True, validate=SECRET)
    name = fields.String(required=True, validate=NAME)
    email = fields.Email(required=True)
    created = Timestamp(required=True)
    updated = Timestamp(required=True)
    apps = fields.List(fields.Nested(AppState), required=True)


class TokenState(Strict):
    value = fields.String(required=True, validate=validate.Length(min=1, max=512))
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))
    owner = fields.String(required=True, validate=SECRET)
    expires = fields.Float(required=True, allow_nan=False)


class State(Strict):
    """``Integrations.dump()``."""

    customers = fields.List(fields.Nested(CustomerState), required=True)
    tokens = fields.List(fields.Nested(TokenState), required=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        customers = data.get("customers", [])
        apps = [a for c in customers for a in c["apps"]]
        for kind, ids in (("customer", [c["id"] for c in customers]), ("app", [a["id"] for a in apps])):
            if len(set(ids)) != len(ids):
                raise ValidationError(f"a {kind} id is listed twice", "customers")
        if any(a["customer_id"] != c["id"] for c in customers for a in c["apps"]):
            raise ValidationError("an app names another customer than the one holding it", "customers")
        owners = {"customer": {c["id"] for c in customers}, "app": {a["id"] for a in apps}}
        if any(t["owner"] not in owners[t["entity"]] for t in data.get("tokens", [])):
            raise ValidationError("a token belongs to no customer or app of the snapshot", "tokens")
