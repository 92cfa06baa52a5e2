from marshmallow import Schema, fields, validate

from emulator.core.auth import AccountSchema  # noqa: F401  (POST /_emulator/accounts takes an account)


class AdvanceSchema(Schema):
    seconds = fields.Float(required=True, validate=validate.Range(min=0, max=10 * 365 * 86400),
                           allow_nan=False)
