"""Schema pieces shared by the families."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from marshmallow import EXCLUDE, Schema, ValidationError, fields

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")


class Lenient(Schema):
    """A vendor request: like Exotel, ignore parameters nobody documents (cache busters, SDK extras)."""

    class Meta:
        unknown = EXCLUDE


def is_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    """An absolute URL of one of ``schemes``, with a host and no whitespace."""
    parts = urlsplit(value)
    return parts.scheme in schemes and bool(parts.hostname) and not any(c.isspace() for c in value)


def _http_url(value: str) -> None:
    if not is_url(value):
        raise ValidationError("Not a valid http(s) URL.")


class HttpUrl(fields.String):
    """An absolute http(s) URL.

    Checked with urllib rather than marshmallow's ``fields.Url``: compiling that field's regex costs
    ~60 ms, a tenth of the start-up budget, and a well-formed http(s) URL is all the APIs ask for.
    """

    # what the API description says of it (emulator.openapi reads ``json_schema`` of any field)
    json_schema = {"type": "string", "format": "uri", "pattern": "^https?://"}

    def __init__(self, **kwargs):
        super().__init__(validate=_http_url, **kwargs)


class StrictInteger(fields.Integer):
    """A JSON integer: not a string, not a float, not a boolean (which Python counts as an int)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
