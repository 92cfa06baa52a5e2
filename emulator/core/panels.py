"""What a family shows on the QA dashboard (``/_emulator/ui``): views made of panels and actions.

A panel is a table filled from one control endpoint; an action is a form that calls one. The dashboard
renders every family's declarations (``Family.dashboard``) with one generic table and one generic form,
so a family's part of the dashboard lives in its own folder (``dashboard.py``).

Paths are relative to ``/_emulator`` and may name ``{sid}``, the account chosen on the dashboard. An
action's path may also name ``{field}``, one of its fields (sent in the path, not the body); a row
action's path names columns of its row (``/faults/{id}``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

FIELD_KINDS = (
    "text",  # a string
    "number",  # a JSON number
    "select",  # one of ``choices`` ("" in choices: leave it out)
    "boolean",  # true or false, or left out
    "list",  # comma-separated: a list of strings
    "row",  # one row of the panel ``rows`` of the same view: its ``column``, shown by its ``shown`` column
)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Column:
    key: str  # a dotted path into the row: "connectivity.incoming_call.status"
    title: str


@dataclass(frozen=True)
class Field:
    """One input of an action's form. An empty input is left out of the body (the endpoint's default)."""

    name: str  # the body's field; dotted for a nested object: "incoming_call.status"
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()  # select
    value: str = ""  # what the input starts with
    placeholder: str = ""
    rows: str = ""  # row: the panel whose rows are the choices
    column: str = ""  # row: the column sent (default: the panel's key)
    shown: str = ""  # row: the column shown (default: ``column``)

    def __post_init__(self):
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.name}: kind {self.kind!r} is not one of {', '.join(FIELD_KINDS)}")
        if (self.kind == "row") != bool(self.rows):
            raise ValueError(f"field {self.name}: a row field, and only one, names the panel of its rows")


@dataclass(frozen=True)
class Action:
    title: str  # also the text of its button
    method: str
    path: str
    fields: tuple[Field, ...] = ()

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"action {self.title}: method {self.method!r} is not one of {', '.join(METHODS)}")


@dataclass(frozen=True)
class Panel:
    id: str  # unique on the dashboard; row fields name it
    title: str
    endpoint: str  # a control GET (query allowed) whose answer holds the rows
    columns: tuple[Column, ...]
    rows: str | None = None  # the answer's field holding the list of rows; None: the answer is one row
    key: str = "id"  # the column that tells rows apart
    paged: bool = False  # the endpoint takes page and page_size and answers total
    newest_first: bool = False  # a log listed oldest first: shown newest on top
    empty: str = "Nothing yet."
    row_actions: tuple[Action, ...] = ()  # a button on each row


@dataclass(frozen=True)
class View:
    """One tab of the dashboard."""

    id: str  # its address: /_emulator/ui#<id>
    title: str
    panels: tuple[Panel, ...] = ()
    actions: tuple[Action, ...] = ()
    order: int = 50  # tabs go by order, then by the family's place in FAMILIES

    def to_dict(self) -> dict:
        return asdict(self)
