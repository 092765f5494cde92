"""Plain Norwegian (klarspråk): every page's main text in bokmål has a LIX of at most 40.

Every GET page in the URL map is rendered for each role — the patient, a relative,
a guardian and the coordinator (and logged out, for the public pages) — with the
demo data. What is measured is the text inside <main>: headings, paragraphs, list
items, labels, buttons, table cells, and the hidden text a screen reader reads.
The header, navigation and footer are the same on every page and left out.

The demo plans (goals, measures, messages, minutes) are included: they are written
by us, show what a real plan looks like, and should be as plain as the rest. Only
pages with at least LIX_MIN_WORDS words are judged; LIX on a few words says nothing.
How words and sentences are counted is in tests/views/readability.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup

from patient_app.accessibility import LIX_LIMIT, LIX_MIN_WORDS
from patient_app.glossary import glossary
from tests.browser.helpers import AppPage
from tests.views.pages import ROLES, render
from tests.views.readability import Readability, block_texts, lix, main_blocks, main_units, measure_units


@dataclass(frozen=True)
class Measured:
    role: str
    path: str
    readability: Readability


@pytest.fixture(scope="module")
def rendered(seeded_app) -> list[tuple[str, AppPage, str]]:
    """(role, page, html) for every role and page, in bokmål."""
    return [(role, page, html) for role in ROLES for page, html in render(seeded_app, role)]


@pytest.fixture(scope="module")
def measured(rendered) -> list[Measured]:
    return [Measured(role, page.path, measure_units(main_units(html))) for role, page, html in rendered]


def test_every_page_is_plain_bokmal(measured):
    judged = [m for m in measured if m.readability.words >= LIX_MIN_WORDS]
    assert len({m.path for m in judged}) >= 20, "too few pages measured; is the URL map or the demo data empty?"
    for role in ROLES:
        assert any(m.role == role for m in judged), f"no page measured for the {role}"
    judged.sort(key=lambda m: m.readability.lix, reverse=True)
    highest = judged[0]
    print(
        f"\nLIX measured on {len(judged)} page × role combinations ({len({m.path for m in judged})} pages); "
        f"highest {highest.readability.lix:.1f} on {highest.path} as {highest.role}"
    )
    for m in judged[:10]:
        r = m.readability
        print(f"  {r.lix:5.1f}  {m.role:12} {m.path}  ({r.words} words, {r.sentences} sentences, {r.long_words} long)")
    too_hard = [
        f"{m.path} as {m.role}: LIX {m.readability.lix:.1f} ({m.readability.words} words, "
        f"{m.readability.sentences} sentences, {m.readability.long_words} long words)"
        for m in judged
        if m.readability.lix > LIX_LIMIT
    ]
    assert not too_hard, (
        f"These pages are harder to read than LIX {LIX_LIMIT}. Use shorter sentences and shorter, "
        "common words:\n" + "\n".join(too_hard)
    )


# --- The glossary -------------------------------------------------------------------------

# How each glossary word shows up in bokmål running text, inflected or not.
TERM_PATTERNS = {
    "individuell-plan": r"\bindividuel(?:l|le) plan",
    "koordinator": r"\bkoordinator",
    "ansvarsgruppe": r"\bansvarsgrupp",
    "tiltak": r"\btiltak",
    "vedtak": r"\bvedtak",
    "kriseplan": r"\bkriseplan",
    "samtykke": r"\bsamtykk",
}
# The coordinator is the professional who uses these words every day: the pages checked
# are every page the patient, a relative, a guardian or a stranger can open.
EXPLAINED_FOR = ("patient", "relative", "guardian", "logged out")


def terms_in_request(app, locale: str):
    with app.test_request_context():
        from flask import session

        session["locale"] = locale
        return glossary()


def test_the_glossary_has_the_words_the_issue_names(app):
    assert set(terms_in_request(app, "nb")) == set(TERM_PATTERNS)


def unexplained_first_uses(html: str) -> list[str]:
    """The glossary words whose explanation is neither before, at, nor right after their first use
    (in the sentence, heading or list item that uses the word, or the explanations that follow it)."""
    units = main_blocks(html)
    problems = []
    for key, pattern in TERM_PATTERNS.items():
        first_use = next((i for i, unit in enumerate(units) if re.search(pattern, unit.text, re.IGNORECASE)), None)
        if first_use is None:
            continue
        explained = next((i for i, unit in enumerate(units) if key in unit.terms), None)
        # Right after: in the run of explanations that follows the first use.
        right_after = first_use + 1
        while right_after < len(units) and units[right_after].terms and key not in units[right_after].terms:
            right_after += 1
        if explained is None or explained > right_after:
            problems.append(f"«{key}» first used in {units[first_use].text[:80]!r}, "
                            + ("never explained" if explained is None else f"explained only in {units[explained].text[:60]!r}"))
    return problems


def test_official_words_are_explained_where_a_page_first_uses_them(rendered):
    problems, checked = [], 0
    for role, page, html in rendered:
        if role not in EXPLAINED_FOR:
            continue
        checked += 1
        problems += [f"{page.path} as {role}: {problem}" for problem in unexplained_first_uses(html)]
    assert checked >= 20
    assert not problems, (
        "Explain the word with {{ explain(key) }} from components/macros.html, before or right after "
        "its first use:\n" + "\n".join(sorted(set(problems)))
    )


def explanations_on(html: str) -> dict[str, set[str]]:
    """What each glossary word is explained as on a page: {key: {explanation text}}."""
    found: dict[str, set[str]] = {}
    for owner in BeautifulSoup(html, "html.parser").select("main [data-term]"):
        if owner.name == "dt":
            explanation = owner.find_next_sibling("dd")
        else:
            explanation = owner.select_one(".term__explanation")
        found.setdefault(owner["data-term"], set()).add(explanation.get_text(" ", strip=True))
    return found


def same_words(a: str, b: str) -> bool:
    """Equal but for a capital first letter and a full stop (the glossary list writes sentences)."""
    return a.rstrip(".").casefold() == b.rstrip(".").casefold()


def test_every_explanation_is_the_glossary_text(app, rendered):
    terms = terms_in_request(app, "nb")
    different, seen = [], set()
    for role, page, html in rendered:
        for key, texts in explanations_on(html).items():
            seen.add(key)
            different += [f"{page.path}: «{key}» explained as {text!r}" for text in texts
                          if not same_words(text, terms[key].explanation)]
    assert seen == set(terms), f"explained nowhere: {set(terms) - seen}"
    assert not different, "\n".join(sorted(set(different)))


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_about_individual_plan_lists_the_whole_glossary_in_each_language(app, locale):
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = locale
    html = client.get("/about-individual-plan").get_data(as_text=True)
    terms = terms_in_request(app, locale)
    page = BeautifulSoup(html, "html.parser")
    listed = {dt["data-term"]: (dt.get_text(strip=True), dt.find_next_sibling("dd").get_text(strip=True))
              for dt in page.select("main dl dt[data-term]")}
    assert listed == {key: (term.word, term.explanation_sentence) for key, term in terms.items()}
    if locale != "nb":
        nb = terms_in_request(app, "nb")
        assert all(terms[key].explanation != nb[key].explanation for key in terms), f"untranslated in {locale}"


# --- The measure itself ------------------------------------------------------------------


def test_lix_of_a_known_text():
    # 9 words, 2 sentences, no long words: 9/2 + 0 = 4.5
    assert lix("Jeg har en plan. Den er lang og fin.") == pytest.approx(4.5)
    # 3 words, 1 sentence, 2 long ("Koordinatoren", "hjelper"): 3 + 100 × 2/3
    assert lix("Koordinatoren hjelper deg.") == pytest.approx(3 + 200 / 3)


def test_a_six_letter_word_is_not_long_and_a_seven_letter_word_is():
    assert measure_units(["Planen."]).long_words == 0
    assert measure_units(["Samtale."]).long_words == 1
    assert measure_units(["e-posten"]).long_words == 1  # seven letters; the hyphen is not one


def test_dates_times_and_abbreviations_do_not_end_sentences():
    text = "Møtet er tirsdag 3. desember kl. 10.00. Ta med en venn"
    assert measure_units([text]).sentences == 2
    assert measure_units(["Ved fare: ring 113."]).sentences == 2  # the colon, as in Björnsson's LIX


def test_headings_list_items_and_cells_are_units_and_inline_elements_are_not():
    html = (
        "<main><h1>Mål</h1><ul><li>Gå <a href='#'>tur</a> hver dag</li><li>Sove godt.</li></ul>"
        "<table><tr><th>Hvem</th><td>Lise Aasen</td></tr></table>"
        "<p>Hei. <strong>Du</strong> er<br>fin</p><script>var x = 'ikke tekst';</script></main>"
    )
    units = block_texts(BeautifulSoup(html, "html.parser").main)
    assert units == ["Mål", "Gå tur hver dag", "Sove godt.", "Hvem", "Lise Aasen", "Hei. Du er fin"]
    assert measure_units(units).sentences == 7


def test_only_main_is_measured():
    html = "<body><nav><p>Navigasjon med mange lange ord</p></nav><main><p>Kort tekst.</p></main><footer>x</footer></body>"
    assert main_units(html) == ["Kort tekst."]


def test_a_hard_page_would_fail():
    """The limit can be broken: officialese from a real decision letter scores far above it."""
    hard = (
        "Koordineringsenheten har mottatt søknaden om individuell plan, og saksbehandlingen "
        "forventes gjennomført innenfor lovpålagte tidsfrister i henhold til gjeldende "
        "forvaltningsrettslige bestemmelser og kommunens retningslinjer for tjenestetildeling."
    )
    assert lix(hard) > LIX_LIMIT


def test_the_access_log_explains_the_words_in_the_parts_and_roles_it_lists(fresh_browser):
    """The log's rows name roles and parts ("koordinator", "Tiltak", "Kriseplan"): which ones
    depends on who has looked, so the page explains whatever its rows hold."""
    from tests.views.conftest import plan_of

    plan = plan_of(fresh_browser.app, "patient")
    fresh_browser.login_as("coordinator")
    for part in ("measures", "decisions", "crisis-plan", "meetings"):
        assert fresh_browser.client.get(f"/plan/{plan.public_id}/{part}").status_code == 200
    fresh_browser.login_as("patient")
    response = fresh_browser.client.get(f"/plan/{plan.public_id}/access-log")
    html = response.get_data(as_text=True)
    assert "Tiltak" in html and "koordinator" in html
    assert not unexplained_first_uses(html)
