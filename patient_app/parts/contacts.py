"""The people in the plan: the coordinator, the responsibility group and other contacts,
each choosing which of their phone and e-mail the others see (docs/domain.md, Who sees what)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import Participant
from patient_app.parts._base import ItemType, Tracked, add_item, change_item

PARTICIPANT = ItemType(
    code="participant", label=_l("Kontakt"), part=Part.CONTACTS, name_of=lambda participant: participant.name,
    endpoint="contacts.index",
    tracked=(
        Tracked("name", "text", _l("Navn")),
        Tracked("role_title", "text", _l("Rolle")),
        Tracked("organisation", "text", _l("Arbeidssted")),
        # A number the contact chose not to show must not show in the history either.
        Tracked("phone", "text", _l("Telefon"), private=True),
        Tracked("show_phone", "bool", _l("Telefon vises")),
        Tracked("email", "text", _l("E-post"), private=True),
        Tracked("show_email", "bool", _l("E-post vises")),
        Tracked("in_responsibility_group", "bool", _l("Med i ansvarsgruppen")),
    ),
)


def add_participant(access: PlanAccess, position: int, values: dict[str, Any]) -> Participant:
    participant = add_item(access, PARTICIPANT, Participant(plan_id=access.plan.id, position=position), values)
    db.session.commit()
    return participant


def change_participant(access: PlanAccess, participant: Participant, values: dict[str, Any]) -> None:
    change_item(access, PARTICIPANT, participant, values)
    db.session.commit()
