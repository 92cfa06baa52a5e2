"""The integrations platform over HTTP: /v2/integrations/... (seed 004 and API-NOTES)."""

from __future__ import annotations

from flask import Blueprint, request

from emulator.core import request as req
from emulator.integrations import schemas, views
from emulator.integrations.errors import IntegrationsError as Error
from emulator.integrations.models import App, Customer, Integrations

bp = Blueprint("integrations", __name__, url_prefix="/v2/integrations")


def model() -> Integrations:
    return req.store().model("integrations")


def token() -> str:
    """The token as sent in Authorization: raw, as the page's examples send it, or as ``Bearer <token>``."""
    value = request.headers.get("Authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


def customer() -> Customer:
    return model().authenticate(token(), "customer")


def app() -> App:
    return model().authenticate(token(), "app")


# ---- tokens and customers -------------------------------------------------------------------------------


@bp.post("/token")
def create_token():
    data = req.body(schemas.TokenBody, Error)
    return views.ok(model().issue_token(data["Entity"], data["Id"], data["Secret"]).value)


@bp.get("/customer")
def get_customer():
    return views.ok(views.customer(customer()))


@bp.put("/customer")
def update_customer():
    who = customer()
    return views.ok(views.customer(model().update_customer(who, req.body(schemas.CustomerUpdate, Error))))


@bp.delete("/customer")
def delete_customer():
    model().delete_customer(customer())
    return views.ok("Deleted Successfully")


# ---- apps -----------------------------------------------------------------------------------------------


@bp.post("/app")
def create_app():
    who = customer()
    return views.ok(views.app_created(model().create_app(who, req.body(schemas.AppBody, Error))))


@bp.get("/app")
def get_app():
    entity = req.query(schemas.AppQuery, Error).get("entity")
    if entity is None:  # the web SDK asks without ?entity=: the token's kind decides
        entity = model().entity_of(token()) or "app"
    if entity == "customer":
        return views.ok([views.app(a) for a in model().apps_of(customer())])
    return views.ok(views.app(model().app(app())))


@bp.put("/app")
def update_app():
    who = app()
    return views.ok(views.app(model().update_app(who, req.body(schemas.AppUpdate, Error))))


@bp.delete("/app")
def delete_app():
    model().delete_app(app())
    return views.ok("Deleted Successfully")


# ---- app settings ---------------------------------------------------------------------------------------


@bp.post("/app_setting")
@bp.put("/app_setting", endpoint="update_setting")
def set_setting():
    who = app()
    data = req.body(schemas.SettingBody, Error)
    model().set_setting(who, data["Key"], data["Value"], create=request.method == "POST")
    return views.ok(views.setting(who, data["Key"], data["Value"]))


@bp.get("/app_setting")
def get_setting():
    who = app()
    key = req.query(schemas.SettingQuery, Error).get("key")
    if key is None:
        return views.ok([views.setting(who, k, v) for k, v in model().settings(who)])
    return views.ok(views.setting(who, key, model().setting(who, key)))


@bp.delete("/app_setting")
def delete_setting():
    who = app()
    if "key" in request.args or not request.get_data():
        key = req.query(schemas.SettingKeyQuery, Error)["key"]
    else:  # the page also documents Key in the body
        key = req.body(schemas.SettingKeyBody, Error)["Key"]
    model().delete_setting(who, key)
    return views.ok("Deleted Successfully")


# ---- users and devices ----------------------------------------------------------------------------------


@bp.post("/usermapping")
def add_users():
    who = app()
    users = req.validate(schemas.UserList, {"users": req.json_body(Error, default=[])}, Error)["users"]
    return views.ok([views.user(u, who) for u in model().add_users(who, users)])


@bp.get("/usermapping")
def get_users():
    who = app()
    q = req.query(schemas.UserQuery, Error)
    if "user_id" in q:
        user = model().user(who, q["user_id"])
        return views.ok(views.user(user, who, sip_secret=model().encrypted_secret(user)))
    if "last_value" in q or "page_size" in q:
        size = q.get("page_size", 20)
        users, last = model().page(who, q.get("last_value", ""), size)
        return views.ok(views.users_page([views.user(u, who) for u in users], size, last))
    return views.ok([views.user(u, who) for u in model().users(who)])


@bp.put("/usermapping")
def update_users():
    who = app()
    body = req.json_body(Error)
    one = isinstance(body, dict)  # one object or an array, answered in kind
    changes = req.validate(schemas.UserChanges, {"users": [body] if one else body}, Error)["users"]
    users = [views.user(u, who) for u in model().update_users(who, changes)]
    return views.ok(users[0] if one else users)


@bp.delete("/usermapping")
def delete_users():
    model().delete_users(app())
    return views.ok("Deleted Successfuly")  # sic: the page spells it so for users


@bp.delete("/users/<app_user_id>")
def delete_user(app_user_id):
    model().delete_user(app(), app_user_id)
    return views.ok("Deleted Successfuly")


@bp.put("/device")
def set_device():
    who = app()
    data = req.body(schemas.DeviceBody, Error)
    user = model().set_device(who, data["UserId"], data.get("DeviceName"), data.get("DeviceStatus"))
    return views.ok(views.user(user, who))


# ---- calls ----------------------------------------------------------------------------------------------


@bp.get("/call/inbound_call/<app_id>")
def inbound_call(app_id):
    # Exotel's call flow calls this: no token needed, and one sent is ignored
    model().inbound(app_id, req.query(schemas.InboundQuery, Error))
    return views.ok("Success")


@bp.post("/call/outbound_call")
def outbound_call():
    who = app()
    data = req.body(schemas.OutboundBody, Error)
    if data["app_id"] != who.id or data.get("customer_id", who.customer_id) != who.customer_id:
        raise Error(401, "Unauthorized: app_id and customer_id must be the token's app and its customer")
    call, _ = model().outbound(who, data["user_id"], data["to"])
    return views.ok({"CallSid": call.sid})
