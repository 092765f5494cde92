"""``python -m idporten_standin``: serve the stand-in on IDPORTEN_STANDIN_HOST:IDPORTEN_STANDIN_PORT."""

from __future__ import annotations

import logging
import os

from werkzeug.serving import run_simple

from . import create_app
from .config import DEFAULT_PORT
from .serving import QueryFreeRequestHandler


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("IDPORTEN_STANDIN_HOST", "127.0.0.1")
    port = int(os.environ.get("IDPORTEN_STANDIN_PORT", DEFAULT_PORT))
    run_simple(host, port, create_app(), threaded=True, request_handler=QueryFreeRequestHandler)


if __name__ == "__main__":
    main()
