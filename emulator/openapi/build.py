"""The OpenAPI 3.1 document, generated from the app itself: every rule of its URL map, the schemas its handlers
declare (``@req.body``, ``@req.query``, ``@req.declare``) converted by apispec, the envelope each path's
family answers errors in (``ApiError.schema``), and the documented examples of ``emulator/<family>/examples``.

Nothing here is written twice: a new endpoint appears with its parameters, body and errors as soon as its
blueprint is registered, and with its answers once its family's examples name it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Iterable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

import emulator
from emulator.core.gate import CONTROL_PREFIX
from emulator.core.request import SchemaRef, schema_class
from emulator.openapi import examples as documented

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.routing import Rule

    from emulator.core.errors import ApiError
    from emulator.core.family import Family

BODY_METHODS = {"POST", "PUT", "PATCH"}
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
# Where the control API takes a token (``serve --control-token``): optional, since without one it takes none.
CONTROL_TOKEN = {"controlToken": {
    "type": "http", "scheme": "bearer",
    "description": "Only when the emulator was started with --control-token T: Authorization: Bearer T."}}
# What Werkzeug's default converter matches, for a converter without a regex of its own
PLAIN_SEGMENT = "[^/]+"

DESCRIPTION = """\
A local emulator of Exotel's HTTP APIs: ExoPhones, ExoBridge, Integrations and the classic v1 Voice and SMS API,
plus the emulator's own control API under `/_emulator/`, all on one port. Paths are the production ones (each
tag names its production hosts).

Every error comes in the envelope of the family whose path was asked, with the family's documented codes;
the classic v1 API answers XML, or JSON on paths ending in `.json`. A 5xx comes only from a fault injected with
`POST /_emulator/faults`. Answers carry the documented fields in the documented order (JSON Schema cannot
say the order; the examples show it).

