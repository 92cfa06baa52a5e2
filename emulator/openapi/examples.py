"""The documented examples each family ships in ``emulator/<family>/examples/``, and the JSON Schema each one
stands for.

An example is a body copied from the vendor's pages (or, for the emulator's own endpoints, what it answers),
listed in its folder's ``index.json`` with the operations it answers and the few things the page's copy
cannot show by itself. The contract tests compare the emulator's answers with these examples and the OpenAPI
document derives its response schemas from the same entries, so the two cannot disagree.

An entry of ``index.json``::

    {"file": "allocate.json", "source": "where it was copied from",
     "answers": ["POST /v1/tenants/{sid}/greenvn"],   # operations, as the document spells them...
     "status": 200,                                    # ...and the status they answer it with (default 200)
     "webhook": "call_event",                          # or: a callback the emulator sends with this body
     "requests": ["POST ..."],                         # or: a request body the operations take
     "part": "countries.0",                            # only this part of the file is the example
     "nullable": ["voice_url"],                        # keys (by name, anywhere) the page shows null elsewhere
     "untyped": ["payload"],                           # keys (by name) whose value may be of any type
     "maps": ["vn_regions"],                           # keys (by name) of objects keyed by data, not names
     "optional": ["data.flow_id"],                     # keys (by path) that are not always there
     "open": ["Calls[]"],                              # objects the page abbreviates: more keys may come
     "extra": [{"at": "data", "key": "flow_id", "value": "44XX8X", "after": "usage"}],
                                                       # keys the page's copy lacks, with a value of their type
     "content_type": "multipart/form-data"}            # when the file's extension does not say

An entry for an answer that is no JSON example (a page, a recording) gives ``content_type`` and ``schema``
instead of ``file``.

Paths name keys joined by ``.``, the items of an array by ``[]`` (``Calls[].Sid``), the whole body by ``$``;
``"open": true`` opens every object (the control API documents only the fields it guarantees).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = "$"


@dataclass(frozen=True)
class Extra:
    at: str
    key: str
    value: Any
    after: str | None = None


@dataclass(frozen=True)
class Example:
    family: str
    file: str
    source: str
    body: Any  # the example as the page shows it: parsed JSON, or text
    content_type: str
    answers: tuple[str, ...] = ()
    status: int = 200
    webhook: str | None = None
    requests: tuple[str, ...] = ()
    nullable: frozenset[str] = frozenset()
    untyped: frozenset[str] = frozenset()
    maps: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    open: frozenset[str] | bool = frozenset()
    extra: tuple[Extra, ...] = ()
    note: str = ""
    name: str = field(default="")  # ``<family>/<file>``, ``<family>/<file>#<part>``, or ``<family>#<n>`` without a file
    declared: dict | None = None  # the entry's ``schema``, for an answer without an example body

    @property
    def is_json(self) -> bool:
        return self.content_type == "application/json"

    def shape(self) -> Any:
        """The body with the ``extra`` keys in their places: what a conforming answer looks like, key order
        included (optional keys present)."""
        body = copy.deepcopy(self.body)
        for extra in self.extra:
            for holder in _objects_at(body, extra.at):
                items = list(holder.items())
                position = len(items) if extra.after is None else [k for k, _ in items].index(extra.after) + 1
                items.insert(position, (extra.key, extra.value))
                holder.clear()
                holder.update(items)
        return body

    def is_open(self, where: str) -> bool:
        return self.open is True or (not isinstance(self.open, bool) and where in self.open)

    def schema(self) -> dict:
        """The JSON Schema this example stands for, with the contract tests' reading of an example: every key
        it shows and no other (unless ``open``), each of its JSON type (any type where the example shows null,
        or that type or null where ``nullable``), arrays of items like its first one."""
        if self.declared is not None:
            return dict(self.declared)
        if not self.is_json:
            return {"type": "string"}
        return self._schema(self.shape(), ROOT, None)

    def _schema(self, value: Any, where: str, key: str | None) -> dict:
        if value is None or key in self.untyped:
            return {}
        schema: dict[str, Any]
        if isinstance(value, dict) and key in self.maps:
            values = list(value.values())
            schema = {"type": "object",
                      "additionalProperties": self._schema(values[0], where + "{}", None) if values else {}}
        elif isinstance(value, dict):
            prefix = "" if where == ROOT else where + "."
            schema = {
                "type": "object",
                "properties": {k: self._schema(v, prefix + k, k) for k, v in value.items()},
                "required": [k for k in value if prefix + k not in self.optional],
            }
            if not self.is_open(where):
                schema["additionalProperties"] = False
        elif isinstance(value, list):
            items = "[]" if where == ROOT else where + "[]"
            schema = {"type": "array", "items": self._schema(value[0], items, key) if value else {}}
        else:
            schema = {"type": json_type(value)}
        if key is not None and key in self.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]} if "type" not in schema or schema["type"] == "object" \
                else dict(schema, type=[schema["type"], "null"])
        return schema


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _objects_at(body: Any, where: str) -> Iterable[dict]:
    """The objects a path names: ``Call``, ``Calls[]`` (each item), ``$``."""
    nodes = [body]
    if where != ROOT:
        for part in where.split("."):
            many = part.endswith("[]")
            name = part[:-2] if many else part
            nodes = [n[name] if name else n for n in nodes]
            if many:
                nodes = [item for n in nodes for item in n]
    return [n for n in nodes if isinstance(n, dict)]


def _part(body: Any, part: str) -> Any:
    for name in part.split("."):
        body = body[int(name)] if isinstance(body, list) else body[name]
    return body


CONTENT_TYPES = {".json": "application/json", ".xml": "application/xml", ".txt": "text/plain"}


def _load(family: str, folder: Path, entry: dict, number: int) -> Example:
    body: Any = None
    content_type, name = entry.get("content_type"), f"{family}#{number}"
    if "file" in entry:
        path = folder / entry["file"]
        content_type = content_type or CONTENT_TYPES[path.suffix]
        text = path.read_text(encoding="utf-8")
        body = json.loads(text) if path.suffix == ".json" else text
        name = f"{family}/{entry['file']}"
    if "part" in entry:
        body, name = _part(body, entry["part"]), f"{name}#{entry['part']}"
    is_open = entry.get("open", ())
    return Example(
        family=family, file=entry.get("file", ""), source=entry["source"], body=body,
        content_type=content_type or "application/json",
        answers=tuple(entry.get("answers", ())), status=entry.get("status", 200), webhook=entry.get("webhook"),
        requests=tuple(entry.get("requests", ())), nullable=frozenset(entry.get("nullable", ())),
        untyped=frozenset(entry.get("untyped", ())), maps=frozenset(entry.get("maps", ())),
        declared=entry.get("schema"),
        optional=frozenset(entry.get("optional", ())), open=True if is_open is True else frozenset(is_open),
        extra=tuple(Extra(**e) for e in entry.get("extra", ())), note=entry.get("note", ""), name=name)


@lru_cache(maxsize=None)
def of_family(family: str) -> tuple[Example, ...]:
    """A family's examples, in its index's order (none if it has no ``examples/index.json``)."""
    folder = PACKAGE / family / "examples"
    index = folder / "index.json"
    if not index.exists():
        return ()
    entries = json.loads(index.read_text(encoding="utf-8"))["examples"]
    return tuple(_load(family, folder, entry, n) for n, entry in enumerate(entries))


def every(families: Iterable[str]) -> list[Example]:
    return [example for family in families for example in of_family(family)]


def find(name: str) -> Example:
    """One example by name: ``exobridge/allocate.json`` (``#part`` for an entry that takes a part of its file)."""
    family = name.split("/", 1)[0]
    for example in of_family(family):
        if example.name == name:
            return example
    raise LookupError(f"no example {name} in emulator/{family}/examples/index.json")
