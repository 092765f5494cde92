"""The population register (Folkeregisteret): a person's name, birth date, death, and parental responsibility.

One small interface, look_up(pid), over HTTP: the stand-in in development and
tests, the real register by configuration (README: "The population register").
The register is asked with a timeout, and its being slow or down is an answer
of its own (RegisterUnavailable) that callers must handle, never a crash.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import requests
from flask import current_app

log = logging.getLogger(__name__)

LOOKUP_PATH = "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/oppslag"
# Connect and read timeouts: a page waits at most this long for the register.
TIMEOUT_SECONDS = (2, 3)


class RegisterUnavailable(Exception):
    """The register did not answer in time, or answered with an error."""


@dataclass(frozen=True)
class RegisterPerson:
    name: str
    birth_date: dt.date | None
    deceased: bool
    # Identity numbers of the children this person has parental responsibility for.
    parental_responsibility_for: tuple[str, ...]


def look_up(pid: str) -> RegisterPerson | None:
    """The register's current entry for the number, or None when it has no such person."""
    try:
        # The number goes in the body, never in a URL that request logs would keep.
        response = requests.post(current_app.config["POPULATION_REGISTER_URL"].rstrip("/") + LOOKUP_PATH,
                                 json={"personidentifikator": pid}, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise RegisterUnavailable(type(error).__name__) from error
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise RegisterUnavailable(f"status {response.status_code}")
    try:
        return person_from_entry(pid, response.json())
    except (ValueError, KeyError, TypeError) as error:
        raise RegisterUnavailable("unreadable answer") from error


def current(entries: list[dict]) -> dict | None:
    """The entry the register marks as current (erGjeldende)."""
    return next((entry for entry in entries or [] if entry.get("erGjeldende")), None)


def person_from_entry(pid: str, entry: dict) -> RegisterPerson:
    name = current(entry["navn"])
    born = current(entry.get("foedsel", []))
    parts = (name.get("fornavn"), name.get("mellomnavn"), name.get("etternavn"))
    return RegisterPerson(
        name=" ".join(part for part in parts if part),
        birth_date=dt.date.fromisoformat(born["foedselsdato"]) if born else None,
        deceased=bool(current(entry.get("doedsfall", []))),
        parental_responsibility_for=tuple(
            item["ansvarssubjekt"] for item in entry.get("foreldreansvar", [])
            if item.get("erGjeldende") and item.get("ansvarlig") == pid
        ),
    )


def refresh_from_register(person, pid: str) -> RegisterPerson | None:
    """At login: the person's name and birth date become the register's; returns the entry.
    A register that is down changes nothing (None), so people already known can still log in."""
    try:
        entry = look_up(pid)
    except RegisterUnavailable as error:
        log.warning("population register unavailable at login (%s); name kept", error)
        return None
    if entry is None:
        log.warning("population register has no entry for a person who logged in; name kept")
        return None
    person.name = entry.name
    person.birth_date = entry.birth_date or person.birth_date
    return entry
