"""One module per user journey; each is a blueprint."""

from importlib import import_module

from flask import Flask

# One journey a line, so that adding one touches one line.
JOURNEYS = (
    "about",
    "auth",
    "calendar",
    "changes",
    "contacts",
    "coordinator",
    "crisis",
    "health",
    "meetings",
    "messages",
    "municipality",
    "notifications",
    "overview",
    "plan",
    "proposals",
    "provider_logout",
    "pwa",
    "settings",
    "sharing",
)


def register_blueprints(app: Flask) -> None:
    for name in JOURNEYS:
        app.register_blueprint(import_module(f"patient_app.views.{name}").bp)
