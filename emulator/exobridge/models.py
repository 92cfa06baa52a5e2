"""ExoBridge state and rules: per-tenant VN pools, allocations sharing VNs, expiry and simulated calls.

A GreenVN is shared by many active allocations, as a masking pool is: the service tells them apart by the
caller's number (or, for a new caller, the pin keyed in). So on one VN, among active allocations, a party
number appears once and a pin appears once; ``Line`` indexes exactly that, and the allocator only picks a
VN whose line takes the request's numbers and pins.
"""

from __future__ import annotations

import copy
import itertools
import re
import uuid
from dataclasses import asdict, dataclass, field, replace

from sortedcontainers import SortedDict

from emulator.core.errors import Reason, Refused
from emulator.core.family import Model
from emulator.core.fixtures import FixtureError
from emulator.exobridge.errors import Code

DIAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")  # how a simulated call's B leg ends
CALLBACK_EVENTS = ("call_event", "deallocation", "verification_success", "verification_failed")
DURATION_RE = re.compile(r"^([1-9]\d{0,8})([smd])$")
UNITS = {"s": 1, "m": 60, "d": 86_400}

# Indian postal codes by leading digits -> the nearest region of the documented list (a pin code outside
# the list gets a VN "from a region in the list that is closest", the page says). Longest prefix wins.
PIN_CODE_REGIONS = {
    "400": "MU",  # Mumbai
    "11": "DL",  # Delhi
    **dict.fromkeys(("12", "13", "14", "15", "16", "17", "18", "19"), "DL"),  # Haryana, Punjab, HP, J&K
    **dict.fromkeys(("20", "21", "22", "23", "24", "25", "26", "27", "28"), "DL"),  # Uttar Pradesh, Uttarakhand
    **dict.fromkeys(("30", "31", "32", "33", "34"), "RJ"),  # Rajasthan
    **dict.fromkeys(("36", "37", "38", "39"), "GJ"),  # Gujarat
    **dict.fromkeys(("40", "41", "42", "43", "44"), "MH"),  # Maharashtra (and Goa, 403)
    **dict.fromkeys(("45", "46", "47", "48", "49"), "MP"),  # Madhya Pradesh, Chhattisgarh
    **dict.fromkeys(("50", "51", "52", "53"), "AP"),  # Telangana, Andhra Pradesh
    **dict.fromkeys(("56", "57", "58", "59"), "KA"),  # Karnataka
    **dict.fromkeys(("60", "61", "62", "63", "64"), "TN"),  # Tamil Nadu, Puducherry
    **dict.fromkeys(("67", "68", "69"), "KL"),  # Kerala, Lakshadweep
    **dict.fromkeys(("70", "71", "72", "73", "74"), "WB"),  # West Bengal, Andaman
    **dict.fromkeys(("75", "76", "77", "78", "79"), "WB"),  # Odisha, Assam, the North East
    **dict.fromkeys(("80", "81", "82", "83", "84", "85"), "WB"),  # Bihar, Jharkhand
}
# leading digits no postal circle uses (54, 55, 65, 66, 9x army post) -> the nearest zone's region
PIN_ZONE_REGIONS = {"1": "DL", "2": "DL", "3": "RJ", "4": "MH", "5": "AP", "6": "TN", "7": "WB", "8": "WB",
                    "9": "DL"}

LISTED = (None, "active", "vault")
BUILTIN_TENANT = {"vn_pool": [], "flows": [], "default_deallocation": "1d", "insights": False, "callbacks": {}}


def region_of_pin_code(pin_code: str) -> str:
    return PIN_CODE_REGIONS.get(pin_code[:3]) or PIN_CODE_REGIONS.get(pin_code[:2]) or PIN_ZONE_REGIONS[pin_code[0]]


def seconds(duration: str) -> int:
    """``600s``, ``10m``, ``1d`` -> seconds (the schema has checked the form)."""
    match = DURATION_RE.fullmatch(duration)
    assert match is not None, duration
    count, unit = match.groups()
    return int(count) * UNITS[unit]


def guess_type(number: str) -> str:
    """A VN's type when nobody said: Indian mobiles are ten digits from 6-9, save the Ahmedabad (79) and
    Bengaluru (80) landline codes Exotel's VNs mostly come from; anything else is a landline."""
    national = number[3:] if number.startswith("+91") else ""
    mobile = len(national) == 10 and national[0] in "6789" and national[:2] not in ("79", "80")
    return "mobile" if mobile else "landline"


