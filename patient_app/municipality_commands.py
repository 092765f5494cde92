"""`flask add-municipality` and `flask add-administrator` (registered by patient_app/cli.py).

The first administrator of a municipality is made here; after that administrators add
coordinators in the app (docs/domain.md, Municipalities and their staff). Both are safe
to run again. Identity numbers are never echoed: a terminal's scrollback is a log too.
"""

from __future__ import annotations

import click
from flask import Flask

from patient_app.identity_numbers import is_valid
from patient_app.models import StaffRole
from patient_app.municipalities import add_municipality, add_staff, is_municipality_number, municipality_numbered
from patient_app.population_register import RegisterUnavailable, look_up


def register(app: Flask) -> None:
    @app.cli.command("add-municipality")
    @click.argument("number")
    @click.argument("name")
    def add_municipality_command(number: str, name: str):
        """Add a municipality by its official number (e.g. 1103) and name, with its coordinating unit."""
        if not is_municipality_number(number):
            raise click.UsageError("A municipality number is four digits, e.g. 1103.")
        if not name.strip():
            raise click.UsageError("Give the municipality's name, e.g. \"Stavanger kommune\".")
        municipality, created = add_municipality(number, name)
        if created:
            click.echo(f"Added {municipality.name} ({municipality.number}) and its coordinating unit.")
        else:
            click.echo(f"{municipality.name} ({municipality.number}) was already there; nothing changed.")

    @app.cli.command("add-administrator")
    @click.argument("number")
    @click.argument("identity_number")
    @click.option("--name", default="", help="The person's name, used only when the population register cannot be asked.")
    def add_administrator_command(number: str, identity_number: str, name: str):
        """Make the person with IDENTITY_NUMBER an administrator of the coordinating unit of municipality NUMBER."""
        municipality = municipality_numbered(number)
        if municipality is None:
            raise click.UsageError(f"No municipality numbered {number!r}; add it first with `flask add-municipality`.")
        identity_number = identity_number.replace(" ", "")
        if not is_valid(identity_number):
            raise click.UsageError("That identity number is not valid; check all 11 digits.")
        registered_name = name_from_register(identity_number, name)
        added = add_staff(municipality, identity_number, registered_name, StaffRole.ADMINISTRATOR, added_by=None)[1]
        if added:
            click.echo(f"{registered_name} is now an administrator of {municipality.name}.")
        else:
            click.echo(f"{registered_name} was already an administrator of {municipality.name}; nothing changed.")


def name_from_register(identity_number: str, typed_name: str) -> str:
    """The register's name for the number; the typed --name only when the register cannot tell."""
    try:
        entry = look_up(identity_number)
    except RegisterUnavailable:
        entry, reason = None, "The population register did not answer"
    else:
        reason = "The population register has no person with that number"
    if entry is not None:
        return entry.name
    if not typed_name.strip():
        raise click.UsageError(f"{reason}; give the person's name with --name.")
    click.echo(f"{reason}; using the name given with --name.")
    return typed_name.strip()
