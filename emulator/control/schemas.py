from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from emulator.core.faults import HTTP_METHODS
from emulator.core.fields import StrictInteger
from emulator.core.schemas import AccountSchema  # noqa: F401  (POST /_emulator/accounts takes an account)


class AdvanceSchema(Schema):
    seconds = fields.Float(required=True, validate=validate.Range(min=0, max=10 * 365 * 86400),
                           allow_nan=False)


# ---- the test tooling: faults, rate limits, the journal ---------------------------------------------


class Method(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).upper()


class FaultSchema(Schema):
    """POST /_emulator/faults."""

    method = Method(validate=validate.OneOf(HTTP_METHODS), allow_none=True)
    path = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    account = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    times = StrictInteger(validate=validate.Range(min=1), allow_none=True)
    status = StrictInteger(validate=validate.Range(min=200, max=599), allow_none=True)
    code = StrictInteger(allow_none=True)
    body = fields.Raw(allow_none=True)
    delay_ms = StrictInteger(validate=validate.Range(min=0, max=600_000), load_default=0)
    drop = fields.Boolean(truthy={True}, falsy={False}, load_default=False)

    @validates_schema
    def _one_effect(self, data, **kwargs):
        answers = "body" in data or data.get("status") is not None or data.get("code") is not None
        if data.get("path", "").startswith("/_emulator"):
            raise ValidationError("faults never apply to the control API", "path")
        if not (answers or data.get("delay_ms") or data.get("drop")):
            raise ValidationError("a fault needs status, code, body, delay_ms or drop", "_schema")
        if data.get("drop") and answers:
            raise ValidationError("a dropped connection answers nothing: no status, code or body with it", "drop")
        if "body" in data and data.get("code") is not None:
            raise ValidationError("a raw body is answered as is: give it a status, not a code", "code")
        if "body" not in data and data.get("status") is not None and data["status"] < 400:
            raise ValidationError("an error envelope needs a status of 400 or more (or give a raw body)", "status")


class RateLimitSchema(Schema):
    """PUT /_emulator/accounts/<sid>/rate_limit."""

    per_minute = StrictInteger(required=True, allow_none=True, validate=validate.Range(min=1, max=1_000_000))


# ``limit``: only the newest N entries of a log (a dashboard polling it reads a bounded answer)
LIMIT = validate.Range(min=1, max=100_000)


class JournalQuery(Schema):
    """GET /_emulator/requests."""

    method = Method(validate=validate.Length(min=1, max=16))
    path = fields.String(validate=validate.Length(min=1, max=2000))
    account = fields.String(validate=validate.Length(min=1, max=64))
    limit = fields.Integer(validate=LIMIT)


class CallbackQuery(Schema):
    """GET /_emulator/callbacks."""

    account = fields.String(validate=validate.Length(min=1, max=64))
    limit = fields.Integer(validate=LIMIT)


class PageQuery(Schema):
    """One page of a control listing (ExoPhones, allocations, customers...): ``page`` is 0-based."""

    page = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
