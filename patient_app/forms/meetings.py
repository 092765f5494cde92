"""The coordinator's forms for meetings in the responsibility group and their minutes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from patient_app.forms.fields import FriendlyDateField
from patient_app.forms.plan import hidden_from_guardians_field
from patient_app.forms.text import FriendlyTimeField, Required, long_text_field, text_field
from patient_app.linkify import has_space_or_control


class MeetingForm(FlaskForm):
    title = text_field(_l("Hva slags møte?"), required_message=_l("Skriv hva slags møte det er"))
    date = FriendlyDateField(_l("Dato"), validators=[Required(_l("Skriv datoen for møtet"))])
    starts = FriendlyTimeField(_l("Starter klokka"), validators=[Required(_l("Skriv når møtet starter"))])
    ends = FriendlyTimeField(_l("Slutter klokka (kan stå tomt)"), validators=[Optional()])
    location = text_field(_l("Sted"))
    video_url = text_field(_l("Lenke til videomøtet"), max_length=500)
    invitees = SelectMultipleField(
        _l("Hvem er invitert?"),
        choices=[],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        invalid_choice_message=_l("Noen du valgte, står ikke på lista. Velg bare blant dem på lista."),
    )
    agenda = long_text_field(_l("Hva dere skal snakke om (ett punkt på hver linje)"))
    cancelled = BooleanField(_l("Møtet er avlyst"))
    hidden_from_guardians = hidden_from_guardians_field()

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("Møtet slutter før det starter. Rett tiden for når det slutter."))

    def validate_location(self, field):
        if not (field.data or "").strip() and not (self.video_url.data or "").strip():
            raise ValidationError(_l("Skriv hvor møtet er, eller lim inn lenken til videomøtet"))

    def validate_video_url(self, field):
        address = (field.data or "").strip()
        if not address:
            return
        # Checked as it will be stored: a stored line break broke every calendar feed of the plan.
        if has_space_or_control(address):
            raise ValidationError(_l("Lenken kan ikke ha mellomrom eller linjeskift. Lim inn lenken slik den er."))
        parts = urlsplit(address)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValidationError(_l("Lenken er ikke sikker. Lim inn en lenke som begynner med https://"))


class MinutesForm(FlaskForm):
    body = long_text_field(_l("Referat"), required_message=_l("Skriv referatet"), max_length=20000)
