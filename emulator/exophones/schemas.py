"""What ExoPhones requests and fixture files may contain."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from emulator.core.fields import E164_RE, HttpUrl, Lenient

NUMBER_TYPES = ("Landline", "Mobile", "TollFree")
CONNECTIVITY = ("active", "major_outage", "partial_network_outage")
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
