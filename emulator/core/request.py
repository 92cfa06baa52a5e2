"""Reading requests through marshmallow schemas, and the helpers every handler shares.

A body or query that does not parse or fails its schema raises ``Refused``/``Invalid``; the app renders
it in the envelope of the family whose path it is, so handlers never name an error class.

Modules that declare routes name their schemas without importing them: ``schemas =
Schemas("emulator.exophones.schemas")``, then ``@req.body(schemas.BuyBody)``. The schema modules, and
marshmallow with them (~100 ms together, a third of a bare Flask app's start-up), are imported by the
first request that validates through one, not when the app starts.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping, NamedTuple, TypeVar, Union

from flask import current_app, g, request

from emulator.core.errors import ApiError, Invalid, Reason, Refused

if TYPE_CHECKING:
    from marshmallow import Schema, ValidationError

    from emulator.core.store import State, Store

F = TypeVar("F", bound=Callable[..., Any])


class SchemaRef(NamedTuple):
    """A schema class named by its module and name; ``schema_class`` imports it."""

    module: str
    name: str

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


class Schemas:
    """A schemas module, named and not imported: each attribute is a ``SchemaRef`` to a schema class of it.

    Only schema classes are handed out (a CamelCase name): a constant or a function of the module must be
    imported from where it lives, never through this, which would import nothing."""

    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, name: str) -> SchemaRef:
        if not (name[:1].isupper() and not name.isupper()):
            raise AttributeError(f"{name}: Schemas({self._module!r}) names schema classes only")
        ref = self.__dict__[name] = SchemaRef(self._module, name)  # kept: the next read is a plain attribute
        return ref


SchemaLike = Union["type[Schema]", SchemaRef]

_schemas: dict[SchemaLike, "Schema"] = {}
# held while a module a request needs first (a schema module, a dashboard's) is imported, and while a schema's
# first instance is built: two requests arriving together on threads never import modules at once (Python's
# per-module import locks alone could hand one of them a half-run module when two imports wait on each other)
_loading = threading.RLock()


def imported(module: str) -> Any:
    """``module``, imported now if no request has needed it before (see ``_loading``)."""
    with _loading:
        return importlib.import_module(module)


def schema_class(cls: SchemaLike) -> "type[Schema]":
    """The schema class itself, imported on first use if ``cls`` is a ``SchemaRef``."""
    if not isinstance(cls, SchemaRef):
        return cls
    return getattr(imported(cls.module), cls.name)


# Deeper JSON is refused as malformed. No request of any API nests more than about 8 levels, and Python's
# parser (and anything recursive after it) would raise RecursionError near 1,000.
MAX_DEPTH = 64
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_AS_PARENS = bytes.maketrans(b"[]{}", b"()()")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes) -> Any:
    """The one JSON parser for bodies, snapshots and fixtures: ``json.loads`` minus what JSON is not.

    Raises ``ValueError`` for text that is not UTF-8, nests deeper than ``MAX_DEPTH``, holds NaN or
    Infinity (or a number too large for a float, which Python reads as infinity) or a lone UTF-16
    surrogate (valid JSON grammar, but no UTF-8 text can carry it: hashing or encoding it later fails).
    """
    text = raw.decode("utf-8")
    _check_depth(raw)
    value = json.loads(text, parse_constant=_not_a_number, parse_float=_finite)
    if _SURROGATE_ESCAPE.search(text):
        try:  # exact and rare: only bodies with a \uD800-\uDFFF escape pay for it
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a \\u escape is a lone UTF-16 surrogate") from None
    return value


def _check_depth(raw: bytes) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` without recursing: strings removed, brackets kept, then
    each pass deletes the innermost pairs; what is left after ``MAX_DEPTH`` passes is too deep."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return  # nearly every body: too few brackets to nest that deep
    brackets = _STRING.sub(b"", raw).translate(_AS_PARENS, _NOT_BRACKET)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return
        brackets = brackets.replace(b"()", b"")
    if brackets:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a number")
    return number


def schema(cls: SchemaLike) -> "Schema":
    """One instance per schema class: marshmallow schemas are reusable and costly to build."""
    instance = _schemas.get(cls)
    if instance is None:
        with _loading:
            instance = _schemas.get(cls)
            if instance is None:
                instance = _schemas[cls] = schema_class(cls)()
    return instance


def validation_error() -> "type[ValidationError]":
    """marshmallow's ``ValidationError``, for an ``except`` clause: Python evaluates that clause's class only
    once something was raised, so a module catching it need not import marshmallow to start."""
    from marshmallow import ValidationError

    return ValidationError


def validate(cls: SchemaLike, data: Any) -> dict:
    loader = schema(cls)
    try:
        return loader.load(data)
    except validation_error() as exc:
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
        return parse_json(raw)
    except json.JSONDecodeError:
        raise Refused(Reason.MALFORMED, "Malformed JSON body") from None
    except ValueError as exc:  # UnicodeDecodeError included
        raise Refused(Reason.MALFORMED, f"Malformed JSON body: {exc}") from None


def read_body(cls: SchemaLike, *, allow_form: bool = False, default: Any = None) -> dict:
    return validate(cls, json_body(allow_form=allow_form, default=default))


def read_query(cls: SchemaLike) -> dict:
    return validate(cls, request.args.to_dict())


def body(cls: SchemaLike, *, allow_form: bool = False, default: Any = None) -> Callable[[F], F]:
    """The handler gets the body, validated by ``cls``, as its first argument."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(read_body(cls, allow_form=allow_form, default=default), *args, **kwargs)

        return declare(body=cls, form=allow_form)(wrapper)  # type: ignore[return-value]

    return decorate


def query(cls: SchemaLike) -> Callable[[F], F]:
    """The handler gets the query string, validated by ``cls``, as its first argument."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(read_query(cls), *args, **kwargs)

        return declare(query=cls)(wrapper)  # type: ignore[return-value]

    return decorate


def declare(*, body: SchemaLike | Mapping[str, Any] | None = None, query: SchemaLike | None = None,
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


# environ key: values of this request's answer the journal must never show (a token just issued)
SECRETS = "exotel_emulator.secrets"


def conceal(value: str) -> None:
    """Keep ``value`` out of the journal's copy of this answer: for secrets in fields not named like one."""
    request.environ.setdefault(SECRETS, []).append(value)


def store() -> "Store":
    """The current app's ``Store``."""
    return current_app.extensions["exotel_emulator"]


def state() -> "State":
    """The world this request started in: read once, then kept to the request's end, so a reset meanwhile
    never hands it the new world's models after the old world's login (see ``Store``'s lock rule)."""
    pinned = g.get("exotel_emulator_state")
    if pinned is None:
        pinned = g.exotel_emulator_state = store().state
    return pinned


def known_account(sid: str | None = None) -> None:
    """Control endpoints that name an account answer 404 for one that does not exist (as a
    ``before_request``, the sid comes from the path)."""
    sid = sid if sid is not None else (request.view_args or {})["sid"]
    if sid not in state().accounts:
        raise Refused(Reason.NOT_FOUND, f"account {sid} not found")


def render(error: ApiError):
    """The one way an error becomes a response: its family's envelope, in the envelope's encoding, with
    its status."""
    return error.response(), error.status
