"""Voice and SMS state and rules, no HTTP: calls leg by leg on the emulator clock, messages through their
statuses, scripted numbers, number metadata, the whitelist, sender IDs and DLT templates.

A call is a chain of scheduler jobs, one per step (the From leg's outcome, the To leg's outcome, the end
of the conversation); each step reads the numbers' scripts when it runs and schedules the next. A call
to a flow ``Url`` runs its flow once the From leg answers (``_flow_started``), and a simulated incoming
call (``incoming``) as soon as the ExoPhone takes it: the flow steps are in ``flows.py``.
"""

from __future__ import annotations

import calendar
import copy
import functools
import itertools
import math
import random
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator

from sortedcontainers import SortedDict, SortedList

from emulator.core.clock import IST, Job
from emulator.core.errors import Reason, Refused
from emulator.core.family import Model
from emulator.core.faults import RateLimits
from emulator.core.fixtures import FixtureError
from emulator.voice import numbers, sms
from emulator.voice.errors import Code, Throttled
from emulator.voice.flows import FlowRun, FlowSteps, app_of

RING_SECONDS = 5  # an unscripted number answers after ringing this long
TALK_SECONDS = 30  # ...and talks this long
TIME_OUT = 30  # ring timeout of a leg when the request gives no TimeOut
PRICE_PER_MINUTE = 1.5  # a call is billed per started minute once the From leg answered
SMS_PRICE = 0.18  # per SMS unit, once sent
PRODUCTION_LIMIT = 200  # calls, and SMS sends, a minute per account (when its rate limit is on)
MAX_FLOWS = 1000  # flows an account keeps (config VOICE_MAX_FLOWS)
MAX_KEPT = 200_000  # calls, and messages, an account keeps (config VOICE_MAX_KEPT); the oldest ended go first
WHITELIST_MONTHS = 6
ENDED = ("completed", "busy", "no-answer", "failed", "canceled")


@dataclass
class Script:
    """How one number behaves for one account's calls and SMS, and its metadata; None: the default."""

    call: str | None = None  # answer | busy | no-answer | failed
    ring_seconds: int | None = None
    talk_seconds: int | None = None
    answered_by: str | None = None  # Human | Machine
    sms: str | None = None  # sent | failed_dnd | failed
    sms_code: int | None = None
    dnd: bool | None = None
    circle: str | None = None
    operator: str | None = None
    type: str | None = None
    digits: str | None = None  # what this number keys when a flow's gather asks (a Calls/connect flow call)

    def merged(self, changes: dict) -> "Script":
        return Script(**{**asdict(self), **changes})

    def empty(self) -> bool:
        return all(v is None for v in asdict(self).values())


@dataclass(slots=True)
class Leg:
    """One number a call rings, and how it answered and ended."""

    number: str
    status: str | None = None  # None: not attempted; ringing; in-progress; then one of ENDED
    answered_at: float | None = None
    ended_at: float | None = None
    answered_by: str | None = None

    def on_call(self, until: float | None) -> int:
        if self.answered_at is None:
            return 0
        end = self.ended_at if self.ended_at is not None else until
        return int(max(0, (end or self.answered_at) - self.answered_at))


@dataclass(slots=True)
class Call:
    """A call as call details show it, and the step it runs next."""

    sid: str
    account_sid: str
    from_: str
    to: str | None
    caller_id: str
    flow_url: str | None
    created: float
    updated: float
    status: str = "in-progress"
    direction: str = "outbound-api"
    ended: float | None = None
    legs: list[Leg] = field(default_factory=list)
    record: bool = False
    recording_channels: str = "single"
    recording_format: str = "mp3"
    time_limit: int = 14400
    time_out: int = TIME_OUT
    custom_field: str | None = None
    status_callback: str | None = None
    events: list[str] = field(default_factory=list)
    content_type: str = "multipart/form-data"
    base_url: str = ""  # where the recording is served: the host the call was placed on
    price: str | None = None
    step: str | None = None  # the scheduled next step (leg1, leg2, cancel, end, or a flow's), None once ended
    due: float | None = None
    flow: FlowRun | None = None  # the flow it runs (a flow call the emulator has a definition for)

    @property
    def key(self) -> tuple[int, str]:
        """Its place in call details: (DateCreated in microseconds, Sid)."""
        return int(round(self.created * 1_000_000)), self.sid

    @property
    def duration(self) -> int | None:
        return None if self.ended is None else int(self.ended - self.created)

    @property
    def flow_call(self) -> bool:
        """A call to a flow (Calls/connect with Url, or an incoming call), not between two numbers."""
        return self.flow_url is not None or self.direction == "inbound"

    @property
    def connected(self) -> Leg | None:
        """The leg whose answer makes the conversation: To's; for a flow call the last number a connect
        applet reached, or (no connect dialled) the caller's own (None until dialled)."""
        if not self.flow_call:
            return self.legs[1] if len(self.legs) > 1 else None
        if len(self.legs) == 1:
            return self.legs[0]
        return next((leg for leg in reversed(self.legs[1:]) if leg.answered_at is not None), None)

    @property
    def answered_by(self) -> str | None:
        leg = self.connected
        return leg.answered_by if leg is not None and leg is not self.legs[0] else None

    @property
    def conversation(self) -> int:
        """Seconds the two parties were connected (for a flow call, the From leg on the flow)."""
        leg = self.connected
        return leg.on_call(self.ended) if leg is not None else 0

    @property
    def recording_url(self) -> str | None:
        leg = self.connected
        # a connect's recording is ready once its conversation is over (the Passthru after it gets it)
        if not self.record or leg is None or leg.answered_at is None or (self.ended is None and leg.ended_at is None):
            return None
        return f"{self.base_url}/v1/Accounts/{self.account_sid}/Recordings/{self.sid}.mp3"


