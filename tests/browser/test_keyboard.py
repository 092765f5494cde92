"""The main journeys with the keyboard alone: Tab, Enter, Space and the arrow keys.

Nothing is clicked and no URL is typed after the first: a person who cannot use a mouse
logs in through the TestID page, reads the overview, opens the crisis plan, sends a message,
turns notifications on and chooses what they are about, and gives a relative access and takes
it back. Every element that gets focus on the way must show it (an outline or a shadow that is
not there without focus), and every page's first Tab stop is the skip link to the content.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import delete

from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.identity_numbers import make_synthetic
from patient_app.models import PushSubscription
from tests.browser.helpers import STUB_PUSH_MANAGER, back_on_app, tab_to, wait_until_settled
from tests.browser.layout import focus_ring, focused, has_ring
from tests.notify.fake_push import FakePushService

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "nb-NO", "is_mobile": False, "has_touch": False}
RELATIVE = make_synthetic(datetime.date(1958, 11, 2), 114)


class Keyboard:
    """A person with a keyboard: moves focus with Tab and checks that each stop shows it."""

    def __init__(self, page: Page, max_presses: int = 80):
        self.page = page
        self.max_presses = max_presses
        self.stops = 0

    def tab_to(self, target: Locator) -> None:
        """Press Tab until ``target`` has focus; every element passed on the way must show focus."""
        target.wait_for()
        unfocused = focus_ring(target.element_handle())
        previous = None
        for _ in range(self.max_presses):
            self.page.keyboard.press("Tab")
            self.stops += 1
            # A date field has a Tab stop per part (day, month, year): still focused, not yet passed.
            if previous and not previous[0].evaluate("e => e === document.activeElement"):
                self._assert_ring_follows_focus(*previous)
            element = focused(self.page)
            if element.evaluate("e => e === document.body || !e.matches(':focus')"):
                # Past the last stop (the browser's own controls have focus), or inside a native
                # control's own parts (a date field's calendar button), which Chromium outlines itself.
                previous = None
                continue
            ring = focus_ring(element)
            assert has_ring(ring), f"{self._describe(element)} has focus but shows no outline or shadow: {ring}"
            if target.evaluate("element => element === document.activeElement"):
                assert ring != unfocused, f"{self._describe(element)} looks the same with and without focus: {ring}"
                return
            previous = (element, ring)
        raise AssertionError(f"{target} did not get focus after {self.max_presses} presses of Tab")

    def skip_to_main(self) -> None:
        """The first Tab stop of a fresh page is the skip link; Enter moves focus to <main>."""
        self.page.keyboard.press("Tab")
        self.stops += 1
        element = focused(self.page)
        assert element.evaluate("e => e.matches('a.skip-link')"), (
            f"the first Tab stop on {self.page.url} is {self._describe(element)}, not the skip link")
        assert has_ring(focus_ring(element)), "the skip link shows no focus"
        expect(self.page.locator(".skip-link")).to_be_in_viewport()
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "main", "after the skip link, focus is not on <main>"

    def press_on(self, target: Locator, key: str = "Enter") -> None:
        self.tab_to(target)
        self.page.keyboard.press(key)

    def follow(self, target: Locator, key: str = "Enter") -> None:
        """Tab to a link or button that opens another page, press it, and wait for that page."""
        self.tab_to(target)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def _assert_ring_follows_focus(self, element, ring_with_focus) -> None:
        assert focus_ring(element) != ring_with_focus, (
            f"{self._describe(element)} looks the same after focus moved on: its focus is not visible")

    @staticmethod
    def _describe(element) -> str:
        return element.evaluate("e => e.outerHTML.slice(0, 120)")


@pytest.fixture
def push_device(live):
    """A push subscription the browser will claim to have; removed from the database afterwards."""
    app = live[2]
    with FakePushService() as service:
        device = service.subscribe()
        yield device
    with app.app_context():
        db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint == device.endpoint))
        db.session.commit()


@pytest.fixture
def keyboard_page(new_context, app_url, push_device) -> Page:
    context = new_context(**DESKTOP)
    context.grant_permissions(["notifications"], origin=app_url)
    context.add_init_script(STUB_PUSH_MANAGER % json.dumps(push_device.info))
    return context.new_page()


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def test_the_main_journeys_by_keyboard_alone(keyboard_page, app_url):
    page, keys = keyboard_page, Keyboard(keyboard_page)
    patient = demo_person("patient")

    # Log in: the app's page, then the stand-in ID-porten's TestID page.
    page.goto(app_url + "/login")
    wait_until_settled(page)
    keys.skip_to_main()
    keys.follow(page.get_by_role("button", name="Logg inn med ID-porten"))
    keys.press_on(page.get_by_role("button", name=re.compile(rf"^Logg inn som {re.escape(patient.name)} \(")))
    page.wait_for_url(back_on_app(app_url))

    # The overview, then the crisis plan from its link at the top.
    expect(heading(page)).to_have_text("Min plan")
    wait_until_settled(page)
    keys.skip_to_main()
    expect(page.get_by_role("heading", name="Målene mine")).to_be_visible()
    keys.follow(page.locator("main a.crisis-link"))
    expect(heading(page)).to_have_text("Kriseplan")
    keys.skip_to_main()
    switch = page.get_by_role("switch", name="Ha kriseplanen tilgjengelig uten nett på denne telefonen")
    keys.press_on(switch, "Space")
    expect(page.get_by_role("status").filter(has_text="Lagret på denne telefonen.")).to_be_visible()
    expect(switch).to_be_checked()
    page.keyboard.press("Space")
    expect(page.get_by_role("status").filter(has_text="Fjernet fra denne telefonen.")).to_be_visible()

    # A message to the coordinator, from the plan's navigation.
    keys.follow(page.get_by_role("navigation", name="Planen").get_by_role("link", name="Meldinger"))
    keys.skip_to_main()
    keys.follow(page.get_by_role("link", name="Skriv en ny melding"))
    keys.skip_to_main()
    keys.tab_to(page.get_by_label("Hva gjelder det?"))
    page.keyboard.type("Skrevet med tastaturet")
    keys.tab_to(page.get_by_label("Melding", exact=True))
    page.keyboard.type("Hei! Jeg bruker bare tastaturet.")
    keys.follow(page.get_by_role("button", name="Send melding"))
    expect(page.get_by_role("status").filter(has_text="Meldingen er sendt")).to_be_visible()
    expect(page.get_by_text("Hei! Jeg bruker bare tastaturet.")).to_be_visible()

    # Notifications: this device, then what they are about (from the footer's settings link).
    keys.follow(page.get_by_role("link", name="Innstillinger"))
    keys.skip_to_main()
    keys.follow(page.get_by_role("link", name="Velg varsler"))
    wait_until_settled(page)
    keys.skip_to_main()
    with page.expect_navigation():
        keys.press_on(page.get_by_role("button", name="Slå på varsler på denne enheten"))
    on = page.get_by_role("status").filter(has_text="Varsler er slått på for denne enheten.")
    expect(on).to_be_focused()  # the page was loaded again: focus is on what changed, not at the top
    expect(page.get_by_text("(denne enheten)")).to_be_visible()

    first = page.locator("input[name=category]").first
    was_checked = first.is_checked()
    keys.press_on(first, "Space")
    keys.follow(page.get_by_role("button", name="Lagre valgene"))
    expect(page.get_by_role("status").filter(has_text="Valgene dine er lagret.")).to_be_visible()
    expect(page.locator("input[name=category]").first).to_be_checked(checked=not was_checked)
    keys.skip_to_main()
    keys.press_on(page.locator("input[name=category]").first, "Space")  # and back, for the other tests
    keys.follow(page.get_by_role("button", name="Lagre valgene"))
    expect(page.locator("input[name=category]").first).to_be_checked(checked=was_checked)
    keys.skip_to_main()
    with page.expect_navigation():
        keys.press_on(page.get_by_role("button", name="Slå av varsler på denne enheten"))
    expect(page.get_by_role("status").filter(has_text="Varsler er slått av for denne enheten.")).to_be_focused()

    # A relative's access: given on the form and confirmed, then taken back.
    keys.follow(page.locator("header").get_by_role("link", name="Min plan"))
    keys.skip_to_main()
    keys.follow(page.get_by_role("link", name="Hvem ser planen min"))
    keys.skip_to_main()
    keys.follow(page.get_by_role("link", name="Gi en pårørende tilgang"))
    keys.skip_to_main()
    keys.tab_to(page.get_by_label("Fødselsnummeret til personen (11 siffer)"))
    page.keyboard.type(RELATIVE)
    keys.tab_to(page.get_by_role("radio").first)  # into the group; the arrow keys choose in it
    choose_radio(page, page.get_by_role("radio", name="Møter og kontakter"))
    keys.press_on(page.get_by_label("Personen kan også lese og skrive meldinger til koordinatoren"), "Space")
    keys.follow(page.get_by_role("button", name="Gå videre"))
    expect(heading(page)).to_have_text("Er dette Tore Tastesen?")  # the register's name (tests/conftest.py)
    expect(page.locator(".facts")).to_contain_text("møter og kontakter, meldinger")
    keys.skip_to_main()
    keys.follow(page.get_by_role("button", name="Ja, gi tilgang"))
    expect(page.get_by_role("status")).to_contain_text("Tore Tastesen har fått tilgang til planen din.")
    keys.skip_to_main()
    keys.follow(page.get_by_role("link", name=re.compile("Fjern tilgangen.*Tore Tastesen")))
    keys.skip_to_main()
    keys.follow(page.get_by_role("button", name="Ja, fjern tilgangen"))
    expect(page.get_by_role("status")).to_contain_text("Tore Tastesen har ikke lenger tilgang til planen din.")
    assert keys.stops > 40, f"only {keys.stops} Tab stops: the journey was not walked"


def choose_radio(page: Page, option: Locator, max_presses: int = 5) -> None:
    """Arrow down through a radio group until ``option`` is checked (focus moves and checks)."""
    for _ in range(max_presses):
        if option.is_checked():
            return
        page.keyboard.press("ArrowDown")
    expect(option).to_be_checked()


def test_a_message_arriving_by_htmx_is_announced_and_focus_stays_put(new_context, app_url, login):
    """The thread's list is swapped in by polling: a keyboard user on a link in it keeps their
    place (not thrown back to <body>), and the polite status says a message came."""
    patient, coordinator = new_context().new_page(), new_context().new_page()
    login(patient, "patient")
    patient.goto(patient.url.rstrip("/") + "/messages/new")
    patient.get_by_label("Hva gjelder det?").fill("Lenke til mer om planen")
    patient.get_by_label("Melding", exact=True).fill("Hvor kan jeg lese mer?")
    patient.get_by_role("button", name="Send melding").click()
    thread_url = patient.url.split("#")[0]

    login(coordinator, "coordinator")
    answer(coordinator, thread_url, "Les mer på https://www.helsenorge.no/individuell-plan her.")
    patient.goto(thread_url)
    link = patient.locator("#thread-messages a[href='https://www.helsenorge.no/individuell-plan']")
    tab_to(patient, link)
    status = patient.locator("#thread-status")
    expect(status).to_have_text("")

    answer(coordinator, thread_url, "Husk å ta med timelista.")
    expect(patient.get_by_text("Husk å ta med timelista.")).to_be_visible(timeout=25_000)  # polls every 10 s
    expect(status).to_have_text("1 ny melding")
    expect(link).to_be_focused()
    assert patient.evaluate("document.activeElement !== document.body")


def answer(page: Page, thread_url: str, text: str) -> None:
    page.goto(thread_url)
    page.get_by_label("Melding", exact=True).fill(text)
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_role("status").filter(has_text="Svaret er sendt")).to_be_visible()


# --- The check itself: a focus check that cannot fail is worse than none. -----------------


def test_the_keyboard_check_sees_focus_that_does_not_show(page):
    page.set_content(
        '<!doctype html><style>button:focus { outline: none; }</style>'
        '<button type="button">Uten ring</button><button type="button" id="last">Neste</button>'
    )
    with pytest.raises(AssertionError, match="shows no outline or shadow"):
        Keyboard(page).tab_to(page.locator("#last"))
