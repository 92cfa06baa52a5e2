"""Reading requests through marshmallow schemas; every failure becomes the family's own error."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from marshmallow import Schema, ValidationError

from emulator.core.errors import ApiError, only_missing

_schemas: dict[type[Schema], Schema] = {}


def schema(cls: type[Schema]) -> Schema:
    """One instance per schema class: marshmallow schemas are reusable and costly to build."""
    instance = _schemas.get(cls)
    if instance is None:
        instance = _schemas[cls] = cls()
    return instance


def validate(cls: type[Schema], data: Any, error: type[ApiError]) -> dict:
    try:
        return schema(cls).load(data)
    except ValidationError as exc:
        raise error.invalid(exc.messages, missing=only_missing(exc.messages)) from None


def json_body(error: type[ApiError], *, allow_form: bool = False, default: Any = None) -> Any:
    """The parsed body: JSON, or (``allow_form``) form-encoded; an empty body is ``default``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {} if default is None else default
    if allow_form and request.mimetype == "multipart/form-data":
        return request.form.to_dict()
    if allow_form and request.mimetype != "application/json" and not raw.lstrip().startswith((b"{", b"[")):
        return _form(raw, error)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise error(400, "Malformed JSON body") from None


def body(cls: type[Schema], error: type[ApiError], *, allow_form: bool = False, default: Any = None) -> dict:
    return validate(cls, json_body(error, allow_form=allow_form, default=default), error)


def query(cls: type[Schema], error: type[ApiError]) -> dict:
    return validate(cls, request.args.to_dict(), error)


def _form(raw: bytes, error: type[ApiError]) -> dict:
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (ValueError, UnicodeDecodeError):
        raise error(400, "Malformed form body") from None


def store():
    """The current app's ``Store``."""
    return current_app.extensions["exotel_emulator"]


def render(error: ApiError):
    """The one way an error becomes a response: its family's envelope with its status."""
    return current_app.json.response(error.body()), error.status
