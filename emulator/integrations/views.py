"""How integrations objects look on the wire: the page's field names, order, types and date formats.

The page spells the same ids differently per endpoint (``CustomerID`` vs ``CustomerId``, ``AppID`` vs
``AppId``, ``AppUserId`` vs ``AppUserID``); each function below reproduces its endpoint's spelling.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from emulator.core.clock import rfc3339, rfc3339_ist

if TYPE_CHECKING:
    from emulator.integrations.models import App, Call, Customer, User

# The page's users and call payloads always carry Go's zero time: the service never fills these two fields.
ZERO_TIME = "0001-01-01T00:00:00Z"


def ok(data: Any) -> dict:
    """The success envelope every integrations endpoint answers with."""
    return {"RequestId": str(uuid.uuid4()), "Status": "Success", "Code": 200, "Error": "", "Data": data}


def customer(c: "Customer") -> dict:
    return {
        "CustomerID": c.id,
        "CustomerSecret": c.secret,
        "CustomerName": c.name,
        "Email": c.email,
        "CustomerSetting": None,
        "CreatedAt": rfc3339_ist(c.created),
        "UpdatedAt": rfc3339_ist(c.updated),
        "DeletedAt": False,
    }


def app(a: "App") -> dict:
    """GET /app and the list: no secret, no Exotel credentials."""
    return {
        "AppID": a.id,
        "CustomerID": a.customer_id,
        "AppName": a.name,
        "ExotelAccountSid": a.account_sid,
        "ExotelDomain": a.domain,
        "IsActive": a.is_active,
        "CreatedAt": rfc3339_ist(a.created),
        "UpdatedAt": rfc3339_ist(a.updated),
    }


def app_created(a: "App") -> dict:
    """POST /app: the only answer that shows the AppSecret (and the Exotel credentials given)."""
    return {
        "AppID": a.id,
        "AppSecret": a.secret,
        "CustomerID": a.customer_id,
        "AppName": a.name,
        "ExotelAccountSid": a.account_sid,
        "ExotelApiKey": a.api_key,
        "ExotelApiToken": a.api_token,
        "ExotelDomain": a.domain,
        "IsActive": a.is_active,
        "CreatedAt": rfc3339_ist(a.created),
        "UpdatedAt": rfc3339_ist(a.updated),
    }


def setting(a: "App", key: str, value: str) -> dict:
    return {"CustomerID": a.customer_id, "AppID": a.id, "Key": key, "Value": value}


def user(u: "User", a: "App", sip_secret: str | None = None) -> dict:
    """A user; ``sip_secret`` replaces the stored secret (GET ?user_id= sends it encrypted)."""
    return {
        "CustomerId": a.customer_id,
        "AppID": a.id,
        "AppUserId": u.app_user_id,
        "ExotelAccountSid": u.account_sid,
        "ExotelUserId": u.exotel_user_id,
        "AppUsername": u.username,
        "ExotelUserName": u.exotel_user_name,
        "AgentNumber": u.agent_number,
        "ActiveDeviceId": u.active_device_id,
        "PhoneDeviceID": u.phone_device_id,
        "SipDeviceID": u.sip_device_id,
        "VirtualNumber": u.virtual_number,
        "Email": u.email,
        "OutboundActive": u.outbound_active,
        "Role": u.role,
        "SipId": u.sip_id,
        "SipSecret": u.sip_secret if sip_secret is None else sip_secret,
        "IsActive": u.is_active,
        "UserDetail": None,
        "CreatedAt": ZERO_TIME,
        "UpdatedAt": ZERO_TIME,
    }


def users_page(users: list[dict], page_size: int, last_evaluated: str) -> dict:
    return {"Users": users, "PageSize": page_size, "LastEvaluatedValue": last_evaluated}


def call(c: "Call") -> dict:
    """The inbound notifications' payload; the outbound callback adds StartTime and EndTime."""
    body = {
        "CustomerId": c.customer_id,
        "AppId": c.app_id,
        "CallSid": c.sid,
        "ExotelAccountSid": c.account_sid,
        "DialWhomNumber": c.dial_whom,
        "AppUserID": c.app_user_id,
        "VirtualNumber": c.virtual_number,
        "Direction": c.direction,
        "CallStatus": c.status,
        "CallState": c.state,
        "ToNumber": c.to_number,
        "FromNumber": c.from_number,
        "TotalDuration": c.duration,
        "CallRecordings": c.recordings,
        "AccountDomain": c.domain,
        "TicketId": c.ticket,
        "CallDetail": c.detail,
    }
    if c.start is not None:
        body["StartTime"] = rfc3339(c.start)
        body["EndTime"] = rfc3339(c.start + c.duration)
    body["CreatedAt"] = ZERO_TIME
    body["UpdatedAt"] = ZERO_TIME
    return body


# ---- the control API -------------------------------------------------------------------------------


def control_customer(c: "Customer") -> dict:
    """GET /_emulator/integrations/customers: the customer as GET /customer shows it, and its apps' ids."""
    return dict(customer(c), Apps=list(c.apps))


def control_app(a: "App", users: int) -> dict:
    """GET /_emulator/integrations/apps: the app as GET /app shows it, with its secret, settings and
    number of users (what a tester needs to get a token and follow its calls)."""
    body = app(a)
    return {"AppID": body.pop("AppID"), "AppSecret": a.secret, **body, "Settings": dict(a.settings),
            "Users": users}
