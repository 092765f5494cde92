"""``python -m idporten_standin``: serve the stand-in on two ports, as ID-porten serves two origins.

IDPORTEN_STANDIN_PORT serves the issuer (discovery, JWKS, token);
IDPORTEN_STANDIN_LOGIN_PORT the pages the person's browser opens (login, logout).
"""

from __future__ import annotations

import logging
import os
import threading

from werkzeug.serving import make_server

from . import create_app
from .config import DEFAULT_LOGIN_PORT, DEFAULT_PORT
from .serving import QueryFreeRequestHandler


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("IDPORTEN_STANDIN_HOST", "127.0.0.1")
    ports = (int(os.environ.get("IDPORTEN_STANDIN_PORT", DEFAULT_PORT)),
             int(os.environ.get("IDPORTEN_STANDIN_LOGIN_PORT", DEFAULT_LOGIN_PORT)))
    app = create_app()
    issuer_server, login_server = (
        make_server(host, port, app, threaded=True, request_handler=QueryFreeRequestHandler) for port in ports
    )
    threading.Thread(target=login_server.serve_forever, daemon=True).start()
    issuer_server.serve_forever()


if __name__ == "__main__":
    main()
