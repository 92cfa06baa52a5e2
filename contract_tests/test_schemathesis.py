"""Schemathesis against the served emulator (``schemathesis_suite.py``), in a pytest of its own without workers:
schemathesis makes its items, one per operation, at collection, and under pytest-xdist's workers (schemathesis
4.32.5, xdist 3.8) only the first two of them ran, the others silently dropped."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.conftest import openapi_document

pytestmark = pytest.mark.slow

SUITE = Path(__file__).with_name("schemathesis_suite.py")


def test_every_operation_answers_as_documented():
    operations = sum(len(item) for item in openapi_document()["paths"].values())
    result = subprocess.run([sys.executable, "-m", "pytest", "-n", "0", "-p", "schemathesis.pytest.plugin", str(SUITE)],
                            cwd=SUITE.parent.parent, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-30_000:] + result.stderr[-5_000:]
    # each operation's test and the served document's
    assert re.search(r"\b(\d+) passed", result.stdout).group(1) == str(operations + 1), result.stdout[-2_000:]
