"""The coordinating unit's administrator: the municipality's coordinators, adding and ending them;
and the unit's contact details on a plan's contacts page. Asserted on what a person sees."""

from __future__ import annotations

from sqlalchemy import func, select

from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.models import StaffMembership, StaffRole
from tests.views.conftest import error_for, person_by_key, text

BASE = "/municipality/9999/"
BERIT = "01886010733"  # in the stand-in register as Berit Holm


def coordinator_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StaffMembership.id)).where(
            StaffMembership.role == StaffRole.COORDINATOR, StaffMembership.ended_at.is_(None)))


def test_an_administrator_without_a_plan_starts_at_the_municipalitys_page(fresh_browser):
    fresh_browser.login_as("administrator")

    response = fresh_browser.client.get("/plans")

    assert response.status_code == 302 and response.headers["Location"] == BASE
    page = fresh_browser.get(BASE)
    assert page.h1.get_text(strip=True) == "Nordby kommune"
    unit = text(page.select_one("section[aria-labelledby=unit-heading]"))
    assert "Koordinerende enhet, Nordby kommune" in unit and "Mandag til fredag kl. 08.00–15.30." in unit
    coordinators = text(page.select_one("section[aria-labelledby=coordinators-heading]"))
    assert "Lise Aasen" in coordinators and "Lagt til av Hanne Vik" in coordinators


def add_coordinator(browser, number: str):
    form = browser.get(BASE + "coordinators/new")
    return browser.submit(form, "main form", {"national_id": number})


def test_the_administrator_adds_a_coordinator_after_confirming_the_registers_name(fresh_browser):
    fresh_browser.login_as("administrator")
    before = coordinator_count(fresh_browser.app)

    confirm = fresh_browser.parse(add_coordinator(fresh_browser, BERIT))
    assert confirm.h1.get_text(strip=True) == "Er dette Berit Holm?"
    assert coordinator_count(fresh_browser.app) == before, "nothing is saved before the confirmation"
    response = fresh_browser.submit(confirm, "main form", {"name": "Noen Andre"})

    page = fresh_browser.get(response.headers["Location"])
    assert "Berit Holm er nå koordinator i kommunen." in text(page.select_one(".confirmation"))
    listed = text(page.select_one("section[aria-labelledby=coordinators-heading]"))
    assert "Berit Holm" in listed and "Noen Andre" not in listed
    with fresh_browser.app.app_context():
        added = db.session.scalars(select(StaffMembership).order_by(StaffMembership.id.desc())).first()
        assert added.added_by_id == person_by_key(fresh_browser.app, "administrator").id and added.added_at


def test_a_wrong_number_is_refused_at_the_field_and_kept(fresh_browser):
    fresh_browser.login_as("administrator")

    response = add_coordinator(fresh_browser, "0188601073")

    assert response.status_code == 400
    page = fresh_browser.parse(response)
    assert "Fødselsnummeret stemmer ikke." in error_for(page, "national_id")
    assert page.select_one("#national_id")["value"] == "0188601073"


def test_someone_already_a_coordinator_is_not_added_twice(fresh_browser):
    fresh_browser.login_as("administrator")
    before = coordinator_count(fresh_browser.app)

    response = add_coordinator(fresh_browser, demo_person("coordinator").pid)

    assert response.status_code == 400
    assert "Lise Aasen er allerede koordinator i kommunen." in error_for(fresh_browser.parse(response), "national_id")
    assert coordinator_count(fresh_browser.app) == before


def test_when_the_register_does_not_answer_nothing_is_saved(fresh_browser):
    from tests.conftest import NO_SERVICE

    fresh_browser.login_as("administrator")
    fresh_browser.app.config["POPULATION_REGISTER_URL"] = NO_SERVICE
    before = coordinator_count(fresh_browser.app)

    response = add_coordinator(fresh_browser, BERIT)

    assert response.status_code == 400
    assert "Folkeregisteret svarer ikke akkurat nå" in error_for(fresh_browser.parse(response), "national_id")
    assert coordinator_count(fresh_browser.app) == before


def test_the_administrator_ends_a_coordinator_and_the_page_says_who_and_when(fresh_browser):
    fresh_browser.login_as("administrator")
    index = fresh_browser.get(BASE)
    end_link = index.select_one("section[aria-labelledby=coordinators-heading] a[href$='/end']")["href"]

    confirm = fresh_browser.get(end_link)
    assert confirm.h1.get_text(strip=True) == "Ta bort Lise Aasen som koordinator?"
    response = fresh_browser.submit(confirm, "main form")

    page = fresh_browser.get(response.headers["Location"])
    assert "Lise Aasen er ikke lenger koordinator i kommunen." in text(page.select_one(".confirmation"))
    assert "Lise Aasen" not in text(page.select_one("section[aria-labelledby=coordinators-heading]"))
    assert "Lise Aasen ble tatt bort av Hanne Vik" in text(page.select_one("section[aria-labelledby=ended-heading]"))
    # Pressed again (a second tab, a double tap): the role has ended, nothing more to end.
    assert fresh_browser.submit(confirm, "main form").status_code == 404


def test_the_plans_contacts_show_the_coordinating_unit_and_its_opening_hours(browser, sigrid_plan):
    browser.login_as("relative")  # granted meetings and contacts

    page = browser.get(f"/plan/{sigrid_plan.public_id}/contacts")

    unit = text(page.select_one("section[aria-labelledby=unit-heading]"))
    assert "Koordinerende enhet, Nordby kommune" in unit
    assert "22 33 44 00" in unit and "koordinerende.enhet@nordby.kommune.example" in unit
    assert "Du kan komme innom uten avtale tirsdag og torsdag kl. 10–14." in unit
    assert "Åpningstider Mandag til fredag kl. 08.00–15.30." in unit


