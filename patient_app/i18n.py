"""Languages: bokmål (default), nynorsk and English.

The person's choice is kept in the session (and on their Person row once
logged in); the first choice at login comes from ID-porten's ``locale`` claim.
"""

from __future__ import annotations

from flask import Flask, current_app, session
from flask_login import current_user

from patient_app.extensions import babel

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
# ID-porten may say "se" (North Sami); we have no Sami translation yet, so bokmål.
ID_PORTEN_LOCALES = {"nb": "nb", "nn": "nn", "en": "en"}


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.preferred_locale:
        return current_user.preferred_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_from_id_porten(claim: str | None) -> str:
    return ID_PORTEN_LOCALES.get((claim or "").lower(), "nb")


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories="translations",
    )
