"""The ``exotel-emulator`` command."""

from __future__ import annotations

import argparse
import logging
import signal
import sys


def non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exotel-emulator", description="A local emulator of Exotel's HTTP APIs.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every API family and the control API on one port")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    serve.add_argument("--fixtures", metavar="DIR", help="a fixtures directory replacing the shipped one")
    serve.add_argument("--seed", type=int, default=0, help="seed for generated inventories (default 0)")
    serve.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    serve.add_argument("--debug", action="store_true", help="Flask's development server, for debugging only")
    serve.add_argument("--journal-size", type=non_negative, default=1000, metavar="N",
                       help="requests kept in the journal, GET /_emulator/requests (default 1000; 0: off)")
    serve.add_argument("--state", metavar="FILE", help="start from a snapshot (GET /_emulator/state output)")
    serve.add_argument("--save-on-exit", metavar="FILE", help="write a snapshot there on SIGTERM or Ctrl-C")

    openapi = commands.add_parser("openapi", help="write the OpenAPI 3.1 document (GET /_emulator/openapi.json)",
                                  description="Write the OpenAPI 3.1 document of every endpoint, without serving.")
    openapi.add_argument("file", nargs="?", help="where to write it (default: standard output)")

    from emulator.app import families
    from emulator.control.commands import add_commands

    add_commands(commands, families())  # reset, clock, fault, state, requests, callbacks, call ...
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "openapi":
        return write_openapi(args.file)
    from emulator.control.commands import run

    return run(args)


def serve(args: argparse.Namespace) -> int:
    from emulator.app import create_app
    from emulator.core.fixtures import FixtureError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # "Task queue depth is N" is waitress reporting a burst of concurrent clients, not a problem
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        app = create_app({"FIXTURES": args.fixtures, "SEED": args.seed, "JOURNAL_SIZE": args.journal_size})
    except FixtureError as exc:
        print(f"exotel-emulator: bad fixtures: {exc}", file=sys.stderr)
        return 2
    from emulator.core import snapshot

    try:
        snapshot.setup(app, state=args.state, save_on_exit=args.save_on_exit)
    except snapshot.SnapshotError as exc:  # a bad --state file, or a --save-on-exit folder we cannot write
        print(f"exotel-emulator: {exc}", file=sys.stderr)
        return 2
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True, use_reloader=False)
        return 0

    from waitress.server import create_server

    server = create_server(app, host=args.host, port=args.port, threads=args.threads, ident="exotel-emulator")
    # SIGTERM (docker stop, CI teardown) ends the loop like Ctrl-C does, so the exit hooks still run; both are
    # handled before the first line is printed, since a caller may signal as soon as it reads that line
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    store = app.extensions["exotel_emulator"]
    try:
        host, port = server.effective_host, server.effective_port
        shown = f"[{host}]" if ":" in str(host) else host
        print(f"exotel-emulator listening on http://{shown}:{port}", flush=True)
        for account in store.accounts.values():
            print(f"  account sid={account.sid} api_key={account.api_key} api_token={account.api_token}",
                  flush=True)
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        for hook in store.on_exit:
            hook()
    return 0


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
