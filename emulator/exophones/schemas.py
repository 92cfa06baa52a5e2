"""What ExoPhones requests and fixture files may contain."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from emulator.core.e164 import E164_RE
from emulator.core.fields import HttpUrl, Lenient, Strict, StrictInteger, Timestamp
from emulator.exophones.models import CONNECTIVITY, NUMBER_TYPES

PRICE = validate.Regexp(r"^\d+\.\d{6}$", error="must be a price like 499.000000")
E164 = validate.Regexp(E164_RE, error="must be an E.164 number like +918012345678")
BOOL = {"truthy": {"true", "True", True}, "falsy": {"false", "False", False}}


class AvailableQuery(Lenient):
    IncomingSMS = fields.Boolean(**BOOL)
    InRegion = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="must be a telecom circle like KA"))
    Contains = fields.String(validate=validate.Regexp(r"^\+?\d{1,15}$", error="must be digits"))


class ListQuery(Lenient):
    Page = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    PageSize = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))


class UpdateBody(Lenient):
    FriendlyName = fields.String(validate=validate.Length(min=1, max=255))
    VoiceUrl = HttpUrl()
    SMSUrl = HttpUrl()


class BuyBody(UpdateBody):
    PhoneNumber = fields.String(required=True, validate=validate.Regexp(r"^\+?\d{6,15}$",
                                                                         error="must be a phone number"))


class Endpoint(Schema):
    status = fields.String(required=True, validate=validate.OneOf(CONNECTIVITY))
    alternate_exophone = fields.List(fields.String(validate=E164), allow_none=True, load_default=None)


class ConnectivityBody(Schema):
    incoming_call = fields.Nested(Endpoint)
    outgoing_call = fields.Nested(Endpoint)


# ---- fixtures -------------------------------------------------------------------------------------------


class Capabilities(Schema):
    voice = fields.Boolean(load_default=True)
    sms = fields.Boolean(load_default=False)


class Pricing(Schema):
    one_time_price = fields.String(load_default="0.000000", validate=PRICE)
    rental_price = fields.String(load_default="0.000000", validate=PRICE)
    incoming_rate = fields.String(load_default="0.000000", validate=PRICE)
    incoming_pulse = fields.String(load_default="60", validate=validate.Regexp(r"^\d+$"))


class NumberType(Pricing):
    count = fields.Integer(load_default=60, validate=validate.Range(min=0, max=100_000))
    capabilities = fields.Nested(Capabilities, load_default=lambda: {"voice": True, "sms": False})
    # the fraction of generated numbers that take incoming SMS, in place of ``capabilities.sms``
    sms_share = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1))
    # region -> patterns of the national number, '#' a random digit (Faker's numerify)
    formats = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")),
                          values=fields.List(fields.String(validate=validate.Regexp(r"^[0-9#]{4,14}$")),
                                             validate=validate.Length(min=1)),
                          required=True, validate=validate.Length(min=1))


class Country(Schema):
    country_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    country = fields.String(required=True)
    dial_code = fields.String(required=True, validate=validate.Regexp(r"^\d{1,3}$"))
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))
    trunk_prefix = fields.String(load_default="0", validate=validate.Regexp(r"^\d?$"))
    regions = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")), load_default=list)
    types = fields.Dict(keys=fields.String(validate=validate.OneOf(NUMBER_TYPES)), values=fields.Nested(NumberType),
                        required=True)


class Listing(Pricing):
    account_sid = fields.String(required=True)
    phone_number = fields.String(required=True, validate=E164)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    region = fields.String(required=True)
    number_type = fields.String(required=True, validate=validate.OneOf(NUMBER_TYPES))
    capabilities = fields.Nested(Capabilities, load_default=lambda: {"voice": True, "sms": False})
    vanity_number = fields.Boolean(load_default=False)


class Owned(Listing):
    friendly_name = fields.String(validate=validate.Length(min=1, max=255))
    voice_url = HttpUrl(allow_none=True, load_default=None)
    sms_url = HttpUrl(allow_none=True, load_default=None)


class FixtureFile(Schema):
    countries = fields.List(fields.Nested(Country), load_default=list)
    available = fields.List(fields.Nested(Listing), load_default=list)
    exophones = fields.List(fields.Nested(Owned), load_default=list)


# ---- snapshots: the model's dump, checked with the fixtures' rules before anything is restored ----------


class ListingState(Listing):
    """A number as the model keeps it: a fixture listing with its currency and without an account."""

    class Meta:
        exclude = ("account_sid",)

    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))


class EndpointState(Endpoint):
    class Meta:
        unknown = "raise"

    last_check_time = Timestamp(required=True)


class ConnectivityState(Strict):
    incoming_call = fields.Nested(EndpointState, required=True)
    outgoing_call = fields.Nested(EndpointState, required=True)


class ExoPhoneState(Strict):
    sid = fields.String(required=True, validate=validate.Regexp(r"^[^/\s]{1,64}$"))
    account_sid = fields.String(required=True)
    listing = fields.Nested(ListingState, required=True)
    friendly_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    date_created = Timestamp(required=True)
    date_updated = Timestamp(required=True)
    voice_url = HttpUrl(required=True, allow_none=True)
    sms_url = HttpUrl(required=True, allow_none=True)
    seq = StrictInteger(required=True, validate=validate.Range(min=1))
    connectivity = fields.Nested(ConnectivityState, required=True)


class HoldingsState(Strict):
    owned = fields.List(fields.Nested(ExoPhoneState), required=True)
    inventory = fields.List(fields.Nested(ListingState), required=True, allow_none=True)  # None: not generated yet
    extra = fields.List(fields.Nested(ListingState), required=True)

    @validates_schema
    def _unique(self, data, **kwargs):
        owned = data.get("owned", [])
        for key in ("sid", "seq"):
            if len({p[key] for p in owned}) != len(owned):
                raise ValidationError(f"two owned ExoPhones have the same {key}", "owned")
        if len({p["listing"]["phone_number"] for p in owned}) != len(owned):
            raise ValidationError("a number is owned twice", "owned")


class State(Strict):
    """``ExoPhones.dump()``."""

    countries = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Z]{2}$")), values=fields.Nested(Country),
                            required=True)
    accounts = fields.Dict(keys=fields.String(), values=fields.Nested(HoldingsState), required=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        for code, country in data.get("countries", {}).items():
            if country["country_code"] != code:
                raise ValidationError(f"{code} holds country {country['country_code']}", "countries")
        for sid, holdings in data.get("accounts", {}).items():
            if any(p["account_sid"] != sid for p in holdings["owned"]):
                raise ValidationError(f"an ExoPhone of {sid} names another account", "accounts")
