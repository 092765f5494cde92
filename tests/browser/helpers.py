"""What the browser tests do, as plain functions; the fixtures are in conftest.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import url_for
from playwright.sync_api import Error as PlaywrightError, Locator, Page, expect

from patient_app.demo.people import demo_person

# A phone held upright: roughly an iPhone 12 to 15, in CSS pixels.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "nb-NO",
}

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The language buttons in the footer, by the code <html lang> should then have.
LANGUAGES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}

# A path no route answers: the 404 page.
MISSING_PAGE = "/this-page-does-not-exist"


# --- Logging in ---------------------------------------------------------------


# What a person's eyes do before their thumb does: the page has finished loading,
# and the service worker (if the app registers one) has installed. Pressing a
# button within milliseconds of the page appearing is a different test:
# test_patient_journey.py::test_tapping_log_in_at_once_on_a_first_visit_works.
_SETTLED = """async () => {
    if (!('serviceWorker' in navigator)) return 'no service workers here';
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration) return 'no service worker registered';
    const timeout = new Promise(resolve => setTimeout(() => resolve('timed out'), 5000));
    return Promise.race([navigator.serviceWorker.ready.then(() => 'ready'), timeout]);
}"""


def wait_until_settled(page: Page) -> str:
    return page.evaluate(_SETTLED)


def back_on_app(app_url: str):
    """A URL predicate: on the app again (the callback only if the login failed)."""
    origin = urlsplit(app_url).netloc
    return lambda url: urlsplit(url).netloc == origin


def _expect_logged_in(page: Page, app_url: str, who: str) -> None:
    page.wait_for_url(back_on_app(app_url))
    if urlsplit(page.url).path == "/login/callback":
        heading = page.get_by_role("heading", level=1).first.text_content()
        raise AssertionError(f"logging in as {who} failed: the app answered the callback with {heading!r}")


def log_in(page: Page, app_url: str, person_key: str) -> None:
    """Log in as a demo person the way they would.

    Open the app's login page, press "Logg inn med ID-porten", press the
    person's own button on the TestID page, and wait until back on the app.
    """
    person = demo_person(person_key)
    page.goto(app_url + "/login")
    wait_until_settled(page)
    page.get_by_role("button", name="Logg inn med ID-porten").click()
    page.get_by_role("button", name=re.compile(rf"^Logg inn som {re.escape(person.name)} \(")).click()
    _expect_logged_in(page, app_url, person.name)


def log_in_with_number(page: Page, app_url: str, pid: str, *, keyboard: bool = False) -> None:
    """Log in by typing the synthetic number into "Fødselsnummer (syntetisk)" and pressing Enter.

    With keyboard=True nothing is clicked: Tab to "Logg inn med ID-porten" and
    press Enter, Tab to the number field on the TestID page, type, press Enter.
    """
    page.goto(app_url + "/login")
    wait_until_settled(page)
    start = page.get_by_role("button", name="Logg inn med ID-porten")
    if keyboard:
        tab_to(page, start)
        page.keyboard.press("Enter")
    else:
        start.click()
    field = page.get_by_label("Fødselsnummer (syntetisk)")
    if keyboard:
        field.wait_for()
        tab_to(page, field)
        page.keyboard.type(pid)
    else:
        field.fill(pid)
    page.keyboard.press("Enter")
    _expect_logged_in(page, app_url, "the person with the typed number")


def tab_to(page: Page, target: Locator, max_presses: int = 40) -> int:
    """Press Tab until ``target`` has focus; returns how many presses it took."""
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} did not get focus after {max_presses} presses of Tab")


def switch_language(page: Page, code: str) -> None:
    """Press the language button in the footer and wait for <html lang> to follow."""
    with page.expect_navigation():
        page.get_by_role("button", name=LANGUAGES[code], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


# --- The pages ------------------------------------------------------------------


# Pages behind these access rules are for the coordinator; everything else the
# patient sees (or is told politely they may not).
COORDINATOR_RULES = {"coordinator", "plan:coordinator"}


@dataclass(frozen=True)
class AppPage:
    rule: str  # as in the URL map: /plan/<uuid:plan_id>/goals
    endpoint: str
    access_rule: str | None  # what patient_app.access put on the view
    path: str | None  # filled in, or None when an argument could not be
    unfilled: tuple[str, ...] = ()

    @property
    def viewer(self) -> str:
        return "coordinator" if self.access_rule in COORDINATOR_RULES else "patient"

    @property
    def is_public(self) -> bool:
        return self.access_rule == "public"


def discover_pages(app, arguments: dict) -> list[AppPage]:
    """Every GET route of the app (static left out), from the URL map, filled in
    with ``arguments``; a route with an argument not in it has path None."""
    pages = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
                continue
            access_rule = getattr(app.view_functions[rule.endpoint], "access_rule", None)
            unfilled = tuple(sorted(set(rule.arguments) - set(arguments)))
            path = None if unfilled else url_for(rule.endpoint, **{name: arguments[name] for name in rule.arguments})
            pages.append(AppPage(rule.rule, rule.endpoint, access_rule, path, unfilled))
    return pages


def open_unless_download(page: Page, url: str):
    """(page.goto(url), False); (None, True) when the URL answers with a file to save
    (Content-Disposition: attachment, e.g. a meeting's .ics): no page, the browser downloads it."""
    try:
        return page.goto(url), False
    except PlaywrightError as error:
        if "Download is starting" in error.message:
            return None, True
        raise


def argument_names(app) -> set[str]:
    return {name for rule in app.url_map.iter_rules() for name in rule.arguments} - {"filename"}


# --- axe-core ---------------------------------------------------------------------


def axe_violations(page: Page, axe_source: str) -> list[dict]:
    """Run axe-core on the page for WCAG 2.0 and 2.1, A and AA; returns the violations.

    axe goes in through page.evaluate (DevTools), not a <script> tag: the app's
    CSP forbids inline scripts, and that is how it should stay.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        WCAG_TAGS,
    )
    return result["violations"]


def describe_violations(violations: list[dict], where: str, max_targets: int = 3) -> str:
    """What a developer needs to fix each one: rule, impact, what's wrong, where."""
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for violation in violations:
        targets = [_selector(node["target"]) for node in violation["nodes"][:max_targets]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"  - {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"    at {', '.join(targets)}{f' and {more} more' if more > 0 else ''}\n"
            f"    {violation['helpUrl']}"
        )
    return "\n".join(lines)


def _selector(target: list) -> str:
    """axe's target: one selector per frame, a list of them inside shadow roots."""
    return " >>> ".join(part if isinstance(part, str) else " >>> ".join(part) for part in target)


# --- Reflow -----------------------------------------------------------------------------

_OVERFLOW = """width => {
    const root = document.documentElement;
    const wide = [...document.body.querySelectorAll('*')]
        .filter(element => element.getBoundingClientRect().right > width + 0.5)
        .filter(element => !element.closest('.visually-hidden, .skip-link'))
        .slice(0, 5)
        .map(element => {
            const classes = [...element.classList].map(name => '.' + name).join('');
            const right = Math.round(element.getBoundingClientRect().right);
            return `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''}${classes} (right edge at ${right} px)`;
        });
    return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide};
}"""


def sideways_overflow(page: Page, width: int) -> dict | None:
    """None if the page fits ``width`` CSS px; otherwise how wide it is and the first culprits.

    Not just scrollWidth <= innerWidth: with is_mobile, Chromium widens the layout
    viewport to fit content that overflows, so innerWidth grows with the page
    and that comparison alone passes a page that does scroll sideways.
    """
    report = page.evaluate(_OVERFLOW, width)
    if report["scrollWidth"] <= min(report["innerWidth"], width):
        return None
    return report
