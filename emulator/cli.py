"""The ``exotel-emulator`` command.

Every bad start is one line on stderr and exit 2, before anything is served: bad options, fixtures or
``--state``, a ``--save-on-exit`` target that cannot be written, an address that cannot be bound.
"""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import os
import signal
import sys

from emulator import __version__

TOKEN_ENV = "EXOTEL_EMULATOR_CONTROL_TOKEN"
# a container sets these instead of options, so `docker run IMAGE serve --seed 7` still binds where it must
HOST_ENV, PORT_ENV = "EXOTEL_EMULATOR_HOST", "EXOTEL_EMULATOR_PORT"


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (no usage block above them)."""

    def error(self, message: str):
        self.exit(2, f"exotel-emulator: {message} (see {self.prog} --help)\n")


def ranged(low: int, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {low}-{high}, not {value}" if high is not None
                                             else f"must be {low} or more, not {value}")
        return value

    return parse


non_negative = ranged(0)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``command="serve"`` or ``"openapi"``: only what that command needs, without
    the control commands' parsers (building them is ~6 ms, and a start-up that serves needs none)."""
    parser = Parser(prog="exotel-emulator", description="A local emulator of Exotel's HTTP APIs.")
    parser.add_argument("--version", action="version", version=f"exotel-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every API family and the control API on one port")
    serve.add_argument("--host", default=os.environ.get(HOST_ENV) or "127.0.0.1",
                       help=f"address to bind (default ${HOST_ENV}, else 127.0.0.1)")
    # a string default goes through ``type`` too: a bad $EXOTEL_EMULATOR_PORT is the same one-line error
    serve.add_argument("--port", type=ranged(0, 65535), default=os.environ.get(PORT_ENV) or "8080",
                       help=f"port to bind; 0 picks a free one (default ${PORT_ENV}, else 8080)")
    serve.add_argument("--fixtures", metavar="DIR", help="a fixtures directory replacing the shipped one")
    serve.add_argument("--seed", type=int, default=0, help="seed for generated inventories (default 0)")
    serve.add_argument("--debug", action="store_true", help="Flask's development server, for debugging only")
    serve.add_argument("--journal-size", type=non_negative, default=1000, metavar="N",
                       help="requests kept in the journal, GET /_emulator/requests (default 1000; 0: off)")
    serve.add_argument("--state", metavar="FILE", help="start from a snapshot (GET /_emulator/state output)")
    serve.add_argument("--save-on-exit", metavar="FILE", help="write a snapshot there on SIGTERM or Ctrl-C")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="a Host name the control API also answers besides loopback ones (repeatable; "
                            "'*' any)")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="a browser origin the control API also answers (repeatable; '*' any)")
    serve.add_argument("--control-token", metavar="T", default=os.environ.get(TOKEN_ENV) or None,
                       help=f"control requests need 'Authorization: Bearer T' (default: ${TOKEN_ENV})")
    serve.add_argument("--quiet", action="store_true", help="no line per request on stderr")

    openapi = commands.add_parser("openapi", help="write the OpenAPI 3.1 document (GET /_emulator/openapi.json)",
                                  description="Write the OpenAPI 3.1 document of every endpoint, without serving.")
    openapi.add_argument("file", nargs="?", help="where to write it (default: standard output)")
    if command in ("serve", "openapi"):
        return parser

    from emulator.app import families
    from emulator.control.commands import add_commands

    add_commands(commands, families())  # reset, clock, fault, state, requests, callbacks, call ...
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # No cyclic garbage collection while the app is built: start-up makes some 70,000 objects (modules,
    # classes, routes, the world) that live as long as the process, and the collector walked them over a
    # hundred times for nothing, about 25 ms. ``serve`` turns it back on before serving (``gc.freeze``:
    # those objects are never walked again); every other command turns it back on when it returns.
    collecting = gc.isenabled()
    gc.disable()
    try:
        args = build_parser(argv[0] if argv else None).parse_args(argv)
        if args.command == "serve":
            return serve(args)
        if args.command == "openapi":
            return write_openapi(args.file)
        from emulator.control.commands import run

        return run(args)
    finally:
        if collecting:
            gc.enable()


