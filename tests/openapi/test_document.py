"""The OpenAPI document: valid OpenAPI 3.1, complete (every rule of the URL map, every example), and true to the
code (errors as the envelopes build them, the schemas the handlers really read)."""

from __future__ import annotations

import functools
import inspect
import json
import re
import subprocess
import sys

import jsonschema
import pytest

from contract_tests.conftest import same_shape
from emulator.app import FAMILIES
from emulator.core.request import SchemaRef, schema_class
from emulator.openapi import document, examples


@functools.lru_cache(maxsize=None)
def _validator(schema_json: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_json)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(instance, schema: dict) -> None:
    """``jsonschema.validate``, checking each distinct schema once: checking it took most of this file's time."""
    _validator(json.dumps(schema, sort_keys=True)).validate(instance)


CONVERTER = re.compile(r"<(?:([a-z_]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")


@pytest.fixture(scope="module")
def doc(session_app) -> dict:
    return document(session_app)


def operations(doc: dict):
    """Each operation, its responses as they read with their references resolved."""
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses = {status: resolved(doc, response) for status, response in operation["responses"].items()}
            yield method.upper(), path, {**operation, "responses": responses}


def resolved(doc: dict, node: dict) -> dict:
    """``node``, or the component its ``$ref`` names (``#/components/responses/VoiceError_404_xml``)."""
    ref = node.get("$ref")
    if ref is None:
        return node
    assert ref.startswith("#/components/"), ref
    for part in ref[2:].split("/"):
        doc = doc[part]
    return doc


def shared(node, seen: dict):
    """``node`` with equal objects inside it made one object: the validator checks a schema once per object,
    and the document still repeats some (470 schemas, 200 distinct, its shared responses' counted once)."""
    if isinstance(node, dict):
        node = {key: shared(value, seen) for key, value in node.items()}
    elif isinstance(node, list):
        node = [shared(value, seen) for value in node]
    else:
        return node
    return seen.setdefault(json.dumps(node, sort_keys=True), node)


def valid_openapi_3_1(doc: dict) -> None:
    # imported here, not at the top: every xdist worker collects this file, and the import takes half a second
    from openapi_spec_validator import OpenAPIV31SpecValidator

    OpenAPIV31SpecValidator(doc).validate()


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    valid_openapi_3_1(shared(doc, {}))


def test_operations_refer_to_the_responses_they_share(doc):
    """No two operations list equal responses inline: what several answer alike (an envelope's error, an example
    two spellings of a path answer) is one response of ``components/responses``, which each refers to."""
    inline: dict[str, str] = {}
    referred: list[str] = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    referred.append(response["$ref"].removeprefix("#/components/responses/"))
                    continue
                key = json.dumps(response, sort_keys=True)
                assert key not in inline, f"{method.upper()} {path} {status} repeats {inline[key]} inline"
                inline[key] = f"{method.upper()} {path} {status}"
    components = doc["components"]["responses"]
    assert sorted(set(referred)) == list(components)  # sorted by name, and each one referred to...
    assert all(referred.count(name) > 1 for name in components)  # ...by several operations: one alone lists it
    component_keys = {json.dumps(response, sort_keys=True) for response in components.values()}
    assert len(component_keys) == len(components) and not component_keys & inline.keys()
    # readable names: the envelope and status, and the encoding where the envelope answers the status in two
    calls = doc["paths"]["/v1/Accounts/{sid}/Calls/{call_sid}"]["get"]["responses"]
    calls_json = doc["paths"]["/v1/Accounts/{sid}/Calls/{call_sid}.json"]["get"]["responses"]
    assert calls["404"] == {"$ref": "#/components/responses/VoiceError_404_xml"}
    assert calls_json["404"] == {"$ref": "#/components/responses/VoiceError_404_json"}
    assert calls_json["5XX"] == {"$ref": "#/components/responses/VoiceError_5XX_json"}


