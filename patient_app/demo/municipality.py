"""The demo municipality: fictional, with a number no real municipality has (real ones run
from 0301 to 56xx), so demo data can never be mistaken for a real municipality's."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from patient_app.extensions import db
from patient_app.models import CoordinatingUnit, Municipality, Person, Plan, StaffMembership, StaffRole

DEMO_MUNICIPALITY_NUMBER = "9999"
DEMO_MUNICIPALITY_NAME = "Nordby kommune"


def add_demo_municipality(people: dict[str, Person], plans: list[Plan]) -> Municipality:
    """Nordby kommune, its coordinating unit, its administrator and coordinator, and the demo plans in it.
    Made once: demo people seeded again under another PID_HASH_KEY (bench/seed_large.py on a
    cluster's database) join the one that is there."""
    existing = db.session.scalar(select(Municipality).where(Municipality.number == DEMO_MUNICIPALITY_NUMBER))
    municipality = existing or _new_demo_municipality()
    administrator = people["administrator"]
    db.session.add_all([
        StaffMembership(municipality_id=municipality.id, person_id=administrator.id, role=StaffRole.ADMINISTRATOR),
        StaffMembership(municipality_id=municipality.id, person_id=people["coordinator"].id,
                        role=StaffRole.COORDINATOR, added_by_id=administrator.id),
    ])
    for plan in plans:
        plan.municipality_id = municipality.id
    return municipality


def _new_demo_municipality() -> Municipality:
    municipality = Municipality(number=DEMO_MUNICIPALITY_NUMBER, name=DEMO_MUNICIPALITY_NAME)
    municipality.unit = CoordinatingUnit(
        name="Koordinerende enhet, Nordby kommune", phone="22 33 44 00",
        email="koordinerende.enhet@nordby.kommune.example",
        address="Rådhuset, Storgata 1, 2. etasje.\nDu kan komme innom uten avtale tirsdag og torsdag kl. 10–14.",
        opening_hours="Mandag til fredag kl. 08.00–15.30.",
    )
    db.session.add(municipality)
    db.session.flush()
    return municipality


def remove_demo_municipality() -> None:
    """The demo municipality and everything on record for it (before `seed-demo --reset` makes it anew)."""
    municipality_id = db.session.scalar(select(Municipality.id).where(Municipality.number == DEMO_MUNICIPALITY_NUMBER))
    if municipality_id is None:
        return
    db.session.execute(update(Plan).where(Plan.municipality_id == municipality_id).values(municipality_id=None))
    for model in (StaffMembership, CoordinatingUnit):
        db.session.execute(delete(model).where(model.municipality_id == municipality_id))
    db.session.execute(delete(Municipality).where(Municipality.id == municipality_id))
