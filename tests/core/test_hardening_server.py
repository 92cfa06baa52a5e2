"""What the server refuses before the app sees it still comes back as JSON in the path's family's envelope;
and the access log writes one line per request."""

from __future__ import annotations

import io
import json
import socket

import pytest
import requests

from emulator.testing import EmulatorServer
from tests.conftest import TEST_CONFIG

EXOBRIDGE_5 = {"success": False, "status": 400, "code": 5, "message": "Bad or missing parameters in Request",
               "data": None}


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(TEST_CONFIG) as running:
        yield running


def raw(server, data: bytes) -> tuple[int, str, dict]:
    """Sends bytes as they are; the status, the Content-Type and the parsed JSON body of the answer."""
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers.get("Content-Type", ""), json.loads(body)


def test_a_path_that_is_not_utf8_is_a_json_400(server):
    status, kind, body = raw(server, b"GET /v2_beta/Accounts/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (status, kind) == (400, "application/json") and body["RestException"]["Status"] == 400


def test_a_bad_content_length_is_the_familys_malformed_request(server):
    status, _, body = raw(server, b"POST /v1/tenants/exotel_emulator/greenvn HTTP/1.1\r\nHost: x\r\n"
                                  b"Content-Length: abc\r\n\r\n")
    assert (status, body) == (400, EXOBRIDGE_5)
    status, _, body = raw(server, b"POST /_emulator/reset HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
    assert status == 400 and body["status"] == 400 and "Content-Length" in body["error"]


def test_a_bad_chunked_body_is_the_familys_malformed_request(server):
    status, _, body = raw(server, b"POST /v1/tenants/exotel_emulator/greenvn HTTP/1.1\r\nHost: x\r\n"
                                  b"Transfer-Encoding: chunked\r\n\r\nzz\r\n")
    assert (status, body) == (400, EXOBRIDGE_5)


def test_headers_over_the_limit_are_a_json_431(server):
    status, kind, body = raw(server, b"GET /v2_beta/Accounts HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 262_200)
    assert (status, kind) == (431, "application/json") and body["RestException"]["Status"] == 431


@pytest.mark.parametrize("headers", [b"X-Big: " + b"a" * 300_000 + b"\r\n",
                                     b"".join(b"X-%d: v\r\n" % i for i in range(30_000))],
                         ids=["one big header", "many small ones"])
def test_a_whole_head_over_the_limit_arriving_at_once_is_a_json_431(server, headers):
    # a head that ends in the chunk that crosses the bound is counted too, not only one that never ends
    status, kind, body = raw(server, b"GET /v2_beta/Accounts HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert (status, kind) == (431, "application/json") and body["RestException"]["Status"] == 431


def test_an_unknown_transfer_encoding_is_a_json_501(server):
    status, _, body = raw(server, b"POST /v2/integrations/token HTTP/1.1\r\nHost: x\r\n"
                                  b"Transfer-Encoding: gzip\r\n\r\n")
    assert status == 501 and body["Status"] == "Failure" and body["Code"] == 501


def test_a_request_line_that_cannot_be_read_is_the_classic_envelope(server):
    status, _, body = raw(server, b"GARBAGE\r\n\r\n")
    assert status == 400 and body["RestException"]["Status"] == 400


def test_the_access_log_has_one_line_per_request():
    log = io.StringIO()
    with EmulatorServer(TEST_CONFIG, access_log=log) as server:
        session = requests.Session()
        session.trust_env = False
        session.get(server.url + "/_emulator/health")
        session.get(server.url + "/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers?api_token=hidden")
        session.close()
    lines = log.getvalue().splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["GET", "/_emulator/health", "200"],
        ["GET", "/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers", "401"]]
    assert all(line.endswith(" ms") for line in lines) and "hidden" not in log.getvalue()


@pytest.mark.parametrize("sid", ["%1B", "%08", "%7F", "a%0D%0Ab"])
def test_a_control_character_in_a_sid_is_refused_with_a_header_the_server_can_send(server, sid):
    auth = ("emulator_api_key", "emulator_api_token")
    for path in (f"/v1/Accounts/exotel_emulator/SMS/Messages/{sid}", f"/v1/Accounts/exotel_emulator/Numbers/{sid}"):
        response = requests.get(server.url + path, auth=auth, timeout=10)  # the connection was dropped
        assert response.status_code in (400, 404) and "RestException" in response.text
        assert response.headers["X-Emulator-Detail"].isprintable()
