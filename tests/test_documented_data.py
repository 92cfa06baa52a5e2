"""The tables the tests expect (contract_tests/data) stay in step with the README, which shows the same ones to
users: where the README copies a page (Appendix 1) both must agree word for word, and where the README itself is
the source (the v2 codes, the status -> code rule), the test data must be its copy."""

from __future__ import annotations

import re
from pathlib import Path

from contract_tests.documented import APPENDIX_1, V2_ERRORS, exobridge_code_for_status, load

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_readmes_appendix_1_table_is_the_pages():
    rows = re.findall(r"^\| (\d+) \| (\d{3}) \| ([^|]+?) \| [^|]+ \|$", README, re.MULTILINE)
    assert {int(code): (int(status), message) for code, status, message in rows} == APPENDIX_1


def test_the_v2_codes_are_the_readmes_table():
    rows = re.findall(r"^\| (\d{3}) \| (\d{4}) \| ([^|(]+?)(?: \([^)]*\))? \|$", README, re.MULTILINE)
    assert {int(code): (int(status), description) for status, code, description in rows} == V2_ERRORS


def test_the_status_to_code_rule_is_the_readmes():
    [rule] = re.findall(r"A fault naming only a status gets the code that fits it \(([^)]*?)\)\.", README, re.DOTALL)
    readme = {status: int(code) for statuses, code in re.findall(r"((?:\d{3}|5xx)(?:/\d{3})*)→(\d+)", rule)
              for status in statuses.split("/")}
    assert readme == load("readme_exobridge_status_codes.json")["status_to_code"]
    for status, code in readme.items():
        assert exobridge_code_for_status(503 if status == "5xx" else int(status)) == code, status


def test_the_flow_limits_and_endings_are_the_readmes():
    """contract_tests/data/readme_flow_limits.json, which the flow tests expect, says what the README says."""
    limits = load("readme_flow_limits.json")
    section = README[README.index("## Call flows (ExoML applets)"):README.index("## Control API\n")]
    assert f"**a flow is cut\noff after {limits['max_steps']} steps**" in section
    assert f"A URL has **{limits['url_timeout']} s** to answer" in section.replace("\n", " ")
    assert f"| `greeting` | `seconds` (default {limits['greeting_seconds']}, 0-3600) |" in section
    assert f"lasts {limits['gather_seconds']} s |" in section
    flat = " ".join(section.split())
    for code, text in limits["endings"].items():
        text = text.format(max_steps=limits["max_steps"]).split(" (")[0]
        assert f"`{code}` ({text}" in flat, code
