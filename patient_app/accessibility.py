"""What the accessibility statement promises, in one place that the tests read too.

The page (views/about.py, /accessibility-statement) is written from these
constants, and tests/views/test_accessibility_statement.py checks each claim
against the tests named here: that they exist, and that they cover at least the
roles and languages the page says. A claim without a test fails that check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

WCAG_VERSION = "2.1"
WCAG_LEVEL = "AA"
# The axe-core rule tags that are WCAG 2.1 A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

# Plain language: LIX at most this on every page's main text in bokmål,
# judged on pages with at least LIX_MIN_WORDS words (tests/views/test_plain_language.py).
LIX_LIMIT = 40
LIX_MIN_WORDS = 50

# Whose pages the LIX test reads (tests/views/test_plain_language.py::ROLES has at least these).
LIX_ROLES = ("patient", "relative", "guardian", "coordinator")

# The pages axe-core scans logged in: by whom, in which languages.
AXE_SCANS = {"patient": ("nb", "nn", "en"), "coordinator": ("nb",)}
# The width no page may scroll sideways at (WCAG 1.4.10), and as whom.
REFLOW_WIDTH = 320
REFLOW_VIEWERS = ("patient", "coordinator")

STATEMENT_UPDATED = dt.date(2026, 11, 23)

UUTILSYNET_URL = "https://www.uutilsynet.no/"


ROLE_NAMES = {
    "patient": _l("pasient"),
    "relative": _l("pårørende"),
    "guardian": _l("foresatt"),
    "coordinator": _l("koordinator"),
}
LANGUAGES_IN_TEXT = {"nb": _l("bokmål"), "nn": _l("nynorsk"), "en": _l("engelsk")}


@dataclass(frozen=True)
class Check:
    """One kind of test, as the statement describes it, and the tests that do it."""

    key: str
    what: str  # a lazy text; may use %(roles)s-style fields filled by the view
    tests: tuple[str, ...]  # "tests/…/test_x.py::test_name"


CHECKS = (
    Check("axe", _l("Vi kjører axe-core i nettleseren Chromium på hver side. Testen finner sidene selv, så nye "
                    "sider blir med. Vi tester logget inn og logget ut. Logget inn tester vi %(scans)s. "
                    "Vi tester også det pårørende og foresatte ser, på bokmål."),
          ("tests/browser/test_accessibility.py::test_every_page_passes_axe_logged_in",
           "tests/browser/test_accessibility.py::test_what_relatives_and_guardians_see_passes_axe_and_reflows",
           "tests/browser/test_accessibility.py::test_public_pages_pass_axe_logged_out",
           "tests/browser/test_accessibility.py::test_every_get_route_can_be_scanned")),
    Check("reflow", _l("Ingen side skal rulle sidelengs på en skjerm som er %(width)s piksler bred. Vi tester som %(viewers)s. "
                       "Vi tester også med tekst i dobbel størrelse. Da skal ingen tekst bli kuttet eller ligge over annen tekst."),
          ("tests/browser/test_accessibility.py::test_no_page_scrolls_sideways_at_320_px_even_with_text_at_200_percent",
           "tests/browser/test_visual_rules.py::test_text_at_200_percent_on_a_wide_screen")),
    Check("keyboard", _l("Du kan gjøre det viktigste bare med tastaturet: logge inn, lese planen, åpne kriseplanen, "
                         "sende en melding, endre varsler og gi og ta bort tilgang. Du ser alltid hvor du er på siden. "
                         "Det er en lenke som hopper til innholdet."),
          ("tests/browser/test_keyboard.py::test_the_main_journeys_by_keyboard_alone",
           "tests/browser/test_keyboard.py::test_a_message_arriving_by_htmx_is_announced_and_focus_stays_put",
           "tests/browser/test_patient_journey.py::test_keyboard_only_login_and_crisis_plan")),
    Check("targets", _l("Knapper og lenker er store nok til å treffe med en finger. Fargene har god nok kontrast, "
                        "også i mørk modus. Vi viser aldri noe bare med farge."),
          ("tests/browser/test_accessibility.py::test_every_page_passes_axe_logged_in",
           "tests/browser/test_visual_rules.py::test_the_target_check_sees_small_targets_but_lets_a_link_in_a_sentence_be",
           "tests/browser/test_visual_rules.py::test_the_colour_check_sees_a_status_without_words")),
    Check("no-js", _l("Du kan lese planen og sende meldinger uten JavaScript."),
          ("tests/browser/test_patient_journey.py::test_without_javascript_the_plan_can_still_be_read",
           "tests/views/test_messages.py::test_the_page_works_without_javascript")),
    Check("lix", _l("Teksten på hver side på bokmål har en LIX på høyst %(lix)s. LIX måler hvor lett en tekst er å lese. "
                    "Vi måler som %(lix_roles)s."),
          ("tests/views/test_plain_language.py::test_every_page_is_plain_bokmal",)),
    Check("glossary", _l("Ord som tiltak, vedtak og koordinator blir forklart der de står første gang på en side. "
                         "Det gjelder ikke sidene som bare koordinatoren ser."),
          ("tests/views/test_plain_language.py::test_official_words_are_explained_where_a_page_first_uses_them",)),
    Check("languages", _l("All tekst finnes på %(languages)s."),
          ("tests/unit/test_translations.py::test_every_message_is_translated_and_checked",)),
)


def word_list(words) -> str:
    """"a, b og c" in the current language."""
    words = [str(word) for word in words]
    if len(words) < 2:
        return "".join(words)
    return _l("%(first)s og %(last)s", first=", ".join(words[:-1]), last=words[-1])


def check_texts() -> list[tuple[Check, str]]:
    """Each check with its text filled in from the constants above (call within a request)."""
    from patient_app.i18n import LANGUAGE_NAMES

    fields = {
        "scans": word_list(
            _l("som %(role)s på %(languages)s", role=ROLE_NAMES[role], languages=word_list(LANGUAGES_IN_TEXT[code] for code in codes))
            for role, codes in AXE_SCANS.items()
        ),
        "width": REFLOW_WIDTH,
        "viewers": word_list(ROLE_NAMES[role] for role in REFLOW_VIEWERS),
        "lix": LIX_LIMIT,
        "lix_roles": word_list(ROLE_NAMES[role] for role in LIX_ROLES),
        "languages": word_list(LANGUAGES_IN_TEXT[code] for code in LANGUAGE_NAMES),
    }
    return [(check, str(check.what) % fields) for check in CHECKS]
