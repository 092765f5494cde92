"""Giving a relative access to the plan."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from patient_app.forms.fields import FriendlyDateField
from patient_app.identity_numbers import is_valid
from patient_app.models import Scope


class GrantForm(FlaskForm):
    # No name field: the name is the population register's, shown for the patient to confirm.
    national_id = StringField(
        _l("Fødselsnummeret til personen (11 siffer)"),
        validators=[DataRequired(_l("Skriv fødselsnummeret til personen."))],
    )
    what = RadioField(
        _l("Hva skal personen kunne se?"),
        choices=[
            SelectChoice(Scope.MEETINGS_AND_CONTACTS.value, _l("Møter og kontakter")),
            SelectChoice(Scope.WHOLE_PLAN.value, _l("Hele planen, også kriseplanen")),
        ],
        validators=[InputRequired(_l("Velg hva personen skal kunne se."))],
    )
    messages = BooleanField(_l("Personen kan også lese og skrive meldinger til koordinatoren"))
    valid_until = FriendlyDateField(_l("Siste dag med tilgang (kan stå tomt)"), validators=[Optional()])

    def __init__(self, *args, owner_number_check=None, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_owner_number = owner_number_check or (lambda number: False)
        self._today = today or dt.date.today()

    def validate_national_id(self, field):
        number = (field.data or "").replace(" ", "")
        if not is_valid(number):
            raise ValidationError(_l("Fødselsnummeret stemmer ikke. Sjekk at du har skrevet alle 11 sifrene riktig."))
        if self._is_owner_number(number):
            raise ValidationError(_l("Dette er ditt eget fødselsnummer. Skriv fødselsnummeret til den som skal få tilgang."))
        field.data = number

    def validate_valid_until(self, field):
        if field.data and field.data < self._today:
            raise ValidationError(_l("Datoen har allerede vært. Velg en dato fra i dag og fremover, eller la feltet stå tomt."))

    def chosen_scopes(self) -> list[Scope]:
        scopes = [Scope(self.what.data)]
        if self.messages.data:
            scopes.append(Scope.MESSAGES)
        return scopes
