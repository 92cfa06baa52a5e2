"""The README's end-to-end example, run as the README shows it: its code block is this test."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def readme_example() -> dict:
    match = re.search(r"<!-- passthru-example -->\s*```python\n(.+?)\n```", README, re.DOTALL)
    assert match, "README has no passthru-example block"
    namespace: dict = {"__name__": "readme_passthru_example"}
    exec(compile(match.group(1), "README.md (passthru-example)", "exec"), namespace)
    return namespace


def test_the_readmes_passthru_handler_driven_by_a_simulated_incoming_call(exotel_emulator):
    example = readme_example()
    [test] = [f for name, f in example.items() if name.startswith("test_")]
    test(exotel_emulator)
    assert example["seen"], "the handler was never asked"
