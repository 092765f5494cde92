"""``python -m population_register_standin``: serve the stand-in register on POPULATION_REGISTER_STANDIN_PORT."""

from __future__ import annotations

import logging
import os

from werkzeug.serving import run_simple

from . import create_app

DEFAULT_PORT = "5003"


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("POPULATION_REGISTER_STANDIN_HOST", "127.0.0.1")
    port = int(os.environ.get("POPULATION_REGISTER_STANDIN_PORT", DEFAULT_PORT))
    run_simple(host, port, create_app(), threaded=True)


if __name__ == "__main__":
    main()
