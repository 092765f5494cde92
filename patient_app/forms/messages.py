"""Writing to the coordinator: a new conversation, or an answer in one."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation

from patient_app.forms.text import PlainText, Required
from patient_app.messaging import normalise_line_endings
from patient_app.models.messages import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH


def new_key() -> str:
    return str(uuid.uuid4())


class MessageLength:
    """Counts a line break as one character, as the person sees it."""

    def __call__(self, form, field):
        length = len(normalise_line_endings(field.data or ""))
        if length > MESSAGE_MAX_LENGTH:
            raise StopValidation(
                _l(
                    "Meldingen er for lang: den har %(length)d tegn, og den kan ha opptil %(max)d. "
                    "Gjør den kortere, eller del den i to meldinger.",
                    length=length,
                    max=MESSAGE_MAX_LENGTH,
                )
            )


def _body_field() -> TextAreaField:
    return TextAreaField(
        _l("Melding"),
        validators=[
            Required(_l("Skriv en melding")),
            MessageLength(),
            PlainText(_l("Meldingen inneholder tegn som ikke kan lagres. Fjern dem og prøv igjen.")),
        ],
    )


def _key_field() -> HiddenField:
    # A new UUID each time the form is shown: the same form sent twice (a double
    # tap, a retry after a lost answer) stores one message.
    return HiddenField(default=new_key)


class _Idempotent:
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        try:
            uuid.UUID(self.idempotency_key.data or "")
        except ValueError:
            # Not something the person can fix: give the form a fresh key so that
            # sending again works, and say so at the message they wrote.
            self.idempotency_key.data = new_key()
            self.body.errors = [*self.body.errors, _l("Meldingen ble ikke sendt. Se over den og send den på nytt.")]
            return False
        return valid

    @property
    def key(self) -> uuid.UUID:
        return uuid.UUID(self.idempotency_key.data)


class ReplyForm(_Idempotent, FlaskForm):
    body = _body_field()
    idempotency_key = _key_field()


class NewThreadForm(_Idempotent, FlaskForm):
    subject = StringField(
        _l("Hva gjelder det?"),
        validators=[
            Required(_l("Skriv hva meldingen gjelder")),
            Length(max=SUBJECT_MAX_LENGTH, message=_l("Teksten er for lang. Skriv den kortere, med opptil %(max)d tegn.")),
            PlainText(),
        ],
    )
    body = _body_field()
    idempotency_key = _key_field()