@dataclass(slots=True)
class Message:
    """An SMS as SMS details show it, and the step of its delivery it takes next."""

    sid: str
    account_sid: str
    from_: str  # as shown: "<ExoPhone>/<SENDERID>", "/<SENDERID>" or the ExoPhone
    to: str
    body: str
    created: float
    updated: float
    encoding: str = "plain"
    units: int = 1
    code: int = sms.QUEUED
    sent: float | None = None
    price: str | None = None
    sms_type: str | None = None
    priority: str = "normal"
    dlt_entity_id: str | None = None
    dlt_template_id: str | None = None
    dlt_failure: int | None = None  # decided at send: the body does not match the template
    custom_field: str | None = None
    status_callback: str | None = None
    step: int | None = 0  # index into sms.PROGRESSION of the next step, None once final
    due: float | None = None

    @property
    def status(self) -> str:
        return sms.STATUS_CODES[self.code][0]


@dataclass
class Book:
    """One account's voice and SMS world."""

    calls: dict[str, Call] = field(default_factory=dict)
    order: SortedDict = field(default_factory=SortedDict)  # Call.key -> Call: O(log n) paging
    # indexes of the bulk filters: number -> SortedList of Call.key (To, From, PhoneNumber) and status
    by_to: dict[str, SortedList] = field(default_factory=dict)
    by_from: dict[str, SortedList] = field(default_factory=dict)
    by_phone: dict[str, SortedList] = field(default_factory=dict)
    by_status: dict[str, SortedList] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    scripts: dict[str, Script] = field(default_factory=dict)
    whitelist: dict[str, tuple[float, float, str]] = field(default_factory=dict)  # number -> (since, until, vn)
    sender_ids: list[str] = field(default_factory=list)
    templates: dict[str, str] = field(default_factory=dict)
    flows: dict[str, dict] = field(default_factory=dict)  # app_id -> {"applets": [...], "url_timeout"?}

    def index(self, call: Call) -> None:
        key = call.key
        self.calls[call.sid] = call
        self.order[key] = call
        for index, number in ((self.by_to, call.to), (self.by_from, call.from_), (self.by_phone, call.caller_id)):
            if number is not None:
                index.setdefault(number, SortedList()).add(key)
        self.by_status.setdefault(call.status, SortedList()).add(key)

    def forget_oldest(self, keep: int) -> None:
        """Drop the oldest ended calls and final messages beyond ``keep`` of each (memory stays bounded)."""
        while len(self.order) > keep:
            key, call = self.order.peekitem(0)
            if call.ended is None:
                break  # the oldest is still in progress: its job will end it, then it can go
            del self.order[key], self.calls[call.sid]
            for index, number in ((self.by_to, call.to), (self.by_from, call.from_),
                                  (self.by_phone, call.caller_id), (self.by_status, call.status)):
                if number is not None:
                    index[number].discard(key)
                    if not index[number]:
                        del index[number]
        while len(self.messages) > keep:
            sid, message = next(iter(self.messages.items()))
            if message.step is not None:
                break
            del self.messages[sid]

    def restatus(self, call: Call, status: str) -> None:
        if status != call.status:
            self.by_status[call.status].discard(call.key)
            self.by_status.setdefault(status, SortedList()).add(call.key)
            call.status = status


# seeded from the OS once: os.urandom for every id (uuid4) cost a quarter of a Calls/connect here
_random = random.Random()


def new_sid(taken: dict) -> str:
    """32 lowercase hex digits, as Exotel's sids, never one ``taken`` already holds."""
    while True:
        sid = f"{_random.getrandbits(128):032x}"
        if sid not in taken:
            return sid


def add_months(ts: float, months: int) -> float:
    """The same moment ``months`` calendar months later in IST (the 31st becomes the month's last day)."""
    when = datetime.fromtimestamp(ts, IST)
    month = when.month - 1 + months
    year, month = when.year + month // 12, month % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day).timestamp()