@dataclass
class Vn:
    """A virtual number of a tenant's pool."""

    number: str
    region: str | None
    type: str


@dataclass
class Allocation:
    """A GreenVN allocation: the parties masked behind one VN, until it expires or is deallocated."""

    greenvn_id: str
    tenant: str
    connection_id: str
    aparty_numbers: list[str]
    bparty_numbers: list[str]
    aparty_pins: list[int]
    bparty_pins: list[int]
    usage: str
    greenvn: str
    flow_id: str | None
    state: str  # "active" | "vault"
    created_at: float
    expires_at: float
    deallocated_at: float | None = None

    def numbers(self) -> list[str]:
        return self.aparty_numbers + self.bparty_numbers

    def pins(self) -> list[int]:
        return self.aparty_pins + self.bparty_pins

    def snapshot(self) -> "Allocation":
        """A copy to render outside the lock while calls may add numbers to the original."""
        return replace(self, aparty_numbers=list(self.aparty_numbers), bparty_numbers=list(self.bparty_numbers),
                       aparty_pins=list(self.aparty_pins), bparty_pins=list(self.bparty_pins))


@dataclass
class Line:
    """The active allocations on one VN, indexed the way a call is routed: by caller number, by pin."""

    numbers: dict[str, str] = field(default_factory=dict)  # party number -> greenvn_id
    pins: dict[int, str] = field(default_factory=dict)  # pin -> greenvn_id
    count: int = 0


@dataclass
class Tenant:
    """One tenant's pool, flows and settings, and the indexes routing calls to its allocations."""

    sid: str
    pool: dict[str, Vn] = field(default_factory=dict)  # number -> Vn, in the configured order
    flows: list[str] = field(default_factory=list)
    default_deallocation: str = "1d"
    insights: bool = False
    callbacks: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(CALLBACK_EVENTS))
    lines: dict[str, Line] = field(default_factory=dict)  # VN -> its active allocations (VNs in use only)
    by_connection: dict[str, str] = field(default_factory=dict)  # connection_id -> id of its active allocation
    # the control API's listing, O(log n) a page: None (every state), "active", "vault" -> {order: greenvn_id}
    listed: dict[str | None, SortedDict] = field(default_factory=lambda: {s: SortedDict() for s in LISTED})
    active_allocations: int = 0  # a snapshot's count of them: it leaves the indexes that hold them behind

    def snapshot(self) -> "Tenant":
        """The settings and the count of active allocations, copied; the routing indexes stay behind (a copy
        of them would cost a GET of the settings as much as the allocations are many)."""
        return replace(self, pool={n: replace(v) for n, v in self.pool.items()}, flows=list(self.flows),
                       callbacks=dict(self.callbacks), lines={}, by_connection={},
                       listed={s: SortedDict() for s in LISTED}, active_allocations=len(self.by_connection))


# Call Insights for a simulated outcome: (DisconnectedBy, DetailedStatus)
INSIGHTS = {
    "completed": ("Caller", "CALL_COMPLETED"),
    "busy": ("Operator", "BUSY"),
    "no-answer": ("Exotel", "NO_ANSWER"),
    "failed": ("Operator", "FAILED"),
    "canceled": ("Caller", "CALL_CANCELED"),
}
# An allocation stays in the vault (GET shows it, DELETE is 410/22) this long on the emulator clock after it
# ended, then it is forgotten (404/1): deleted allocations must not pile up in a long run.
VAULT_RETENTION = 86_400
RINGING_SECONDS = 5  # how long a simulated second leg rings before it is answered
CALL_TYPES = {"completed": "completed", "canceled": "client-hangup"}  # passthru CallType; others "incomplete"


@dataclass(frozen=True)
class CallRecord:
    """A simulated call that was routed, as its call event reports it."""

    allocation: Allocation
    call_sid: str
    caller: str
    to: str
    status: str
    talk: int  # seconds of conversation: 0 unless completed
    on_call: int  # the call minus the ringing
    started: float
    ended: float
    recorded: bool
    call_type: str
    disconnected_by: str
    detailed_status: str
    ringing: int = RINGING_SECONDS

    @classmethod
    def of(cls, allocation: Allocation, call_sid: str, caller: str, to: str, status: str, duration: int,
           now: float) -> "CallRecord":
        """The call ends now; it rang ``RINGING_SECONDS`` first and, if completed, talked ``duration``."""
        answered = status == "completed"
        talk = duration if answered else 0
        disconnected_by, detailed = INSIGHTS[status]
        return cls(allocation.snapshot(), call_sid, caller, to, status, talk, max(talk - RINGING_SECONDS, 0),
                   now - RINGING_SECONDS - talk, now, answered, CALL_TYPES.get(status, "incomplete"),
                   disconnected_by, detailed)


