"""The one renderer of the classic v1 API, with its two encodings: JSON on paths ending in ``.json``,
``<TwilioResponse>`` XML elsewhere, carrying the same element names and data. Answers and errors both
come out through ``respond``.

The standard library's ElementTree is enough for this: documents are small, flat-ish and built from
dicts the views already make in the documented order, so no XML library is needed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Mapping

from flask import current_app, request

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

XML_TYPE = "application/xml"  # exactly what production sends: no charset parameter
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# characters XML 1.0 cannot carry (control characters, lone surrogates from a JSON body): the replacement
# character stands in for them, as a well-formed document must
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A list whose items have no name of their own gets one element per item, named so (the others repeat the
# list's name, as several <SMSMessage> under <TwilioResponse> do).
ITEMS = {"Calls": "Call", "SMSMessages": "SMSMessage"}


def wants_json(path: str | None = None) -> bool:
    """A path ending in ``.json`` asks for JSON, and so does the ``Calls.json/<CallSid>`` form of ``Uri``
    the newer pages print."""
    path = request.path if path is None else path
    return path.endswith(".json") or ".json/" in path


def suffix() -> str:
    """``.json`` when the request asked for JSON: the ``Uri`` a resource hands out stays in its encoding."""
    return ".json" if wants_json() else ""


def respond(document: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None):
    if wants_json():
        response = current_app.json.response(document)
        response.status_code = status
    else:
        response = current_app.response_class(to_xml(document), status=status, content_type=XML_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def to_xml(document: Mapping[str, Any]) -> str:
    """``<TwilioResponse>`` with one element per key; nulls are empty elements (``<Price></Price>``, as
    the live service writes them), newlines in text ``&#xA;``; the whole document on one line."""
    from xml.etree import ElementTree as ET  # imported by the first XML answer: start-up needs none

    root = ET.Element("TwilioResponse")
    for name, value in document.items():
        _add(ET.SubElement, root, name, value)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return DECLARATION + text.replace("\r", "&#xD;").replace("\n", "&#xA;")


def _add(sub: Callable[[Element, str], Element], parent: Element, name: str, value: Any) -> None:
    """``value`` as element(s) ``name`` under ``parent``; ``sub`` is ElementTree's ``SubElement``."""
    if isinstance(value, (list, tuple)):
        if name in ITEMS:
            holder = sub(parent, name)
            for item in value:
                _add(sub, holder, ITEMS[name], item)
        elif all(isinstance(item, Mapping) and len(item) == 1 for item in value):
            holder = sub(parent, name)  # [{"Leg": {...}}, ...]: the items name themselves
            for item in value:
                for key, inner in item.items():
                    _add(sub, holder, key, inner)
        else:
            for item in value:
                _add(sub, parent, name, item)
        return
    element = sub(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _add(sub, element, key, inner)
    elif value is None:
        element.text = ""
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = NOT_XML.sub("\ufffd", str(value))