def test_two_different_shared_responses_under_one_name_are_both_kept():
    from emulator.openapi.build import _Shared

    registry, a, b = _Shared(), {"description": "one"}, {"description": "other"}
    operations = [{"404": dict(a)}, {"404": dict(a)}, {"404": dict(b)}, {"404": dict(b)}]
    for responses in operations:
        registry.offer(responses, {"404": "SomeError_404"}, "application/json")
    assert registry.settle() == {"SomeError_404": a, "SomeError_404_2": b}
    assert [r["404"]["$ref"].rpartition("/")[2] for r in operations] == [
        "SomeError_404", "SomeError_404", "SomeError_404_2", "SomeError_404_2"]


def sample_urls(rule) -> list[str]:
    """Concrete paths the rule matches, one per spelling its converters allow (``.json`` or not, Sms or SMS)."""
    urls = [""]
    position = 0
    for match in CONVERTER.finditer(rule.rule):
        literal = rule.rule[position:match.start()]
        position = match.end()
        kind, arguments = match.group(1), match.group(2)
        if kind == "any":
            values = [a.strip().strip("'\"") for a in arguments.split(",")]
        elif kind == "json_suffix":
            values = ["", ".json"]
        elif kind == "path":
            values = ["dashboard.css"]
        else:
            values = ["x1"]
        urls = [u + literal + v for u in urls for v in values]
    return [u + rule.rule[position:] for u in urls]


def template_matches(template: str, url: str) -> bool:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.fullmatch("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts), url) is not None


def test_every_rule_of_the_url_map_is_documented_with_each_of_its_methods(session_app, doc):
    """A new endpoint cannot come undocumented: every spelling of every rule, with every method but HEAD and
    OPTIONS, is an operation of the document (matched through the URL, not through the generator's own
    reading of the rule)."""
    adapter = session_app.url_map.bind("localhost")
    missing = []
    for rule in session_app.url_map.iter_rules():
        for url in sample_urls(rule):
            matched = adapter.match(url, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])[0]
            assert inspect.unwrap(session_app.view_functions[matched]) is inspect.unwrap(
                session_app.view_functions[rule.endpoint]), (url, matched, rule.endpoint)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                documented = [p for m, p, _ in operations(doc) if m == method and template_matches(p, url)]
                if not documented:
                    missing.append(f"{method} {url}")
    assert not missing, missing
    assert sum(1 for _ in operations(doc)) >= 100


def test_every_operation_has_an_answer_and_its_familys_errors(session_app, doc):
    store = session_app.extensions["exotel_emulator"]
    for method, path, operation in operations(doc):
        responses = operation["responses"]
        assert any(status < "4" for status in responses), f"{method} {path} documents no success"
        for status in store.envelope(path).statuses:
            if status != 429 or not path.startswith("/_emulator/"):
                assert str(status) in responses, f"{method} {path} lacks its envelope's {status}"
        assert ("5XX" in responses) is not path.startswith("/_emulator/"), f"{method} {path}: 5XX is for faults"


def test_every_example_names_documented_operations_and_is_shown(doc):
    ops = {(m, p): o for m, p, o in operations(doc)}
    every = examples.every(FAMILIES)
    assert len({e.name for e in every}) == len(every), "two index entries with one name"
    for example in every:
        for named in example.answers + example.requests:
            method, _, path = named.partition(" ")
            assert (method, path) in ops, f"{example.name} names {named}, which the document lacks"
        if example.body is None:
            continue
        for named in example.answers:
            content = ops[tuple(named.split(" ", 1))]["responses"][str(example.status)]["content"]
            shown = content[example.content_type].get("examples", {})
            assert any(e["value"] == example.shape() for e in shown.values()), (example.name, named)
        if example.webhook is not None:
            hook = doc["webhooks"][example.webhook]["post"]["requestBody"]["content"][example.content_type]
            assert any(e["value"] == example.shape() for e in hook["examples"].values())


