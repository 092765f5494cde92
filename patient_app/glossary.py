"""One glossary for the official words a plan is full of, in every language.

A page explains such a word where it first uses it, with
``components/macros.html::explain`` (a <dfn> and the explanation, as ordinary
text: no hover, no JavaScript), and "Om individuell plan" lists them all with
``glossary_list``. Both read the explanations from here, so they are the same
everywhere; tests/views/test_plain_language.py checks that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g
from flask_babel import get_locale, gettext as _, pgettext


@dataclass(frozen=True)
class Term:
    key: str
    word: str  # as a heading word: "Tiltak"
    explanation: str  # a phrase that can follow "word:" and take a full stop

    @property
    def explanation_capitalised(self) -> str:
        return self.explanation[:1].upper() + self.explanation[1:]

    @property
    def explanation_sentence(self) -> str:
        return self.explanation_capitalised + "."


# How the words show up in Norwegian text, bokmål or nynorsk, inflected or not: for
# text the coordinator wrote ("Møte i ansvarsgruppen"), which no template can mark up.
WORD_PATTERNS = {
    "individuell-plan": re.compile(r"\bindividuel(?:l|le) plan", re.IGNORECASE),
    "koordinator": re.compile(r"\bkoordinator", re.IGNORECASE),
    "ansvarsgruppe": re.compile(r"\bansvarsgrupp", re.IGNORECASE),
    "tiltak": re.compile(r"\btiltak", re.IGNORECASE),
    "vedtak": re.compile(r"\bvedtak", re.IGNORECASE),
    "kriseplan": re.compile(r"\bkriseplan", re.IGNORECASE),
    "samtykke": re.compile(r"\bsamtykk", re.IGNORECASE),
}


def glossary() -> dict[str, Term]:
    """The terms in the current language, in the order a newcomer meets them.

    Kept for the request, per language: a page asks several times (each explanation,
    the crisis-plan hint), and fourteen translations each time showed in the profile."""
    by_locale = g.setdefault("glossary_by_locale", {})
    locale = str(get_locale())
    if locale not in by_locale:
        by_locale[locale] = _translated_glossary()
    return by_locale[locale]


def _translated_glossary() -> dict[str, Term]:
    terms = (
        Term("individuell-plan", pgettext("glossary", "Individuell plan"),
             _("en plan for deg som trenger hjelp fra flere steder over lang tid")),
        Term("koordinator", pgettext("glossary", "Koordinator"),
             _("den i kommunen som har hovedansvaret for planen din")),
        Term("ansvarsgruppe", pgettext("glossary", "Ansvarsgruppe"),
             _("de som hjelper deg og møtes for å samarbeide")),
        Term("tiltak", pgettext("glossary", "Tiltak"),
             _("noe som skal gjøres for at du skal nå et mål")),
        Term("vedtak", pgettext("glossary", "Vedtak"),
             _("et skriftlig svar om hvilken hjelp du får")),
        Term("kriseplan", pgettext("glossary", "Kriseplan"),
             _("hva du gjør og hvem du ringer når det er vanskelig")),
        Term("samtykke", pgettext("glossary", "Samtykke"),
             _("at du sier ja til noe, for eksempel til at andre får se opplysninger om deg")),
    )
    return {term.key: term for term in terms}


def explain_once(key: str) -> Term | None:
    """The term the first time a page asks for it; None after that, so a word is explained
    once per page however many fragments use it."""
    explained = g.setdefault("explained_terms", set())
    if key in explained:
        return None
    explained.add(key)
    return glossary()[key]


def terms_used_in(text: str | None) -> list[str]:
    """The glossary words in a text someone wrote, in the order they appear."""
    found = [(match.start(), key) for key, pattern in WORD_PATTERNS.items() if (match := pattern.search(text or ""))]
    return [key for _, key in sorted(found)]


def all_terms() -> list[Term]:
    """Every term, marked as explained on this page (the full glossary explains them all)."""
    terms = list(glossary().values())
    g.setdefault("explained_terms", set()).update(term.key for term in terms)
    return terms


def init_app(app) -> None:
    app.jinja_env.globals.update(
        explain_once=explain_once, glossary_terms=all_terms, terms_used_in=terms_used_in,
        glossary_term=lambda key: glossary()[key],
    )
