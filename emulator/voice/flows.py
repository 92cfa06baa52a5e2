"""Call flows: the applets a call runs once the caller is on the line, as steps of the Voice model.

A flow is an ``app_id`` and a list of applets (``greeting``, ``gather``, ``passthru``, ``connect``,
``hangup``) run in order unless a branch names another index. Each applet is a scheduler job on the
emulator clock (``_applet``), and so is each number a ``connect`` dials (``_dial``), the end of its
conversation (``_talked``) and the moment the caller hangs up or ``TimeLimit`` ends the call (``_hangup``).

A sync ``passthru``, and a ``connect`` that asks a URL whom to dial, are GETs made by the callback
dispatcher: the applet only queues the request and the call waits (no job pending but its hangup); the
dispatcher's completion callback (``_replied``, on its thread) takes the store lock, picks the branch and
schedules the next applet at the emulator's time of the answer. Nothing here blocks the scheduler thread.

Once the caller hangs up during a ``connect``, the flow goes on along that applet's branch running only
``passthru`` applets (production reports ``CallType=client-hangup`` to the Passthru after the Connect);
anything else ends it. Every applet run and every number dialled is a step; a flow is cut off after
``FLOW_MAX_STEPS`` steps (a loop never ends a call otherwise).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.callbacks import Reply
from emulator.core.request import Schemas, schema, validation_error
from emulator.voice import numbers

if TYPE_CHECKING:
    from emulator.core.clock import Job
    from emulator.core.store import Store
    from emulator.voice.models import Book, Call, Script

# the two flow URL forms: the documented one, and the old one exotel-py and the Ruby gem still send
FLOW_URL = re.compile(r"^https?://my\.exotel\.(?:com/(?P<sid>[^/]+)/exoml/start_voice|in/exoml/start)/(?P<app>[\w-]+)/?$")
APP_ID = re.compile(r"^[\w-]{1,64}$")  # what the flow URLs' app_id segment may be
DIAL_WHOM_REPLY = Schemas("emulator.voice.schemas").DialWhomReply
GATHER_SECONDS = 5  # a gather takes this long, whether the caller keys digits or not
MAX_STEPS = 100  # applets run plus numbers dialled, per call (config FLOW_MAX_STEPS)
URL_TIMEOUT = 15.0  # seconds a user's URL has to answer (config FLOW_URL_TIMEOUT, or the flow's url_timeout)
MAX_DIALLED = 20  # numbers a dial-whom answer may name; the rest are ignored

# Why a flow call ended (``FlowRun.ended_by``), as the control API and the X-Emulator-Detail header say it.
ENDINGS = {
    "hangup": "a hangup applet ended the call",
    "end": "the flow ran past its last applet",
    "caller": "the caller hung up",
    "time_limit": "TimeLimit ended the call",
    "step_limit": "cut off after {max_steps} steps (applets run and numbers dialled): the flow loops",
    "no_flow": "the ExoPhone's VoiceUrl names no flow of this account",
    "removed": "its flow was deleted while it ran",
}
DIAL_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
CALL_TYPES = ("call-attempt", "completed", "client-hangup", "incomplete")


@dataclass(slots=True)
class FlowRun:
    """Where a call is in its flow, and what its requests tell the user's URLs."""

    app_id: str | None
    index: int = 0  # the applet to run next, or the one running (a connect, a passthru waiting)
    steps: int = 0
    keys: str = ""  # the digits the caller will key, not gathered yet
    digits: str | None = None  # what the last gather took ("" when nothing was keyed)
    ends_at: float | None = None  # when the caller hangs up, or TimeLimit ends the call
    ends_by: str = "time_limit"  # caller | time_limit
    hung_up: bool = False  # the caller is gone: only passthru applets still run
    connecting: bool = False  # a connect has dialled its first number and not finished
    dial: list[str] = field(default_factory=list)  # numbers the running connect has still to dial
    dial_started: float | None = None
    dial_number: str | None = None  # DialWhomNumber: the number dialled last
    dial_status: str | None = None  # DialCallStatus of the last connect
    dial_duration: int = 0  # DialCallDuration: first ring to the end of the conversation, 0 if nobody answered
    call_type: str = "call-attempt"
    waiting: str | None = None  # the URL request the call waits on: passthru | dial_whom
    ended_by: str | None = None  # a key of ENDINGS


def app_of(url: str | None) -> str | None:
    """The ``app_id`` a flow URL names (``.../exoml/start_voice/<app_id>`` or ``.../exoml/start/<id>``)."""
    match = FLOW_URL.match(url) if url else None
    return match.group("app") if match else None