@pytest.mark.parametrize("example", [e for e in examples.every(FAMILIES) if e.is_json and e.body is not None],
                         ids=lambda e: e.name)
def test_each_example_passes_its_own_schema_and_the_contract_tests_comparison(example):
    validate(example.shape(), example.schema())
    same_shape(example.shape(), example.shape(), nullable=example.nullable, optional=example.optional,
               open=example.open, untyped=example.untyped)


PAGE = {"a": 1, "b": {"c": "x", "d": [{"e": True, "f": None}]}, "g": "text"}


@pytest.mark.parametrize("actual", [
    {"a": 1, "b": {"c": "x", "d": []}},  # a key missing
    {"a": 1, "b": {"c": "x", "d": []}, "g": "t", "h": 0},  # a key the page does not have
    {"a": 1, "b": {"c": "x", "d": [], "z": 1}, "g": "t"},  # a nested key the page does not have
    {"a": "1", "b": {"c": "x", "d": []}, "g": "t"},  # a string for a number
    {"a": True, "b": {"c": "x", "d": []}, "g": "t"},  # a boolean is not a number
    {"a": 1, "b": {"c": "x", "d": {}}, "g": "t"},  # an object for an array
    {"a": 1, "b": {"c": "x", "d": [{"e": 1, "f": None}]}, "g": "t"},  # an item's field of another type
    {"a": 1, "b": {"c": "x", "d": []}, "g": None},  # null where the page shows text and says nothing of null
])
def test_an_examples_schema_refuses_what_the_contract_tests_refuse(actual):
    """The document's schema and ``same_shape`` read an example alike (key order aside: JSON Schema cannot
    say it): each difference fails both."""
    example = examples.Example(family="t", file="t.json", source="t", body=PAGE, content_type="application/json")
    with pytest.raises(AssertionError):
        same_shape(actual, PAGE)
    with pytest.raises(jsonschema.ValidationError):
        validate(actual, example.schema())


def test_annotations_loosen_the_schema_as_they_loosen_the_comparison():
    example = examples.Example(family="t", file="t.json", source="t", body=PAGE, content_type="application/json",
                               nullable=frozenset({"g"}), optional=frozenset({"b.c"}), open=frozenset({"b.d[]"}))
    actual = {"a": 2, "b": {"d": [{"e": False, "f": "y", "more": 1}]}, "g": None}
    same_shape(actual, PAGE, nullable=example.nullable, optional=example.optional, open=example.open)
    validate(actual, example.schema())


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "dashboard"])
def test_each_envelope_builds_the_body_its_schema_describes(session_app, family):
    """``ApiError.schema`` beside ``body()``: every status the envelope answers, from a bare status (routing,
    faults) and from each documented code, validates against the schema for that status and for any status."""
    store = session_app.extensions["exotel_emulator"]
    for prefix, envelope in store.families[family].envelopes.items():
        path = (prefix or "/nowhere/") + ("x.json" if prefix.startswith("/v1/") else "x")
        with session_app.test_request_context(path, method="POST"):
            errors = [envelope.from_status(status) for status in envelope.statuses + (500,)]
            errors += [envelope.of(code) for code in envelope.codes]
            for error in errors:
                validate(error.body(), envelope.schema(error.status))
                validate(error.body(), envelope.schema(None))
                with pytest.raises(jsonschema.ValidationError):  # and the status is the error's own
                    validate(error.body(), envelope.schema(499 if error.status != 499 else 498))


# ---- the handlers' declarations -----------------------------------------------------------------------------

READS = re.compile(r"\b(?:read_body|read_query|params|validate)\(\s*(?:schemas\.)?([A-Z]\w+)")


