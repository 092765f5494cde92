from datetime import date

import pytest


def text_of(page, selector):
    element = page.select_one(selector)
    assert element is not None, f"nothing matches {selector!r}"
    return " ".join(element.get_text(" ").split())


def test_patient_with_one_plan_goes_straight_to_it(browser, sigrid_plan):
    browser.login_as("patient")
    response = browser.client.get("/plans")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plan/{sigrid_plan.public_id}/"


def test_overview_shows_what_matters_most_first(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    main = page.select_one("main")
    assert main.h1.get_text(strip=True) == "Min plan"
    first = main.find(["a", "section"])
    assert "crisis-link" in first.get("class", []), "the crisis plan must be the first thing on the overview"
    assert first["href"] == f"/plan/{sigrid_plan.public_id}/crisis-plan"
    headings = [h.get_text(strip=True) for h in main.select("h2")]
    assert headings == [
        "Neste møte",
        "Koordinatoren din",
        "Målene mine",
        "Dette skjer nå",
        "Neste gjennomgang av planen",
        "Mer om planen",
    ]


def test_overview_names_the_next_meeting_and_who_comes(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    meeting = text_of(page, "section[aria-labelledby=next-meeting-heading]")
    assert "Møte i ansvarsgruppen" in meeting
    assert "Lise Aasen, Ola Brekke, Nina Lund, Per Sandvik" in meeting
    assert "kl." in meeting
    assert page.select_one("section[aria-labelledby=next-meeting-heading] time")["datetime"]


def test_overview_lets_me_call_the_coordinator(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    section = page.select_one("section[aria-labelledby=coordinator-heading]")
    assert "Lise Aasen" in section.get_text()
    assert section.select_one("a[href='tel:22334455']") is not None


def test_overview_shows_goals_with_status_and_only_current_measures(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    goals = text_of(page, "section[aria-labelledby=goals-heading]")
    assert "Jeg vil klare å handle mat selv Pågår" in goals
    assert "Jeg vil gå tur med hunden hver dag Nådd" in goals
    assert "Lage handleliste" not in goals, "steps belong on the goals page"
    measures = text_of(page, "section[aria-labelledby=measures-heading]")
    assert "Fysioterapi" in measures and "Ansvarlig: Ola Brekke" in measures
    assert "Treningsgruppe for hjerneskadde" not in measures, "a finished measure is not 'happening now'"
    assert "Søvnkurs" not in measures, "a measure that has not started is not 'happening now'"


def test_relative_sees_only_meetings_and_contacts(browser, sigrid_plan):
    browser.login_as("relative")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    assert "Du ser planen til Sigrid Bakken Holm." in page.select_one(".viewing-as").get_text()
    headings = [h.get_text(strip=True) for h in page.select("main h2")]
    assert headings == ["Neste møte", "Koordinatoren din"]
    assert page.select_one(".crisis-link") is None
    nav = [a.get_text(strip=True) for a in page.select("nav.plan-nav a")]
    assert nav == ["Oversikt", "Møter", "Kontakter"]


@pytest.mark.parametrize("page_name", ["goals", "measures", "decisions", "crisis-plan", "about-this-plan"])
def test_relative_cannot_open_parts_not_granted(browser, sigrid_plan, page_name):
    browser.login_as("relative")
    browser.get(f"/plan/{sigrid_plan.public_id}/{page_name}", expected_status=404)


def test_another_patient_gets_404_not_403(browser, sigrid_plan):
    browser.login_as("child")
    browser.get(f"/plan/{sigrid_plan.public_id}/", expected_status=404)
