"""Schema fields shared by the families."""

from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields


def _http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValidationError("Not a valid http(s) URL.")


class HttpUrl(fields.String):
    """An absolute http(s) URL.

    Checked with urllib rather than marshmallow's ``fields.Url``: compiling that field's regex costs
    ~60 ms, a tenth of the start-up budget, and a well-formed http(s) URL is all the APIs ask for.
    """

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
