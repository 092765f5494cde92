"""Validators and fields for what people type, with messages written for people.

Dates use FriendlyDateField from forms/fields.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, TimeField
from wtforms.validators import Length, StopValidation, ValidationError

# Line breaks and tabs are text; other control characters (NUL above all) are not.
_ALLOWED_CONTROL = {"\n", "\r", "\t"}


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROL for c in text)


class Required:
    """Like DataRequired, but whitespace alone counts as empty and the message is ours."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        raw = field.raw_data[0] if field.raw_data else ""
        if field.process_errors and isinstance(raw, str) and raw.strip():
            raise StopValidation()  # something was typed but not understood: keep that explanation
        data = field.data
        if data is None or (isinstance(data, str) and not data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


class PlainText:
    """Refuses control characters that cannot be stored or shown (NUL, escape codes)."""

    def __init__(self, message=None):
        self.message = message or _l("Teksten inneholder tegn som ikke kan lagres. Fjern dem og prøv igjen.")

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_control_characters(field.data):
            raise ValidationError(self.message)


def _text_validators(required_message, max_length: int) -> list:
    # No Optional() for empty text: it would stop the form's own validate_<field> checks too.
    validators = [Required(required_message)] if required_message else []
    return validators + [
        Length(max=max_length, message=_l("Teksten er for lang. Skriv den kortere, med opptil %(max)d tegn.")),
        PlainText(),
    ]


def text_field(label, *, required_message=None, max_length=300, **kwargs) -> StringField:
    return StringField(label, validators=_text_validators(required_message, max_length), **kwargs)


def one_line_break(text):
    """Browsers send CR LF for a new line: stored as LF, so every text has one kind of line
    break and a blank line between paragraphs is always "\\n\\n" (the multiline macro)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def long_text_field(label, *, required_message=None, max_length=10000, **kwargs) -> TextAreaField:
    filters = (one_line_break, *kwargs.pop("filters", ()))
    return TextAreaField(label, validators=_text_validators(required_message, max_length), filters=filters, **kwargs)


class FriendlyTimeField(TimeField):
    """A time field (the phone's time picker) that also takes 14.30, as Norwegians write it."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for pattern in ("%H:%M", "%H.%M", "%H%M"):
            try:
                self.data = dt.datetime.strptime(text, pattern).time()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Vi forstod ikke klokkeslettet. Skriv det som timer og minutter, for eksempel 14.30."))


class EndNotBefore:
    """The end of a period cannot come before its start."""

    def __init__(self, start_field: str, message):
        self.start_field = start_field
        self.message = message

    def __call__(self, form, field):
        start = form[self.start_field].data
        if start and field.data and field.data < start:
            raise ValidationError(self.message)
