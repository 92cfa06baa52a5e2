"""Integrations state and rules: customers, their apps, app settings, users (with devices) and tokens.

Everything is reached by id in O(1): customers and apps by id, tokens by value; an app's users sit in a
SortedDict keyed by AppUserId so ``last_value`` paging costs O(log n + page). Every rule runs under
``store.lock`` (check then change in one step), and re-checks that the token's customer or app still
exists, so a request racing a delete gets a 401 rather than touching a deleted object. What the public
methods return for rendering are copies taken under the lock; the customer or app a token stands for is
the live object, a handle to pass back in.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from typing import Any

from sortedcontainers import SortedDict

from emulator.core.errors import Reason, Refused
from emulator.core.family import Model
from emulator.integrations import crypto

# GET /call/inbound_call/<appId>?type= -> the app_setting whose URL receives the notification
NOTIFICATIONS = {"popup": "popup", "incomingcallhungup": "incomingCallHangup", "missedcall": "missedCall"}
TOKEN_TTL = 90 * 86400  # "token generated will get expired after 90 days"
# An expired token answers "token expired" this long (emulator clock) after it expired, then it is forgotten
# ("unknown token"): tokens nobody uses again must not pile up in a long run.
TOKEN_RETENTION = 86_400
DEFAULT_ROLE = "admin"  # every documented user has it; the request has no Role field
# What each inbound notification says when the query does not tell: the page's three example payloads.
INBOUND_DEFAULTS: dict[str, dict[str, Any]] = {
    "popup": {"direction": "inbound", "status": "", "state": "active"},
    "incomingcallhungup": {"direction": "incoming", "status": "free", "state": ""},
    "missedcall": {"direction": "incoming", "status": "free", "state": ""},
}


def natural(app_user_id: str) -> tuple:
    """Sort key for AppUserIds: numeric ids in numeric order ("2" before "10"), then the rest as text."""
    if app_user_id.isascii() and app_user_id.isdigit():
        return (0, int(app_user_id), app_user_id)
    return (1, 0, app_user_id)


def new_users() -> SortedDict:
    return SortedDict(natural)


@dataclass
class Customer:
    """An integrations customer and the ids of its apps."""

    id: str
    secret: str
    name: str
    email: str
    created: float
    updated: float
    apps: list[str] = field(default_factory=list)  # app ids, creation order


@dataclass
class User:
    """An app's user: its Exotel identity and its devices."""

    app_user_id: str
    username: str
    email: str
    account_sid: str
    exotel_user_name: str
    virtual_number: str
    agent_number: str = ""
    exotel_user_id: str = ""
    phone_device_id: str = ""
    sip_device_id: str = ""
    active_device: str = ""  # "", "phone" or "sip": the one device that receives calls, if any
    role: str = DEFAULT_ROLE
    sip_id: str = ""
    sip_secret: str = ""
    is_active: bool = True

    @property
    def active_device_id(self) -> str:
        return {"phone": self.phone_device_id, "sip": self.sip_device_id}.get(self.active_device, "")

    @property
    def outbound_active(self) -> bool:
        """Shown true while one of the user's devices is on; placing a call does not depend on it (the
        device switch is documented as stopping *incoming* calls only)."""
        return bool(self.active_device)

    def agent_leg(self) -> str:
        """Where a call to this agent rings: the SIP id while the sip device is on, else the phone."""
        return self.sip_id if self.active_device == "sip" or not self.agent_number else self.agent_number


@dataclass
class App:
    """A customer's app: its credentials, settings, users and the numbers its users are dialled on."""

    id: str
    secret: str
    customer_id: str
    name: str
    account_sid: str
    api_key: str
    api_token: str
    domain: str
    is_active: bool
    created: float
    updated: float
    settings: dict[str, str] = field(default_factory=dict)  # key -> value, in the order they were added
    users: SortedDict = field(default_factory=new_users)  # AppUserId -> User
    dialled: dict[str, str] = field(default_factory=dict)  # AgentNumber or SipId -> AppUserId


@dataclass
class Token:
    """A token ``POST /token`` issued, until it expires."""

    value: str
    entity: str  # "customer" or "app"
    owner: str  # the customer's or app's id
    expires: float  # emulator clock


@dataclass
class Call:
    """One call as the notifications describe it; ``views.call`` gives its wire form."""

    customer_id: str
    app_id: str
    sid: str
    account_sid: str
    domain: str
    direction: str
    app_user_id: str = ""
    dial_whom: str = ""
    virtual_number: str = ""
    status: str = ""
    state: str = ""
    to_number: str = ""
    from_number: str = ""
    duration: int = 0
    recordings: str = ""
    ticket: str = ""
    detail: str = ""
    start: float | None = None  # outbound calls carry StartTime/EndTime


