"""What the tests expect, read from the copies of the vendor's pages in contract_tests/data/ (and, where a page is
silent, from the documentation's own tables in docs/ copied next to them, in the files named ``readme_*`` after
the README that held them first); the pages' example bodies live with their families, in
emulator/<family>/examples/, where the OpenAPI document reads them too.

Tests parametrize over the package's tables (so a new code cannot come without a test) but take every expected
status, code and message from here: a typo in the package then fails a test instead of becoming the expectation.
Each data file says where it was copied from in its ``_source`` field.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qsl

DATA = Path(__file__).parent / "data"


def load(name: str):
    """A file of contract_tests/data/, or (``<family>/<file>``) a documented example of the package's."""
    if "/" in name:
        from contract_tests.conftest import example

        return example(name)
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# ---- ExoBridge (the ExoBridge page) -----------------------------------------------------------------------

# Appendix 1, word for word: code -> (HTTP status, message)
APPENDIX_1: dict[int, tuple[int, str]] = {int(code): (status, message) for code, (status, message)
                                          in load("exobridge_appendix1.json")["codes"].items()}
_LISTS = load("exobridge_status_and_code_lists.json")
# the "status" and "code" lists of the allocation response's parameter table, word for word
STATUS_LIST: dict[int, str] = {int(s): text for s, text in _LISTS["status"].items()}
CODE_LIST: dict[int, str] = {int(c): text for c, text in _LISTS["code"].items()}
# docs/exobridge.md's choice (no page says it): the code an error known only by its HTTP status gets
_STATUS_TO_CODE = load("readme_exobridge_status_codes.json")["status_to_code"]
# statuses Appendix 1 gives no code of their own, with the page's wording for them (see that file's _source)
STATUS_ONLY_MESSAGES: dict[int, str] = {429: CODE_LIST[17], 499: STATUS_LIST[499]}


def exobridge_code_for_status(status: int) -> int:
    """The code docs/exobridge.md says an ExoBridge error of this bare HTTP status carries."""
    return _STATUS_TO_CODE["5xx" if status >= 500 and str(status) not in _STATUS_TO_CODE else str(status)]


def exobridge_error(code: int, status: int | None = None) -> dict:
    """The documented error body for an Appendix 1 code, at its own status unless another is given (then with
    the page's wording for that status where Appendix 1 has none of its own, else the code's message)."""
    documented_status, message = APPENDIX_1[code]
    status = documented_status if status is None else status
    if status != documented_status and status in STATUS_ONLY_MESSAGES:
        message = STATUS_ONLY_MESSAGES[status]
    return {"success": False, "status": status, "code": code, "message": message, "data": None}


def exobridge_status_error(status: int) -> dict:
    """The documented error body for an ExoBridge error known only by its HTTP status."""
    return exobridge_error(exobridge_code_for_status(status), status)


# ---- ExoPhones v2 (the ExoPhone v2 page for 1000, docs/exophones.md for the rest) --------------------------------

# error_data.code -> (HTTP status, description): docs/exophones.md's table; 1000 is the page's
V2_ERRORS: dict[int, tuple[int, str]] = {int(code): (status, description) for code, (status, description)
                                         in load("readme_v2_error_codes.json")["codes"].items()}
V2_CODE_FOR_STATUS: dict[int, int] = {status: code for code, (status, _) in V2_ERRORS.items()}
V2_NOT_FOUND = load("exophones_v2_error_data.json")  # the page's own error_data block


# ---- ExoPhones v2_beta --------------------------------------------------------------------------------------


def rest_exception(status: int, code: int | None = None) -> dict:
    """The classic body of a v2_beta error known only by its status: the page shows none, docs/exophones.md gives
    the shape, and the message is the HTTP reason phrase (RFC 9110), as Exotel's classic API says."""
    return {"RestException": {"Status": status, "Message": HTTPStatus(status).phrase, "Code": code}}


# ---- Integrations (the Integrations page) -------------------------------------------------------------------

# every per-endpoint status table of the page, in page order: [(endpoint, {status: description})]
INTEGRATIONS_TABLES: list[tuple[str, dict[int, str]]] = [
    (t["endpoint"], {int(s): d for s, d in t["statuses"].items()})
    for t in load("integrations_status_tables.json")["tables"]]


def _first_sentence_they_share(descriptions: list[str]) -> str:
    sentences = {d.split(". ")[0].rstrip(".") + "." for d in descriptions}
    assert len(sentences) == 1, f"the page's descriptions share no first sentence: {sorted(sentences)}"
    return sentences.pop()


def _integrations_messages() -> dict[int, str]:
    """The description per status for an endpoint without a table of its own, or a status its table lacks
    (docs/fidelity.md): the /token table's, the first one a client meets, and for 500, whose descriptions differ per
    endpoint ("...There was an issue creating the token."), the first sentence every 500 row shares."""
    endpoint, token_table = INTEGRATIONS_TABLES[0]
    assert endpoint == "POST /v2/integrations/token"
    messages = {status: text for status, text in token_table.items() if status != 200}
    messages[500] = _first_sentence_they_share([table[500] for _, table in INTEGRATIONS_TABLES if 500 in table])
    return messages


