"""Languages: bokmål (default), nynorsk and English.

The person's choice is kept in the session (and on their Person row once
logged in); the first choice at login comes from ID-porten's ``locale`` claim.
"""

from __future__ import annotations

from flask import Flask, current_app, g, session
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

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
    # Templates call gettext some 70 times a page; see request_translations.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = translate


@pass_eval_context
def translate(eval_context, string: str, **variables) -> str:
    """``_()`` in templates: what Jinja's newstyle gettext does, in one call instead of three.

    Jinja's ``_`` calls its ``gettext``, which calls the function installed above,
    each through the template's call machinery; a page says ``_()`` some 75 times.
    Same rules: the text is safe markup, the variables are escaped, and ``%%`` is a
    per cent sign (tests/views/test_language.py).
    """
    translated = request_translations().ugettext(string)
    if eval_context.autoescape:
        translated = Markup(translated)
    return translated % variables


def request_translations():
    """Flask-Babel's translations, kept per request and locale.

    Its get_translations() finds the request's state, domain and locale anew on every call
    (several context-local lookups each); measured, that was about a tenth of the overview's
    time. The locale is part of the key because force_locale() may change it mid-request.
    """
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # the locale is not chosen yet: the first call chooses it
        return get_translations()
    cache = vars(state).setdefault("min_plan_translations", {})
    translations = cache.get(locale)
    if translations is None:
        translations = cache[locale] = get_translations()
    return translations
