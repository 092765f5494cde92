"""The fictional demo people. Their identity numbers are synthetic (month + 80).

Any likeness to real people is accidental; no real identity number is valid
with month + 80.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from patient_app.identity_numbers import make_synthetic


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    birth_date: dt.date
    description: str  # shown on the stand-in login page
    individual: int  # the individual digits that give valid control digits

    @property
    def pid(self) -> str:
        return make_synthetic(self.birth_date, self.individual)


DEMO_PEOPLE = (
    DemoPerson("patient", "Sigrid Bakken Holm", dt.date(1984, 6, 12), "pasient, 42 år", 106),
    DemoPerson("relative", "Anders Holm", dt.date(1981, 2, 3), "pårørende til Sigrid", 102),
    DemoPerson("child", "Emil Strand", dt.date(2016, 3, 5), "barn, 10 år", 500),
    DemoPerson("guardian1", "Marte Strand", dt.date(1988, 9, 21), "mor til Emil", 103),
    DemoPerson("guardian2", "Jonas Strand", dt.date(1986, 11, 30), "far til Emil", 104),
    DemoPerson("coordinator", "Lise Aasen", dt.date(1979, 4, 17), "koordinator i kommunen", 105),
    DemoPerson("administrator", "Hanne Vik", dt.date(1975, 8, 9), "administrator i koordinerende enhet", 100),
)


def demo_person(key: str) -> DemoPerson:
    return next(person for person in DEMO_PEOPLE if person.key == key)


# Who has parental responsibility for whom, as the population register has it.
PARENTAL_RESPONSIBILITY = {"guardian1": ("child",), "guardian2": ("child",)}


def register_persons() -> list[dict]:
    """The demo people as the stand-in population register's persons file lists them."""
    records = []
    for person in DEMO_PEOPLE:
        given, *middle, family = person.name.split()
        record = {"pid": person.pid, "given_name": given, "family_name": family,
                  "parental_responsibility_for": [demo_person(key).pid
                                                  for key in PARENTAL_RESPONSIBILITY.get(person.key, ())]}
        if middle:
            record["middle_name"] = " ".join(middle)
        records.append(record)
    return records