class Voice(FlowSteps, Model):
    def __init__(self, store):
        super().__init__(store)
        self.default: dict = {"sender_ids": [], "dlt_templates": {}, "numbers": {}, "flows": {}}
        self.books: dict[str, Book] = {}
        self.limits = RateLimits(store.clock)  # the production limits, keyed "<sid>:calls", "<sid>:sms"
        self._init_flows()

    # ---- fixtures, accounts, configuration -------------------------------------------------------------

    def add_account(self, account) -> None:
        with self.store.lock:
            if account.sid not in self.books:
                self.books[account.sid] = self._configured(Book(), self.default)

    def load_fixtures(self, docs: list[dict]) -> None:
        for doc in docs:
            if "default_account" in doc:
                self.default = {**self.default, **doc["default_account"]}
        for book in self.books.values():
            self._configured(book, self.default)
        for doc in docs:
            for override in doc["accounts"]:
                if override["sid"] not in self.books:
                    raise FixtureError(f"voice fixtures: account sid {override['sid']!r} is not in accounts.json")
                self._configured(self.books[override["sid"]], override)

    def _configured(self, book: Book, config: dict) -> Book:
        if "sender_ids" in config:
            book.sender_ids = list(config["sender_ids"])
        if "dlt_templates" in config:
            book.templates = dict(config["dlt_templates"])
        for number, script in config.get("numbers", {}).items():
            book.scripts[number] = Script(**script)
        for app_id, flow in config.get("flows", {}).items():
            book.flows[app_id] = copy.deepcopy(flow)
        return book

    def book(self, sid: str) -> Book:
        return self.books[sid]

    def script(self, sid: str, number: str, changes: dict | None = None) -> tuple[Script, dict]:
        """The control API: a number's script (changed by ``changes``; a null resets a field) and its
        metadata as ``Numbers/<number>`` answers it."""
        with self.store.lock:
            book = self.books[sid]
            script = book.scripts.get(number, Script())
            if changes is not None:
                script = script.merged(changes)
                if script.empty():
                    book.scripts.pop(number, None)
                else:
                    book.scripts[number] = script
            return Script(**asdict(script)), self._metadata(book, number)

    def forget_script(self, sid: str, number: str) -> None:
        with self.store.lock:
            self.books[sid].scripts.pop(number, None)

    def configure_sms(self, sid: str, changes: dict) -> tuple[list[str], dict[str, str]]:
        with self.store.lock:
            book = self._configured(self.books[sid], changes)
            return list(book.sender_ids), dict(book.templates)

    # ---- number metadata and whitelist -----------------------------------------------------------------

    def metadata(self, sid: str, number: str) -> dict:
        if not numbers.is_indian(number):
            raise Refused(Reason.INVALID, "number metadata covers Indian numbers only")
        with self.store.lock:
            return self._metadata(self.books[sid], number)

    def _metadata(self, book: Book, number: str) -> dict:
        meta = numbers.generated(number, self.store.config.get("SEED", 0)) if numbers.is_indian(number) else {
            "circle": None, "operator": None, "type": None, "dnd": False}
        script = book.scripts.get(number)
        if script is not None:
            meta.update({k: getattr(script, k) for k in ("circle", "operator", "type", "dnd")
                         if getattr(script, k) is not None})
        return dict(meta, number=number)

    def whitelist(self, sid: str, virtual_number: str, given: list[str]) -> dict:
        """Whitelists each number for 6 months; counts what happened to them."""
        with self.store.lock:
            book = self.books[sid]
            self._exophone(sid, virtual_number, "VirtualNumber")
            now = self.store.clock.time()
            counts = dict.fromkeys(("Total", "Duplicate", "Processed", "Succeeded", "Redundant", "Failed"), 0)
            seen: set[str] = set()
            for raw in given:
                counts["Total"] += 1
                number = numbers.parse(raw)
                if number in seen:
                    counts["Duplicate"] += 1
                    continue
                counts["Processed"] += 1
                if number is None or not numbers.is_indian(number):
                    counts["Failed"] += 1
                    continue
                seen.add(number)
                if self._whitelisted(book, number, now):
                    counts["Redundant"] += 1
                else:
                    book.whitelist[number] = (now, add_months(now, WHITELIST_MONTHS), virtual_number)
                    counts["Succeeded"] += 1
            return counts

    def whitelist_status(self, sid: str, number: str) -> tuple[str, str, int]:
        """(Status, Type, Expiry seconds or -1) of a number for this account."""
        with self.store.lock:
            book = self.books[sid]
            now = self.store.clock.time()
            if self._whitelisted(book, number, now):
                return "Whitelist", "API", math.ceil(book.whitelist[number][1] - now)
            return "Neutral", "", -1

    def _whitelisted(self, book: Book, number: str, now: float) -> bool:
        entry = book.whitelist.get(number)
        if entry is not None and entry[1] <= now:
            del book.whitelist[number]  # expired on the clock: forgotten
            return False
        return entry is not None

    def _exophone(self, sid: str, number: str, name: str) -> None:
        from emulator.exophones.models import ExoPhones

        holdings = self.store.model_of(ExoPhones).accounts.get(sid)
        if holdings is None or number not in holdings.by_number:
            raise Refused(Reason.INVALID, f"{name} {numbers.national(number)} is not an ExoPhone of this account")

    def _admit(self, sid: str, kind: str) -> None:
        """The production limits apply once the account's rate limit is switched on (off by default)."""
        if sid not in self.store.rate_limits.limits:
            return
        key = f"{sid}:{kind}"
        if key not in self.limits.limits:
            self.limits.set(key, PRODUCTION_LIMIT)
        retry_after = self.limits.admit(key)
        if retry_after is not None:
            raise Throttled(retry_after)

    # ---- calls -----------------------------------------------------------------------------------------

    def connect(self, sid: str, data: dict, base_url: str) -> Call:
        """``Calls/connect``: checks the request against the account, then the From leg starts ringing."""
        with self.store.lock:
            book = self.books[sid]
            self._admit(sid, "calls")
            self._exophone(sid, data["CallerId"], "CallerId")
            to = data.get("To")
            if to is not None:
                script = book.scripts.get(to)
                if script is not None and script.dnd and not self._whitelisted(book, to, self.store.clock.time()):
                    raise Refused(Code.NDNC, Code.NDNC.text(numbers.national(to)))
            now = self.store.clock.time()
            call = Call(
                sid=new_sid(book.calls), account_sid=sid, from_=data["From"], to=to, caller_id=data["CallerId"],
                flow_url=data.get("Url"), created=now, updated=now, legs=[Leg(data["From"], "ringing")],
                record=data.get("Record", False), recording_channels=data.get("RecordingChannels", "single"),
                recording_format=data.get("RecordingFormat", "mp3"), time_limit=data.get("TimeLimit", 14400),
                time_out=data.get("TimeOut", TIME_OUT), custom_field=data.get("CustomField"),
                status_callback=data.get("StatusCallback"), events=list(data.get("StatusCallbackEvents", [])),
                content_type=data.get("StatusCallbackContentType", "multipart/form-data"), base_url=base_url)
            book.index(call)
            book.forget_oldest(self.store.config.get("VOICE_MAX_KEPT", MAX_KEPT))
            _, delay = self._outcome(book, call.from_, call.time_out)
            self._schedule(call, "leg1", now + delay)
            return self._copy(call)

    def call(self, sid: str, call_sid: str) -> Call:
        with self.store.lock:
            call = self.books[sid].calls.get(call_sid)
            if call is None:
                raise Refused(Reason.NOT_FOUND, f"call {call_sid} not found")
            return self._copy(call)

    def recent_calls(self, sid: str, start: int, stop: int) -> tuple[list[Call], int]:
        """The account's calls newest first, ``[start:stop]`` of them, and how many it keeps (dashboard)."""
        with self.store.lock:
            order = self.books[sid].order
            total = len(order)
            # SortedDict slices by position in O(log n): count from the newest end
            keys = order.keys()[max(0, total - stop):max(0, total - start)]
            return [self._copy(order[k]) for k in reversed(keys)], total

    def recent_messages(self, sid: str, start: int, stop: int) -> tuple[list[Message], int]:
        """The account's messages newest first, ``[start:stop]`` of them, and how many it keeps (dashboard)."""
        with self.store.lock:
            messages = self.books[sid].messages
            page = list(itertools.islice(reversed(messages.values()), start, stop))
            return [replace_message(m) for m in page], len(messages)

    def recording(self, sid: str, call_sid: str) -> Call:
        call = self.call(sid, call_sid)
        if call.recording_url is None:
            raise Refused(Reason.NOT_FOUND, f"call {call_sid} has no recording")
        return call

    # ---- call flows (the steps are in flows.py) ----------------------------------------------------------

    def define_flow(self, sid: str, app_id: str, flow: dict) -> dict:
        with self.store.lock:
            flows = self.books[sid].flows
            limit = self.store.config.get("VOICE_MAX_FLOWS", MAX_FLOWS)
            if app_id not in flows and len(flows) >= limit:
                raise Refused(Reason.CONFLICT, f"an account keeps at most {limit} flows: delete one first")
            flows[app_id] = copy.deepcopy(flow)
            return copy.deepcopy(flow)

    def flow(self, sid: str, app_id: str) -> dict:
        with self.store.lock:
            flow = self.books[sid].flows.get(app_id)
            if flow is None:
                raise Refused(Reason.NOT_FOUND, f"flow {app_id} not found")
            return copy.deepcopy(flow)

    def flows(self, sid: str) -> dict[str, dict]:
        with self.store.lock:
            return copy.deepcopy(self.books[sid].flows)

    def delete_flow(self, sid: str, app_id: str) -> dict:
        """Forgets a flow; a call running it ends at its next applet."""
        with self.store.lock:
            flow = self.flow(sid, app_id)
            del self.books[sid].flows[app_id]
            return flow

    def incoming(self, sid: str, data: dict, base_url: str) -> Call:
        """A caller dials an ExoPhone: the ExoPhone takes the call and the flow its ``VoiceUrl`` names runs at
        once. An ExoPhone whose VoiceUrl names no flow of the account cannot take it: the call fails."""
        from emulator.exophones.models import ExoPhones

        with self.store.lock:
            book = self.books[sid]
            phone = self.store.model_of(ExoPhones).owned_number(sid, data["to"])
            if phone is None:
                raise Refused(Reason.INVALID, f"to {numbers.national(data['to'])} is not an ExoPhone of this account")
            app_id = app_of(phone.voice_url)
            now = self.store.clock.time()
            caller = data["from_"]
            call = Call(sid=new_sid(book.calls), account_sid=sid, from_=caller, to=data["to"], caller_id=data["to"],
                        flow_url=phone.voice_url if app_id is not None else None, created=now, updated=now,
                        direction="inbound", legs=[Leg(caller, "in-progress", answered_at=now)], base_url=base_url)
            book.index(call)
            book.forget_oldest(self.store.config.get("VOICE_MAX_KEPT", MAX_KEPT))
            if app_id is None or app_id not in book.flows:
                call.legs[0].status, call.legs[0].answered_at = "failed", None
                call.flow = FlowRun(app_id, ended_by="no_flow")
                self._end(book, call, now, [], "failed")
            else:
                script = self._script(book, caller)
                patience = data.get("hangup_after", script.talk_seconds)
                self._start_flow(call, app_id, now, data.get("digits", script.digits or ""), patience)
            return self._copy(call)

    def _outcome(self, book: Book, number: str, time_out: int) -> tuple[str, int]:
        """What a leg to ``number`` does, and after how many seconds of ringing."""
        script = book.scripts.get(number) or Script()
        behaviour = script.call or "answer"
        ring = script.ring_seconds if script.ring_seconds is not None else RING_SECONDS
        if behaviour == "no-answer" or (behaviour == "answer" and ring >= time_out):
            return "no-answer", time_out
        return ("in-progress" if behaviour == "answer" else behaviour), ring

    def _schedule(self, call: Call, step: str, due: float) -> Job:
        call.step, call.due = step, due
        sid, call_sid = call.account_sid, call.sid
        return self.store.scheduler.at(due, lambda: self._run(sid, call_sid, step, due))

    def _run(self, sid: str, call_sid: str, step: str, at: float) -> None:
        events: list[dict] = []
        with self.store.lock:
            if self.store.models.get("voice") is not self:
                return  # a reset or restore replaced this model while the job waited for the lock
            book = self.books.get(sid)
            call = book.calls.get(call_sid) if book is not None else None
            if call is None or call.step != step or call.due != at:
                return
            call.step = call.due = None
            getattr(self, f"_{step}")(book, call, at, events)
        self._deliver(events, sid)

    def _deliver(self, events: list[dict], account: str) -> None:
        """Hand the deliveries a step of one of ``account``'s calls made (``Dispatcher.send`` arguments) to the
        dispatcher, outside the lock."""
        for delivery in events:
            self.store.callbacks.send(**delivery, account=account)

    @staticmethod
    def _script(book: Book, number: str) -> Script:
        return book.scripts.get(number) or Script()

    @staticmethod
    def _talk(script: Script) -> int:
        return script.talk_seconds if script.talk_seconds is not None else TALK_SECONDS

    def _leg1(self, book: Book, call: Call, at: float, events: list) -> None:
        leg = call.legs[0]
        status, _ = self._outcome(book, leg.number, call.time_out)
        call.updated = at
        if status != "in-progress":
            leg.status, leg.ended_at = status, at
            return self._end(book, call, at, events, status)
        leg.status, leg.answered_at = "in-progress", at
        if call.flow_url is not None:
            return self._flow_started(book, call, at, events)
        call.legs.append(Leg(call.to or "", "ringing"))
        _, delay = self._outcome(book, call.legs[1].number, call.time_out)
        hang_up = self._patience(book, call)
        if hang_up is not None and at + hang_up < at + delay:
            self._schedule(call, "cancel", at + hang_up)  # the From party gives up while To still rings
        else:
            self._schedule(call, "leg2", at + delay)

    def _flow_started(self, book: Book, call: Call, at: float, events: list) -> None:
        """The From leg answered a flow call: its flow runs, the From number keying its scripted digits and
        hanging up after its scripted talk time, if any. A flow the emulator has no definition of (one
        built in the vendor's dashboard) keeps the caller for the From number's talk time."""
        self._answered(call, at, events)
        script = self._script(book, call.from_)
        app_id = app_of(call.flow_url)
        if app_id is not None and app_id in book.flows:
            return self._start_flow(call, app_id, at, script.digits or "", script.talk_seconds)
        self._schedule(call, "end", at + min(self._talk(script), call.time_limit))

    def _patience(self, book: Book, call: Call) -> int | None:
        """How long the From party stays on the line (its scripted talk time), if scripted."""
        script = book.scripts.get(call.from_)
        return script.talk_seconds if script is not None else None

    def _cancel(self, book: Book, call: Call, at: float, events: list) -> None:
        call.legs[0].ended_at = at
        call.legs[0].status = "completed"
        call.legs[1].status, call.legs[1].ended_at = "canceled", at
        self._end(book, call, at, events, "no-answer")

    def _leg2(self, book: Book, call: Call, at: float, events: list) -> None:
        leg = call.legs[1]
        status, _ = self._outcome(book, leg.number, call.time_out)
        call.updated = at
        if status != "in-progress":
            leg.status, leg.ended_at = status, at
            call.legs[0].status, call.legs[0].ended_at = "completed", at
            return self._end(book, call, at, events, status)
        script = book.scripts.get(leg.number) or Script()
        leg.status, leg.answered_at, leg.answered_by = "in-progress", at, script.answered_by
        talk = script.talk_seconds if script.talk_seconds is not None else TALK_SECONDS
        patience = self._patience(book, call)
        if patience is not None:  # the From party hangs up when its own talk time is over
            talk = min(talk, max(0, int(call.legs[0].answered_at + patience - at)))  # type: ignore[operator]
        self._answered(call, at, events)
        self._schedule(call, "end", at + min(talk, call.time_limit))

    def _end(self, book: Book, call: Call, at: float, events: list, status: str = "completed") -> None:
        for leg in call.legs:
            if leg.status in ("ringing", "in-progress"):
                leg.status = "completed" if leg.answered_at is not None else "canceled"
            if leg.ended_at is None:
                leg.ended_at = at
        call.ended = call.updated = at
        book.restatus(call, status)
        answered = call.legs[0].answered_at is not None
        call.price = f"{math.ceil((call.duration or 0) / 60) * PRICE_PER_MINUTE:.3f}" if answered else "0.000"
        if call.status_callback:
            payload = self.notification("terminal", call, bool(call.events))
            events.append({"url": call.status_callback, "event": "terminal", "payload": payload, "form": _form(call)})

    def _answered(self, call: Call, at: float, events: list) -> None:
        if call.status_callback and "answered" in call.events:
            payload = self.notification("answered", call, True)
            events.append({"url": call.status_callback, "event": "answered", "payload": payload, "form": _form(call)})

    @staticmethod
    def _copy(call: Call) -> Call:
        """A copy safe to render outside the lock while the clock moves the original on."""
        copied = copy.copy(call)
        copied.legs = [copy.copy(leg) for leg in call.legs]
        copied.events = list(call.events)
        if call.flow is not None:
            copied.flow = copy.copy(call.flow)
            copied.flow.dial = list(call.flow.dial)
        return copied

    # ---- call details (bulk) ---------------------------------------------------------------------------

    def calls(self, sid: str, q: dict) -> tuple[list[Call], int, tuple | None, tuple | None]:
        """One page of the account's calls: (calls, total, key before the page, key after the page), the
        keys only when another page lies that way. Cost: O(log n + page) unless filters skip many."""
        with self.store.lock:
            book = self.books[sid]
            source, counted, rest = self._source(book, q)
            low, high = _bounds(q.get("DateCreated"))
            desc = q["SortBy"] == "desc"

            def keep(key: tuple) -> bool:
                return all(test(book.order[key]) for test in rest)

            def walk(start: tuple | None, forward: bool) -> Iterator[tuple]:
                """Keys in sort order (``forward``) or against it, from just past ``start``."""
                ascending = forward != desc
                lo, hi = low, high
                if start is not None:
                    if ascending:
                        lo = max(lo, start) if lo is not None else start
                    else:
                        hi = min(hi, start) if hi is not None else start
                for key in source(lo, hi, not ascending):
                    if key != start and (low is None or key >= low) and (high is None or key <= high) and keep(key):
                        yield key

            size = q["PageSize"]
            if q.get("Before") is not None:
                keys = _take(walk(q["Before"], False), size + 1)
                before = keys[size - 1] if len(keys) > size else None
                keys = keys[:size][::-1]
                after = keys[-1] if keys and _any(walk(keys[-1], True)) else None
            else:
                keys = _take(walk(q.get("After"), True), size + 1)
                after = keys[size - 1] if len(keys) > size else None
                keys = keys[:size]
                before = keys[0] if keys and _any(walk(keys[0], False)) else None
            total = counted(low, high) if counted is not None and not rest else sum(
                1 for _ in walk(None, True))
            return [self._copy(book.order[k]) for k in keys], total, before, after

    def _source(self, book: Book, q: dict):
        """Where a page's keys come from: the Sid list, one indexed filter, or every call; plus a cheap
        count when no other filter applies, and the filters left to test call by call."""
        rest: list[Callable[[Call], bool]] = []
        source = None
        counted = None
        if q.get("Sid"):
            keys = sorted(book.calls[s].key for s in set(q["Sid"]) if s in book.calls)
            lists: list[Any] = [SortedList(keys)]
        else:
            lists = []
        indexed = (("To", book.by_to), ("From", book.by_from), ("PhoneNumber", book.by_phone),
                   ("Status", book.by_status))
        for name, index in indexed:
            if not q.get(name):
                continue
            if not lists:
                lists = [index[v] for v in set(q[name]) if v in index]
            else:
                wanted = set(q[name])
                attribute = {"To": "to", "From": "from_", "PhoneNumber": "caller_id", "Status": "status"}[name]
                rest.append(_one_of(attribute, wanted))
        if not lists and not q.get("Sid") and not any(q.get(n) for n, _ in indexed):
            order = book.order

            def source(lo, hi, reverse):
                return order.irange(lo, hi, reverse=reverse)

            def counted(lo, hi):
                return _count(order, lo, hi)
        else:
            def source(lo, hi, reverse):
                if len(lists) == 1:
                    return lists[0].irange(lo, hi, reverse=reverse)
                import heapq

                return heapq.merge(*(s.irange(lo, hi, reverse=reverse) for s in lists), reverse=reverse)

            def counted(lo, hi):
                return sum(_count(s, lo, hi) for s in lists)
        for name, attribute in (("Duration", "duration"), ("Price", "price")):
            if q.get(name):
                rest.append(_within(attribute, q[name]))
        if q.get("Direction"):
            rest.append(_one_of("direction", set(q["Direction"])))
        return source, counted, rest

    # ---- SMS -------------------------------------------------------------------------------------------

    def send(self, sid: str, messages: list[dict]) -> list[Message]:
        """``Sms/send`` (one entry per recipient) and ``Sms/bulksend``: all accepted or none."""
        with self.store.lock:
            book = self.books[sid]
            self._admit(sid, "sms")
            now = self.store.clock.time()
            prepared = []
            for item in messages:
                to = numbers.parse(item["To"])
                if to is None:
                    raise Refused(Code.INVALID_RECIPIENT, Code.INVALID_RECIPIENT.text(item["To"]))
                prepared.append((to, item, self._sender(sid, book, item.get("From"))))
            made = []
            for to, item, sender in prepared:
                body = item["Body"]
                encoding = sms.encoding_of(body, item.get("EncodingType"))
                message = Message(
                    sid=new_sid(book.messages), account_sid=sid, from_=sender, to=to, body=body, created=now,
                    updated=now, encoding=encoding, units=sms.units(body, encoding), sms_type=item.get("SmsType"),
                    priority=item.get("Priority", "normal"), dlt_entity_id=item.get("DltEntityId"),
                    dlt_template_id=item.get("DltTemplateId"), dlt_failure=self._dlt(book, item),
                    custom_field=item.get("CustomField"), status_callback=item.get("StatusCallback"))
                book.messages[message.sid] = message
                self._schedule_sms(message)
                made.append(replace_message(message))
            book.forget_oldest(self.store.config.get("VOICE_MAX_KEPT", MAX_KEPT))
            return made

    def message(self, sid: str, sms_sid: str) -> Message:
        with self.store.lock:
            message = self.books[sid].messages.get(sms_sid)
            if message is None:
                raise Refused(Reason.NOT_FOUND, f"SMS {sms_sid} not found")
            return replace_message(message)

    def _sender(self, sid: str, book: Book, sender: str | None) -> str:
        """``From`` as responses show it: an ExoPhone with the account's sender ID, or ``/<SENDERID>``."""
        if sender is None:  # bulksend without any From: the account's default sender ID
            if not book.sender_ids:
                raise Refused(Reason.INVALID, "From is required: this account has no sender ID")
            return "/" + book.sender_ids[0]
        if sender.upper() in (s.upper() for s in book.sender_ids):
            return "/" + next(s for s in book.sender_ids if s.upper() == sender.upper())
        number = numbers.parse(sender)
        if number is None:
            raise Refused(Reason.INVALID, f"From {sender} is neither an ExoPhone nor a sender ID of this account")
        self._exophone(sid, number, "From")
        exophone = numbers.national(number) or number
        return f"{exophone}/{book.sender_ids[0]}" if book.sender_ids else exophone

    def _dlt(self, book: Book, item: dict) -> int | None:
        """The DLT failure a message meets: its template is not registered, or its body does not match."""
        template_id = item.get("DltTemplateId")
        if template_id is None or not book.templates:
            return None  # an account with no templates registered is not checked
        template = book.templates.get(template_id)
        if template is None:
            return sms.TEMPLATE_NOT_FOUND
        return None if sms.matches(template, item["Body"]) else sms.TEMPLATE_MISMATCH

    def _schedule_sms(self, message: Message) -> None:
        step = message.step
        assert step is not None
        due = message.created + sms.PROGRESSION[step][0]
        message.due = due
        sid, sms_sid = message.account_sid, message.sid
        self.store.scheduler.at(due, lambda: self._advance_sms(sid, sms_sid, step, due))

    def _advance_sms(self, sid: str, sms_sid: str, step: int, at: float) -> None:
        with self.store.lock:
            if self.store.models.get("voice") is not self:
                return
            book = self.books.get(sid)
            message = book.messages.get(sms_sid) if book is not None else None
            if book is None or message is None or message.step != step or message.due != at:
                return
            code = sms.PROGRESSION[step][1]
            message.code = code if code is not None else self._final(book, message)
            message.updated = at
            if code is not None:
                message.step = step + 1
                self._schedule_sms(message)
                return
            message.step = message.due = None
            if message.code == sms.DELIVERED:
                message.sent = at
                message.price = f"{SMS_PRICE * message.units:.6f}"
            url = message.status_callback
            payload = self.notification("sms_status", message) if url else None
        if url and payload is not None:
            self.store.callbacks.send(url, "sms_status", payload, form="urlencoded", account=sid)

    def _final(self, book: Book, message: Message) -> int:
        if message.dlt_failure is not None:
            return message.dlt_failure
        script = book.scripts.get(message.to) or Script()
        if script.sms == "failed":
            return script.sms_code or sms.INVALID_NUMBER
        if script.sms == "failed_dnd" or (script.sms is None and script.dnd and message.sms_type == "promotional"):
            return sms.DND
        return sms.DELIVERED

    # ---- snapshots -------------------------------------------------------------------------------------

    def dump(self) -> dict:
        with self.store.lock:
            return {"default_account": _jsonable(self.default), "accounts": {
                sid: {
                    "calls": [asdict(c) for c in book.order.values()],
                    "messages": [asdict(m) for m in book.messages.values()],
                    "numbers": {n: {k: v for k, v in asdict(s).items() if v is not None}
                                for n, s in book.scripts.items()},
                    "whitelist": [{"number": n, "since": a, "until": b, "virtual_number": v}
                                  for n, (a, b, v) in book.whitelist.items()],
                    "sender_ids": list(book.sender_ids),
                    "dlt_templates": dict(book.templates),
                    "flows": copy.deepcopy(book.flows),
                } for sid, book in self.books.items()}}

    def restore(self, data: dict) -> None:
        from emulator.core.request import Schemas, validate

        data = validate(Schemas("emulator.voice.snapshot").Snapshot, data)
        with self.store.lock:
            self.default = data["default_account"]
            self.books = {}
            for sid, state in data["accounts"].items():
                book = self.books[sid] = self._configured(Book(), state)
                for item in state["calls"]:
                    flow = FlowRun(**item["flow"]) if item["flow"] is not None else None
                    call = Call(**{**item, "legs": [Leg(**leg) for leg in item["legs"]], "flow": flow})
                    book.index(call)
                    if call.step is not None and call.due is not None:
                        self._schedule(call, call.step, call.due)  # a call in progress goes on after a restore
                    if flow is not None and flow.waiting is not None:  # the answer it waited for went to the old world
                        self.store.scheduler.at(self.store.clock.time(), functools.partial(self._reask, sid, call.sid))
                for item in state["messages"]:
                    message = Message(**item)
                    book.messages[message.sid] = message
                    if message.step is not None:
                        self._schedule_sms(message)
                for entry in state["whitelist"]:
                    book.whitelist[entry["number"]] = (entry["since"], entry["until"], entry["virtual_number"])


