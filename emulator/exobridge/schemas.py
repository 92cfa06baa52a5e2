"""What ExoBridge requests, the control API's ExoBridge side and fixture files may contain.

Validators reuse Appendix 1's own messages for bad numbers and regions, so ``ExoBridgeError.invalid`` can
tell a 16 or a 15 from a plain 5 without a second pass over the request.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from emulator.control.schemas import PageQuery
from emulator.core.e164 import E164_RE
from emulator.core.errors import MISSING
from emulator.core.fields import HttpUrl, Lenient, Strict, StrictInteger, Timestamp
from emulator.exobridge.errors import Code, ExoBridgeError
from emulator.exobridge.models import DIAL_STATUSES, DURATION_RE

REGIONS = ("DL", "MU", "MH", "WB", "AP", "TN", "GJ", "KA", "KL", "RJ", "MP")  # documented preferences.region
NUMBER_TYPES = ("landline", "mobile")
USAGES = ("oneway", "twoway")

# "any positive integer": as large as a signed 64-bit integer, what the service most plausibly stores them in
MAX_PIN = 2**63 - 1

E164 = validate.Regexp(E164_RE, error=ExoBridgeError.codes[Code.INVALID_NUMBER][1])
REGION = validate.OneOf(REGIONS, error=ExoBridgeError.codes[Code.UNSUPPORTED_REGION][1])
DURATION = validate.Regexp(DURATION_RE, error="must be an integer followed by s, m or d, like 600s")


class Strictness(fields.Field):
    """``"true"``/``"false"`` as the examples send it, or a JSON boolean."""

    json_schema = {"enum": [True, False, "true", "false"]}

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value == "true":
            return True
        if value is False or value == "false":
            return False
        raise ValidationError('must be "true", "false" or a JSON boolean')


class Pin(StrictInteger):
    """A positive integer pin, kept exactly (Python's JSON integers are exact at any size); a fraction or an
    exponent (``1234.0``, ``1e3``) is no integer, and JSON booleans are not pins though Python counts them as ints."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(min=1, max=MAX_PIN), **kwargs)


class PinCode(fields.Field):
    """An Indian postal code: six digits, as a string (as documented) or a number."""

    json_schema = {"type": ["string", "integer"], "pattern": r"^[1-9]\d{5}$", "minimum": 100000, "maximum": 999999}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and re.fullmatch(r"[1-9]\d{5}", value):
            return value
        raise ValidationError("must be a six-digit postal code like 560041")


class Lowercase(fields.String):
    """A case-insensitive enum value, stored lowercase."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class Uppercase(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).upper()


def numbers(**kwargs) -> fields.List:
    # An empty party is an absent party: 3 (mandatory parameter not present), not 5.
    return fields.List(fields.String(validate=E164), validate=validate.Length(min=1, error=MISSING), **kwargs)


def pins() -> fields.List:
    return fields.List(Pin(), allow_none=True)


class Preferences(Lenient):
    greenvn = fields.String(validate=E164, allow_none=True)
    region = Uppercase(validate=REGION, allow_none=True)
    pin_code = PinCode(allow_none=True)
    type_ = Lowercase(data_key="type", validate=validate.OneOf(NUMBER_TYPES), allow_none=True)
    number_type = Lowercase(validate=validate.OneOf(NUMBER_TYPES), allow_none=True)

    @validates_schema
    def _one_type(self, data, **kwargs):
        if data.get("type_") and data.get("number_type") and data["type_"] != data["number_type"]:
            raise ValidationError("type and number_type disagree", "number_type")


class DeallocationPolicy(Lenient):
    duration = fields.String(validate=DURATION, allow_none=True)


class VnChoice(Lenient):
    """The part of a request that picks a VN: allocation and the VN update share it."""

    strictness = Strictness(load_default=False, allow_none=True)
    preferences = fields.Nested(Preferences, allow_none=True)


class Terms(Lenient):
    """The call flow and the deallocation policy: allocation and both updates take them."""

    deallocation_policy = fields.Nested(DeallocationPolicy, allow_none=True)
    flow_id = fields.String(validate=validate.Length(min=1, max=255), allow_none=True)


class Allocate(VnChoice, Terms):
    connection_id = fields.String(required=True, validate=[validate.Length(min=1, error=MISSING),
                                                            validate.Length(max=255)])
    aparty_numbers = numbers(required=True)
    bparty_numbers = numbers(required=True)
    aparty_pins = pins()
    bparty_pins = pins()
    usage = fields.String(required=True, validate=validate.OneOf(USAGES))


class UpdateVn(VnChoice, Terms):
    pass


class UpdateCallParty(Terms):
    aparty_numbers = numbers()
    bparty_numbers = numbers()
    aparty_pins = pins()
    bparty_pins = pins()
    usage = fields.String(validate=validate.OneOf(USAGES))

    @validates_schema
    def _a_party_or_b_party(self, data, **kwargs):
        # "make sure that at least one of the A-party number or B-party number is present"
        if "aparty_numbers" not in data and "bparty_numbers" not in data:
            raise ValidationError(MISSING, "aparty_numbers")


# ---- the control API's ExoBridge side ---------------------------------------------------------------


class Callbacks(Strict):
    call_event = HttpUrl(allow_none=True)
    deallocation = HttpUrl(allow_none=True)
    verification_success = HttpUrl(allow_none=True)
    verification_failed = HttpUrl(allow_none=True)


class TenantConfig(Strict):
    """PUT /_emulator/accounts/<sid>/exobridge: any subset of the tenant's settings."""

    vn_pool = fields.List(fields.String(validate=E164), validate=validate.Length(max=10_000))
    vn_regions = fields.Dict(keys=fields.String(validate=E164), values=Uppercase(validate=REGION))
    vn_types = fields.Dict(keys=fields.String(validate=E164), values=Lowercase(validate=validate.OneOf(NUMBER_TYPES)))
    flows = fields.List(fields.String(validate=validate.Length(min=1, max=255)))
    default_deallocation = fields.String(validate=DURATION)
    insights = fields.Boolean(truthy={True}, falsy={False})
    callbacks = fields.Nested(Callbacks)

    @validates_schema
    def _unique_pool(self, data, **kwargs):
        pool = data.get("vn_pool", [])
        if len(set(pool)) != len(pool):
            raise ValidationError("a number is listed twice", "vn_pool")


class KeyedPin(fields.Field):
    """A pin as a caller keys it on the phone: digits, sent as a JSON number or a string; kept as text."""

    json_schema = {"type": ["string", "integer"], "pattern": r"^\d{1,19}$", "minimum": 0, "maximum": MAX_PIN}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PIN:
            return str(value)
        if isinstance(value, str) and re.fullmatch(r"\d{1,19}", value) and int(value) <= MAX_PIN:
            return value
        raise ValidationError("must be the digits of a pin, like 1234")


class AllocationsQuery(PageQuery):
    """GET /_emulator/accounts/<sid>/exobridge/allocations."""

    state = fields.String(validate=validate.OneOf(("active", "vault")))


class SimulatedCall(Strict):
    """POST /_emulator/accounts/<sid>/exobridge/calls."""

    greenvn = fields.String(required=True, validate=E164)
    from_ = fields.String(data_key="from", required=True, validate=E164)
    pin = KeyedPin(allow_none=True, load_default=None)
    dial_call_status = fields.String(load_default="completed", validate=validate.OneOf(DIAL_STATUSES))
    duration = fields.Integer(strict=True, load_default=30, validate=validate.Range(min=0, max=86_400))


# ---- fixtures ------------------------------------------------------------------------------------------


class VnFixture(Schema):
    number = fields.String(required=True, validate=validate.Regexp(E164_RE, error="must be an E.164 number"))
    region = Uppercase(load_default=None, allow_none=True,
                       validate=validate.OneOf(REGIONS, error=f"must be one of {', '.join(REGIONS)}"))
    type = Lowercase(load_default=None, allow_none=True, validate=validate.OneOf(NUMBER_TYPES))


class TenantFixture(Strict):
    vn_pool = fields.List(fields.Nested(VnFixture))
    flows = fields.List(fields.String(validate=validate.Length(min=1, max=255)))
    default_deallocation = fields.String(validate=DURATION)
    insights = fields.Boolean(truthy={True}, falsy={False})
    callbacks = fields.Nested(Callbacks)


class NamedTenantFixture(TenantFixture):
    sid = fields.String(required=True)


class FixtureFile(Strict):
    # applied to every account (the shipped ones and those created through the control API)
    default_tenant = fields.Nested(TenantFixture)
    # per-account overrides, applied after the default
    tenants = fields.List(fields.Nested(NamedTenantFixture), load_default=list)


# ---- snapshots: the model's dump; tenants are in the fixture shape and checked by the fixture schema ----


class AllocationState(Strict):
    greenvn_id = fields.String(required=True, validate=validate.Regexp(r"^[^/\s]{1,64}$"))
    tenant = fields.String(required=True)
    connection_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    aparty_numbers = fields.List(fields.String(validate=E164), required=True, validate=validate.Length(min=1))
    bparty_numbers = fields.List(fields.String(validate=E164), required=True, validate=validate.Length(min=1))
    aparty_pins = fields.List(Pin(), required=True)
    bparty_pins = fields.List(Pin(), required=True)
    usage = fields.String(required=True, validate=validate.OneOf(USAGES))
    greenvn = fields.String(required=True, validate=E164)
    flow_id = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=255))
    state = fields.String(required=True, validate=validate.OneOf(("active", "vault")))
    created_at = Timestamp(required=True)
    expires_at = fields.Float(required=True, allow_nan=False)  # a policy may run past year 9999
    deallocated_at = Timestamp(required=True, allow_none=True)


