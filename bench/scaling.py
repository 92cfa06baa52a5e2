"""The cost of the same requests with 100 and with 100,000 records: it must not grow with the records.

A server starts from a snapshot (``serve --state``) holding that many records of a family for the default
account (up to ``TOGETHER`` records, of every family at once): owned ExoPhones, ExoBridge allocations, users
of the shipped Integrations app, calls (ended, one in ten busy, one a second up to now) or SMS (sent). Each
is grown from one record the emulator itself made (so the records are what it writes), given new ids.
Each figure is the median of sequential requests on one keep-alive connection.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from loadgen import sequential
from procs import Server, auth_headers, rss_mb, start

CONNECT = "From=09876543210&To=09123456789&CallerId=08039591111"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
APP_ID, APP_SECRET = "2e6440ed-ff62-49d7-bb00-5494b313a863", "61b1f4c2-30d5-4819-9a5c-006ed9784313"
USER = {"AppUserId": "1", "AppUsername": "Asha Kumari", "Email": "asha@example.in",
        "ExotelAccountSid": "exotel_emulator", "ExotelUserName": "Asha Kumari", "AgentNumber": "+919876500001",
        "VirtualNumber": "+918045600001"}
ALLOCATE = {"connection_id": "c0", "aparty_numbers": ["+919170006528"], "bparty_numbers": ["+918100006620"],
            "usage": "twoway"}
PAGE = 50
SMALL = 100
TOGETHER = 10_000  # records of each family one server may hold at once
FAMILIES = ("ExoPhones", "ExoBridge", "Integrations", "Voice", "SMS")

# (family, request): the rows of the table, in order
ROWS = (
    ("ExoPhones", "GET one"),
    ("ExoPhones", "list first page"),
    ("ExoPhones", "list last page"),
    ("ExoBridge", "GET one allocation"),
    ("ExoBridge", "allocations first page"),
    ("ExoBridge", "allocations last page"),
    ("Integrations", "usermapping one user"),
    ("Integrations", "usermapping first page"),
    ("Integrations", "usermapping page deep"),
    ("Voice", "call details GET"),
    ("Voice", "bulk first page"),
    ("Voice", "bulk page deep (After)"),
    ("Voice", "bulk Status=busy"),
    ("Voice", "bulk DateCreated range"),
    ("SMS", "SMS details GET"),
)


def _call(server: Server, method: str, path: str, body=None, headers: dict | None = None) -> dict:
    conn = server.connection()
    try:
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        conn.request(method, path, body=data, headers=headers or {})
        response = conn.getresponse()
        text = response.read()
        assert response.status in (200, 201), (method, path, response.status, text[:300])
        return json.loads(text)
    finally:
        conn.close()


def template_state(server: Server) -> dict:
    """The state of ``server`` after one record of each kind was made and the calls and SMS have ended."""
    sid, auth = server.account["sid"], auth_headers(server.account)
    v1 = f"/v1/Accounts/{sid}"
    _call(server, "POST", f"{v1}/Calls/connect.json", CONNECT, dict(auth, **FORM))
    _call(server, "POST", f"{v1}/Sms/send.json", "From=EXOTEL&To=09123456789&Body=Hello", dict(auth, **FORM))
    _call(server, "POST", f"/v1/tenants/{sid}/greenvn", ALLOCATE, dict(auth, **JSON))
    token = _call(server, "POST", "/v2/integrations/token", {"Id": APP_ID, "Secret": APP_SECRET, "Entity": "app"},
                  JSON)["Data"]
    _call(server, "POST", "/v2/integrations/usermapping", [USER], {"Authorization": token, **JSON})
    _call(server, "POST", "/_emulator/clock/advance", {"seconds": 60}, JSON)
    return _call(server, "GET", "/_emulator/state")


def copies(record: dict, n: int, changes) -> list[dict]:
    """``n`` copies of ``record``, the i-th (from 0) with the fields ``changes(i)`` gives."""
    return [{**copy.deepcopy(record), **changes(i)} for i in range(n)]


def grown(template: dict, sid: str, n: int, grow: tuple[str, ...]) -> tuple[dict, dict]:
    """``template`` with ``n`` records of each family of ``grow`` (``SMS``: messages; the others keep the
    template's one record, so their requests are answered); and the ids the requests ask for."""
    state = copy.deepcopy(template)
    families = state["families"]
    ids: dict = {}
    sizes = {name: (n if name in grow else 1) for name in FAMILIES}

    # ExoPhones: the shipped ones, then numbers bought one after the other
    holdings = families["exophones"]["accounts"][sid]
    owned = holdings["owned"]
    phone = owned[-1]
    seq = max(p["seq"] for p in owned)
    owned += copies(phone, sizes["ExoPhones"] - len(owned), lambda i: {
        "sid": f"{0xe0 << 120 | i:032x}", "seq": seq + 1 + i, "friendly_name": f"022{i:08d}",
        "listing": {**phone["listing"], "phone_number": f"+9122{i:08d}"}})
    ids["exophone"] = owned[len(owned) // 2]["sid"]
    ids["exophones"] = len(owned)

    # ExoBridge: allocations over the pool's VNs, each with its own numbers
    bridge = families["exobridge"]
    one = bridge["allocations"][0]
    pool = [vn["number"] for vn in bridge["tenants"][sid]["vn_pool"]]
    allocations = bridge["allocations"] = copies(one, sizes["ExoBridge"], lambda i: dict(
        greenvn_id=f"{i:08x}-0000-4000-8000-{i:012x}", connection_id=f"c{i}", greenvn=pool[i % len(pool)],
        aparty_numbers=[f"+9191{i:08d}"], bparty_numbers=[f"+9181{i:08d}"],
        created_at=one["created_at"] - sizes["ExoBridge"] + i))
    ids["allocation"] = allocations[len(allocations) // 2]["greenvn_id"]
    ids["allocations"] = len(allocations)

    # Integrations: users 1..n of the shipped app (ordered numerically)
    app = next(a for c in families["integrations"]["customers"] for a in c["apps"] if a["id"] == APP_ID)
    user = app["users"][0]

    def numbered_user(i: int) -> dict:
        k = i + 1  # app user ids from 1
        return dict(app_user_id=str(k), email=f"user{k}@example.in", exotel_user_id=f"{k:08x}-0000-4000-8000-{1:012x}",
                    phone_device_id=f"{k:08x}-0000-4000-8000-{2:012x}",
                    sip_device_id=f"{k:08x}-0000-4000-8000-{3:012x}", sip_id=f"sip:asha{k:08x}")

    users = app["users"] = copies(user, sizes["Integrations"], numbered_user)
    ids["user"] = str((len(users) + 1) // 2)
    families["integrations"]["tokens"] = []

    # Voice: calls one a second up to the template's, one in ten busy; SMS likewise
    book = families["voice"]["accounts"][sid]
    call = book["calls"][0]
    n_calls = sizes["Voice"]

    def ended_call(i: int) -> dict:
        begin = call["created"] - n_calls + i
        return {"sid": f"{i:032x}", "created": begin, "updated": begin + 40, "ended": begin + 40,
                **({"status": "busy"} if i % 10 == 0 else {})}

    calls = book["calls"] = copies(call, n_calls, ended_call)
    middle = calls[n_calls // 2]
    ids["call"] = middle["sid"]
    ids["cursor"] = f"{int(round(middle['created'] * 1_000_000)):x}-{middle['sid']}"
    message = book["messages"][0]
    n_sms = sizes["SMS"]

    def sent_sms(i: int) -> dict:
        begin = message["created"] - n_sms + i
        return {"sid": f"{0xa0 << 120 | i:032x}", "created": begin, "updated": begin + 3,
                "sent": begin + 3 if message.get("sent") else None}

    messages = book["messages"] = copies(message, n_sms, sent_sms)
    ids["message"] = messages[n_sms // 2]["sid"]
    return state, ids


def measure(template: dict, sid: str, n: int, grow: tuple[str, ...], repeat: int) -> dict:
    """Start from a snapshot of ``n`` records of each family of ``grow``; the median cost (ms) of each of their
    rows' requests, and the server's time to healthy (s) and resident memory (MB) after them."""
    state, ids = grown(template, sid, n, grow)
    folder = Path(tempfile.mkdtemp(prefix="exotel-bench-"))
    snapshot = folder / "state.json"
    snapshot.write_text(json.dumps(state))
    del state
    try:
        with start("--state", str(snapshot)) as server:
            costs = _costs(server, ids, grow, repeat)
            return costs | {"healthy": server.healthy, "rss": rss_mb(server.pid)[0]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _costs(server: Server, ids: dict, grow: tuple[str, ...], repeat: int) -> dict:
    sid = server.account["sid"]
    auth = auth_headers(server.account)
    token = _call(server, "POST", "/v2/integrations/token", {"Id": APP_ID, "Secret": APP_SECRET, "Entity": "app"},
                  JSON)["Data"]
    app = {"Authorization": token}
    phones = f"/v2_beta/Accounts/{sid}/IncomingPhoneNumbers"
    bridge = f"/_emulator/accounts/{sid}/exobridge/allocations"
    mapping = "/v2/integrations/usermapping"
    calls = f"/v1/Accounts/{sid}/Calls"
    # the template's clock: calls and messages end up to "now" on the emulator clock; its day in IST
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 19800))
    last_phone_page = (ids["exophones"] - 1) // PAGE
    requests = {
        ("ExoPhones", "GET one"): (f"{phones}/{ids['exophone']}", auth),
        ("ExoPhones", "list first page"): (f"{phones}?Page=0&PageSize={PAGE}", auth),
        ("ExoPhones", "list last page"): (f"{phones}?Page={last_phone_page}&PageSize={PAGE}", auth),
        ("ExoBridge", "GET one allocation"): (f"/v1/tenants/{sid}/greenvn/{ids['allocation']}", auth),
        ("ExoBridge", "allocations first page"): (f"{bridge}?page=0&page_size={PAGE}", {}),
        ("ExoBridge", "allocations last page"): (f"{bridge}?page={(ids['allocations'] - 1) // PAGE}&page_size={PAGE}",
                                                  {}),
        ("Integrations", "usermapping one user"): (f"{mapping}?user_id={ids['user']}", app),
        ("Integrations", "usermapping first page"): (f"{mapping}?page_size={PAGE}", app),
        ("Integrations", "usermapping page deep"): (f"{mapping}?last_value={ids['user']}&page_size={PAGE}", app),
        ("Voice", "call details GET"): (f"{calls}/{ids['call']}.json", auth),
        ("Voice", "bulk first page"): (f"{calls}.json?PageSize={PAGE}", auth),
        ("Voice", "bulk page deep (After)"): (f"{calls}.json?PageSize={PAGE}&After={ids['cursor']}", auth),
        # one call in ten is busy: pages of 10, so 100 calls fill one too
        ("Voice", "bulk Status=busy"): (f"{calls}.json?PageSize=10&Status=busy", auth),
        ("Voice", "bulk DateCreated range"): (
            f"{calls}.json?PageSize={PAGE}&DateCreated=" + quote(f"gte:{day} 00:00:00;lte:{day} 23:59:59"), auth),
        ("SMS", "SMS details GET"): (f"/v1/Accounts/{sid}/SMS/Messages/{ids['message']}.json", auth),
    }
    assert set(requests) == set(ROWS)
    conn = server.connection()
    try:
        return {row: sequential(conn, *requests[row], n=repeat) for row in ROWS if row[0] in grow}
    finally:
        conn.close()


def table(sizes: dict[str, int], repeat: int) -> dict:
    """{(family, n): costs} for n ``SMALL`` and ``sizes[family]``, from one template made by a plain ``serve``.
    Up to ``TOGETHER`` records, one server holds every family of that size; past it a server per family, so
    each start-up and memory figure is that family's (and no server holds half a million records)."""
    with start() as server:
        sid = server.account["sid"]
        template = template_state(server)
    groups: dict[tuple[int, tuple[str, ...]], None] = {}
    for n in sorted({SMALL, *sizes.values()}):
        families = tuple(f for f in sizes if n in (SMALL, sizes[f]))
        for grow in ([families] if n <= TOGETHER else [(f,) for f in families]):
            groups[(n, grow)] = None
    results = {}
    for n, grow in groups:
        costs = measure(template, sid, n, grow, repeat)
        results.update({(family, n): costs for family in grow})
    return results
