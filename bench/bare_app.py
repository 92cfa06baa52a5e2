"""The yardstick: a bare Flask app on waitress answering one fixed JSON document, started as its own process.

    python bench/bare_app.py [--port 0] [--document FILE]

It answers ``GET /doc`` (and ``/health``) with the document: by default an ExoPhone as the emulator shows
it; the bench passes the emulator's own answer (``--document``) so both send the same bytes of JSON. No
auth, no journal, no faults: the least a Flask app does per request. waitress with 8 threads, its errors
only; it prints ``listening on http://HOST:PORT`` once the socket listens, as ``exotel-emulator serve`` does.
"""

from __future__ import annotations

import argparse
import json
import logging

from flask import Flask

DOCUMENT = {
    "sid": "969f37e69c744cc1929afa36a7014482", "date_created": "2016-11-09 13:48:12",
    "date_updated": "2016-11-09 13:48:12", "account_sid": "exotel_emulator", "friendly_name": "01139585476",
    "phone_number": "+911139585476", "capabilities": {"voice": True, "sms": True}, "country": "IN",
    "region": "DL", "one_time_price": "0.000000", "rental_price": "499.000000", "incoming_rate": "0.000000",
    "incoming_pulse": "60", "currency": "INR", "number_type": "Landline", "vanity_number": False,
    "voice_url": None, "sms_url": None,
    "uri": "/v2_beta/Accounts/exotel_emulator/IncomingPhoneNumbers/969f37e69c744cc1929afa36a7014482",
}


def create_app(document: dict) -> Flask:
    app = Flask(__name__)

    @app.get("/doc")
    @app.get("/health")
    def doc():
        return document

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--document", metavar="FILE", help="the JSON document to answer (default: an ExoPhone)")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    document = DOCUMENT
    if args.document:
        with open(args.document, encoding="utf-8") as f:
            document = json.load(f)

    from waitress.server import create_server

    logging.getLogger("waitress").setLevel(logging.ERROR)
    server = create_server(create_app(document), host=args.host, port=args.port, threads=args.threads)
    host, port = server.socket.getsockname()[:2]
    print(f"bare-app listening on http://{host}:{port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