def listening(host: str, port: int) -> str:
    """The URL to open: every interface (a container's 0.0.0.0) is reached on this machine as localhost."""
    if host in ("0.0.0.0", "::", ""):
        return f"http://localhost:{port}  (bound to {host or '0.0.0.0'}: every interface)"
    shown = f"[{host}]" if ":" in str(host) else host
    return f"http://{shown}:{port}"


def fail(message: str) -> int:
    """One line on stderr, exit 2: however long the cause, it is said on one line."""
    print(f"exotel-emulator: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


def serve(args: argparse.Namespace) -> int:
    from emulator.app import create_app
    from emulator.core import snapshot
    from emulator.core.fixtures import FixtureError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app({"FIXTURES": args.fixtures, "SEED": args.seed, "JOURNAL_SIZE": args.journal_size,
                          "BIND_HOST": args.host, "CONTROL_HOSTS": tuple(args.allow_host),
                          "CONTROL_ORIGINS": tuple(args.allow_origin), "CONTROL_TOKEN": args.control_token})
    except FixtureError as exc:
        return fail(f"bad fixtures: {exc}")
    store = app.extensions["exotel_emulator"]
    try:
        snapshot.setup(app, state=args.state, save_on_exit=args.save_on_exit)
    except snapshot.SnapshotError as exc:  # a bad --state file, or a --save-on-exit target we cannot write
        store.close(0)
        return fail(str(exc))
    if args.debug:
        gc.enable()
        try:
            app.run(host=args.host, port=args.port, debug=True, use_reloader=False)
        except OSError as exc:
            return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return 0

    from emulator.core.server import address, create_server

    try:
        server = create_server(app, host=args.host, port=args.port, access_log=None if args.quiet else sys.stderr)
    except (OSError, ValueError) as exc:  # port in use, an address not of this machine, a bad --host
        store.close(0)
        hint = " (another server is there: --port 0 picks a free port)" if getattr(
            exc, "errno", None) == errno.EADDRINUSE else ""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return fail(f"cannot listen on {args.host}:{args.port}: {reason}{hint}")
    # SIGTERM (docker stop, CI teardown) and Ctrl-C end the serving loop, so the exit hooks still run; both
    # are handled before the first line is printed, since a caller may signal as soon as it reads that line
    # (once serving, uvicorn takes them over, and hands each back here when it has stopped)
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: server.stop())
    gc.freeze()  # everything built so far lives as long as the process: collections while serving skip it
    gc.enable()
    try:
        print(f"exotel-emulator listening on {listening(*address(server))}", flush=True)
        for account in store.accounts.values():
            print(f"  account sid={account.sid} api_key={account.api_key} api_token={account.api_token}",
                  flush=True)
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the save short
        server.sock.close()
        store.close(deadline=1.0)  # a backlog of callbacks to a slow URL never holds the exit
    return run_exit_hooks(store)


def run_exit_hooks(store) -> int:
    """``--save-on-exit`` and the like: each says what it did; a failure is one line and exit 1."""
    code = 0
    for hook in store.on_exit:
        try:
            done = hook()
        except Exception as exc:
            print(f"exotel-emulator: could not save the state: {' '.join(str(exc).split())}", file=sys.stderr)
            code = 1
        else:
            if done:
                print(f"exotel-emulator: {done}", flush=True)
    return code


def write_openapi(file: str | None) -> int:
    import json

    from emulator.app import create_app
    from emulator.openapi import document

    text = json.dumps(document(create_app()), indent=2, ensure_ascii=False) + "\n"
    if file is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(file, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        print(f"exotel-emulator: cannot write {file}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
