"""How ExoPhones look on the wire: the documented field names, order, types and date formats per version."""

from __future__ import annotations

import uuid

from emulator.core.clock import classic, rfc3339
from emulator.exophones.models import ExoPhone, Listing

NUMBER_TYPE_URIS = ("Landline", "Mobile", "TollFree")


def listing(n: Listing) -> dict:
    return {
        "friendly_name": n.phone_number,
        "phone_number": n.phone_number,
        "capabilities": {"sms": n.capabilities.get("sms", False), "voice": n.capabilities.get("voice", True)},
        "country": n.country,
        "region": n.region,
        "one_time_price": n.one_time_price,
        "rental_price": n.rental_price,
        "incoming_rate": n.incoming_rate,
        "incoming_pulse": n.incoming_pulse,
        "number_type": n.number_type,
        "vanity_number": n.vanity_number,
    }


def _exophone(p: ExoPhone, date, uri: str) -> dict:
    n = p.listing
    return {
        "sid": p.sid,
        "date_created": date(p.date_created),
        "date_updated": date(p.date_updated),
        "account_sid": p.account_sid,
        "friendly_name": p.friendly_name,
        "phone_number": n.phone_number,
        "capabilities": {"voice": n.capabilities.get("voice", True), "sms": n.capabilities.get("sms", False)},
        "country": n.country,
        "region": n.region,
        "one_time_price": n.one_time_price,
        "rental_price": n.rental_price,
        "incoming_rate": n.incoming_rate,
        "incoming_pulse": n.incoming_pulse,
        "currency": n.currency,
        "number_type": n.number_type,
        "vanity_number": n.vanity_number,
        "voice_url": p.voice_url,
        "sms_url": p.sms_url,
        "uri": uri,
    }


def beta(p: ExoPhone) -> dict:
    return _exophone(p, classic, f"/v2_beta/Accounts/{p.account_sid}/IncomingPhoneNumbers/{p.sid}")


# v2 lists friendly_name before account_sid, where v2_beta has them the other way round
V2_ORDER = ("sid", "date_created", "date_updated", "friendly_name", "account_sid", "phone_number", "capabilities",
            "country", "region", "one_time_price", "rental_price", "incoming_rate", "incoming_pulse", "currency",
            "number_type", "vanity_number", "voice_url", "sms_url", "uri")


def v2(p: ExoPhone) -> dict:
    beta_order = _exophone(p, rfc3339, f"/v2/accounts/{p.account_sid}/incoming-phone-numbers/{p.sid}")
    body = {key: beta_order[key] for key in V2_ORDER}
    # the documented voice-only landline shows {"voice": true}: v2 names only the capabilities a number has
    body["capabilities"] = {k: v for k, v in body["capabilities"].items() if v}
    body["connectivity"] = {
        direction: {"status": c["status"], "last_check_time": rfc3339(c["last_check_time"]),
                    "alternate_exophone": c["alternate_exophone"]}
        for direction, c in p.connectivity.items()
    }
    return body


def v2_details(p: ExoPhone) -> dict:
    """GET /v2/accounts/<sid>/incoming-phone-numbers/<exophone_sid>: the v2 envelope, one successful block."""
    return {
        "request_id": uuid.uuid4().hex,
        "method": "GET",
        "http_code": 200,
        "metadata": {"page_size": 1, "page": 0},
        "response": [{"code": 200, "error_data": None, "status": "success", "data": v2(p)}],
    }


def countries(sid: str, countries: dict) -> dict:
    return {
        "uri": f"/v2_beta/Accounts/{sid}/AvailablePhoneNumbers",
        "countries": [country(sid, code, c) for code, c in countries.items()],
    }


def country(sid: str, code: str, c: dict) -> dict:
    """One country's entry of the list; also what the entry's own ``uri`` answers."""
    uri = f"/v2_beta/Accounts/{sid}/AvailablePhoneNumbers/{code}"
    return {
        "country_code": code,
        "country": c["country"],
        "uri": uri,
        "subresource_uris": {t: f"{uri}/{t}" for t in NUMBER_TYPE_URIS},
    }


def page(base_url: str, page: int, page_size: int, total: int, phones: list[ExoPhone]) -> dict:
    def uri(n: int) -> str:
        return f"{base_url}?Page={n}&PageSize={page_size}"

    last = max(0, (total - 1) // page_size)
    return {
        "page": page,
        "page_size": page_size,
        "uri": uri(page),
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if page < last else None,
        "previous_page_uri": uri(min(page, last + 1) - 1) if page > 0 else None,
        "incoming_phone_numbers": [beta(p) for p in phones],
    }