class State(Strict):
    """``ExoBridge.dump()``."""

    default_tenant = fields.Nested(TenantFixture, required=True)
    tenants = fields.Dict(keys=fields.String(), values=fields.Nested(TenantFixture), required=True)
    allocations = fields.List(fields.Nested(AllocationState), required=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        allocations, tenants = data.get("allocations", []), data.get("tenants", {})
        if len({a["greenvn_id"] for a in allocations}) != len(allocations):
            raise ValidationError("a greenvn_id is listed twice", "allocations")
        if any((a["state"] == "vault") != (a["deallocated_at"] is not None) for a in allocations):
            raise ValidationError("deallocated_at is set for allocations in the vault, and only for them",
                                  "allocations")
        active = [(a["tenant"], a["connection_id"]) for a in allocations if a["state"] == "active"]
        if len(set(active)) != len(active):
            raise ValidationError("two active allocations of a tenant share a connection_id", "allocations")
        on_line: set = set()  # among active allocations, a number or a pin appears once per VN
        for a in allocations:
            if a["state"] == "active":
                keys = [(a["tenant"], a["greenvn"], "n", n) for n in a["aparty_numbers"] + a["bparty_numbers"]]
                keys += [(a["tenant"], a["greenvn"], "p", p) for p in a["aparty_pins"] + a["bparty_pins"]]
                if on_line.intersection(keys) or len(set(keys)) != len(keys):
                    raise ValidationError(f"allocation {a['greenvn_id']} repeats a number or pin on {a['greenvn']}",
                                          "allocations")
                on_line.update(keys)
        strangers = sorted({a["tenant"] for a in allocations} - set(tenants))
        if strangers:
            raise ValidationError(f"allocations of unknown tenants: {', '.join(strangers)}", "allocations")