def test_every_schema_a_handler_reads_is_declared(session_app):
    """What a handler validates with is what the document describes: a handler reading a schema it does not
    declare (``@req.body``, ``@req.query``, ``@req.declare``) fails here. A schema that only wraps an array of
    the declared one (``UserList``: ``users``, a list of ``UserBody``) counts as it."""
    undeclared = []
    for endpoint, view in session_app.view_functions.items():
        handler = inspect.unwrap(view)
        declared = [_class(getattr(view, kind, None)) for kind in ("body_schema", "query_schema")]
        namespace = sys.modules[handler.__module__].__dict__
        for name in READS.findall(inspect.getsource(handler)):
            read = _class(getattr(namespace.get("schemas"), name, None) or namespace.get(name))
            if read not in declared and not any(_wraps(read, d) for d in declared if isinstance(d, type)):
                undeclared.append(f"{endpoint} reads {name}")
    assert not undeclared, undeclared


def _class(schema):
    """A schema class for a ``SchemaRef`` (how the handlers' modules name their schemas)."""
    return schema_class(schema) if isinstance(schema, SchemaRef) else schema


def _wraps(wrapper, schema) -> bool:
    fields = list(getattr(wrapper, "_declared_fields", {}).values())
    inner = getattr(getattr(fields[0], "inner", None), "nested", None) if len(fields) == 1 else None
    return inner is schema


def test_integrations_handlers_declare_the_token_they_check(session_app):
    for endpoint, view in session_app.view_functions.items():
        if not endpoint.startswith("integrations."):
            continue
        source = inspect.getsource(inspect.unwrap(view))
        security = getattr(view, "security", None)
        assert security is not None, f"{endpoint} declares no security"
        for check, scheme in (("customer", "customerToken"), ("app", "appToken")):
            calls = re.search(rf"(?<![\w.]){check}\(\)", source) is not None
            assert calls == (scheme in security), f"{endpoint}: {check}() and {scheme} go together"


def test_a_new_endpoint_is_documented_from_its_route_and_schema_alone():
    """What another family's new control endpoint gets with nothing but ``@req.body``: its path parameters,
    its body, the control token, the control envelope's errors and a success."""
    from flask import Blueprint
    from marshmallow import Schema, fields

    from emulator.app import create_app
    from emulator.core import request as req

    class Probe(Schema):
        steps = fields.List(fields.Dict(), required=True)

    bp = Blueprint("probes", __name__, url_prefix="/_emulator/accounts/<sid>/probes")

    @bp.put("/<probe_id>")
    @req.body(Probe)
    def define(data, sid, probe_id):
        return data

    app = create_app()
    app.register_blueprint(bp)
    whole = document(app)
    path = "/_emulator/accounts/{sid}/probes/{probe_id}"
    operation = whole["paths"][path]["put"]
    assert [p["name"] for p in operation["parameters"]] == ["sid", "probe_id"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith(".Probe")
    assert operation["security"] == [{}, {"controlToken": []}]
    assert {"2XX", "400", "404", "405", "413"} <= set(operation["responses"])
    # the new path with every component (the whole document's validity is the first test's: seconds more)
    valid_openapi_3_1({**whole, "paths": {path: whole["paths"][path]}})


# ---- serving and writing it ----------------------------------------------------------------------------------


def test_it_is_served_built_once_per_app(session_app, client, doc):
    first = client.get("/_emulator/openapi.json")
    assert first.status_code == 200 and first.content_type == "application/json"
    assert first.get_json() == doc
    assert client.get("/_emulator/openapi.json").data == first.data
    assert document(session_app) is doc  # the same object: built once


def test_serving_does_not_import_apispec():
    code = ("import sys; from emulator.app import create_app; app = create_app(); "
            "app.test_client().get('/_emulator/health'); print('apispec' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_the_command_writes_the_document(tmp_path, doc):
    from emulator.cli import main

    assert main(["openapi", str(tmp_path / "openapi.json")]) == 0
    assert json.loads((tmp_path / "openapi.json").read_text()) == doc
    assert main(["openapi", str(tmp_path / "no" / "such" / "folder.json")]) == 2
