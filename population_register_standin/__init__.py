"""A stand-in for Folkeregisteret, the population register, for development and tests.

It answers what Min plan asks the register: for an identity number, the
person's name, birth date, whether they have died, and who has parental
responsibility for whom, in Folkeregisteret's shape (Norwegian field names,
lists of entries with erGjeldende). It knows the demo people from a file, and
makes up a plausible record for any other valid synthetic number (month + 80),
so any TestID login has a register entry. Real numbers are never answered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from flask import Flask, jsonify, request

from patient_app.identity_numbers import birth_date, is_synthetic

log = logging.getLogger(__name__)

LOOKUP_PATH = "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/oppslag"
GIVEN_NAMES = ("Ingrid", "Ola", "Nora", "Jakob", "Emma", "Filip", "Sara", "Aksel", "Maja", "Henrik", "Tuva", "Magnus")
FAMILY_NAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Berg")


def create_app(config: dict | None = None) -> Flask:
    config = config or {}
    persons = config["PERSONS"] if "PERSONS" in config else read_persons(os.environ.get("POPULATION_REGISTER_STANDIN_PERSONS"))
    known = {person["pid"]: person for person in persons}
    app = Flask(__name__)

    # The number goes in the body, never in the path: request lines end up in logs.
    @app.post(LOOKUP_PATH)
    def look_up():
        pid = str((request.get_json(silent=True) or {}).get("personidentifikator", ""))
        person = known[pid] if pid in known else made_up_person(pid)
        # A file entry with "in_register": false is a number the register does not know (for tests).
        if person is None or not person.get("in_register", True):
            return jsonify(kode="FREG-404", melding="Fant ikke personen"), 404
        return jsonify(register_entry(person, persons))

    return app


def read_persons(path: str | None) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else []


def made_up_person(pid: str) -> dict | None:
    """A stable, plausible person for any valid synthetic number the register has no file entry for."""
    if not is_synthetic(pid):
        return None
    pick = hashlib.sha256(pid.encode()).digest()
    return {"pid": pid, "given_name": GIVEN_NAMES[pick[0] % len(GIVEN_NAMES)],
            "family_name": FAMILY_NAMES[pick[1] % len(FAMILY_NAMES)]}


def register_entry(person: dict, everyone: list[dict]) -> dict:
    """One person as Folkeregisteret shows them: each fact a list of entries, the current one marked."""
    pid = person["pid"]
    name = {"fornavn": person["given_name"], "etternavn": person["family_name"], "erGjeldende": True}
    if person.get("middle_name"):
        name["mellomnavn"] = person["middle_name"]
    entry = {
        "identifikasjonsnummer": [
            {"foedselsEllerDNummer": pid, "identifikatortype": "foedselsnummer", "status": "iBruk", "erGjeldende": True}
        ],
        "navn": [name],
        "foedsel": [{"foedselsdato": birth_date(pid).isoformat(), "erGjeldende": True}],
        "foreldreansvar": parental_responsibility(pid, everyone),
        "status": [{"status": "doed" if person.get("deceased_on") else "bosatt", "erGjeldende": True}],
    }
    if person.get("deceased_on"):
        entry["doedsfall"] = [{"doedsdato": person["deceased_on"], "erGjeldende": True}]
    return entry


def parental_responsibility(pid: str, everyone: list[dict]) -> list[dict]:
    """Both directions, as the register shows them: for whom this person is responsible, and who is for them."""
    entries = []
    for person in everyone:
        for child in person.get("parental_responsibility_for", []):
            if pid in (person["pid"], child):
                entries.append({"ansvar": "felles", "ansvarlig": person["pid"], "ansvarssubjekt": child,
                                "erGjeldende": True})
    return entries