# --- The command line: the first administrator of a municipality -------------------------


def test_add_municipality_is_safe_to_run_again(fresh_app):
    runner = fresh_app.test_cli_runner()

    first = runner.invoke(args=["add-municipality", "9998", "Sørby kommune"])
    again = runner.invoke(args=["add-municipality", "9998", "Sørby kommune"])
    wrong = runner.invoke(args=["add-municipality", "99", "Sørby kommune"])

    assert first.exit_code == 0 and "Added Sørby kommune (9998) and its coordinating unit." in first.output
    assert again.exit_code == 0 and "was already there; nothing changed." in again.output
    assert wrong.exit_code != 0 and "A municipality number is four digits" in wrong.output


def test_add_administrator_takes_the_registers_name_and_is_safe_to_run_again(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["add-municipality", "9998", "Sørby kommune"])

    first = runner.invoke(args=["add-administrator", "9998", BERIT, "--name", "Skrevet Navn"])
    again = runner.invoke(args=["add-administrator", "9998", BERIT])

    assert first.exit_code == 0 and "Berit Holm is now an administrator of Sørby kommune." in first.output
    assert again.exit_code == 0 and "Berit Holm was already an administrator of Sørby kommune; nothing changed." in again.output
    assert BERIT not in first.output + again.output, "the identity number is never echoed"
    browser_client = fresh_app.test_client()
    from tests.views.conftest import Browser, person_by_number

    browser = Browser(fresh_app, browser_client)
    browser.login_as_person(person_by_number(fresh_app, BERIT))
    assert browser.get("/municipality/9998/").h1.get_text(strip=True) == "Sørby kommune"
    browser.get(BASE, expected_status=404)  # another municipality's page


def test_add_administrator_needs_a_name_when_the_register_cannot_answer(fresh_app):
    from tests.conftest import NO_SERVICE

    fresh_app.config["POPULATION_REGISTER_URL"] = NO_SERVICE
    runner = fresh_app.test_cli_runner()

    without = runner.invoke(args=["add-administrator", "9999", BERIT])
    with_name = runner.invoke(args=["add-administrator", "9999", BERIT, "--name", "Berit Holm"])
    unknown = runner.invoke(args=["add-administrator", "1234", BERIT, "--name", "Berit Holm"])
    invalid = runner.invoke(args=["add-administrator", "9999", "12345678901", "--name", "Berit Holm"])

    assert without.exit_code != 0 and "give the person's name with --name" in without.output
    assert with_name.exit_code == 0 and "Berit Holm is now an administrator of Nordby kommune." in with_name.output
    assert unknown.exit_code != 0 and "No municipality numbered '1234'" in unknown.output
    assert invalid.exit_code != 0 and "That identity number is not valid" in invalid.output


def test_the_page_scans_reach_every_page_of_the_administrator(seeded_app):
    """The plain-language test and the browser scans find pages in the URL map and open them as
    the demo administrator: each of the municipality's GET pages must open for her, not 404."""
    from tests.views.pages import render

    rendered = {page.endpoint for page, _html in render(seeded_app, "administrator")}

    assert {"municipality.index", "municipality.new_coordinator", "municipality.end_coordinator"} <= rendered


def test_the_page_costs_the_same_queries_with_2_and_40_coordinators(fresh_browser):
    """Who added and ended each role comes with the list, not a query per row."""
    from patient_app.models import Person
    from patient_app.models._base import utcnow
    from tests.statements import recorded_statements

    app = fresh_browser.app
    fresh_browser.login_as("administrator")

    def queries_for_page() -> int:
        with app.app_context():
            engine = db.engine
        with recorded_statements(engine) as statements:
            fresh_browser.get(BASE)
        return len(statements)

    fresh_browser.get(BASE)  # the session's first page writes what the login remembers
    small = queries_for_page()
    with app.app_context():
        municipality_id = db.session.scalar(select(StaffMembership.municipality_id))
        for n in range(40):
            # Each added and ended by someone else, so no row finds its people already loaded.
            person, adder, ender = (Person(name=f"{what} {n}", pid_hash=f"budget-{what}-{n}")
                                    for what in ("Koordinator", "Administrator", "Avslutter"))
            db.session.add_all([person, adder, ender])
            db.session.flush()
            db.session.add(StaffMembership(municipality_id=municipality_id, person_id=person.id, role=StaffRole.COORDINATOR,
                                           added_by_id=adder.id, ended_by_id=ender.id if n % 2 else None,
                                           ended_at=utcnow() if n % 2 else None))
        db.session.commit()

    assert queries_for_page() == small


def test_an_administrator_who_also_coordinates_plans_chooses_between_them_and_the_municipality(fresh_browser):
    """Lise Aasen coordinates both demo plans; made an administrator too, her start page offers all three."""
    app = fresh_browser.app
    with app.app_context():
        municipality_id = db.session.scalar(select(StaffMembership.municipality_id))
        db.session.add(StaffMembership(municipality_id=municipality_id, role=StaffRole.ADMINISTRATOR,
                                       person_id=person_by_key(app, "coordinator").id))
        db.session.commit()
    fresh_browser.login_as("coordinator")

    page = fresh_browser.get("/plans")

    choices = [text(card) for card in page.select("main li.card")]
    assert choices[-1] == "Koordinatorene i Nordby kommune Du er administrator i den koordinerende enheten."
    assert page.select_one(f"main a[href='{BASE}']") is not None
    assert len(choices) == 3
