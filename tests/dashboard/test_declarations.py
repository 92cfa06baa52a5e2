"""Every family's dashboard declarations hold together: their endpoints answer, their columns exist,
their actions name real control routes. A new family's panels are checked here without a new test."""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from emulator.app import families
from emulator.core.panels import Action, Field, Panel
from tests.conftest import DEFAULT_ACCOUNT

SID = DEFAULT_ACCOUNT["sid"]
VIEWS = [view for family in families() for view in family.views()]
PANELS = [panel for view in VIEWS for panel in view.panels]
ACTIONS = [(view, action) for view in VIEWS for action in view.actions]
ROW_ACTIONS = [(panel, action) for panel in PANELS for action in panel.row_actions]
MISSING = object()


def placeholders(path: str) -> set[str]:
    return set(re.findall(r"\{([^}]+)\}", path))


def dig(row, key: str):
    for part in key.split("."):
        if not isinstance(row, dict) or part not in row:
            return MISSING
        row = row[part]
    return row


def test_ids_are_unique():
    assert len({v.id for v in VIEWS}) == len(VIEWS)
    assert len({p.id for p in PANELS}) == len(PANELS)


@pytest.mark.parametrize("view,action", ACTIONS + ROW_ACTIONS, ids=lambda x: getattr(x, "title", None))
def test_an_action_calls_a_control_route_with_its_method(app, view, action: Action):
    named = placeholders(action.path) - {"sid"}
    if isinstance(view, Panel):  # a row action: its placeholders are columns of the row
        assert named <= {c.key for c in view.columns} | {view.key}, action.title
    else:
        assert named <= {f.name for f in action.fields}, action.title
    path = "/_emulator" + re.sub(r"\{[^}]+\}", "x", action.path)
    try:
        app.url_map.bind("localhost").match(path, method=action.method)
    except (NotFound, MethodNotAllowed):
        pytest.fail(f"{action.title}: no control route for {action.method} {path}")


@pytest.mark.parametrize("view,action", ACTIONS, ids=lambda x: getattr(x, "title", None))
def test_a_row_field_offers_rows_of_a_panel_of_its_view(view, action):
    for field in action.fields:
        if field.kind == "row":
            [panel] = [p for p in view.panels if p.id == field.rows]
            assert {field.column or panel.key, field.shown or panel.key} <= {c.key for c in panel.columns}


@pytest.fixture
def seeded(client, auth, listener, store):
    """One of everything a panel lists: an allocation, a fault, a delivered callback, a journaled request."""
    body = {"connection_id": "c-1", "aparty_numbers": ["+919170006528"], "bparty_numbers": ["+918100006620"],
            "usage": "twoway", "aparty_pins": [1234]}
    assert client.post(f"/v1/tenants/{SID}/greenvn", json=body, headers=auth).status_code == 200
    assert client.post("/_emulator/faults", json={"path": "/nowhere", "status": 503}).status_code == 201
    store.callbacks.send(listener.url, "test", {"n": 1})
    listener.wait(1)
    store.callbacks.wait_idle()
    return client


def test_every_panel_endpoint_answers_rows_with_every_column(seeded):
    shown = set()
    for panel in PANELS:
        response = seeded.get("/_emulator" + panel.endpoint.replace("{sid}", SID))
        assert response.status_code == 200, (panel.id, response.get_json())
        answer = response.get_json()
        rows = [answer] if panel.rows is None else answer[panel.rows]
        assert isinstance(rows, list), panel.id
        if panel.paged:
            assert {"total", "page", "page_size"} <= set(answer), panel.id
        for row in rows[:1]:
            shown.add(panel.id)
            for key in [c.key for c in panel.columns] + [panel.key]:
                assert dig(row, key) is not MISSING, f"{panel.id}: no {key} in {row}"
    known = {"clock", "accounts", "faults", "exophones", "allocations", "exobridge-settings", "customers", "apps",
             "callbacks", "requests"}
    assert known <= shown  # the seeding gave every shipped panel a row to check


def test_a_bad_declaration_is_refused_when_written():
    with pytest.raises(ValueError, match="kind"):
        Field("x", "X", kind="date")
    with pytest.raises(ValueError, match="names the panel"):
        Field("x", "X", kind="row")
    with pytest.raises(ValueError, match="method"):
        Action("Go", "FETCH", "/x")
