"""Command-line tasks: `flask --app patient_app <command>`."""

from __future__ import annotations

import json
import os

import click
from flask import Flask, current_app

from patient_app.extensions import db


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    config.attributes["engine"] = db.engine
    return config


def upgrade_database() -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")


def init_app(app: Flask) -> None:
    from patient_app import municipality_commands
    from patient_app.notify import commands as push_commands

    push_commands.register(app)  # vapid-keys, push-worker, send-reminders
    municipality_commands.register(app)  # add-municipality, add-administrator

    @app.cli.command("db-upgrade")
    def db_upgrade_command():
        """Create or migrate the database to the newest schema."""
        upgrade_database()
        click.echo("Database is up to date.")

    @app.cli.command("db-revision")
    @click.argument("message")
    def db_revision_command(message: str):
        """Write a new migration from the difference between the models and the database."""
        from alembic import command

        command.upgrade(alembic_config(), "head")
        command.revision(alembic_config(), message=message, autogenerate=True)

    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Remove the demo plans first and create them anew.")
    def seed_demo_command(reset: bool):
        """Load the fictional demo people and plans (safe to run again)."""
        from patient_app.demo.seed import seed_demo

        created = seed_demo(reset=reset)
        click.echo("Demo data created." if created else "Demo data was already there.")

    @app.cli.command("standin-config")
    @click.argument("folder")
    @click.option("--app-url", default="http://127.0.0.1:5000")
    def standin_config_command(folder: str, app_url: str):
        """Write the stand-in ID-porten's client and test-person files for this app."""
        from patient_app.demo.people import DEMO_PEOPLE, register_persons

        os.makedirs(folder, exist_ok=True)
        clients = [
            {
                "client_id": current_app.config["OIDC_CLIENT_ID"],
                "client_secret": current_app.config["OIDC_CLIENT_SECRET"],
                "redirect_uris": [app_url.rstrip("/") + "/login/callback"],
                "post_logout_redirect_uris": [app_url.rstrip("/") + "/logged-out"],
                "frontchannel_logout_uri": app_url.rstrip("/") + "/logout/frontchannel",
                "backchannel_logout_uri": app_url.rstrip("/") + "/logout/backchannel",
            }
        ]
        persons = [{"pid": p.pid, "label": f"{p.name} ({p.description})"} for p in DEMO_PEOPLE]
        _write_private_json(os.path.join(folder, "clients.json"), clients)
        _write_private_json(os.path.join(folder, "persons.json"), persons)
        # The stand-in population register's people: the same demo people, with their families.
        _write_private_json(os.path.join(folder, "population-register.json"), register_persons())
        click.echo(f"Wrote {folder}/clients.json, {folder}/persons.json and {folder}/population-register.json")


def _write_private_json(path: str, data) -> None:
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
