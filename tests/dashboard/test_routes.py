"""The dashboard's page, its files and the families' declarations it is drawn from (no browser)."""

from __future__ import annotations

import re

from emulator.dashboard.routes import HEADERS

STATIC = "/_emulator/ui/static/"


def test_the_root_redirects_to_the_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/_emulator/ui"
    assert response.get_json() == {"dashboard": "/_emulator/ui"}


def test_the_page_loads_only_its_own_files(client):
    for path in ("/_emulator/ui", "/_emulator/ui/"):
        page = client.get(path)
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert page.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    linked = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sorted(linked) == [STATIC + "dashboard.css", STATIC + "dashboard.js", STATIC + "favicon.svg"]
    kinds = {"dashboard.css": "text/css", "dashboard.js": "text/javascript", "favicon.svg": "image/svg+xml"}
    for name, mimetype in kinds.items():
        response = client.get(STATIC + name)
        assert response.status_code == 200 and response.mimetype == mimetype, name
        # offline: nothing the page uses comes from another host
        assert not re.search(r"https?://", response.get_data(as_text=True).replace("http://www.w3.org/2000/svg", ""))


def test_an_unknown_file_is_404_in_the_control_envelope(client):
    response = client.get(STATIC + "missing.js")
    assert response.status_code == 404 and response.get_json() == {"status": 404, "error": "Not Found"}


def test_panels_lists_every_familys_views_emulator_first_logs_last(client):
    views = client.get("/_emulator/ui/panels").get_json()["views"]
    assert [v["id"] for v in views] == ["emulator", "exophones", "exobridge", "integrations", "voice", "callbacks",
                                       "requests"]
    faults = next(p for p in views[0]["panels"] if p["id"] == "faults")
    assert faults["endpoint"] == "/faults" and faults["rows"] == "faults"
    assert faults["row_actions"] == [{"title": "Remove", "method": "DELETE", "path": "/faults/{id}", "fields": []}]
    advance = next(a for a in views[0]["actions"] if a["title"] == "Advance the clock")
    assert advance["method"] == "POST" and advance["path"] == "/clock/advance"
    assert [f["name"] for f in advance["fields"]] == ["seconds"] and advance["fields"][0]["kind"] == "number"


def test_the_dashboard_is_never_journaled(client):
    for path in ("/_emulator/ui", STATIC + "dashboard.js", "/_emulator/ui/panels"):
        client.get(path)
    assert client.get("/_emulator/requests").get_json()["requests"] == []
