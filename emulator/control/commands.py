"""``exotel-emulator reset``, ``clock advance 1h``, ``fault add``...: the control API from a shell.

Every command talks to a running emulator (``--url``, else ``$EXOTEL_EMULATOR_URL``, else
http://127.0.0.1:8080) through ``ControlClient``. Families add their own ``call`` kinds (``Family.commands``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

DEFAULT_URL = "http://127.0.0.1:8080"
URL_VARIABLE = "EXOTEL_EMULATOR_URL"
TOKEN_VARIABLE = "EXOTEL_EMULATOR_CONTROL_TOKEN"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True)
class Command:
    """A subcommand a family adds under ``group`` (``call exobridge``): its arguments, and what it runs."""

    group: str
    name: str
    help: str
    arguments: tuple[tuple[tuple[str, ...], dict], ...]  # (flags, argparse options) each
    run: Callable[[Any, argparse.Namespace], Any]  # (ControlClient, parsed arguments) -> JSON to print
    epilog: str = field(default="")


def duration(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``1h30m``, ``2d``: seconds."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhdw])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (say 90, 90s, 10m, 1h30m or 2d)")
    return sum(float(n) * UNITS[u] for n, u in parts)


def json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # a plain word is a string: --body "<html>gateway down</html>"


def add_commands(commands: argparse._SubParsersAction, families: Iterable) -> None:
    """The control commands beside ``serve``."""

    def command(name: str, help: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help, description=help)
        parser.add_argument("--url", help=f"the emulator's base URL (default ${URL_VARIABLE} or {DEFAULT_URL})")
        parser.add_argument("--token", help=f"its --control-token, if it has one (default ${TOKEN_VARIABLE})")
        parser.add_argument("--json", action="store_true", help="print the answer as JSON")
        return parser

    command("health", "is an emulator answering? its status").set_defaults(run=lambda c, a: c.health())
    command("reset", "state back to the fixtures, clock to real time, logs and faults emptied").set_defaults(
        run=lambda c, a: c.reset())

    clock = command("clock", "show the emulator's clock, or move it forward")
    clock.add_argument("action", nargs="?", choices=["show", "advance"], default="show")
    clock.add_argument("by", nargs="?", type=duration, help="how far: 90, 90s, 10m, 1h30m, 2d")
    clock.set_defaults(run=_clock)

    fault = command("fault", "add, list or clear injected faults")
    fault.add_argument("action", choices=["add", "list", "clear", "remove"])
    fault.add_argument("path", nargs="?", help="add: the path glob (fnmatch); remove: the fault's id")
    fault.add_argument("--method")
    fault.add_argument("--account")
    fault.add_argument("--times", type=int)
    fault.add_argument("--status", type=int)
    fault.add_argument("--code", type=int)
    fault.add_argument("--body", type=json_value, help="a raw answer: JSON, or text")
    fault.add_argument("--delay", type=duration, help="answer late: 500ms is 0.5, or 2s")
    fault.add_argument("--drop", action="store_true", help="close the connection without an answer")
    fault.set_defaults(run=_fault)

    state = command("state", "save the whole state to a file, or load it back")
    state.add_argument("action", choices=["save", "load"])
    state.add_argument("file")
    state.set_defaults(run=_state)

    for name, what in (("requests", "the request journal"), ("callbacks", "the callback log")):
        log = command(name, f"{what}, oldest first; --follow keeps printing new entries")
        log.add_argument("--path", help="only paths starting with this" if name == "requests" else
                         "only callbacks to URLs containing this")
        log.add_argument("--account", help="only this account's" if name == "requests" else
                         "only callbacks this account's state fired")
        log.add_argument("--method", help="only this method" if name == "requests" else argparse.SUPPRESS)
        log.add_argument("--follow", "-f", action="store_true", help="keep printing new entries (Ctrl-C stops)")
        log.set_defaults(run=_log, log=name)

    groups: dict[str, argparse._SubParsersAction] = {}
    for family in families:
        for declared in family.commands:
            if declared.group not in groups:
                parent = command(declared.group, f"{declared.group} commands of the families")
                groups[declared.group] = parent.add_subparsers(dest="kind", required=True)
            sub = groups[declared.group].add_parser(declared.name, help=declared.help, description=declared.help,
                                                    epilog=declared.epilog)
            for flags, options in declared.arguments:
                sub.add_argument(*flags, **options)
            sub.set_defaults(run=declared.run)


def run(args: argparse.Namespace) -> int:
    """Run a control command; a refusal or an unreachable emulator is one line on stderr and exit 1."""
    import requests

    from emulator.control.client import ControlClient, ControlClientError

    url = (args.url or os.environ.get(URL_VARIABLE) or DEFAULT_URL).rstrip("/")
    token = args.token or os.environ.get(TOKEN_VARIABLE)
    client = ControlClient(url, token=token)
    try:
        result = args.run(client, args)
    except requests.ConnectionError:
        return _fail(f"no emulator answers at {url}: start one with `exotel-emulator serve`, or pass --url")
    except requests.Timeout:
        return _fail(f"the emulator at {url} did not answer in time")
    except ControlClientError as exc:
        return _fail(str(exc))
    except OSError as exc:  # a state file that cannot be read or written
        return _fail(str(exc))
    except KeyboardInterrupt:  # --follow ends with Ctrl-C
        return 0
    finally:
        client.close()
    if result is not None:
        print(json.dumps(result, indent=2) if args.json or not isinstance(result, str) else result)
    return 0


def _fail(message: str) -> int:
    print(f"exotel-emulator: {message}", file=sys.stderr)
    return 1


def _clock(client, args):
    if args.action == "advance":
        if args.by is None:
            raise SystemExit("exotel-emulator: clock advance needs a duration, e.g. `clock advance 1h`")
        answer = client.advance_clock(args.by)
        return answer if args.json else f"{answer['now']} (ran {answer['jobs_run']} due jobs)"
    answer = client.clock()
    return answer if args.json else answer["now"]


def _fault(client, args):
    if args.action == "list":
        faults = client.faults()
        if args.json:
            return faults
        return "\n".join(_fault_line(f) for f in faults) or "no faults"
    if args.action == "clear":
        client.clear_faults()
        return "faults cleared"
    if args.path is None:
        wanted = "path glob" if args.action == "add" else "fault id"
        raise SystemExit(f"exotel-emulator: fault {args.action} needs a {wanted}")
    if args.action == "remove":
        client.remove_fault(args.path)
        return f"fault {args.path} removed"
    rule: dict[str, Any] = {k: getattr(args, k) for k in ("method", "account", "times", "status", "code")}
    if args.body is not None:
        rule["body"] = args.body
    if args.delay is not None:
        rule["delay_ms"] = round(args.delay * 1000)
    fault_id = client.add_fault(args.path, drop=args.drop, **rule)
    return {"id": fault_id} if args.json else fault_id


def _fault_line(f: dict) -> str:
    effect = [f"{k}={f[k]}" for k in ("status", "code", "delay_ms") if f.get(k)] + (["drop"] if f.get("drop") else [])
    if "body" in f:
        effect.append("body")
    left = "always" if f["remaining"] is None else f"{f['remaining']} left"
    return f"{f['id']}  {f['method'] or '*'} {f['path']}  {' '.join(effect)}  ({f['hits']} hits, {left})"


def _state(client, args):
    if args.action == "save":
        with open(args.file, "w", encoding="utf-8") as out:
            json.dump(client.get_state(), out)
        return f"saved to {args.file}"
    with open(args.file, encoding="utf-8") as source:
        document = json.load(source)
    client.put_state(document)
    return f"loaded {args.file}"


def _log(client, args):
    seen = 0
    while True:
        if args.log == "requests":
            entries = client.requests(method=args.method, path=args.path, account=args.account)
        else:
            entries = [c for c in client.callbacks(account=args.account) if args.path is None or args.path in c["url"]]
        fresh = [e for e in entries if e["id"] > seen]
        for entry in fresh:
            print(json.dumps(entry) if args.json else _log_line(args.log, entry), flush=True)
        seen = max([seen] + [e["id"] for e in fresh])
        if not args.follow:
            return None
        time.sleep(0.5)  # polling a local emulator: cheap, and the logs are bounded


def _log_line(kind: str, e: dict) -> str:
    if kind == "requests":
        status = "dropped" if e["status"] is None else e["status"]
        return f"{e['time']}  {e['method']} {e['path']}  {status}  {e['duration_ms']:.1f} ms"
    outcome = e.get("status_code") or e.get("error") or ""
    return f"{e['created_at']}  {e['event']} -> {e['url']}  {e['state']} {outcome}".rstrip()
