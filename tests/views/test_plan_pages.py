def test_crisis_plan_lists_whom_to_call_in_order_and_emergency_numbers(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/crisis-plan")
    assert page.h1.get_text(strip=True) == "Kriseplan"
    numbers = [a["href"] for a in page.select(".emergency a")]
    assert numbers[:2] == ["tel:113", "tel:116117"]
    callers = [li.select_one(".lead").get_text(strip=True) for li in page.select(".call-list li")]
    assert callers == ["Anders Holm", "Lise Aasen", "Legevakten"]
    headings = [h.get_text(strip=True) for h in page.select("main h2")]
    assert "Tegn på at jeg har det vanskelig" in headings
    assert "Dette kan jeg gjøre selv" in headings


def test_contacts_show_only_the_details_each_person_chose_to_share(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/contacts")
    cards = {card.h2.get_text(strip=True): card for card in page.select(".contact-list li.card")}
    assert list(cards)[0] == "Lise Aasen", "the coordinator comes first"
    assert len(cards) >= 6
    psychologist = cards["Hanne Vik"]
    assert psychologist.select("a[href^='tel:']") == [], "Hanne chose not to show her phone"
    assert "Kontakt via koordinatoren." in psychologist.get_text()
    physio = cards["Ola Brekke"]
    assert physio.select_one("a[href='tel:90011222']") is not None
    assert physio.select_one("a[href='mailto:ola.brekke@nordby.kommune.example']") is not None
    html = str(page)
    assert "400 00 999" not in html, "a hidden phone number must not reach the page at all"


def test_goals_page_shows_main_goals_with_their_steps(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/goals")
    shop = next(s for s in page.select("main section") if s.h2.get_text(strip=True) == "Jeg vil klare å handle mat selv")
    steps = [li.select_one(".goal-row__title").get_text(strip=True) for li in shop.select("li")]
    assert steps == ["Lage handleliste på telefonen", "Handle på butikken i nærheten med følge", "Handle alene en gang i uka"]


def test_measures_page_separates_current_from_other(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/measures")
    cards = page.select("main article")
    assert len(cards) == 12
    fysio = next(c for c in cards if c.h3.get_text(strip=True) == "Fysioterapi")
    text = " ".join(fysio.get_text(" ").split())
    assert "To ganger i uka, 45 minutter" in text and "Ansvarlig Ola Brekke" in text


def test_decisions_show_status_and_deadlines(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/decisions")
    bpa = next(c for c in page.select("main article") if "Brukerstyrt" in c.h2.get_text())
    text = " ".join(bpa.get_text(" ").split())
    assert "Søkt, venter på svar" in text
    assert "Svar ventes innen" in text


def test_meetings_show_only_published_minutes(browser, sigrid_plan, app):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/meetings")
    links = page.select("main article h3 a")
    assert len(links) == 4
    upcoming = browser.get(links[0]["href"])
    assert "Utkast" not in upcoming.get_text(), "a draft must never reach the patient"
    assert "Referatet er ikke klart ennå." in upcoming.get_text()
    past = browser.get(links[2]["href"])
    assert "går tur med hunden hver dag" in past.get_text()


def test_meeting_of_another_plan_is_not_found(browser, sigrid_plan, emil_plan, app):
    from sqlalchemy import select

    from patient_app.extensions import db
    from patient_app.models import Meeting

    with app.app_context():
        emils_meeting = db.session.scalar(select(Meeting.public_id).where(Meeting.plan_id == emil_plan.id))
    browser.login_as("patient")
    browser.get(f"/plan/{sigrid_plan.public_id}/meetings/{emils_meeting}", expected_status=404)


def test_about_this_plan_shows_consent_and_what_it_says(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/about-this-plan")
    consent = page.select_one("section[aria-labelledby=consent-heading]")
    assert [h.get_text(strip=True) for h in consent.select("h3")] == [
        "Samtykke til planen",
        "Samtykke til å dele opplysninger med dem som deltar",
    ]
    assert "trekke samtykket tilbake" in consent.select("details")[1].get_text()


def test_guardian_sees_the_childs_plan(browser, emil_plan):
    browser.login_as("guardian1")
    page = browser.get(f"/plan/{emil_plan.public_id}/")
    assert page.h1.get_text(strip=True) == "Planen til Emil Strand"


def test_coordinator_with_two_plans_chooses(browser):
    browser.login_as("coordinator")
    page = browser.get("/plans")
    choices = [a.get_text(strip=True) for a in page.select("main li a")]
    assert choices == ["Planen til Emil Strand", "Planen til Sigrid Bakken Holm"]


def test_unknown_page_is_a_friendly_404(browser):
    page = browser.get("/no-such-page", expected_status=404)
    assert page.h1.get_text(strip=True) == "Fant ikke siden"
