"""An administrator adding a coordinator to the municipality's coordinating unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from patient_app.identity_numbers import is_valid


class CoordinatorForm(FlaskForm):
    # No name field: the name is the population register's, shown for the administrator to confirm.
    national_id = StringField(
        _l("Fødselsnummeret til koordinatoren (11 siffer)"),
        validators=[DataRequired(_l("Skriv fødselsnummeret til koordinatoren."))],
    )

    def validate_national_id(self, field):
        number = (field.data or "").replace(" ", "")
        if not is_valid(number):
            raise ValidationError(_l("Fødselsnummeret stemmer ikke. Sjekk at du har skrevet alle 11 sifrene riktig."))
        field.data = number
