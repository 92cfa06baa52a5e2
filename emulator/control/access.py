"""Who may drive the control API: the user's own tools, not any web page the developer has open.

It has no credentials by design, so a page could otherwise post ``text/plain`` "JSON" to it from another
origin (browsers send that without asking) or reach it by DNS rebinding (a name of the page's that
resolves to 127.0.0.1). So every request under ``/_emulator/`` must:

1. name a loopback host in ``Host`` (``localhost``, ``*.localhost``, ``127.x.x.x``, ``[::1]``) or one of
   ``CONTROL_HOSTS`` (``serve --allow-host``; ``*`` allows any). Bound to a non-loopback address
   (``BIND_HOST``, e.g. ``0.0.0.0`` in a container), any ``Host`` is allowed unless ``CONTROL_HOSTS``
   is given;
2. come from the emulator's own origin when a browser says where it comes from: an ``Origin`` other than
   ``http://<Host>`` (or one of ``CONTROL_ORIGINS``, ``serve --allow-origin``), or ``Sec-Fetch-Site``
   ``cross-site``/``same-site``, is refused;
3. carry ``Authorization: Bearer <CONTROL_TOKEN>`` when a token is set (``serve --control-token``).

Refusals are the control envelope: 403, or 401 with ``WWW-Authenticate: Bearer`` for the token.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from flask import Flask, current_app, request

from emulator.control.errors import ControlError
from emulator.core.request import render

PREFIX = "/_emulator/"
ANY = "*"


def install(app: Flask) -> None:
    app.before_request(check)


def is_loopback(host: str) -> bool:
    """A name or address that can only mean this machine."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(host: str) -> str:
    """``Host`` without its port: ``[::1]:8080`` -> ``::1``, ``Localhost:80`` -> ``localhost``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0].lower()
    name, _, port = host.rpartition(":")
    return (name if name and port.isdigit() else host).lower()


def check() -> Any:
    """``before_request``: None to go on, or the refusal."""
    if not (request.path + "/").startswith(PREFIX):
        return None
    config = current_app.config
    problem = _host_problem(config) or _origin_problem(config)
    if problem:
        return render(ControlError(403, problem))
    token = config.get("CONTROL_TOKEN")
    if token and not _has_token(token):
        response, status = render(ControlError(401, "the control API needs Authorization: Bearer <its token> "
                                                    "(serve --control-token)"))
        response.headers["WWW-Authenticate"] = 'Bearer realm="exotel-emulator control API"'
        return response, status
    return None


def _host_problem(config) -> str | None:
    host = request.headers.get("Host", "")
    allowed = [h.lower() for h in config.get("CONTROL_HOSTS") or ()]
    if not host or ANY in allowed:
        return None
    name = host_name(host)
    if is_loopback(name) or name in allowed:
        return None
    if not allowed and not is_loopback(config.get("BIND_HOST") or "127.0.0.1"):
        return None  # served on every interface (a container): whatever name reaches it
    return (f"Host {host} may not use the control API: use a loopback address, or allow that name with "
            f"serve --allow-host {name}")


def _origin_problem(config) -> str | None:
    origin = request.headers.get("Origin")
    allowed = list(config.get("CONTROL_ORIGINS") or ())
    if origin is not None:
        own = request.host_url.rstrip("/")
        if origin.rstrip("/").lower() == own.lower() or ANY in allowed or origin in allowed:
            return None
        return (f"cross-origin requests to the control API are refused (Origin {origin}); allow that origin "
                f"with serve --allow-origin {origin}")
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if site in ("cross-site", "same-site") and ANY not in allowed:
        return f"cross-origin requests to the control API are refused (Sec-Fetch-Site: {site})"
    return None


def _has_token(token: str) -> bool:
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    # header values arrive as latin-1 text: back to their bytes, compared in constant time
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode("latin-1", "replace"),
                                                              token.encode("utf-8"))