def _sip_id(user: User) -> str:
    """``sip:victor58e267c1``, like the page's DialWhomNumber: a name and a random tail."""
    first = re.sub(r"[^a-z0-9]", "", user.exotel_user_name.split(" ")[0].lower())[:16] or "user"
    return f"sip:{first}{secrets.token_hex(4)}"


class Integrations(Model):
    def __init__(self, store):
        super().__init__(store)
        self.sip_key = crypto.sip_key(store.config)
        self.customers: dict[str, Customer] = {}
        self.apps: dict[str, App] = {}
        self.tokens: dict[str, Token] = {}
        self._tokens_of: dict[tuple[str, str], set[str]] = {}  # (entity, owner) -> token values
        self._expiry: deque[tuple[float, str]] = deque()  # issue order = expiry order (one TTL)
        self._pruning: Any = None  # the scheduler job that forgets the next tokens past their retention

    # ---- tokens ----------------------------------------------------------------------------------------

    def issue_token(self, entity: str, entity_id: str, secret: str) -> Token:
        with self.store.lock:
            owner = (self.customers if entity == "customer" else self.apps).get(entity_id)
            if owner is None or not hmac.compare_digest(owner.secret.encode(), secret.encode()):
                raise Refused(Reason.UNAUTHORIZED, f"No {entity} {entity_id} with that secret.")
            now = self.store.clock.time()
            # like the page's tokens: base64 of a UUID's text
            token = Token(base64.b64encode(str(uuid.uuid4()).encode()).decode(), entity, entity_id, now + TOKEN_TTL)
            self._keep(token)
            return token

    def authenticate(self, value: str, entity: str) -> Customer | App:
        """The customer or app a token (raw, as sent in Authorization) stands for; 401 unless it is valid."""
        if not value:
            raise Refused(Reason.UNAUTHORIZED, "No token: send the one /v2/integrations/token gives in Authorization.")
        with self.store.lock:
            token = self.tokens.get(value)
            if token is None:
                raise Refused(Reason.UNAUTHORIZED, "Unknown token.")
            if token.expires <= self.store.clock.time():
                self._forget(token)
                raise Refused(Reason.UNAUTHORIZED, "Token expired (tokens last 90 days).")
            if token.entity != entity:
                raise Refused(Reason.UNAUTHORIZED, f"This endpoint needs a token created with entity={entity}.")
            return self.customers[token.owner] if entity == "customer" else self.apps[token.owner]

    def authenticate_customer(self, value: str) -> Customer:
        owner = self.authenticate(value, "customer")
        assert isinstance(owner, Customer)
        return owner

    def authenticate_app(self, value: str) -> App:
        owner = self.authenticate(value, "app")
        assert isinstance(owner, App)
        return owner

    def entity_of(self, value: str) -> str | None:
        token = self.tokens.get(value)
        return token.entity if token is not None else None

    def _keep(self, token: Token) -> None:
        self.tokens[token.value] = token
        self._tokens_of.setdefault((token.entity, token.owner), set()).add(token.value)
        self._expiry.append((token.expires, token.value))
        self._schedule_pruning()

    def _forget(self, token: Token) -> None:
        self.tokens.pop(token.value, None)
        owned = self._tokens_of.get((token.entity, token.owner))
        if owned is not None:
            owned.discard(token.value)
            if not owned:
                del self._tokens_of[(token.entity, token.owner)]

    def _schedule_pruning(self) -> None:
        """One job on the emulator clock, due when the oldest token's retention ends."""
        if self._pruning is None and self._expiry:
            self._pruning = self.store.scheduler.at(self._expiry[0][0] + TOKEN_RETENTION, self._prune)

    def _prune(self) -> None:
        """Forget the tokens whose retention is over, oldest first (issue order is expiry order)."""
        with self.store.lock:
            if self.store.models.get("integrations") is not self:
                return  # a reset or restore replaced this model
            self._pruning = None
            before = self.store.clock.time() - TOKEN_RETENTION
            while self._expiry and self._expiry[0][0] <= before:
                _, value = self._expiry.popleft()
                token = self.tokens.get(value)
                if token is not None and token.expires <= before:
                    self._forget(token)
            self._schedule_pruning()

    def _revoke(self, entity: str, owner: str) -> None:
        for value in self._tokens_of.pop((entity, owner), set()):
            self.tokens.pop(value, None)

    # ---- customers -------------------------------------------------------------------------------------

    def add_customer(self, id: str, secret: str, name: str, email: str) -> Customer:
        return replace(self._add_customer(id, secret, name, email))

    def customer(self, customer: Customer) -> Customer:
        with self.store.lock:
            return replace(self._live(customer))

    def _add_customer(self, id: str, secret: str, name: str, email: str) -> Customer:
        with self.store.lock:
            if id in self.customers:
                raise Refused(Reason.CONFLICT, f"customer {id} exists")
            now = self.store.clock.time()
            customer = self.customers[id] = Customer(id, secret, name, email, now, now)
            return customer

    def customers_in(self, start: int, stop: int) -> tuple[list[Customer], int]:
        """A slice of the customers in creation order (copies, safe to render), and how many there are."""
        with self.store.lock:
            customers = list(self.customers.values())
            return [replace(c, apps=list(c.apps)) for c in customers[start:stop]], len(customers)

    def update_customer(self, customer: Customer, changes: dict) -> Customer:
        with self.store.lock:
            self._live(customer)
            for name, value in changes.items():
                setattr(customer, name, value)
            customer.updated = self.store.clock.time()
            return replace(customer)

    def delete_customer(self, customer: Customer) -> None:
        """The customer, its apps (with their settings, users and devices) and every token of them."""
        with self.store.lock:
            self._live(customer)
            for app_id in customer.apps:
                self._drop_app(app_id)
            del self.customers[customer.id]
            self._revoke("customer", customer.id)

    # ---- apps --------------------------------------------------------------------------------------------

    def create_app(self, customer: Customer, fields: dict) -> App:
        return replace(self._create_app(customer, fields))

    def _create_app(self, customer: Customer, fields: dict, app_id: str | None = None,
                    secret: str | None = None) -> App:
        with self.store.lock:
            self._live(customer)
            app_id = app_id or str(uuid.uuid4())
            if app_id in self.apps:
                raise Refused(Reason.CONFLICT, f"app {app_id} exists")
            now = self.store.clock.time()
            app = App(id=app_id, secret=secret or str(uuid.uuid4()), customer_id=customer.id, created=now,
                      updated=now, **fields)
            self.apps[app.id] = app
            customer.apps.append(app.id)
            return app

    def apps_in(self, customer_id: str | None, start: int, stop: int) -> tuple[list[tuple[App, int]], int]:
        """A slice of the apps (of one customer, or all) in creation order, each a copy with its number of
        users, and how many there are."""
        with self.store.lock:
            apps = [a for a in self.apps.values() if customer_id in (None, a.customer_id)]
            return [(replace(a, settings=dict(a.settings)), len(a.users)) for a in apps[start:stop]], len(apps)

    def apps_of(self, customer: Customer) -> list[App]:
        with self.store.lock:
            self._live(customer)
            return [replace(self.apps[a]) for a in customer.apps]

    def app(self, app: App) -> App:
        with self.store.lock:
            return replace(self._live(app))

    def update_app(self, app: App, changes: dict) -> App:
        with self.store.lock:
            self._live(app)
            for name, value in changes.items():
                setattr(app, name, value)
            app.updated = self.store.clock.time()
            return replace(app)

    def delete_app(self, app: App) -> None:
        with self.store.lock:
            self._live(app)
            self.customers[app.customer_id].apps.remove(app.id)
            self._drop_app(app.id)

    def _drop_app(self, app_id: str) -> None:
        """Settings, users and devices live in the app, so dropping it drops them; its tokens go too."""
        del self.apps[app_id]
        self._revoke("app", app_id)

    def _live(self, owner):
        """``owner`` unless it was deleted since its token was checked (a racing DELETE)."""
        table = self.customers if isinstance(owner, Customer) else self.apps
        if table.get(owner.id) is not owner:
            raise Refused(Reason.UNAUTHORIZED, "This token's entity was deleted.")
        return owner

    # ---- app settings ------------------------------------------------------------------------------------

    def set_setting(self, app: App, key: str, value: str, *, create: bool) -> None:
        """POST adds or replaces a key; PUT only changes a key that is set."""
        with self.store.lock:
            self._live(app)
            if not create:
                self._setting(app, key)
            app.settings[key] = value

    def setting(self, app: App, key: str) -> str:
        with self.store.lock:
            return self._setting(self._live(app), key)

    def settings(self, app: App) -> list[tuple[str, str]]:
        with self.store.lock:
            return list(self._live(app).settings.items())

    def delete_setting(self, app: App, key: str) -> None:
        with self.store.lock:
            self._setting(self._live(app), key)
            del app.settings[key]

    @staticmethod
    def _setting(app: App, key: str) -> str:
        if key not in app.settings:
            raise Refused(Reason.NOT_FOUND, f"App setting {key} not found")
        return app.settings[key]

    # ---- users -------------------------------------------------------------------------------------------

    def add_users(self, app: App, users: list[dict]) -> list[User]:
        """All or nothing: one AppUserId already mapped fails the whole request and adds no one."""
        with self.store.lock:
            self._live(app)
            taken = [u["app_user_id"] for u in users if u["app_user_id"] in app.users]
            if taken:
                raise Refused(Reason.INVALID, f"AppUserId already exists: {', '.join(taken)}")
            return [replace(self._add_user(app, u)) for u in users]

    def _add_user(self, app: App, data: dict) -> User:
        user = User(**data)
        user.exotel_user_id = user.exotel_user_id or str(uuid.uuid4())
        user.phone_device_id = user.phone_device_id or str(uuid.uuid4())
        user.sip_device_id = user.sip_device_id or str(uuid.uuid4())
        user.sip_id = user.sip_id or _sip_id(user)
        user.sip_secret = user.sip_secret or secrets.token_urlsafe(15)
        app.users[user.app_user_id] = user
        self._index(app, user)
        return user

    def user(self, app: App, app_user_id: str) -> User:
        with self.store.lock:
            return replace(self._user(app, app_user_id))

    def _user(self, app: App, app_user_id: str) -> User:
        user = self._live(app).users.get(app_user_id)
        if user is None:
            raise Refused(Reason.NOT_FOUND, f"User {app_user_id} not found")
        return user

    def encrypted_secret(self, user: User) -> str:
        return crypto.encrypt(user.sip_secret, self.sip_key)

    def users(self, app: App) -> list[User]:
        with self.store.lock:
            return [replace(u) for u in self._live(app).users.values()]

    def page(self, app: App, last_value: str, size: int) -> tuple[list[User], str]:
        """The ``size`` users after ``last_value``, and the AppUserId to pass next ("" on the last page)."""
        with self.store.lock:
            users = self._live(app).users
            # the documented default last_value is 0: both "0" and nothing mean "from the start"
            from_start = last_value in ("", "0")
            ids = iter(users) if from_start else users.irange(minimum=last_value, inclusive=(False, True))
            found = list(islice(ids, size + 1))
            more = len(found) > size
            page = [replace(users[i]) for i in found[:size]]
            return page, (page[-1].app_user_id if more else "")

    def update_users(self, app: App, changes: list[dict]) -> list[User]:
        with self.store.lock:
            self._live(app)
            missing = [c["app_user_id"] for c in changes if c["app_user_id"] not in app.users]
            if missing:
                raise Refused(Reason.NOT_FOUND, f"User not found: {', '.join(missing)}")
            updated = []
            for change in changes:
                user = app.users[change["app_user_id"]]
                self._unindex(app, user)
                for name, value in change.items():
                    setattr(user, name, value)
                self._index(app, user)
                updated.append(user)
            return [replace(u) for u in updated]

    def delete_users(self, app: App) -> None:
        with self.store.lock:
            self._live(app)
            app.users.clear()
            app.dialled.clear()

    def delete_user(self, app: App, app_user_id: str) -> None:
        with self.store.lock:
            user = self._user(app, app_user_id)
            self._unindex(app, user)
            del app.users[app_user_id]

    def set_device(self, app: App, app_user_id: str, name: str | None, status: bool | None) -> User:
        """PUT /device. One device at most is on: turning one on turns the other off (the toggle).

        status false: that device off (any device when no name); a name without status or with true: that
        device on; neither: swap the device that is on for the other one.
        """
        with self.store.lock:
            user = self._user(app, app_user_id)
            if status is False:
                if name is None or user.active_device == name:
                    user.active_device = ""
            elif name is not None:
                user.active_device = name
            elif status is True:
                raise Refused(Reason.INVALID, "DeviceName (phone or sip) is required while turning on a device")
            elif not user.active_device:
                raise Refused(Reason.INVALID, "No device is on to toggle: send DeviceName to turn one on")
            else:
                user.active_device = "sip" if user.active_device == "phone" else "phone"
            return replace(user)

    @staticmethod
    def _index(app: App, user: User) -> None:
        for number in (user.agent_number, user.sip_id):
            if number:
                app.dialled[number] = user.app_user_id

    @staticmethod
    def _unindex(app: App, user: User) -> None:
        for number in (user.agent_number, user.sip_id):
            if number and app.dialled.get(number) == user.app_user_id:
                del app.dialled[number]

    # ---- calls -------------------------------------------------------------------------------------------

    def inbound(self, app_id: str, details: dict) -> dict:
        """GET /call/inbound_call/<appId>: post the notification to the app's setting URL for that type."""
        kind = details.pop("type")
        key = NOTIFICATIONS[kind]
        with self.store.lock:
            app = self.apps.get(app_id)
            if app is None:
                raise Refused(Reason.NOT_FOUND, f"App {app_id} not found")
            url = app.settings.get(key)
            if url is None:
                raise Refused(Reason.NOT_FOUND, f"App setting {key} not found: set it to receive {kind} notifications")
            dial_whom = details.get("dial_whom", "")
            user = app.users.get(details.get("app_user_id") or app.dialled.get(dial_whom, ""))
            call = Call(customer_id=app.customer_id, app_id=app.id, sid=uuid.uuid4().hex,
                        account_sid=app.account_sid, domain=app.domain, app_user_id=user.app_user_id if user else "",
                        virtual_number=user.virtual_number if user else details.get("to_number", ""),
                        **INBOUND_DEFAULTS[kind])
            for name, value in details.items():
                setattr(call, name, value)
        return self.notify(url, key, call, account=app.account_sid)

    def outbound(self, app: App, app_user_id: str, to_number: str, overrides: dict | None = None,
                 require_callback: bool = False) -> tuple[Call, dict | None]:
        """Place a call from an agent to ``to_number``; post the outbound callback if the app set one."""
        with self.store.lock:
            self._live(app)
            if not app.is_active:
                raise Refused(Reason.INVALID, f"App {app.id} is not active (IsActive false)")
            user = self._user(app, app_user_id)
            url = app.settings.get("callback")
            if url is None and require_callback:
                raise Refused(Reason.CONFLICT, f"App {app.id} has no callback app_setting to post to")
            call = Call(customer_id=app.customer_id, app_id=app.id, sid=uuid.uuid4().hex,
                        account_sid=app.account_sid, domain=app.domain, direction="outbound", state="active",
                        app_user_id=user.app_user_id, virtual_number=user.virtual_number,
                        from_number=user.agent_leg(), to_number=to_number, start=self.store.clock.time())
            for name, value in (overrides or {}).items():
                setattr(call, name, value)
        entry = self.notify(url, "callback", call, account=app.account_sid) if url else None
        return call, entry

    # ---- fixtures and snapshots --------------------------------------------------------------------------

    def load_fixtures(self, docs: list[dict]) -> None:
        from emulator.core.fixtures import FixtureError

        # the docs are the loaded world, read again on every reset: take from them, never change them
        for doc in docs:
            for c in doc["customers"]:
                try:
                    customer = self._add_customer(**{k: v for k, v in c.items() if k != "apps"})
                    for a in c["apps"]:
                        fields = {k: v for k, v in a.items() if k not in ("id", "secret", "settings", "users")}
                        app = self._create_app(customer, fields, app_id=a["id"], secret=a["secret"])
                        app.settings.update(a["settings"])
                        for u in a["users"]:
                            self._add_user(app, dict(u))
                except Refused as exc:
                    raise FixtureError(f"integrations fixtures: {exc.message}") from None

    def dump(self) -> dict:
        with self.store.lock:
            return {
                "customers": [dict(asdict(c), apps=[self._dump_app(self.apps[a]) for a in c.apps])
                              for c in self.customers.values()],
                "tokens": [asdict(t) for t in self.tokens.values()],
            }

    @staticmethod
    def _dump_app(app: App) -> dict:
        data = {k: v for k, v in vars(app).items() if k not in ("users", "dialled")}
        return dict(data, settings=dict(app.settings), users=[asdict(u) for u in app.users.values()])

    def restore(self, data: dict) -> None:
        with self.store.lock:
            self.customers, self.apps, self.tokens = {}, {}, {}
            self._tokens_of, self._expiry = {}, deque()
            for c in data["customers"]:
                self.customers[c["id"]] = Customer(**dict(c, apps=[a["id"] for a in c["apps"]]))
                for a in c["apps"]:
                    app = self.apps[a["id"]] = App(**dict(a, settings=dict(a["settings"]), users=new_users()))
                    for u in a["users"]:
                        user = app.users[u["app_user_id"]] = User(**u)
                        self._index(app, user)
            for t in data["tokens"]:
                self._keep(Token(**t))
            self._expiry = deque(sorted(self._expiry))  # a restored table may come in any order
            if self._pruning is not None:
                self._pruning.cancel()
                self._pruning = None
            self._schedule_pruning()
