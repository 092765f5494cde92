"""The constant pages bench/run.py compares the app's pages with.

- ``trivial``: a minimal Flask app answering a constant page: what one request
  through gunicorn and Flask costs with no database, templates, session or
  security headers.
- ``add_signed_in_constant_page(app)``: the same page from the product's app
  to a logged-in person at /_bench/signed-in: its request hooks, the session
  cookie and the one statement that checks the login is live, no template.
  No page of the app can be cheaper than this.

They live in bench/ only, never in the product.
"""

from __future__ import annotations

from flask import Flask

from patient_app.access import signed_in

TRIVIAL_PAGE = (
    "<!doctype html><html lang=nb><head><meta charset=utf-8><title>Konstant</title></head>"
    "<body><p>En konstant side, til sammenligning.</p></body></html>"
)
SIGNED_IN_PATH = "/_bench/signed-in"

trivial = Flask("trivial")


@trivial.get("/trivial")
def constant_page():
    return TRIVIAL_PAGE


@signed_in
def signed_in_constant_page():
    return TRIVIAL_PAGE


def add_signed_in_constant_page(app: Flask) -> None:
    app.add_url_rule(SIGNED_IN_PATH, view_func=signed_in_constant_page)
