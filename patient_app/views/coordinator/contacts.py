"""Adding and changing the people in the plan."""

from __future__ import annotations

from flask_babel import gettext as _

from patient_app import queries
from patient_app.forms.contacts import ParticipantForm
from patient_app.models import Participant
from patient_app.parts import contacts
from patient_app.views.coordinator._blueprint import ItemPages, add_item_pages, stripped
TEXTS = ("name", "role_title", "organisation", "phone", "email")
CHOICES = ("show_phone", "show_email", "in_responsibility_group")


def participant_values(form: ParticipantForm) -> dict:
    return {**{name: stripped(form[name].data) for name in TEXTS}, **{name: bool(form[name].data) for name in CHOICES}}


add_item_pages(ItemPages(
    name="participant", path="contacts", model=Participant, section="contacts",
    form=lambda access, participant: ParticipantForm(obj=participant),
    values=lambda access, form: participant_values(form),
    add=lambda access, values: contacts.add_participant(access, len(queries.participants(access)), values),
    change=contacts.change_participant,
    added=lambda participant: _("%(name)s er lagt til i planen.", name=participant.name),
    saved=lambda participant: _("Opplysningene om %(name)s er lagret.", name=participant.name),
))
