"""Reading requests through marshmallow schemas, and the helpers every handler shares.

A body or query that does not parse or fails its schema raises ``Refused``/``Invalid``; the app renders
it in the envelope of the family whose path it is, so handlers never name an error class.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from flask import current_app, request
from marshmallow import Schema, ValidationError

from emulator.core.errors import ApiError, Invalid, Reason, Refused

if TYPE_CHECKING:
    from emulator.core.store import Store

F = TypeVar("F", bound=Callable[..., Any])

_schemas: dict[type[Schema], Schema] = {}


def schema(cls: type[Schema]) -> Schema:
    """One instance per schema class: marshmallow schemas are reusable and costly to build."""
    instance = _schemas.get(cls)
    if instance is None:
        instance = _schemas[cls] = cls()
    return instance


def validate(cls: type[Schema], data: Any) -> dict:
    try:
        return schema(cls).load(data)
    except ValidationError as exc:
        raise Invalid(exc.messages) from None


def json_body(*, allow_form: bool = False, default: Any = None) -> Any:
    """The parsed body: JSON, or (``allow_form``) form-encoded; an empty body is ``default``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {} if default is None else default
    if allow_form and request.mimetype == "multipart/form-data":
        return request.form.to_dict()
    if allow_form and request.mimetype != "application/json" and not raw.lstrip().startswith((b"{", b"[")):
        return _form(raw)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refused(Reason.MALFORMED, "Malformed JSON body") from None


def read_body(cls: type[Schema], *, allow_form: bool = False, default: Any = None) -> dict:
    return validate(cls, json_body(allow_form=allow_form, default=default))


def read_query(cls: type[Schema]) -> dict:
    return validate(cls, request.args.to_dict())


def body(cls: type[Schema], *, allow_form: bool = False, default: Any = None) -> Callable[[F], F]:
    """The handler gets the body, validated by ``cls``, as its first argument."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(read_body(cls, allow_form=allow_form, default=default), *args, **kwargs)

        return declare(body=cls, form=allow_form)(wrapper)  # type: ignore[return-value]

    return decorate


def query(cls: type[Schema]) -> Callable[[F], F]:
    """The handler gets the query string, validated by ``cls``, as its first argument."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(read_query(cls), *args, **kwargs)

        return declare(query=cls)(wrapper)  # type: ignore[return-value]

    return decorate


def declare(*, body: type[Schema] | Mapping[str, Any] | None = None, query: type[Schema] | None = None,
            form: bool = False, many: bool | None = False,
            security: Mapping[str, dict] | None = None) -> Callable[[F], F]:
    """What a handler reads and which credentials it takes, for the API description (``emulator.openapi``);
    nothing changes at run time. ``@body`` and ``@query`` declare theirs; a handler that reads its body or
    query itself, because its credentials are checked first, declares them with this.

    ``body`` is a schema, or a JSON Schema where no marshmallow schema reads it. ``form``: the body may come
    form-encoded too. ``many``: the body is an array of ``body`` objects (True),
    or one object or an array (None). ``security``: the security schemes it accepts, by name, any one of them
    (``{}``: it needs none), where its blueprint's ``before_request`` does not say (``require_basic.security``).
    """

    def decorate(view: F) -> F:
        for name, value in (("body_schema", body), ("query_schema", query), ("security", security)):
            if value is not None:
                setattr(view, name, value)
        if form:
            view.body_form = True  # type: ignore[attr-defined]
        if many is not False:
            view.body_many = many  # type: ignore[attr-defined]
        return view

    return decorate


def _form(raw: bytes) -> dict:
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (ValueError, UnicodeDecodeError):
        raise Refused(Reason.MALFORMED, "Malformed form body") from None


def store() -> "Store":
    """The current app's ``Store``."""
    return current_app.extensions["exotel_emulator"]


def known_account(sid: str | None = None) -> None:
    """Control endpoints that name an account answer 404 for one that does not exist (as a
    ``before_request``, the sid comes from the path)."""
    sid = sid if sid is not None else (request.view_args or {})["sid"]
    if sid not in store().accounts:
        raise Refused(Reason.NOT_FOUND, f"account {sid} not found")


def render(error: ApiError):
    """The one way an error becomes a response: its family's envelope, in the envelope's encoding, with
    its status."""
    return error.response(), error.status