@dataclass
class CallResult:
    """What a simulated call did: who it reached and the events it fired."""

    call_sid: str
    allocation: Allocation | None
    to: str | None
    connected: bool
    events: list[dict]


class ExoBridge(Model):
    def __init__(self, store):
        super().__init__(store)
        self.default: dict = _normal(BUILTIN_TENANT)  # what every new tenant starts with
        self.tenants: dict[str, Tenant] = {}
        self.allocations: dict[str, Allocation] = {}  # greenvn_id -> allocation, every tenant, creation order
        self.order: dict[str, int] = {}  # greenvn_id -> its place in creation order (the tenants' listings)
        self._order = itertools.count()
        self.jobs: dict = {}  # greenvn_id -> the scheduler Job that expires it

    # ---- fixtures, accounts, configuration -------------------------------------------------------------

    def add_account(self, account) -> None:
        with self.store.lock:
            if account.sid not in self.tenants:
                self.tenants[account.sid] = self._configured(Tenant(account.sid), self.default)

    def load_fixtures(self, docs: list[dict]) -> None:
        for doc in docs:
            if "default_tenant" in doc:
                self.default = _normal({**self.default, **doc["default_tenant"]})
        for tenant in self.tenants.values():
            self._configured(tenant, self.default)
        for doc in docs:
            for override in doc["tenants"]:
                if override["sid"] not in self.tenants:
                    raise FixtureError(f"exobridge fixtures: tenant sid {override['sid']!r} is not in accounts.json")
                self._configured(self.tenants[override["sid"]], _normal(override, partial=True))

    def _configured(self, tenant: Tenant, config: dict) -> Tenant:
        if "vn_pool" in config:
            tenant.pool = {v["number"]: Vn(v["number"], v["region"], v["type"]) for v in config["vn_pool"]}
        for key in ("flows", "default_deallocation", "insights"):
            if key in config:
                setattr(tenant, key, list(config[key]) if key == "flows" else config[key])
        tenant.callbacks.update(config.get("callbacks", {}))
        return tenant

    def configure(self, sid: str, changes: dict) -> Tenant:
        """The control API's PUT: any subset of the tenant's settings; returns the whole configuration."""
        with self.store.lock:
            tenant = self.tenants[sid]
            pool = list(changes.get("vn_pool", tenant.pool))
            for key in ("vn_regions", "vn_types"):
                strangers = sorted(set(changes.get(key, {})) - set(pool))
                if strangers:
                    raise Refused(Reason.INVALID, f"{key}: {', '.join(strangers)} not in the VN pool")
            regions, types = changes.get("vn_regions", {}), changes.get("vn_types", {})
            old = tenant.pool
            vn_pool = [{"number": n,
                        "region": regions.get(n, old[n].region if n in old else None),
                        "type": types.get(n) or (old[n].type if n in old else guess_type(n))} for n in pool]
            self._configured(tenant, {**changes, "vn_pool": vn_pool})
            return tenant.snapshot()

    def tenant(self, sid: str) -> Tenant:
        """A copy of the tenant's settings, safe to render outside the lock."""
        with self.store.lock:
            return self.tenants[sid].snapshot()

    # ---- allocations -----------------------------------------------------------------------------------

    def allocate(self, sid: str, data: dict) -> Allocation:
        a_numbers, b_numbers = data["aparty_numbers"], data["bparty_numbers"]
        a_pins, b_pins = data.get("aparty_pins") or [], data.get("bparty_pins") or []
        _distinct(a_numbers + b_numbers, a_pins + b_pins)
        with self.store.lock:  # check and take in one step: two requests never get the same slot
            tenant = self.tenants[sid]
            now = self.store.clock.time()
            flow_id, expires_at = self._terms(tenant, data, now)
            if data["connection_id"] in tenant.by_connection:
                raise Refused(Code.CONNECTION_EXISTS)
            vn = self._choose(tenant, a_numbers + b_numbers, a_pins + b_pins, data.get("preferences") or {},
                              data.get("strictness") or False)
            allocation = Allocation(
                greenvn_id=str(uuid.uuid4()), tenant=sid, connection_id=data["connection_id"],
                aparty_numbers=list(a_numbers), bparty_numbers=list(b_numbers), aparty_pins=list(a_pins),
                bparty_pins=list(b_pins), usage=data["usage"], greenvn=vn.number, flow_id=flow_id, state="active",
                created_at=now,
                expires_at=now + seconds(tenant.default_deallocation) if expires_at is None else expires_at)
            self._add(allocation)
            self._index(tenant, allocation)
            self._schedule(allocation)
            return allocation.snapshot()

    def get(self, sid: str, greenvn_id: str) -> Allocation:
        with self.store.lock:
            return self._own(sid, greenvn_id).snapshot()

    def allocations_of(self, sid: str, state: str | None, start: int, stop: int) -> tuple[list[Allocation], int]:
        """The tenant's allocations in creation order (``state`` "active" or "vault", or both): a slice, and
        how many there are."""
        with self.store.lock:
            listed = self.tenants[sid].listed[state]
            return [self.allocations[gid].snapshot() for gid in listed.values()[start:stop]], len(listed)

    def _add(self, allocation: Allocation) -> None:
        gid = allocation.greenvn_id
        self.allocations[gid] = allocation
        order = self.order[gid] = next(self._order)
        listed = self.tenants[allocation.tenant].listed
        listed[None][order] = listed[allocation.state][order] = gid

    def deallocate(self, sid: str, greenvn_id: str) -> Allocation:
        """A manual deallocation: to the vault at once, and no callback (the page sends none for it)."""
        with self.store.lock:
            allocation = self._active(sid, greenvn_id)
            self._vault(allocation, self.store.clock.time())
            return allocation.snapshot()

    def update_call_party(self, sid: str, greenvn_id: str, data: dict) -> Allocation:
        with self.store.lock:
            allocation = self._active(sid, greenvn_id)
            tenant = self.tenants[sid]
            terms = self._terms(tenant, data, self.store.clock.time())
            changed = {k: data[k] for k in ("aparty_numbers", "bparty_numbers", "usage") if k in data}
            changed.update({k: data[k] or [] for k in ("aparty_pins", "bparty_pins") if k in data})
            updated = replace(allocation.snapshot(), **changed)
            _distinct(updated.numbers(), updated.pins())
            self._check_line(tenant, allocation.greenvn, updated.numbers(), updated.pins(), ignore=greenvn_id)
            self._unindex(tenant, allocation)
            for key, value in changed.items():
                setattr(allocation, key, list(value) if isinstance(value, list) else value)
            self._index(tenant, allocation)
            self._renew(allocation, *terms)
            return allocation.snapshot()

    def update_vn(self, sid: str, greenvn_id: str, data: dict) -> Allocation:
        """Moves the allocation to another VN of the pool; asking for the VN it has keeps it."""
        preferences = data.get("preferences") or {}
        with self.store.lock:
            allocation = self._active(sid, greenvn_id)
            tenant = self.tenants[sid]
            terms = self._terms(tenant, data, self.store.clock.time())
            if preferences.get("greenvn") != allocation.greenvn:
                vn = self._choose(tenant, allocation.numbers(), allocation.pins(), preferences,
                                  data.get("strictness") or False, avoid=allocation.greenvn)
                self._unindex(tenant, allocation)
                allocation.greenvn = vn.number
                self._index(tenant, allocation)
            self._renew(allocation, *terms)
            return allocation.snapshot()

    def _terms(self, tenant: Tenant, data: dict, now: float) -> tuple[str | None, float | None]:
        """A request's ``flow_id`` (checked against the tenant's flows: 50) and the expiry its
        ``deallocation_policy.duration`` sets, counted from now; None for what it does not give."""
        flow_id = data.get("flow_id")
        if flow_id is not None and flow_id not in tenant.flows:
            raise Refused(Code.INVALID_FLOW)
        duration = (data.get("deallocation_policy") or {}).get("duration")
        return flow_id, now + seconds(duration) if duration else None

    def _renew(self, allocation: Allocation, flow_id: str | None, expires_at: float | None) -> None:
        """An update's flow and policy: what it gives replaces the allocation's, the rest is inherited."""
        if flow_id is not None:
            allocation.flow_id = flow_id
        if expires_at is not None:
            allocation.expires_at = expires_at
            job = self.jobs.pop(allocation.greenvn_id, None)
            if job is not None:
                job.cancel()
            self._schedule(allocation)

    def _own(self, sid: str, greenvn_id: str) -> Allocation:
        allocation = self.allocations.get(greenvn_id)
        if allocation is None:
            raise Refused(Code.UNKNOWN_GREENVN)
        if allocation.tenant != sid:
            raise Refused(Code.NOT_PERMITTED)
        return allocation

    def _active(self, sid: str, greenvn_id: str) -> Allocation:
        allocation = self._own(sid, greenvn_id)
        if allocation.state != "active":
            raise Refused(Code.ALREADY_DELETED)
        return allocation

    # ---- choosing a VN ---------------------------------------------------------------------------------

    def _choose(self, tenant: Tenant, numbers: list[str], pins: list[int], preferences: dict, strict: bool,
                avoid: str | None = None) -> Vn:
        """The pool's VN that takes these numbers and pins and best meets the preferences.

        strict: every preference must hold (452/4 otherwise); a VN asked for by number whose line already
        holds the request's numbers says so (13/19). Not strict: the most preferences met wins; ties go to
        the VN asked for by number, then one in the region asked for, then the one with the fewest active
        allocations, then pool order.
        """
        wanted = _wanted(preferences)
        if strict and "greenvn" in wanted:
            vn = tenant.pool.get(wanted["greenvn"])
            if vn is None or vn.number == avoid or _met(vn, wanted) < len(wanted):
                raise Refused(Code.NO_FREE_VN)
            self._check_line(tenant, vn.number, numbers, pins)
            return vn
        best, best_key = None, None
        for order, vn in enumerate(tenant.pool.values()):
            if vn.number == avoid or self._clash(tenant, vn.number, numbers, pins) is not None:
                continue
            met = _met(vn, wanted)
            if strict and met < len(wanted):
                continue
            line = tenant.lines.get(vn.number)
            # on a tie, the number asked for by name wins, then the region asked for over a pin code's
            key = (-met, not _holds(vn, wanted, "greenvn"), not _holds(vn, wanted, "region"),
                   line.count if line else 0, order)
            if best_key is None or key < best_key:
                best, best_key = vn, key
        if best is None:
            raise Refused(Code.NO_FREE_VN)
        return best

    def _clash(self, tenant: Tenant, vn: str, numbers: list[str], pins: list[int], ignore: str | None = None):
        """None if the VN's line takes these numbers and pins; otherwise the Appendix 1 code that says why."""
        line = tenant.lines.get(vn)
        if line is None:
            return None

        def taken(owner: str | None) -> bool:
            return owner is not None and owner != ignore

        numbers_taken = sum(1 for n in numbers if taken(line.numbers.get(n)))
        if numbers_taken and numbers_taken == len(numbers):
            return Code.ALL_DUPLICATES  # every number is already mapped on this VN
        if numbers_taken or any(taken(line.pins.get(p)) for p in pins):
            return Code.OTHER_PIN
        return None

    def _check_line(self, tenant: Tenant, vn: str, numbers: list[str], pins: list[int],
                    ignore: str | None = None) -> None:
        code = self._clash(tenant, vn, numbers, pins, ignore)
        if code is not None:
            raise Refused(code)

    def _index(self, tenant: Tenant, allocation: Allocation) -> None:
        line = tenant.lines.setdefault(allocation.greenvn, Line())
        for number in allocation.numbers():
            line.numbers[number] = allocation.greenvn_id
        for pin in allocation.pins():
            line.pins[pin] = allocation.greenvn_id
        line.count += 1
        tenant.by_connection[allocation.connection_id] = allocation.greenvn_id

    def _unindex(self, tenant: Tenant, allocation: Allocation) -> None:
        line = tenant.lines[allocation.greenvn]
        for number in allocation.numbers():
            line.numbers.pop(number, None)
        for pin in allocation.pins():
            line.pins.pop(pin, None)
        line.count -= 1
        if not line.count:
            del tenant.lines[allocation.greenvn]
        tenant.by_connection.pop(allocation.connection_id, None)

    # ---- expiry ----------------------------------------------------------------------------------------

    def _schedule(self, allocation: Allocation) -> None:
        gid = allocation.greenvn_id
        self.jobs[gid] = self.store.scheduler.at(allocation.expires_at, lambda: self._expire(gid))

    def _vault(self, allocation: Allocation, at: float) -> None:
        allocation.state = "vault"
        allocation.deallocated_at = at
        tenant = self.tenants[allocation.tenant]
        order = self.order[allocation.greenvn_id]
        tenant.listed["vault"][order] = tenant.listed["active"].pop(order)
        self._unindex(tenant, allocation)
        job = self.jobs.pop(allocation.greenvn_id, None)
        if job is not None:
            job.cancel()
        self._schedule_forget(allocation)

    def _schedule_forget(self, allocation: Allocation) -> None:
        assert allocation.deallocated_at is not None
        gid = allocation.greenvn_id
        self.store.scheduler.at(allocation.deallocated_at + VAULT_RETENTION, lambda: self._forget(gid))

    def _forget(self, greenvn_id: str) -> None:
        """The vault's retention is over: the allocation is gone for good."""
        with self.store.lock:
            allocation = self.allocations.get(greenvn_id)
            if self.store.models.get("exobridge") is self and allocation is not None and allocation.state == "vault":
                del self.allocations[greenvn_id]
                order = self.order.pop(greenvn_id)
                listed = self.tenants[allocation.tenant].listed
                del listed[None][order], listed["vault"][order]

    def _expire(self, greenvn_id: str) -> None:
        """The deallocation policy ran out: to the vault, and the tenant hears of it."""
        with self.store.lock:
            if self.store.models.get("exobridge") is not self:
                return  # a reset or restore replaced this model while the job waited for the lock
            allocation = self.allocations.get(greenvn_id)
            if allocation is None or allocation.state != "active" or self.jobs.get(greenvn_id) is None:
                return
            if allocation.expires_at > self.store.clock.time():
                return  # an update re-scheduled it while this job waited for the lock
            # when the policy ran out, not when the clock stopped: one advance may pass it by days
            self._vault(allocation, allocation.expires_at)
            event = self._event(allocation.tenant, "deallocation", allocation)
        self._send(allocation.tenant, [event])

    # ---- simulated calls -------------------------------------------------------------------------------

    def call(self, sid: str, greenvn: str, caller: str, pin: str | None, status: str, duration: int) -> "CallResult":
        """A call landing on a VN, routed as the service would; fires the callbacks it causes."""
        call_sid = uuid.uuid4().hex
        with self.store.lock:
            tenant = self.tenants[sid]
            line = tenant.lines.get(greenvn)
            if line is None and greenvn not in tenant.pool:
                raise Refused(Reason.NOT_FOUND, f"{greenvn} is not a VN of tenant {sid}")
            now = self.store.clock.time()
            events: list[dict] = []
            allocation, party = self._caller(tenant, line, greenvn, caller, pin, call_sid, now, events)
            to = None
            if allocation is not None:
                to = allocation.bparty_numbers[0] if party == "a" else (
                    allocation.aparty_numbers[0] if allocation.usage == "twoway" else None)
            if to is not None:
                record = CallRecord.of(allocation, call_sid, caller, to, status, duration, now)
                events.append(self._event(sid, "call_event", record, tenant.insights))
            result = CallResult(call_sid, allocation.snapshot() if allocation is not None else None, to,
                                to is not None and status == "completed", events)
        self._send(sid, events)
        return result

    def _caller(self, tenant, line, greenvn, caller, pin, call_sid, now, events):
        """(allocation, "a"|"b") the caller belongs to, after pin verification for a new caller."""
        if line is None:
            return None, None  # a pool VN nobody is allocated on: nothing to route to
        gid = line.numbers.get(caller)
        if gid is not None:
            allocation = self.allocations[gid]
            return allocation, "a" if caller in allocation.aparty_numbers else "b"
        gid = line.pins.get(int(pin)) if pin is not None else None
        if gid is None:
            events.append(self._event(tenant.sid, "verification_failed", call_sid, greenvn, caller, pin, now))
            return None, None
        allocation = self.allocations[gid]
        party = "a" if int(pin) in allocation.aparty_pins else "b"
        getattr(allocation, f"{party}party_numbers").append(caller)  # the caller joins that party for good
        line.numbers[caller] = gid
        events.append(self._event(tenant.sid, "verification_success", allocation, caller, pin))
        return allocation, party

    # ---- callbacks -------------------------------------------------------------------------------------

    def _event(self, sid: str, name: str, *facts) -> dict:
        """A callback of tenant ``sid``, its payload rendered now (under the lock), sent by ``_send``."""
        return {"event": name, "url": self.tenants[sid].callbacks.get(name), "payload": self.notification(name, *facts)}

    def _send(self, sid: str, events: list[dict]) -> None:
        """Queue tenant ``sid``'s deliveries (after the lock is released); the dispatcher's workers do the HTTP."""
        for event in events:
            if event["url"]:
                self.store.callbacks.send(event["url"], event["event"], event["payload"], account=sid)

    # ---- snapshots -------------------------------------------------------------------------------------

    def dump(self) -> dict:
        with self.store.lock:
            return {
                "default_tenant": copy.deepcopy(self.default),
                "tenants": {sid: _settings(t) for sid, t in self.tenants.items()},
                "allocations": [asdict(a) for a in self.allocations.values()],
            }

    def restore(self, data: dict) -> None:
        with self.store.lock:
            for job in self.jobs.values():
                job.cancel()
            self.jobs = {}
            self.default = _normal(data["default_tenant"])
            self.tenants = {sid: self._configured(Tenant(sid), _normal(t)) for sid, t in data["tenants"].items()}
            self.allocations, self.order = {}, {}
            for item in data["allocations"]:
                allocation = Allocation(**{**item, **{k: list(item[k]) for k in (
                    "aparty_numbers", "bparty_numbers", "aparty_pins", "bparty_pins")}})
                self._add(allocation)
                if allocation.state == "active":
                    self._index(self.tenants[allocation.tenant], allocation)
                    self._schedule(allocation)  # a pending expiry survives the snapshot
                elif allocation.deallocated_at is not None:
                    self._schedule_forget(allocation)


