"""Asking the population register about a number typed into a form (granting access, adding a coordinator)."""

from __future__ import annotations

from flask_babel import gettext as _

from patient_app.population_register import RegisterPerson, RegisterUnavailable, look_up


def registered_person(field) -> RegisterPerson | None:
    """The register's entry for the number in ``field``, or None with the reason shown at the
    field (and in the error summary): the register is down, or has no such person."""
    try:
        entry = look_up(field.data)
    except RegisterUnavailable:
        field.errors.append(_("Folkeregisteret svarer ikke akkurat nå, så vi kan ikke se hvem "
                              "fødselsnummeret tilhører. Ingenting er lagret. Prøv igjen om litt."))
        return None
    if entry is None:
        field.errors.append(_("Vi fant ingen person med dette fødselsnummeret i Folkeregisteret. "
                              "Sjekk at du har skrevet alle 11 sifrene riktig."))
    return entry
