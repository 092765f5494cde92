"""The coordinator's form for a participant or contact in the plan."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import ValidationError

from patient_app.forms.text import text_field

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ]{3,20}$")


class ParticipantForm(FlaskForm):
    name = text_field(_l("Navn"), required_message=_l("Skriv navnet"), max_length=200)
    role_title = text_field(_l("Rolle, for eksempel fysioterapeut"), max_length=200)
    organisation = text_field(_l("Arbeidssted"), max_length=200)
    phone = text_field(_l("Telefon (kan stå tomt)"), max_length=40)
    show_phone = BooleanField(_l("Vis telefonnummeret til de andre i planen"))
    email = text_field(_l("E-post (kan stå tom)"), max_length=200)
    show_email = BooleanField(_l("Vis e-postadressen til de andre i planen"))
    in_responsibility_group = BooleanField(_l("Med i ansvarsgruppen"), default=True)

    def validate_phone(self, field):
        if field.data and not _PHONE.match(field.data.strip()):
            raise ValidationError(_l("Skriv telefonnummeret med bare sifre og mellomrom, for eksempel 22 33 44 55"))

    def validate_email(self, field):
        if field.data and not _EMAIL.match(field.data.strip()):
            raise ValidationError(_l("Skriv e-postadressen slik: navn@eksempel.no"))

    def validate_show_phone(self, field):
        if field.data and not (self.phone.data or "").strip():
            raise ValidationError(_l("Skriv telefonnummeret, eller ta bort haken for å vise det"))

    def validate_show_email(self, field):
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Skriv e-postadressen, eller ta bort haken for å vise den"))
