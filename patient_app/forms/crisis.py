"""The crisis plan, which the coordinator writes together with the patient."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from patient_app.forms.text import long_text_field, text_field


class CrisisContactForm(Form):
    """One row in 'whom I call'. An empty row is ignored; a row with a name needs a phone number."""

    name = text_field(_l("Navn"), max_length=200)
    relation = text_field(_l("Hvem er det (for eksempel ektemann)"), max_length=200)
    phone = text_field(_l("Telefon"), max_length=40)
    when_to_call = text_field(_l("Når kan jeg ringe (kan stå tomt)"), max_length=300)

    @property
    def is_empty(self) -> bool:
        return not any((field.data or "").strip() for field in self)

    def validate_name(self, field):
        if not (field.data or "").strip() and not self.is_empty:
            raise ValidationError(_l("Skriv navnet, eller tøm hele raden for å ta den bort"))

    def validate_phone(self, field):
        if not (field.data or "").strip() and not self.is_empty:
            raise ValidationError(_l("Skriv telefonnummeret"))


# Rows in "whom I call"; the form shows the plan's contacts and, while there is room, one empty row.
MAX_CRISIS_CONTACTS = 12


class ContactRows(FieldList):
    """The rows of "whom I call". WTForms' FieldList takes the first ``max_entries`` rows and
    silently drops the rest; this one also counts the rows that were sent (``rows_sent``),
    so the form can refuse too many instead of saving part of the list."""

    rows_sent = 0

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.rows_sent = len(set(self._extract_indices(self.name, formdata))) if formdata else 0


class CrisisPlanForm(FlaskForm):
    warning_signs = long_text_field(_l("Tegn på at jeg har det vanskelig"))
    what_i_can_do = long_text_field(_l("Dette kan jeg gjøre selv"))
    what_others_can_do = long_text_field(_l("Dette vil jeg at andre gjør, og slik vil jeg bli møtt"))
    practical_matters = long_text_field(_l("Praktiske ting (barn, dyr, nøkler)"))
    contacts = ContactRows(FormField(CrisisContactForm), min_entries=1, max_entries=MAX_CRISIS_CONTACTS)

    def validate_contacts(self, field):
        # The page never offers more rows than this; a post with more was made by hand or by
        # an old page. Saving the first rows only would lose people without a word.
        if field.rows_sent > MAX_CRISIS_CONTACTS:
            raise ValidationError(_l(
                "Listen kan ha høyst %(max)d personer. Skjemaet sendte flere, og ingenting er lagret. "
                "Se over listen og lagre på nytt.",
                max=MAX_CRISIS_CONTACTS,
            ))
