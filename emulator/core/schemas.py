"""What the core reads besides requests: accounts, a fixtures directory's accounts.json, and state snapshots.

Like every schema module, imported when first used (``emulator.core.request``), not at start-up.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from emulator.core.auth import Account, clashes
from emulator.core.fields import Strict
from emulator.core.snapshot import FORMAT, VERSION

SID = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="must be 1-64 letters, digits, '_', '.' or '-'")


class AccountSchema(Schema):
    sid = fields.String(required=True, validate=SID)
    api_key = fields.String(required=True, validate=validate.Length(min=1, max=128))
    api_token = fields.String(required=True, validate=validate.Length(min=1, max=128))


class AccountsFile(Schema):
    accounts = fields.List(fields.Nested(AccountSchema), required=True)


class ClockState(Strict):
    offset_seconds = fields.Float(required=True, allow_nan=False,
                                  validate=validate.Range(min=-100 * 365 * 86400, max=100 * 365 * 86400))


class Snapshot(Strict):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    version = fields.Integer(required=True, strict=True, validate=validate.Equal(VERSION))
    clock = fields.Nested(ClockState, required=True)
    accounts = fields.List(fields.Nested(AccountSchema), required=True)
    rate_limits = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True, validate=validate.Range(
        min=1, max=1_000_000)), required=True)
    families = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)

    @validates_schema
    def _consistent(self, data, **kwargs):
        accounts = data.get("accounts", [])
        sids = [a["sid"] for a in accounts]
        if len(set(sids)) != len(sids):
            raise ValidationError("an account sid is listed twice", "accounts")
        clash = clashes(Account(**a) for a in accounts)
        if clash:
            raise ValidationError(clash, "accounts")
        unknown = set(data.get("rate_limits", {})) - set(sids)
        if unknown:
            raise ValidationError(f"no such account: {', '.join(sorted(unknown))}", "rate_limits")