def ending(run: FlowRun | None, max_steps: int) -> str | None:
    if run is None or run.ended_by is None:
        return None
    return f"flow {run.app_id}: " + ENDINGS[run.ended_by].format(max_steps=max_steps)


NUMBER_SPLIT = re.compile(r"[\s,;]+")


def dialled(reply: Reply) -> list[str]:
    """The numbers a dial-whom URL answered with: plain text (one number, or several separated by commas,
    semicolons or whitespace), or the programmable Connect JSON ``{"destination": {"numbers": [...]}}``.
    Anything but a 200, and any word that is not a phone number, names nobody."""
    if reply.status_code != 200:
        return []
    text = reply.body.strip()
    found: list[Any]
    if text.startswith("{"):
        try:
            found = schema(DIAL_WHOM_REPLY).load(json.loads(text))["destination"]["numbers"]
        except (ValueError, validation_error()):  # unreadable JSON, or not that shape: nobody to dial
            return []
    else:
        found = [word for word in NUMBER_SPLIT.split(text) if word]
    parsed = [numbers.parse(str(word)) for word in found[:MAX_DIALLED]]
    return [n for n in parsed if n is not None]


class FlowSteps:
    """The flow steps of the Voice model (mixed into it): each ``_<step>`` runs under the store lock from
    ``Voice._run`` and may append deliveries to ``events``, sent once the lock is released."""

    if TYPE_CHECKING:
        store: Store
        books: dict[str, Book]

        def _schedule(self, call: Call, step: str, due: float) -> Job: ...
        def _outcome(self, book: Book, number: str, time_out: int) -> tuple[str, int]: ...
        def _end(self, book: Book, call: Call, at: float, events: list, status: str = "completed") -> None: ...
        def _deliver(self, events: list[dict], account: str) -> None: ...
        def notification(self, event: str, *facts: Any) -> Any: ...
        def _script(self, book: Book, number: str) -> Script: ...
        def _talk(self, script: Script) -> int: ...
        def _run(self, sid: str, call_sid: str, step: str, at: float) -> None: ...

    def _init_flows(self) -> None:
        self._asked: dict[str, int] = {}  # call sid -> the token of the request it waits on
        self._armed: dict[str, Job] = {}  # call sid -> its pending hangup job while it waits on a URL
        self._tokens = itertools.count(1)

    # ---- starting ------------------------------------------------------------------------------------

    def _start_flow(self, call: Call, app_id: str, at: float, keys: str, patience: int | None) -> None:
        """The caller is on the line: the flow's first applet runs now. ``patience``: seconds until the
        caller hangs up (None: they stay until the flow ends or TimeLimit)."""
        run = call.flow = FlowRun(app_id, keys=keys)
        limit = at + call.time_limit
        if patience is not None and at + patience < limit:
            run.ends_at, run.ends_by = at + patience, "caller"
        else:
            run.ends_at = limit
        self._flow_next(call, "applet", at)

    def _flow_next(self, call: Call, step: str, due: float) -> None:
        """Schedule ``step``, unless the caller hangs up (or TimeLimit strikes) before it is due."""
        run = call.flow
        assert run is not None
        if not run.hung_up and run.ends_at is not None and due > run.ends_at:
            self._schedule(call, "hangup", run.ends_at)
        else:
            self._schedule(call, step, due)

    def ending(self, call: Call) -> str | None:
        """Why a flow call ended, in words (the control API, and call details' X-Emulator-Detail header)."""
        return ending(call.flow, self._max_steps())

    def _max_steps(self) -> int:
        return int(self.store.config.get("FLOW_MAX_STEPS", MAX_STEPS))

    @staticmethod
    def _next(run: FlowRun, applet: dict | None, branch: str | None = None) -> int:
        """The index a branch of ``applet`` goes to (the next applet when it names none)."""
        target = applet.get(branch) if applet is not None and branch else None
        return run.index + 1 if target is None else target

    @staticmethod
    def _running(book: Book, run: FlowRun) -> dict | None:
        """The applet the call is in; None if its flow was deleted or shortened meanwhile (the next
        ``_applet`` then ends the call)."""
        flow = book.flows.get(run.app_id or "")
        return flow["applets"][run.index] if flow is not None and run.index < len(flow["applets"]) else None

    # ---- the applets -----------------------------------------------------------------------------------

    def _applet(self, book: Book, call: Call, at: float, events: list) -> None:
        run = call.flow
        assert run is not None
        flow = book.flows.get(run.app_id or "")
        if flow is None:
            return self._flow_over(book, call, at, events, "removed")
        applets = flow["applets"]
        if run.index >= len(applets):
            return self._flow_over(book, call, at, events, "end")
        applet = applets[run.index]
        if run.hung_up and applet["type"] != "passthru":
            return self._flow_over(book, call, at, events, None)
        if run.steps >= self._max_steps():
            return self._flow_over(book, call, at, events, "step_limit")
        run.steps += 1
        kind = applet["type"]
        if kind == "greeting":
            run.index += 1
            self._flow_next(call, "applet", at + applet["seconds"])
        elif kind == "gather":
            run.digits, run.keys = run.keys[:applet["digits"]], run.keys[applet["digits"]:]
            run.index += 1
            self._flow_next(call, "applet", at + GATHER_SECONDS)
        elif kind == "passthru":
            if applet["mode"] == "async":
                events.append(self._question(flow, call, "passthru", applet["url"], at, wait=False))
                run.index = self._next(run, applet, "on_200")
                self._flow_next(call, "applet", at)
            else:
                events.append(self._question(flow, call, "passthru", applet["url"], at))
        elif kind == "connect":
            run.dial_status = run.dial_number = run.dial_started = None
            run.dial_duration = 0
            if "url" in applet:
                events.append(self._question(flow, call, "dial_whom", applet["url"], at))
            else:
                run.dial = list(applet["numbers"])
                self._dial_next(book, call, at, events)
        else:  # hangup
            self._flow_over(book, call, at, events, "hangup")

    def _question(self, flow: dict, call: Call, event: str, url: str, at: float, wait: bool = True) -> dict:
        """A GET to a user's URL with the call's details; ``wait``: the call waits for the answer."""
        timeout = flow.get("url_timeout") or float(self.store.config.get("FLOW_URL_TIMEOUT", URL_TIMEOUT))
        delivery: dict[str, Any] = {"url": url, "event": event, "payload": self.notification(event, call, at),
                                    "method": "GET", "timeout": timeout}
        if wait:
            token = next(self._tokens)
            self._asked[call.sid] = token
            sid, call_sid = call.account_sid, call.sid
            delivery["on_done"] = lambda reply: self._replied(sid, call_sid, token, reply)
            self._wait(call, event)
        return delivery

    def _wait(self, call: Call, event: str) -> None:
        """The call waits on a URL: nothing is due but the caller hanging up (one job per call, however
        many times it waits)."""
        run = call.flow
        assert run is not None
        run.waiting = event
        if run.hung_up or run.ends_at is None:
            call.step = call.due = None
            return
        call.step, call.due = "hangup", run.ends_at
        if call.sid in self._armed:
            return  # its hangup job is still pending, for this same moment
        sid, call_sid, due = call.account_sid, call.sid, run.ends_at
        armed = self._armed

        def hang_up() -> None:
            armed.pop(call_sid, None)
            self._run(sid, call_sid, "hangup", due)

        self._armed[call_sid] = self.store.scheduler.at(due, hang_up)

    def _replied(self, sid: str, call_sid: str, token: int, reply: Reply) -> None:
        """The dispatcher's completion callback: the answer a waiting call waited for."""
        events: list[dict] = []
        with self.store.lock:
            if self.store.models.get("voice") is not self:
                return  # a reset or restore replaced this model while the URL thought
            book = self.books.get(sid)
            call = book.calls.get(call_sid) if book is not None else None
            if book is None or call is None or call.flow is None or self._asked.get(call_sid) != token:
                return  # the caller hung up meanwhile, or the call was forgotten
            del self._asked[call_sid]
            run = call.flow
            event, run.waiting = run.waiting, None
            now = self.store.clock.time()  # the caller waited, in real time, for the answer
            flow = book.flows.get(run.app_id or "")
            if flow is None or run.index >= len(flow["applets"]):
                self._flow_over(book, call, now, events, "removed")
            elif event == "passthru":
                run.index = self._next(run, flow["applets"][run.index], "on_200" if reply.status_code == 200
                                       else "on_302")
                self._flow_next(call, "applet", now)
            else:
                run.dial = dialled(reply)
                self._dial_next(book, call, now, events)
        self._deliver(events, sid)

    def _reask(self, sid: str, call_sid: str) -> None:
        """After a restore, a call that waited on a URL asks it again (the answer went to the old world)."""
        events: list[dict] = []
        with self.store.lock:
            if self.store.models.get("voice") is not self:
                return
            book = self.books.get(sid)
            call = book.calls.get(call_sid) if book is not None else None
            run = call.flow if call is not None else None
            if book is None or call is None or run is None or run.waiting is None or call_sid in self._asked:
                return
            flow = book.flows.get(run.app_id or "")
            if flow is None or run.index >= len(flow["applets"]):
                return self._flow_over(book, call, self.store.clock.time(), events, "removed")
            applet = flow["applets"][run.index]
            events.append(self._question(flow, call, run.waiting, applet["url"], self.store.clock.time()))
        self._deliver(events, sid)

    # ---- connect ---------------------------------------------------------------------------------------

    def _dial_next(self, book: Book, call: Call, at: float, events: list) -> None:
        """Dial the running connect's next number, or take its no-answer branch when none is left."""
        from emulator.voice.models import Leg

        run = call.flow
        assert run is not None
        applet = self._running(book, run)
        if not run.dial:
            run.connecting = False
            run.dial_status = run.dial_status or "failed"  # failed: nobody to dial
            run.call_type, run.dial_duration = "incomplete", 0
            run.index = self._next(run, applet, "on_no_answer")
            return self._flow_next(call, "applet", at)
        if run.steps >= self._max_steps():
            return self._flow_over(book, call, at, events, "step_limit")
        run.steps += 1
        number = run.dial.pop(0)
        call.legs.append(Leg(number, "ringing"))
        run.connecting, run.dial_number = True, number
        if run.dial_started is None:
            run.dial_started = at
        _, delay = self._outcome(book, number, call.time_out)
        self._flow_next(call, "dial", at + delay)

    def _dial(self, book: Book, call: Call, at: float, events: list) -> None:
        """The outcome of the number a connect dialled."""
        run = call.flow
        assert run is not None
        leg = call.legs[-1]
        status, _ = self._outcome(book, leg.number, call.time_out)
        call.updated = at
        if status != "in-progress":
            leg.status, leg.ended_at = status, at
            run.dial_status = status
            return self._dial_next(book, call, at, events)
        script = self._script(book, leg.number)
        leg.status, leg.answered_at, leg.answered_by = "in-progress", at, script.answered_by
        if (self._running(book, run) or {}).get("record"):
            call.record = True
        run.dial = []
        self._flow_next(call, "talked", at + self._talk(script))

    def _talked(self, book: Book, call: Call, at: float, events: list) -> None:
        """The agent hung up: the conversation happened, and the caller goes on in the flow."""
        self._conversation_over(book, call, at)
        self._flow_next(call, "applet", at)

    def _conversation_over(self, book: Book, call: Call, at: float) -> None:
        run = call.flow
        assert run is not None
        leg = call.legs[-1]
        leg.status, leg.ended_at = "completed", at
        call.updated = at
        run.connecting = False
        run.dial_status, run.call_type = "completed", "completed"
        run.dial_duration = int(at - (run.dial_started or at))
        run.index = self._next(run, self._running(book, run), "on_completed")

    # ---- the end ---------------------------------------------------------------------------------------

    def _hangup(self, book: Book, call: Call, at: float, events: list) -> None:
        """The caller hangs up (or TimeLimit ends the call). During a connect the flow goes on, with
        passthru applets only, along that connect's branch."""
        run = call.flow
        assert run is not None
        run.hung_up = True
        run.waiting = None
        self._asked.pop(call.sid, None)
        why = "caller" if run.ends_by == "caller" else "time_limit"
        if not run.connecting:
            return self._flow_over(book, call, at, events, why)
        run.ended_by = why
        leg = call.legs[-1]
        if leg.status == "ringing":
            leg.status, leg.ended_at = "canceled", at
            run.connecting, run.dial = False, []
            run.dial_status, run.call_type, run.dial_duration = "canceled", "client-hangup", 0
            run.index = self._next(run, self._running(book, run), "on_no_answer")
        else:
            self._conversation_over(book, call, at)
        self._end(book, call, at, events, "completed")
        self._flow_next(call, "applet", at)

    def _flow_over(self, book: Book, call: Call, at: float, events: list, why: str | None) -> None:
        """The flow is done: the call ends now if the caller had not hung up already."""
        run = call.flow
        assert run is not None
        if why is not None and run.ended_by is None:
            run.ended_by = why
        run.waiting = None
        self._asked.pop(call.sid, None)
        armed = self._armed.pop(call.sid, None)
        if armed is not None:
            armed.cancel()
        call.step = call.due = None
        if call.ended is None:
            self._end(book, call, at, events, "completed")