def _settings(t: Tenant) -> dict:
    """A tenant's settings in the fixture shape (snapshots restore through the same code as fixtures)."""
    return {
        "vn_pool": [{"number": v.number, "region": v.region, "type": v.type} for v in t.pool.values()],
        "flows": list(t.flows),
        "default_deallocation": t.default_deallocation,
        "insights": t.insights,
        "callbacks": dict(t.callbacks),
    }


def _normal(config: dict, partial: bool = False) -> dict:
    """A tenant configuration in one shape (fixtures, defaults and snapshots all go through here)."""
    result: dict = {} if partial else dict(BUILTIN_TENANT)
    result.update({k: v for k, v in config.items() if k != "sid"})
    if "vn_pool" in result:
        result["vn_pool"] = [{"number": v["number"], "region": v.get("region"),
                              "type": v.get("type") or guess_type(v["number"])} for v in result["vn_pool"]]
    if "callbacks" in result or not partial:
        result["callbacks"] = {**dict.fromkeys(CALLBACK_EVENTS), **result.get("callbacks", {})}
    return result


def _distinct(numbers: list[str], pins: list[int]) -> None:
    """One request may not name a number (or a pin) twice, on one side or across both: 14."""
    if len(set(numbers)) != len(numbers) or len(set(pins)) != len(pins):
        raise Refused(Code.SAME_NUMBER_BOTH_PARTIES)


def _wanted(preferences: dict) -> dict:
    """The preferences that were given, each a VN attribute it asks for; a pin code asks for its region (and
    is a preference of its own: strict, a pin code of one region and a region naming another never hold)."""
    pin_code = preferences.get("pin_code")
    wanted = {"greenvn": preferences.get("greenvn"), "region": preferences.get("region"),
              "pin_code": region_of_pin_code(pin_code) if pin_code else None,
              "type": preferences.get("type_") or preferences.get("number_type")}
    return {k: v for k, v in wanted.items() if v}


ATTRIBUTE = {"greenvn": "number", "region": "region", "pin_code": "region", "type": "type"}


def _holds(vn: Vn, wanted: dict, preference: str) -> bool:
    return preference in wanted and getattr(vn, ATTRIBUTE[preference]) == wanted[preference]


def _met(vn: Vn, wanted: dict) -> int:
    return sum(1 for preference in wanted if _holds(vn, wanted, preference))
