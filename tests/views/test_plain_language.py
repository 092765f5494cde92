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

from dataclasses import dataclass

import pytest

from patient_app.accessibility import LIX_LIMIT, LIX_MIN_WORDS
from tests.browser.helpers import discover_pages, plan_url_arguments
from tests.views.conftest import Browser
from tests.views.readability import Readability, block_texts, lix, main_units, measure_units

from bs4 import BeautifulSoup

# role -> (the demo person logged in, the demo person whose plan the URLs point at)
ROLES = {
    "patient": ("patient", "patient"),
    "relative": ("relative", "patient"),
    "guardian": ("guardian1", "child"),
    "coordinator": ("coordinator", "patient"),
    "logged out": (None, "patient"),
}


@dataclass(frozen=True)
class Measured:
    role: str
    path: str
    readability: Readability


def render(app, role: str) -> list[tuple[str, str]]:
    """(path, html) of every GET page the role may open, in bokmål."""
    person, owner = ROLES[role]
    with app.app_context():
        arguments = plan_url_arguments(app, owner)
    pages = [page for page in discover_pages(app, arguments) if page.path]
    rendered = []
    for page in pages:
        if person is None and not page.is_public:
            continue
        client = app.test_client()
        browser = Browser(app, client)
        if person:
            browser.login_as(person)
        with client.session_transaction() as session:
            session["locale"] = "nb"
        response = client.get(page.path)
        if response.status_code == 200 and response.mimetype == "text/html":
            rendered.append((page.path, response.get_data(as_text=True)))
    return rendered


@pytest.fixture(scope="module")
def measured(seeded_app) -> list[Measured]:
    app = seeded_app
    results = []
    for role in ROLES:
        for path, html in render(app, role):
            results.append(Measured(role, path, measure_units(main_units(html))))
    return results


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