Generated from the running code: the request schemas are the ones the handlers validate with, and the answer
schemas are derived from the documented examples the contract tests compare the emulator with.
"""


def build(app: "Flask") -> dict:
    store = app.extensions["exotel_emulator"]
    families: dict[str, "Family"] = store.families
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(title="exotel-emulator", version=emulator.__version__, openapi_version="3.1.0",
                   plugins=[plugin], info={"description": DESCRIPTION},
                   servers=[{"url": "/", "description": "the emulator serving this document"},
                            {"url": "http://127.0.0.1:8080", "description": "exotel-emulator serve, by default"}])
    plugin.converter.add_attribute_function(_declared_field)  # type: ignore[union-attr]

    known = documented.every(families)
    answers: dict[tuple[str, str], list[documented.Example]] = defaultdict(list)
    requests: dict[tuple[str, str], list[documented.Example]] = defaultdict(list)
    for example in known:
        for named in example.answers:
            answers[_key(named)].append(example)
        for named in example.requests:
            requests[_key(named)].append(example)

    blueprints = _blueprint_families(families)
    default_sid = next(iter(store.world.accounts)).sid if store.world.accounts else None
    schemes: dict[str, dict] = dict(CONTROL_TOKEN)
    tags: dict[str, dict] = {}
    operations: dict[str, dict[str, dict]] = defaultdict(dict)
    taken: set[str] = set()
    shared = _Shared()

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        blueprint = rule.endpoint.rpartition(".")[0]
        tag = blueprints.get(blueprint.split(".")[0], "control")
        if tag not in tags:
            tags[tag] = _tag(tag, families.get(tag))
        security = _security(app, blueprint, view, rule.rule, schemes)
        methods = sorted(m for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS"))
        for path, parameters, suffix in _paths(rule, default_sid):
            envelope = store.envelope(path)
            for method in methods:
                operation = _operation(view, method, path, envelope, parameters, plugin, answers, requests, shared)
                operation["tags"] = [tag]
                operation["operationId"] = rule.endpoint + suffix + (f".{method.lower()}" if len(methods) > 1 else "")
                while operation["operationId"] in taken:  # a view with two rules (``/ui`` and ``/ui/``)
                    operation["operationId"] += "_"
                taken.add(operation["operationId"])
                if security is not None:
                    operation["security"] = security
                operations[path][method.lower()] = operation

    for name, response in shared.settle().items():
        spec.components.response(name, response)
    for path, by_method in operations.items():
        spec.path(path=path, operations=by_method)
    for name, scheme in schemes.items():
        spec.components.security_scheme(name, scheme)
    for described in tags.values():
        spec.tag(described)
    document = spec.to_dict()
    hooks = _webhooks(known)
    if hooks:
        document["webhooks"] = hooks
    return _portable(document)


def _operation(view: Any, method: str, path: str, envelope: type["ApiError"], parameters: list[dict],
               plugin: MarshmallowPlugin, answers: dict, requests: dict, shared: "_Shared") -> dict[str, Any]:
    key = (method, path)
    operation: dict[str, Any] = {"summary": _summary(view)}
    parameters = parameters + _query(plugin, _declared(view, "query_schema"))
    if parameters:
        operation["parameters"] = parameters
    body = _declared(view, "body_schema")
    if body is not None and method in BODY_METHODS:
        operation["requestBody"] = _request_body(view, body, requests.get(key, []))
    responses, named = _responses(envelope, path, answers.get(key, []), vendor=not path.startswith(
        CONTROL_PREFIX), twin=(method, path + ".json") in answers)
    operation["responses"] = shared.offer(responses, named, envelope.media_type(path))
    return operation


def _declared(view: Any, kind: str) -> Any:
    """The schema class a view declares (``emulator.core.request.declare``), or its JSON Schema, or None."""
    declared = getattr(view, kind, None)
    return schema_class(declared) if isinstance(declared, SchemaRef) else declared


# ---- paths and parameters ----------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _paths(rule: "Rule", default_sid: str | None) -> Iterable[tuple[str, list[dict], str]]:
    """The OpenAPI paths of a rule with their path parameters, and the suffix naming their operations: one
    path per literal of a converter that declares ``variants`` (the classic API's optional ``.json``)."""
    converters = getattr(rule, "_converters", {})
    variants: tuple[str, ...] = ("",)
    parameters = []

    def segment(match: re.Match) -> str:
        nonlocal variants
        converter = converters.get(match.group(1))
        if getattr(converter, "variants", None) is not None:
            variants = tuple(converter.variants)  # type: ignore[union-attr]
            return "\0"
        parameters.append(_path_parameter(match.group(1), converter, default_sid))
        return "{" + match.group(1) + "}"

    template = _ARGUMENT.sub(segment, rule.rule)
    for literal in variants:
        yield template.replace("\0", literal), [dict(p) for p in parameters], literal


def _path_parameter(name: str, converter: Any, default_sid: str | None) -> dict:
    items = getattr(converter, "items", None)
    if items is not None:
        schema: dict = {"type": "string", "enum": sorted(items)}
    else:
        regex = getattr(converter, "regex", PLAIN_SEGMENT)
        schema = {"type": "string", "pattern": f"^{regex}$"}
    parameter = {"name": name, "in": "path", "required": True, "schema": schema}
    if name == "sid" and default_sid is not None:
        parameter["example"] = default_sid
        parameter["description"] = "The account (ExoBridge: tenant) sid; a bare serve has " + default_sid
    return parameter


def _query(plugin: MarshmallowPlugin, schema: Any) -> list[dict]:
    if schema is None:
        return []
    return plugin.converter.schema2parameters(schema, location="query")  # type: ignore[union-attr]


# ---- bodies ----------------------------------------------------------------------------------------------


def _request_body(view: Any, body: Any, examples: list[documented.Example]) -> dict:
    many = getattr(view, "body_many", False)
    schema: Any = body
    if many is True:
        schema = {"type": "array", "items": body, "minItems": 1}
    elif many is None:
        schema = {"anyOf": [body, {"type": "array", "items": body, "minItems": 1}]}
    json_content: dict[str, Any] = {"schema": schema}
    if examples:
        json_content["examples"] = {_example_key(e): _example(e) for e in examples}
    content = {"application/json": json_content}
    description = "JSON."
    if getattr(view, "body_form", False):
        for media_type in FORMS:
            content[media_type] = {"schema": schema}
        description = ("JSON, or form-encoded: a form names nested values with brackets (`Messages[0][To]=...`, "
                       "`StatusCallbackEvents[0]=terminal`) and repeats a name for several values (`To=a&To=b`).")
    return {"required": many is not False or _has_required(body), "description": description, "content": content}


def _has_required(body: Any) -> bool:
    if isinstance(body, dict):
        return bool(body.get("required"))
    cls = resolve_schema_cls(body)
    assert isinstance(cls, type)
    return any(field.required for field in cls().fields.values())


# ---- answers ---------------------------------------------------------------------------------------------


def _responses(envelope: type["ApiError"], path: str, examples: list[documented.Example], vendor: bool,
               twin: bool = False) -> tuple[dict[str, dict], dict[str, str]]:
    """The responses by status, and their names (``_Shared``)."""
    by_status: dict[int, list[documented.Example]] = defaultdict(list)
    for example in examples:
        by_status[example.status].append(example)
    responses: dict[str, dict] = {}
    named: dict[str, str] = {}
    if not any(status < 400 for status in by_status):
        # no example names it yet: any success, in the encoding of the path (a new endpoint starts here)
        media_type = envelope.media_type(path)
        text = ("Success: what the path with .json answers, in this encoding" if twin
                else "Success (its answer has no documented example yet)")
        responses["2XX"] = {"description": text, "content": {
            media_type: {"schema": {"type": "string"} if media_type != "application/json" else {}}}}
        named["2XX"] = "JsonTwin_2XX" if twin else "Undocumented_2XX"
    for status in sorted(by_status):
        if status < 400:
            responses[str(status)] = _answer(status, by_status[status])
    for status in sorted(set(envelope.statuses) | {s for s in by_status if s >= 400}):
        responses[str(status)] = _error(envelope, path, status, by_status.get(status, []))
        named[str(status)] = f"{envelope.__name__}_{status}"
    for status, these in by_status.items():  # a response with examples is named after them, whatever its status
        named[str(status)] = "_".join(dict.fromkeys(_answer_name(e) for e in these)) + f"_{status}"
    if vendor:
        responses["5XX"] = _error(envelope, path, None, [])
        named["5XX"] = f"{envelope.__name__}_5XX"
    return responses, named


class _Shared:
    """The responses several operations give alike, each once in ``components/responses``, where the operations
    refer to it (``{"$ref": "#/components/responses/<name>"}``); a response no other operation gives stays
    inline. Their names say what they are: ``<Envelope>_<status>`` for an error without examples (``5XX``: an
    injected fault), with its encoding where the envelope answers that status in two (the classic API's
    ``VoiceError_404_json`` and ``VoiceError_404_xml``); ``Undocumented_2XX`` and ``JsonTwin_2XX`` for a success
    without one; an answer with examples (which the operations they name share) theirs: ``control.state_200``."""

    def __init__(self) -> None:
        # a response's JSON -> its name, its encoding, the response, and where operations list it
        self._seen: dict[str, tuple[str, str, dict, list[tuple[dict, str]]]] = {}

    def offer(self, responses: dict[str, dict], named: dict[str, str], media_type: str) -> dict[str, dict]:
        """An operation's ``responses``, named by status; ``settle`` replaces the shared ones with references."""
        for status, response in responses.items():
            entry = self._seen.setdefault(json.dumps(response, sort_keys=True),
                                          (named[status], media_type, response, []))
            entry[3].append((responses, status))
        return responses

    def settle(self) -> dict[str, dict]:
        """The shared responses by name (sorted), each operation listing a reference to them instead."""
        encodings: dict[str, set[str]] = defaultdict(set)
        for name, encoding, _, _ in self._seen.values():
            encodings[name].add(encoding)
        components: dict[str, dict] = {}
        for name, encoding, response, places in self._seen.values():
            if len(places) == 1:
                continue
            if len(encodings[name]) > 1:
                name += "_" + encoding.rpartition("/")[2]
            base, n = name, 1
            while name in components:  # two different answers under one name: numbered, never one lost
                n += 1
                name = f"{base}_{n}"
            components[name] = response
            for responses, status in places:
                responses[status] = {"$ref": f"#/components/responses/{name}"}
        return dict(sorted(components.items()))


def _answer(status: int, examples: list[documented.Example]) -> dict:
    content: dict[str, dict] = {}
    for media_type in dict.fromkeys(e.content_type for e in examples):
        these = [e for e in examples if e.content_type == media_type]
        schemas = list({repr(s): s for s in (e.schema() for e in these)}.values())
        entry: dict[str, Any] = {"schema": schemas[0] if len(schemas) == 1 else {"anyOf": schemas}}
        shown = [e for e in these if e.body is not None]
        if shown:
            entry["examples"] = {_example_key(e): _example(e) for e in shown}
        content[media_type] = entry
    response: dict[str, Any] = {"description": _phrase(status), "content": content}
    notes = [e.note for e in examples if e.note]
    if notes:
        response["description"] += ". " + " ".join(dict.fromkeys(notes))
    if status == 302:
        response["headers"] = {"Location": {"schema": {"type": "string"}, "description": "where it leads"}}
    return response


def _error(envelope: type["ApiError"], path: str, status: int | None, examples: list[documented.Example]) -> dict:
    media_type = envelope.media_type(path)
    schema = envelope.schema(status) if media_type == "application/json" else {
        "type": "string", "description": "The JSON envelope's elements under <TwilioResponse>."}
    entry: dict[str, Any] = {"schema": schema}
    shown = [e for e in examples if e.content_type == media_type and e.body is not None]
    if shown:
        entry["examples"] = {_example_key(e): _example(e) for e in shown}
    response: dict[str, Any] = {"description": _error_description(envelope, status), "content": {media_type: entry}}
    headers = {name: {"schema": {"type": "string"}, "description": text} for name, text in envelope.headers.items()}
    if status == 429:
        headers["Retry-After"] = {"schema": {"type": "string"},
                                  "description": "seconds until the rate limit admits a request"}
    elif status == 405:
        headers["Allow"] = {"schema": {"type": "string"}, "description": "the methods the path takes"}
    if headers:
        response["headers"] = headers
    return response


def _error_description(envelope: type["ApiError"], status: int | None) -> str:
    if status is None:
        return "An injected fault (POST /_emulator/faults): never otherwise."
    text = f"{_phrase(status)}, in the {envelope.__name__} envelope"
    codes = [f"{code}: {message}" for code, (documented_status, message) in sorted(envelope.codes.items())
             if documented_status == status]
    return text + (f"; codes {'; '.join(codes)}" if codes else "") + "."


def _example(example: documented.Example) -> dict:
    value = example.shape()
    return {"summary": example.source, "value": value} if not example.note else {
        "summary": example.source, "description": example.note, "value": value}


def _example_key(example: documented.Example) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", example.name)


def _answer_name(example: documented.Example) -> str:
    """``exophones.available_countries.countries.0`` for ``exophones/available_countries.json#countries.0``."""
    return re.sub(r"[^A-Za-z0-9_]+", ".", re.sub(r"\.(?:json|xml)\b", "", example.name))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _webhooks(known: list[documented.Example]) -> dict:
    grouped: dict[str, list[documented.Example]] = defaultdict(list)
    for example in known:
        if example.webhook is not None:
            grouped[example.webhook].append(example)
    hooks = {}
    for name, these in grouped.items():
        content: dict[str, dict] = {}
        for media_type in dict.fromkeys(e.content_type for e in these):
            same = [e for e in these if e.content_type == media_type]
            schemas = [e.schema() for e in same]
            content[media_type] = {"schema": schemas[0] if len(schemas) == 1 else {"anyOf": schemas},
                                   "examples": {_example_key(e): _example(e) for e in same}}
        hooks[name] = {"post": {
            "summary": f"The {name.split('.', 1)[1]} callback the emulator POSTs to the URL configured for it",
            "requestBody": {"content": content},
            "responses": {"2XX": {"description": "Received (other answers are retried, then logged)"}}}}
    return hooks


# ---- families, tags and security -------------------------------------------------------------------------


def _blueprint_families(families: dict[str, "Family"]) -> dict[str, str]:
    """Top-level blueprint name -> its tag: the family's name, or ``control`` for a vendor family's part of the
    control API."""
    found: dict[str, str] = {}
    for name, family in families.items():
        vendor = any(not prefix.startswith(CONTROL_PREFIX) for prefix in family.envelopes)
        if family.blueprint is not None:
            found[family.blueprint.name] = name
        if family.control is not None:
            found[family.control.name] = "control" if vendor else name
    return found


def _tag(name: str, family: "Family | None") -> dict:
    if name == "control":
        return {"name": name, "description": "The emulator's own API: state, clock, faults, logs and simulations."}
    import importlib

    doc = (importlib.import_module(f"emulator.{name}").__doc__ or "").strip().split("\n\n")[0]
    hosts = ", ".join(family.hosts) if family is not None else ""
    return {"name": name, "description": " ".join(doc.split()) + (f" Production hosts: {hosts}." if hosts else "")}


def _security(app: "Flask", blueprint: str, view: Any, rule: str, schemes: dict[str, dict]) -> list[dict] | None:
    """Any one of the schemes the handler declares, else of those its blueprints' ``before_request`` checks
    declare (``require_basic.security``); under the control API, its token or none."""
    if rule.startswith(CONTROL_PREFIX):
        return [{}, {"controlToken": []}]
    declared = getattr(view, "security", None)
    parts = blueprint.split(".")
    for depth in range(len(parts), 0, -1):
        if declared is not None:
            break
        for check in app.before_request_funcs.get(".".join(parts[:depth]), ()):
            declared = getattr(check, "security", None) or declared
    if declared is None:
        return None
    schemes.update(declared)
    return [{name: []} for name in declared]


def _summary(view: Any) -> str:
    doc = (getattr(view, "__doc__", None) or "").strip()
    return doc.split("\n\n")[0].replace("\n", " ") if doc else view.__name__.replace("_", " ")


def _key(operation: str) -> tuple[str, str]:
    method, _, path = operation.partition(" ")
    return method.upper(), path


# ---- schemas ---------------------------------------------------------------------------------------------


def _schema_name(schema: Any) -> str:
    cls = resolve_schema_cls(schema)
    assert isinstance(cls, type)
    module = cls.__module__.split(".")
    return f"{module[1] if len(module) > 1 else module[0]}.{cls.__name__}"


def _declared_field(self: Any, field: Any, ret: dict, **kwargs: Any) -> dict:
    """A field's own ``json_schema`` (custom fields say what they take), nullable when it allows none."""
    declared = getattr(field, "json_schema", None)
    if declared is None:
        return {}
    schema = dict(declared() if callable(declared) else declared)
    if field.allow_none:
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        elif "anyOf" in schema:
            schema["anyOf"] = [*schema["anyOf"], {"type": "null"}]
        elif "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            schema["type"] = [*kinds, "null"]
    if "anyOf" in schema or "enum" in schema:
        ret.pop("type", None)
    return schema


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _portable(node: Any) -> Any:
    """Patterns in the syntax JSON Schema tools share (ECMA 262 and Python's): named groups become plain ones."""
    if isinstance(node, dict):
        return {k: _NAMED_GROUP.sub("(", v) if k == "pattern" and isinstance(v, str) else _portable(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_portable(v) for v in node]
    return node
