"""``exotel-emulator serve`` as a new user meets it: every bad start is one clear line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "emulator", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1"))


def refused(*args: str) -> str:
    """Runs ``serve ARGS`` expecting it to stop at once: asserts exit 2 and one line; returns the line."""
    proc = start("serve", "--port", "0", *args)
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"serve {' '.join(args)} kept running: {out}{err}") from None
    assert proc.returncode == 2, (out, err)
    assert "listening" not in out and len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err.strip()


def valid_snapshot() -> dict:
    from emulator import create_app
    from emulator.core.snapshot import export

    return export(create_app().extensions["exotel_emulator"])


def test_a_state_file_with_a_wrong_field_stops_start_up(tmp_path):
    snapshot = valid_snapshot()
    snapshot["families"]["exobridge"]["default_tenant"]["default_deallocation"] = "forever"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(snapshot))
    line = refused("--state", str(bad))
    assert f"bad state file: {bad}" in line and "default_deallocation" in line


def test_a_state_file_nested_too_deep_stops_start_up(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    assert "nested deeper than 64 levels" in refused("--state", str(deep))
