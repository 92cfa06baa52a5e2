"""Schemathesis against the real ``exotel-emulator serve``, driven by the document it serves at
``/_emulator/openapi.json``: for every operation, generated requests (the documented examples, the boundary
values of each schema, then random ones) must never get a 5xx, and every answer must have a documented status,
content type and body.

Deterministic (a fixed seed, derandomized) and bounded: a few random examples an operation, the state reset
after any request that could spoil the next ones. The server runs with sockets that reach loopback only, and
every URL it is handed points at a closed loopback port, so callbacks and flows the generated requests
configure never leave the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from contract_tests.conftest import command, openapi_document

# Per operation: enough for the coverage phase's boundary values and a few random requests, and the whole run
# stays well under two minutes on a 2-core machine (docs/openapi.md).
MAX_EXAMPLES = 5
SEED = 15
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance")
# Where every generated URL points: a loopback port nothing listens on (the discard port).
DEAD_END = "http://127.0.0.1:9"

# Imported first by the server's interpreter (PYTHONPATH): name resolution and connections to anything but
# loopback fail, whatever URL a generated request configures.
LOOPBACK_ONLY = textwrap.dedent('''
    import ipaddress, socket

    def _loopback(host):
        if host in (None, "localhost") or str(host).endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(str(host).strip("[]").split("%")[0]).is_loopback
        except ValueError:
            return False

    _getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"loopback only: {host}")
        return _getaddrinfo(host, *args, **kwargs)

    _connect = socket.socket.connect

    def connect(self, address):
        if isinstance(address, tuple) and not _loopback(address[0]):
            raise ConnectionRefusedError(f"loopback only: {address[0]}")
        return _connect(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
''')


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loopback-only")
    (folder / "sitecustomize.py").write_text(LOOPBACK_ONLY)
    env = dict(os.environ, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen(command() + ["serve", "--port", "0", "--journal-size", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert "listening on" in lines[0], lines
        base = lines[0].split("listening on ")[1].strip()
        sid, key, token = (part.split("=", 1)[1] for part in lines[1].split()[1:])
        yield {"url": base, "sid": sid, "api_key": key, "api_token": token}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# The twin of an operation another one serves with the same handler and schemas (the classic API's XML form,
# v2_beta's .json form, the whitelist's slash): random requests only, the twin takes the boundary values.
TWINS = r"^/v1/Accounts/[^.]*$|^/v2_beta/.+\.json$"


def _schema():
    """The document, generated in-process so pytest can collect one test per operation (the one the server
    serves is the same, ``test_the_served_document_is_the_generated_one``)."""
    from schemathesis.config import SchemathesisConfig

    schemathesis.openapi.format("uri", st.sampled_from([f"{DEAD_END}/hook", f"{DEAD_END}/flow?x=1"]))
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": ["patch"]}},
        "operations": [{"include-path-regex": TWINS, "phases": {"coverage": {"enabled": False}}}],
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    })
    return schemathesis.openapi.from_dict(openapi_document(), config=config)


schema = _schema()


def test_the_served_document_is_the_generated_one(world):
    served = world.http.get(world.url + "/_emulator/openapi.json")
    assert served.status_code == 200 and served.headers["Content-Type"] == "application/json"
    assert served.json() == openapi_document()


class World:
    """The shipped account and app, and a state reset before a request whenever the one before could have
    spoilt it, with tokens issued afresh after each reset."""

    def __init__(self, server: dict):
        from emulator.core.fixtures import default_dir

        self.url, self.sid = server["url"], server["sid"]
        self.basic = (server["api_key"], server["api_token"])
        self.http = requests.Session()
        self.http.trust_env = False
        customer = json.loads((default_dir() / "integrations" / "default.json").read_text())["customers"][0]
        app = customer["Apps"][0]
        self.app_id = app["AppID"]
        self.entities = {"customerToken": ("customer", customer["Id"], customer["Secret"]),
                         "appToken": ("app", app["AppID"], app["AppSecret"])}
        self.dirty, self.tokens = True, {}

    def fresh(self) -> None:
        if self.dirty:
            assert self.http.post(self.url + "/_emulator/reset").status_code == 200
            self.tokens, self.dirty = {}, False

    def answered(self, method: str, path: str, status: int) -> None:
        # what could spoil the next requests: a fault, a rate limit, a restored state, a clock months ahead, a
        # deleted customer or app (other changes only add numbers, allocations, calls...); a refused request
        # changes nothing, and the rate limit counts only what a fault or a limit set up beforehand
        self.dirty |= method != "GET" and path.startswith(("/_emulator/", "/v2/integrations/")) and status < 400

    def token(self, scheme: str) -> str:
        if scheme not in self.tokens:
            entity, ident, secret = self.entities[scheme]
            answer = self.http.post(self.url + "/v2/integrations/token",
                                    json={"Id": ident, "Secret": secret, "Entity": entity})
            self.tokens[scheme] = answer.json()["Data"]
        return self.tokens[scheme]


@pytest.fixture(scope="module")
def world(guarded_server):
    world = World(guarded_server)
    yield world
    world.http.close()


@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_answers_as_documented(case, world):
    world.fresh()
    # the shipped account and app, so requests get past the credentials to the rules behind them
    parameters = case.path_parameters or {}
    if "sid" in parameters:
        parameters["sid"] = world.sid
    if "app_id" in parameters:
        parameters["app_id"] = world.app_id
    schemes = [name for requirement in case.operation.definition.raw.get("security", []) for name in requirement]
    options: dict = {"base_url": world.url, "session": world.http, "timeout": 10, "allow_redirects": False}
    if "basic" in schemes:
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        options["auth"] = world.basic
    else:
        token = next((s for s in ("appToken", "customerToken") if s in schemes), None)
        if token is not None:
            options["headers"] = {"Authorization": world.token(token)}
    response = case.call(**options)
    world.answered(case.method, case.path, response.status_code)
    case.validate_response(response)
