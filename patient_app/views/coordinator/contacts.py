"""Adding and changing the people in the plan."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _

from patient_app import queries
from patient_app.access import PlanAccess, coordinates_plan
from patient_app.forms.contacts import ParticipantForm
from patient_app.models import Participant
from patient_app.parts import contacts
from patient_app.views.coordinator._blueprint import PLAN, ItemPage, bp, item_or_404, item_page, stripped

PAGE = ItemPage("views/coordinator/participant.html", "participant", "contacts")
TEXTS = ("name", "role_title", "organisation", "phone", "email")
CHOICES = ("show_phone", "show_email", "in_responsibility_group")


def participant_values(form: ParticipantForm) -> dict:
    return {**{name: stripped(form[name].data) for name in TEXTS}, **{name: bool(form[name].data) for name in CHOICES}}


@bp.route(f"{PLAN}/contacts/new", methods=["GET", "POST"])
@coordinates_plan
def new_participant(access: PlanAccess):
    form = ParticipantForm()

    def save():
        participant = contacts.add_participant(access, len(queries.participants(access)), participant_values(form))
        return _("%(name)s er lagt til i planen.", name=participant.name)

    return item_page(access, PAGE, form, None, save)


@bp.route(f"{PLAN}/contacts/<uuid:participant_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_participant(access: PlanAccess, participant_id: uuid.UUID):
    participant = item_or_404(access, Participant, participant_id)
    form = ParticipantForm(obj=participant)

    def save():
        contacts.change_participant(access, participant, participant_values(form))
        return _("Opplysningene om %(name)s er lagret.", name=participant.name)

    return item_page(access, PAGE, form, participant, save)