def replace_message(message: Message) -> Message:
    return copy.copy(message)  # every field is immutable


def _form(call: Call) -> str | None:
    return None if call.content_type == "application/json" else "multipart"


def _jsonable(default: dict) -> dict:
    return {"sender_ids": list(default.get("sender_ids", [])),
            "dlt_templates": dict(default.get("dlt_templates", {})),
            "numbers": {n: {k: v for k, v in (asdict(s) if isinstance(s, Script) else s).items() if v is not None}
                        for n, s in default.get("numbers", {}).items()},
            "flows": copy.deepcopy(default.get("flows", {}))}


def _bounds(ranges: list[tuple[str, float]] | None) -> tuple[tuple | None, tuple | None]:
    """``DateCreated`` conditions as the lowest and highest call keys they allow."""
    low: tuple | None = None
    high: tuple | None = None
    for op, value in ranges or ():
        us = int(round(value * 1_000_000))
        if op in ("gte", "eq", "gt"):
            bound = (us + 1_000_000, "") if op == "gt" else (us, "")
            low = bound if low is None else max(low, bound)
        if op in ("lte", "eq", "lt"):
            # times have whole seconds: "lte: 10:00:00" takes every call created during that second
            bound = (us, "") if op == "lt" else (us + 999_999, "\uffff")
            high = bound if high is None else min(high, bound)
    return low, high


def _count(keys: Any, lo: tuple | None, hi: tuple | None) -> int:
    start = keys.bisect_left(lo) if lo is not None else 0
    end = keys.bisect_right(hi) if hi is not None else len(keys)
    return max(0, end - start)


def _one_of(attribute: str, wanted: set) -> Callable[[Call], bool]:
    return lambda call: getattr(call, attribute) in wanted


def _within(attribute: str, conditions: list[tuple[str, float]]) -> Callable[[Call], bool]:
    return lambda call: _in_range(getattr(call, attribute), conditions)


def _in_range(value: Any, conditions: list[tuple[str, float]]) -> bool:
    if value is None:
        return False
    number = float(value)
    tests = {"gte": number.__ge__, "lte": number.__le__, "gt": number.__gt__, "lt": number.__lt__,
             "eq": number.__eq__}
    return all(tests[op](bound) for op, bound in conditions)


def _take(keys: Iterable, n: int) -> list:
    out = []
    for key in keys:
        out.append(key)
        if len(out) >= n:
            break
    return out


def _any(keys: Iterable) -> bool:
    return next(iter(keys), None) is not None
