"""docs/call-flows.md's end-to-end example, run as the page shows it: its code block is this test."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "call-flows.md"


def documented_example() -> dict:
    match = re.search(r"<!-- passthru-example -->\s*```python\n(.+?)\n```", PAGE.read_text(), re.DOTALL)
    assert match, "docs/call-flows.md has no passthru-example block"
    namespace: dict = {"__name__": "documented_passthru_example"}
    exec(compile(match.group(1), "docs/call-flows.md (passthru-example)", "exec"), namespace)
    return namespace


def test_the_documented_passthru_handler_driven_by_a_simulated_incoming_call(exotel_emulator):
    example = documented_example()
    [test] = [f for name, f in example.items() if name.startswith("test_")]
    test(exotel_emulator)
    assert example["seen"], "the handler was never asked"
