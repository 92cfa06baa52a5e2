"""The OpenAPI 3.1 document of every endpoint the app serves, built from the app on first use (``build``).

apispec is imported only then: serving starts without it, and a document asked for once is kept by the app's
store (``Store.openapi``).
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

_building = threading.Lock()


def document(app: "Flask") -> dict:
    """The app's document, built once per app."""
    return _cached(app)[0]


def encoded(app: "Flask") -> bytes:
    """The document as served: JSON, built and encoded once per app."""
    return _cached(app)[1]


def _cached(app: "Flask") -> tuple[dict, bytes]:
    store = app.extensions["exotel_emulator"]
    cached = store.openapi
    if cached is None:
        with _building:  # two first requests at once build it once
            cached = store.openapi
            if cached is None:
                from emulator.openapi.build import build

                built = build(app)
                cached = store.openapi = (built, json.dumps(built, ensure_ascii=False).encode("utf-8"))
    return cached
