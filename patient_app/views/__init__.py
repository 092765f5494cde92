"""One module per user journey; each is a blueprint."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from patient_app.views import about, auth, contacts, crisis, meetings, overview, plan, settings

    for module in (about, auth, contacts, crisis, meetings, overview, plan, settings):
        app.register_blueprint(module.bp)
