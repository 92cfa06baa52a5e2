"""Schema pieces shared by the families."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from emulator.core.clock import MAX_TIME, MIN_TIME

# user info, then a host (a bracketed IPv6 address or a name without brackets), then an optional port
NETLOC_RE = re.compile(r"(?:[^@]*@)?(?:\[[^\[\]]+\]|[^\[\]@:]+)(?::\d*)?")


class Lenient(Schema):
    """A vendor request: like Exotel, ignore parameters nobody documents (cache busters, SDK extras)."""

    class Meta:
        unknown = EXCLUDE


class Strict(Schema):
    """A control body or a snapshot part: an unknown field is an error, not a silently ignored setting."""

    class Meta:
        unknown = RAISE


class Timestamp(fields.Float):
    """A time on the emulator clock (seconds since the epoch), within the years the date formats can write."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, validate=validate.Range(min=MIN_TIME, max=MAX_TIME), **kwargs)


def is_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    """An absolute URL of one of ``schemes``, with a host and no whitespace; never raises (every family's
    URL fields call it, and urllib raises ``ValueError`` for a malformed IPv6 host such as ``http://[``)."""
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number or is out of range
        return parts.scheme in schemes and bool(parts.hostname) and NETLOC_RE.fullmatch(parts.netloc) is not None
    except ValueError:
        return False


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