INTEGRATIONS_MESSAGES: dict[int, str] = _integrations_messages()


def integrations_descriptions(status: int) -> set[str]:
    """Every description the page gives this status, on any endpoint."""
    return {table[status] for _, table in INTEGRATIONS_TABLES if status in table}


_PLACEHOLDER = re.compile(r"(\{\{?\w+\}\}?)")  # {{AppUserID}}, {appId}, {popup}


def _matches(endpoint: str, method: str, path: str, query: Mapping[str, str]) -> int | None:
    """How many query parameters of a table's endpoint (``GET /v2/integrations/app?entity=app``) a request
    sends, or None if it is not that endpoint (another method or path, or another value where the page names
    one: ``entity=customer``). A parameter left out leaves it the endpoint: a request without ``type`` is
    still an inbound_call, GET /usermapping without ``user_id`` still the user endpoint."""
    documented_method, _, rest = endpoint.partition(" ")
    documented_path, _, documented_query = rest.partition("?")
    pattern = "".join("[^/]+" if _PLACEHOLDER.fullmatch(part) else re.escape(part)
                      for part in _PLACEHOLDER.split(documented_path))
    if documented_method != method or not re.fullmatch(pattern, path):
        return None
    sent = 0
    for name, value in parse_qsl(documented_query):
        if name in query:
            if not _PLACEHOLDER.fullmatch(value) and query[name] != value:
                return None
            sent += 1
    return sent


def integrations_table(method: str, path: str, query: Mapping[str, str] | None = None) -> dict[int, str] | None:
    """The page's status table of the endpoint a request asks (the one naming most of its query), if any."""
    found = [(met, table) for endpoint, table in INTEGRATIONS_TABLES
             if (met := _matches(endpoint, method, path, query or {})) is not None]
    return max(found, key=lambda f: f[0])[1] if found else None


def integrations_text(status: int, method: str | None = None, path: str | None = None,
                      query: Mapping[str, str] | None = None) -> str | None:
    """The page's text for a status on an endpoint (docs/fidelity.md: its own table's, else the texts the page gives
    most, ``INTEGRATIONS_MESSAGES``); None where the page has none."""
    table = integrations_table(method, path, query) if method and path else None
    return (table or {}).get(status) or INTEGRATIONS_MESSAGES.get(status)


def integrations_error(status: int, method: str | None = None, path: str | None = None,
                       query: Mapping[str, str] | None = None) -> dict:
    """The integrations error body for a bare status on an endpoint (an injected fault), without its random
    RequestId: the page's text (``integrations_text``), else the HTTP reason phrase."""
    message = integrations_text(status, method, path, query) or HTTPStatus(status).phrase
    return {"Status": "Failure", "Code": status, "Error": message, "Data": None}


def example(name: str):
    """A documented example body (contract_tests/data/<name>)."""
    return load(name)


# ---- smaller things the pages list ---------------------------------------------------------------------------

# the ExoBridge page, preferences.region: "Valid values are: DL, MU, MH, WB, AP, TN, GJ, KA, KL, RJ, MP"
EXOBRIDGE_REGIONS = tuple("DL, MU, MH, WB, AP, TN, GJ, KA, KL, RJ, MP".split(", "))
# the ExoPhones v2_beta page (Available ExoPhones Beta), AvailablePhoneNumbers/<ISO>/<Landline|Mobile|TollFree>
V2_BETA_NUMBER_TYPES = ("Landline", "Mobile", "TollFree")
# docs/exophones.md: an account's inventory has "at least 50 per country and type over several regions"
# ("several": more than two)
INVENTORY_MINIMUM = 50
SEVERAL_REGIONS = 3


def _documented_numbers() -> list[dict]:
    """Every number the ExoPhones pages show, available or bought, v2_beta or v2."""
    shown = list(load("exophones/available_numbers.json"))
    shown += [load(f"exophones/{name}.json") for name in ("buy", "get", "update")]
    shown += load("exophones/list.json")["incoming_phone_numbers"]
    shown += [block["data"] for block in load("exophones/v2_details.json")["response"]]
    return shown


# (country, number type, takes incoming SMS) of every number the pages show; v2 names only the capabilities a
# number has, so its voice-only landline ({"voice": true}) takes no SMS
DOCUMENTED_SMS: set[tuple[str, str, bool]] = {
    (n["country"], n["number_type"], n["capabilities"].get("sms", False)) for n in _documented_numbers()}
# the Integrations page, inbound_call ?type= (its "Type" table) -> the app_setting key it notifies (the "Key Name"
# table); docs/integrations.md: it "posts the notification to the app's `popup`, `incomingCallHangup` or
# `missedCall` setting URL"
INBOUND_NOTIFICATION_KEYS = {"popup": "popup", "incomingcallhungup": "incomingCallHangup", "missedcall": "missedCall"}
# the Integrations page's user and call examples: "CreatedAt": "0001-01-01T00:00:00Z"
INTEGRATIONS_ZERO_TIME = load("integrations/device.json")["Data"]["CreatedAt"]
# docs/fidelity.md: preflights name Authorization and Content-Type explicitly (a "*" does not cover Authorization)
CORS_ALLOWED_HEADERS = ("Authorization", "Content-Type")
