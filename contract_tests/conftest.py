"""Contract tests talk HTTP to the real ``exotel-emulator serve`` command on a free loopback port."""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

DATA = Path(__file__).parent / "data"


def example(name: str):
    """A documented example as the page shows it: ``<family>/<file>`` from ``emulator/<family>/examples/`` (the
    copies of the vendor's pages the OpenAPI document is built from too), else a file of contract_tests/data/."""
    if "/" in name:
        return copy.deepcopy(documented(name).body)
    return json.loads((DATA / name).read_text())


def documented(name: str):
    """A documented example with what its family's ``examples/index.json`` says of it (``Example``)."""
    from emulator.openapi.examples import find

    return find(name)


def conforms(actual, name: str, **overrides) -> None:
    """``same_shape`` against a documented example, with its index's nullable, optional, open and untyped keys
    (the ones the OpenAPI document's schema for it has too)."""
    doc = documented(name)
    options = {"nullable": doc.nullable, "optional": doc.optional, "open": doc.open, "untyped": doc.untyped,
               **overrides}
    same_shape(actual, doc.shape(), **options)


def command() -> list[str]:
    script = Path(sys.executable).with_name("exotel-emulator")
    if script.exists():
        return [str(script)]
    found = shutil.which("exotel-emulator")
    return [found] if found else [sys.executable, "-m", "emulator"]


@pytest.fixture(scope="session")
def server():
    # --quiet: nobody reads the pipe after the first lines, and a line per request would fill it
    proc = subprocess.Popen(command() + ["serve", "--port", "0", "--quiet"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert "listening on" in lines[0], lines
        base = lines[0].split("listening on ")[1].strip()
        sid, key, token = (part.split("=", 1)[1] for part in lines[1].split()[1:])
        yield {"url": base, "sid": sid, "api_key": key, "api_token": token, "process": proc}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@functools.lru_cache(maxsize=None)
def openapi_document() -> dict:
    """The OpenAPI document of an app with the shipped fixtures, as ``serve`` serves it."""
    from emulator.app import create_app
    from emulator.openapi import document

    return document(create_app())


@pytest.fixture(scope="session")
def openapi():
    """The OpenAPI document, as schemathesis reads it."""
    import schemathesis

    return schemathesis.openapi.from_dict(openapi_document())


def conforming(session: requests.Session, openapi) -> requests.Session:
    """``session``, checking every answer it gets against the OpenAPI document: the status is documented for the
    operation, and the body has the documented type and schema (paths the document lacks are not checked)."""

    def check(response, *args, **kwargs):
        operation = openapi.find_operation_by_path(response.request.method, urlsplit(response.request.url).path)
        if operation is not None:
            assert operation.responses.find_by_status_code(response.status_code) is not None, (
                f"{operation.label} answered {response.status_code}, which the OpenAPI document does not list")
            operation.validate_response(response)

    session.hooks["response"].append(check)
    return session


@pytest.fixture
def api(server, openapi):
    """A requests session with the default credentials, against a freshly reset emulator; every answer it gets
    must conform to the OpenAPI document."""
    session = conforming(requests.Session(), openapi)
    session.trust_env = False
    session.auth = (server["api_key"], server["api_token"])
    assert session.post(server["url"] + "/_emulator/reset").status_code == 200
    session.base = server["url"]
    session.sid = server["sid"]
    yield session
    session.close()


def same_shape(actual, documented, path="$", nullable=frozenset(), optional=frozenset(), open=frozenset(),
               where="$", untyped=frozenset()):
    """Field by field: exactly the documented keys, in the documented order, with the same JSON types as the
    documented example, recursively (clients that read a body as an ordered record, or diff it against the page,
    see the order).

    ``nullable`` names the fields the page documents as possibly null elsewhere (e.g. ``voice_url``); ``optional``
    the keys, by path (``data.flow_id``, ``Calls[].Details``), that are not always there; ``open`` the objects the
    page abbreviates (or True: every object), which hold at least the documented keys, in any order; ``untyped``
    the fields (by name) whose value may be of any type, present all the same.
    """
    name = path.rsplit(".", 1)[-1]
    if name in untyped or (actual is None and name in nullable):
        return
    prefix = "" if where == "$" else where + "."
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        expected = [k for k in documented if k in actual or prefix + k not in optional]
        if open is True or where in open:
            assert set(expected) <= set(actual), f"{path}: keys {sorted(actual)} lack documented {sorted(expected)}"
        else:
            assert set(actual) == set(expected), f"{path}: keys {sorted(actual)} != documented {sorted(expected)}"
            assert list(actual) == expected, f"{path}: keys in the order {list(actual)}, documented {expected}"
        for key in expected:
            same_shape(actual[key], documented[key], f"{path}.{key}", nullable, optional, open, prefix + key, untyped)
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        for i, item in enumerate(actual[:3]):
            if documented:
                same_shape(item, documented[0], f"{path}[{i}]", nullable, optional, open,
                           "[]" if where == "$" else where + "[]", untyped)
    elif documented is None:
        pass  # null in an example says nothing about the type a live value has
    else:
        kind = bool if isinstance(documented, bool) else (int, float) if isinstance(documented, (int, float)) else str
        # a JSON true is no number, though Python's bool is an int (``kind is not (int, float)`` was always true)
        number = kind == (int, float)
        assert isinstance(actual, kind) and not (number and isinstance(actual, bool)), (
            f"{path}: {actual!r} is not of the documented type of {documented!r}")


def in_documented_order(actual, documented):
    """``actual`` with its objects' keys put in the documented example's order (keys the example lacks last).

    For the tests of examples whose order is checked by a test of its own: an order gone wrong then fails
    that one test, and cannot hide what else the example checks.
    """
    if isinstance(documented, dict) and isinstance(actual, dict):
        keys = [k for k in documented if k in actual] + [k for k in actual if k not in documented]
        return {k: in_documented_order(actual[k], documented.get(k)) for k in keys}
    if isinstance(documented, list) and isinstance(actual, list) and documented:
        return [in_documented_order(item, documented[0]) for item in actual]
    return actual
