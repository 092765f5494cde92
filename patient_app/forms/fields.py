"""Fields whose error messages are ours, translated, and written for people."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import DateField


class FriendlyDateField(DateField):
    """A date field (the phone's date picker) that says plainly what to type when it fails."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(*args, **kwargs)
        self.widget.input_type = "date"

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        # The date picker sends 2026-12-24; a browser without one lets people type 24.12.2026.
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                self.data = dt.datetime.strptime(text, pattern).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Vi forstod ikke datoen. Skriv den som dag, måned og år, for eksempel 24.12.2026."))
