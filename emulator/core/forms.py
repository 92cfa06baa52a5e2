"""Bracket-indexed form fields, both ways: ``Messages[0][To]=...`` in, ``Legs[0][Status]=...`` out.

Form bodies cannot nest, so the PHP/Rails convention names nested values with brackets: ``Number[]=a``
appends, ``StatusCallbackEvents[0]=terminal`` sets an index, ``Messages[0][To]=x`` a field of an item.
Exotel's clients send arrays this way and the handlers of its form-encoded callbacks read them so.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class FormError(ValueError):
    """A field name that cannot be read as brackets (``a[b``), nests too deep, or clashes with another."""


class _Indexed(dict):
    """A list while it is being built: index -> value; ``[]`` appends after the highest index."""


def unflatten(pairs: Iterable[tuple[str, Any]], max_depth: int = 4, max_index: int = 1000) -> dict:
    """Nested dicts and lists from ``(name, value)`` pairs in the order received.

    A plain name given twice becomes a list of its values (``To=a&To=b``), as for ``To[]``; indexes are
    kept in numeric order, gaps closed; more than ``max_depth`` brackets or an index past ``max_index``
    is a ``FormError``, and so is a name used both as a value and as a container, or no name at all.
    """
    root: dict = {}
    for name, value in pairs:
        # Werkzeug names a multipart part None when it cannot read the name (``name="a\"``)
        match = KEY.match(name) if isinstance(name, str) else None
        if match is None:
            raise FormError(f"malformed field name {name!r}")
        segments = SEGMENT.findall(match.group(2))
        if len(segments) > max_depth:
            raise FormError(f"field {name!r} nests deeper than {max_depth} levels")
        node: dict = root
        keys: list[Any] = [match.group(1)] + [_key(s, max_index, name) for s in segments]
        for i, key in enumerate(keys):
            last = i == len(keys) - 1
            if key is None:  # "[]": append
                key = max(node, default=-1) + 1 if node else 0
                if len(node) > max_index:
                    raise FormError(f"field {name!r} has more than {max_index} items")
            if last:
                _put(node, key, value, name)
                break
            child = node.get(key)
            if child is None:
                child = node[key] = _Indexed() if keys[i + 1] is None or isinstance(keys[i + 1], int) else {}
            elif not isinstance(child, dict) or isinstance(child, _Indexed) != (
                    keys[i + 1] is None or isinstance(keys[i + 1], int)):
                raise FormError(f"field {name!r} clashes with another field of that name")
            node = child
    return _finish(root)


def _key(segment: str, max_index: int, name: str) -> Any:
    if segment == "":
        return None
    if segment.isdigit():
        index = int(segment)
        if index > max_index:
            raise FormError(f"index {index} of {name!r} is past {max_index}")
        return index
    return segment


def _put(node: dict, key: Any, value: Any, name: str) -> None:
    if key not in node:
        node[key] = value
    elif isinstance(node[key], dict):
        raise FormError(f"field {name!r} clashes with another field of that name")
    elif isinstance(node, _Indexed):
        raise FormError(f"field {name!r} is given twice")
    elif isinstance(node[key], _Repeated):
        node[key].append(value)
    else:
        node[key] = _Repeated([node[key], value])


class _Repeated(list):
    """A plain name given more than once."""


def _finish(node: Any) -> Any:
    if isinstance(node, _Indexed):
        return [_finish(node[k]) for k in sorted(node)]
    if isinstance(node, dict):
        return {k: _finish(v) for k, v in node.items()}
    if isinstance(node, _Repeated):
        return list(node)
    return node


def flatten(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(name, text)`` pairs for a form body: nested objects and lists as brackets, in payload order;
    ``None`` is an empty value, booleans ``true``/``false``."""
    out: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(f"{prefix}[{k}]" if prefix else str(k), v)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        elif value is None:
            out.append((prefix, ""))
        elif isinstance(value, bool):
            out.append((prefix, "true" if value else "false"))
        else:
            out.append((prefix, str(value)))

    walk("", payload)
    return out
