"""The integrations platform over HTTP: /v2/integrations/... (tokens are checked before bodies are read)."""

from __future__ import annotations

from flask import Blueprint, request

from emulator.core import request as req
from emulator.core.errors import MISSING, Invalid, Reason, Refused
from emulator.core.request import Schemas
from emulator.integrations import views
from emulator.integrations.models import App, Customer, Integrations

schemas = Schemas("emulator.integrations.schemas")

bp = Blueprint("integrations", __name__, url_prefix="/v2/integrations")


def token() -> str:
    """The token as sent in Authorization: raw, as the page's examples send it, or as ``Bearer <token>``."""
    value = request.headers.get("Authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


# The two kinds of token, for the API description: the same header, raw or as ``Bearer <token>``.
_TOKEN = {"type": "apiKey", "in": "header", "name": "Authorization"}
CUSTOMER = {"customerToken": dict(_TOKEN, description="A customer's token from POST /token (Entity customer), "
                                                   "raw or as Bearer <token>.")}
APP = {"appToken": dict(_TOKEN, description="An app's token from POST /token (Entity app), raw or as Bearer <token>.")}


def customer() -> Customer:
    return Integrations.current().authenticate_customer(token())


def app() -> App:
    return Integrations.current().authenticate_app(token())


# ---- tokens and customers -------------------------------------------------------------------------------


@bp.post("/token")
@req.declare(body=schemas.TokenBody, security={})
def create_token():
    data = req.read_body(schemas.TokenBody)
    token = Integrations.current().issue_token(data["Entity"], data["Id"], data["Secret"]).value
    req.conceal(token)  # a live credential: the journal shows "Data": "[redacted]"
    return views.ok(token)


@bp.get("/customer")
@req.declare(security=CUSTOMER)
def get_customer():
    return views.ok(views.customer(Integrations.current().customer(customer())))


@bp.put("/customer")
@req.declare(body=schemas.CustomerUpdate, security=CUSTOMER)
def update_customer():
    who = customer()
    return views.ok(views.customer(Integrations.current().update_customer(who, req.read_body(schemas.CustomerUpdate))))


@bp.delete("/customer")
@req.declare(security=CUSTOMER)
def delete_customer():
    Integrations.current().delete_customer(customer())
    return views.ok("Deleted Successfully")


# ---- apps -----------------------------------------------------------------------------------------------


@bp.post("/app")
@req.declare(body=schemas.AppBody, security=CUSTOMER)
def create_app():
    who = customer()
    return views.ok(views.app_created(Integrations.current().create_app(who, req.read_body(schemas.AppBody))))


@bp.get("/app")
@req.declare(query=schemas.AppQuery, security={**APP, **CUSTOMER})
def get_app():
    entity = req.read_query(schemas.AppQuery).get("entity")
    if entity is None:  # the web SDK asks without ?entity=: the token's kind decides
        entity = Integrations.current().entity_of(token()) or "app"
    if entity == "customer":
        return views.ok([views.app(a) for a in Integrations.current().apps_of(customer())])
    return views.ok(views.app(Integrations.current().app(app())))


@bp.put("/app")
@req.declare(body=schemas.AppUpdate, security=APP)
def update_app():
    who = app()
    return views.ok(views.app(Integrations.current().update_app(who, req.read_body(schemas.AppUpdate))))


@bp.delete("/app")
@req.declare(security=APP)
def delete_app():
    Integrations.current().delete_app(app())
    return views.ok("Deleted Successfully")


# ---- app settings ---------------------------------------------------------------------------------------


@bp.post("/app_setting")
@bp.put("/app_setting", endpoint="update_setting")
@req.declare(body=schemas.SettingBody, security=APP)
def set_setting():
    who = app()
    data = req.read_body(schemas.SettingBody)
    Integrations.current().set_setting(who, data["Key"], data["Value"], create=request.method == "POST")
    return views.ok(views.setting(who, data["Key"], data["Value"]))


def setting_key() -> str | None:
    """The key a GET or DELETE names, spelt ``key`` or ``Key``, in the query or the body (all must agree)."""
    sent = (req.read_query(schemas.SettingKey), req.read_body(schemas.SettingKey))
    keys = {found[name] for found in sent for name in ("key", "Key") if name in found}
    if len(keys) > 1:
        raise Refused(Reason.INVALID, f"Key: the request names different settings: {', '.join(sorted(keys))}")
    return keys.pop() if keys else None


@bp.get("/app_setting")
@req.declare(query=schemas.SettingKey, security=APP)
def get_setting():
    who = app()
    key = setting_key()
    if key is None:
        return views.ok([views.setting(who, k, v) for k, v in Integrations.current().settings(who)])
    return views.ok(views.setting(who, key, Integrations.current().setting(who, key)))


@bp.delete("/app_setting")
@req.declare(query=schemas.SettingKey, security=APP)
def delete_setting():
    who = app()
    key = setting_key()
    if key is None:
        raise Invalid({"Key": [MISSING]})
    Integrations.current().delete_setting(who, key)
    return views.ok("Deleted Successfully")


# ---- users and devices ----------------------------------------------------------------------------------


@bp.post("/usermapping")
@req.declare(body=schemas.UserBody, many=True, security=APP)
def add_users():
    who = app()
    users = req.validate(schemas.UserList, {"users": req.json_body(default=[])})["users"]
    return views.ok([views.user(u, who) for u in Integrations.current().add_users(who, users)])


@bp.get("/usermapping")
@req.declare(query=schemas.UserQuery, security=APP)
def get_users():
    who = app()
    q = req.read_query(schemas.UserQuery)
    if "user_id" in q:
        user = Integrations.current().user(who, q["user_id"])
        return views.ok(views.user(user, who, sip_secret=Integrations.current().encrypted_secret(user)))
    if "last_value" in q or "page_size" in q:
        size = q.get("page_size", 20)
        users, last = Integrations.current().page(who, q.get("last_value", ""), size)
        return views.ok(views.users_page([views.user(u, who) for u in users], size, last))
    return views.ok([views.user(u, who) for u in Integrations.current().users(who)])


@bp.put("/usermapping")
@req.declare(body=schemas.UserChange, many=None, security=APP)
def update_users():
    who = app()
    body = req.json_body()
    one = isinstance(body, dict)  # one object or an array, answered in kind
    changes = req.validate(schemas.UserChanges, {"users": [body] if one else body})["users"]
    users = [views.user(u, who) for u in Integrations.current().update_users(who, changes)]
    return views.ok(users[0] if one else users)


@bp.delete("/usermapping")
@req.declare(security=APP)
def delete_users():
    Integrations.current().delete_users(app())
    return views.ok("Deleted Successfuly")  # sic: the page spells it so for users


@bp.delete("/users/<app_user_id>")
@req.declare(security=APP)
def delete_user(app_user_id):
    Integrations.current().delete_user(app(), app_user_id)
    return views.ok("Deleted Successfuly")


@bp.put("/device")
@req.declare(body=schemas.DeviceBody, security=APP)
def set_device():
    who = app()
    data = req.read_body(schemas.DeviceBody)
    user = Integrations.current().set_device(who, data["UserId"], data.get("DeviceName"), data.get("DeviceStatus"))
    return views.ok(views.user(user, who))


# ---- calls ----------------------------------------------------------------------------------------------


@bp.get("/call/inbound_call/<app_id>")
@req.declare(query=schemas.InboundQuery, security={})
def inbound_call(app_id):
    # Exotel's call flow calls this: no token needed, and one sent is ignored
    Integrations.current().inbound(app_id, req.read_query(schemas.InboundQuery))
    return views.ok("Success")


@bp.post("/call/outbound_call")
@req.declare(body=schemas.OutboundBody, security=APP)
def outbound_call():
    who = app()
    data = req.read_body(schemas.OutboundBody)
    if data["app_id"] != who.id or data.get("customer_id", who.customer_id) != who.customer_id:
        raise Refused(Reason.UNAUTHORIZED, "app_id and customer_id must be the token's app and its customer.")
    call, _ = Integrations.current().outbound(who, data["user_id"], data["to"])
    return views.ok({"CallSid": call.sid})
