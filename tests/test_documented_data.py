"""The tables the tests expect (contract_tests/data) stay in step with the documentation (docs/), which shows the
same ones to users: where a page of it copies a vendor page (Appendix 1) both must agree word for word, and where
the documentation itself is the source (the v2 codes, the status -> code rule, the flows' limits), the test data
must be its copy."""

from __future__ import annotations

import re
from pathlib import Path

from contract_tests.documented import APPENDIX_1, V2_ERRORS, exobridge_code_for_status, load

DOCS = Path(__file__).resolve().parent.parent / "docs"


def page(name: str) -> str:
    return (DOCS / name).read_text()


def test_the_appendix_1_table_of_the_exobridge_page_is_the_vendors():
    rows = re.findall(r"^\| (\d+) \| (\d{3}) \| ([^|]+?) \| [^|]+ \|$", page("exobridge.md"), re.MULTILINE)
    assert {int(code): (int(status), message) for code, status, message in rows} == APPENDIX_1


def test_the_v2_codes_are_the_exophones_pages_table():
    rows = re.findall(r"^\| (\d{3}) \| (\d{4}) \| ([^|(]+?)(?: \([^)]*\))? \|$", page("exophones.md"), re.MULTILINE)
    assert {int(code): (int(status), description) for status, code, description in rows} == V2_ERRORS


def test_the_status_to_code_rule_is_the_exobridge_pages():
    [rule] = re.findall(r"A fault naming only a status gets the code that fits it \(([^)]*?)\)\.", page("exobridge.md"),
                        re.DOTALL)
    documented = {status: int(code) for statuses, code in re.findall(r"((?:\d{3}|5xx)(?:/\d{3})*)→(\d+)", rule)
                  for status in statuses.split("/")}
    assert documented == load("readme_exobridge_status_codes.json")["status_to_code"]
    for status, code in documented.items():
        assert exobridge_code_for_status(503 if status == "5xx" else int(status)) == code, status


def test_the_flow_limits_and_endings_are_the_call_flows_pages():
    """contract_tests/data/readme_flow_limits.json, which the flow tests expect, says what docs/call-flows.md says."""
    limits = load("readme_flow_limits.json")
    section = page("call-flows.md")
    assert f"**a flow is cut\noff after {limits['max_steps']} steps**" in section
    assert f"A URL has **{limits['url_timeout']} s** to answer" in section.replace("\n", " ")
    assert f"| `greeting` | `seconds` (default {limits['greeting_seconds']}, 0-3600) |" in section
    assert f"lasts {limits['gather_seconds']} s |" in section
    flat = " ".join(section.split())
    for code, text in limits["endings"].items():
        text = text.format(max_steps=limits["max_steps"]).split(" (")[0]
        assert f"`{code}` ({text}" in flat, code
