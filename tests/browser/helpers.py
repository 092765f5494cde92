"""What the browser tests do, as plain functions; the fixtures are in conftest.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import url_for
from sqlalchemy import select
from playwright.sync_api import Error as PlaywrightError, Locator, Page, expect

from patient_app.database import Base
from patient_app.demo.people import demo_person
from patient_app.extensions import db
from patient_app.models import Meeting, Membership, Minutes, Person, Plan, Role, StaffMembership, StaffRole, hash_pid

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
# Any page with the footer's language buttons.
NEUTRAL_PAGE = "/about-individual-plan"
REFLOW_WIDTH = 320  # WCAG 1.4.10: 1280 CSS px at 400 % zoom


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


def log_in(page: Page, app_url: str, person_key: str, *, settle: bool = True) -> str:
    """Log in as a demo person the way they would; returns the URL the app lands on.

    Open the app's login page, press "Logg inn med ID-porten", press the
    person's own button on the TestID page, and wait until back on the app.
    settle=False presses at once, without waiting for the service worker
    (the PWA tests watch it themselves).
    """
    person = demo_person(person_key)
    page.goto(app_url + "/login")
    if settle:
        wait_until_settled(page)
    page.get_by_role("button", name="Logg inn med ID-porten").click()
    page.get_by_role("button", name=re.compile(rf"^Logg inn som {re.escape(person.name)} \(")).click()
    _expect_logged_in(page, app_url, person.name)
    return page.url


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


# --- Push -----------------------------------------------------------------------

# An init script (``% json.dumps(FakeSubscription.info)``): PushManager answers with that
# subscription. A real one needs Google's push service, and the tests have no internet.
STUB_PUSH_MANAGER = """
(() => {
  const fake = %s;
  const make = () => ({
    endpoint: fake.endpoint,
    options: { userVisibleOnly: true },
    toJSON: () => ({ endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }),
    unsubscribe: async () => { sessionStorage.removeItem("fake-push"); return true; },
  });
  PushManager.prototype.subscribe = async function () { sessionStorage.setItem("fake-push", "1"); return make(); };
  PushManager.prototype.getSubscription = async function () { return sessionStorage.getItem("fake-push") ? make() : null; };
})();
"""


# --- The pages ------------------------------------------------------------------


# Pages behind these access rules are for the coordinator; everything else the
# patient sees (or is told politely they may not).
COORDINATOR_RULES = {"coordinator", "plan:coordinator"}
# A municipality's own pages are for its administrators (the demo's Hanne Vik).
ADMINISTRATOR_RULES = {"municipality_administrator"}


@dataclass(frozen=True)
class AppPage:
    rule: str  # as in the URL map: /plan/<uuid:plan_id>/goals
    endpoint: str
    access_rule: str | None  # what patient_app.access put on the view
    path: str | None  # filled in, or None when an argument could not be
    unfilled: tuple[str, ...] = ()

    @property
    def viewer(self) -> str:
        if self.access_rule in ADMINISTRATOR_RULES:
            return "administrator"
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


def pages_for(app_pages: list[AppPage], viewer: str) -> list[str]:
    """The paths to open as ``viewer`` (public ones too), and the 404 page."""
    mine = [page.path for page in app_pages if (page.viewer == viewer or page.is_public) and page.path]
    return mine + [MISSING_PAGE]


def open_each(page: Page, app_url: str, paths: list[str]):
    """Open each path; yields the path when an HTML page shows, once per page landed on
    (the web app manifest and the service worker are not pages; /login may land on the overview)."""
    landed_on = set()
    for path in paths:
        response, downloaded = open_unless_download(page, app_url + path)
        if downloaded or response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        landed = page.url.removeprefix(app_url)
        if landed not in landed_on:
            landed_on.add(landed)
            yield path


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


def person_row(app, key: str) -> Person:
    digest = hash_pid(demo_person(key).pid, app.config["PID_HASH_KEY"])
    return db.session.scalar(select(Person).where(Person.pid_hash == digest))


def plan_url_arguments(app, owner_key: str = "patient") -> dict:
    """Values for the URL map's arguments, all from the plan of the demo person ``owner_key``
    (call inside an app context).

    A few are picked so the page shows what it is for: a meeting with published
    minutes, the relative's membership (whose withdrawal the patient may confirm),
    an item with a history.
    Any other ``<name>_id`` is found by name (see _first_in_plan): goal_id in the
    table goal, decision_id in service_decision, item_id in plan_change.item_public_id.
    """
    plan = db.session.scalar(select(Plan).where(Plan.owner_id == person_row(app, owner_key).id))
    meetings = select(Meeting).where(Meeting.plan_id == plan.id).order_by(Meeting.starts_at)
    meeting = db.session.scalar(
        meetings.join(Minutes).where(Minutes.published_at.is_not(None))
    ) or db.session.scalar(meetings)
    relative = db.session.scalar(
        select(Membership).where(
            Membership.plan_id == plan.id,
            Membership.person_id == person_row(app, "relative").id,
            Membership.role == Role.RELATIVE,
        )
    )
    values = {
        "plan_id": plan.public_id,
        "meeting_id": meeting and meeting.public_id,
        "membership_id": relative and relative.public_id,
        # An item's history: one with changes if the demo has any, else a goal (no changes yet).
        "item_id": _first_in_plan("item_id", plan.id) or _first_in_plan("goal_id", plan.id),
        # A private calendar address: read by calendar apps, not a page (it answers text/calendar,
        # or a plain-text 404 as here); the page that makes one is /plan/<plan_id>/calendar.
        "token": "not-a-calendar-address-" + "0" * 20,
        # The plan's municipality, and a coordinator on its staff (whose ending the administrator may confirm).
        "number": plan.municipality and plan.municipality.number,
        "staff_id": plan.municipality_id and db.session.scalar(
            select(StaffMembership.public_id).where(StaffMembership.municipality_id == plan.municipality_id,
                                                    StaffMembership.role == StaffRole.COORDINATOR)),
    }
    for name in argument_names(app) - set(values):
        values[name] = _first_in_plan(name, plan.id)
    return {name: value for name, value in values.items() if value is not None}


def _first_in_plan(argument: str, plan_id: int):
    """The first id in the plan for ``<stem>_id``: the public_id of a table called
    ``stem`` or ``..._stem``, or else a column ``<stem>_public_id`` of any table."""
    stem = argument.removesuffix("_id")
    tables = [table for table in Base.metadata.sorted_tables if "plan_id" in table.c]
    named = [table.c.public_id for table in tables if "public_id" in table.c
             and (table.name == stem or table.name.endswith("_" + stem))]
    referring = [table.c[f"{stem}_public_id"] for table in tables if f"{stem}_public_id" in table.c]
    for column in named + referring:
        query = select(column).where(column.table.c.plan_id == plan_id).order_by(column.table.c.id).limit(1)
        if (value := db.session.scalar(query)) is not None:
            return value
    return None


# --- axe-core ---------------------------------------------------------------------


def axe_violations(page: Page, axe_source: str, rules: list[str] | None = None) -> list[dict]:
    """Run axe-core on the page for WCAG 2.0 and 2.1, A and AA (or only ``rules``); returns the violations.

    axe goes in through page.evaluate (DevTools), not a <script> tag: the app's
    CSP forbids inline scripts, and that is how it should stay.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    result = page.evaluate(
        """runOnly => axe.run(document, {runOnly, resultTypes: ['violations']})""",
        run_only,
    )
    return result["violations"]


# IBM Equal Access's engine, a second opinion beside axe: its own rules (content outside
# landmarks, forms and articles without unique names) catch what axe's do not.
# Only definite failures of its IBM_Accessibility rule set (WCAG 2.2 A/AA and IBM's own);
# "potential" ones need a person to judge and would fail on every page.
_ACE_RUN = """async () => {
    const report = await new ace.Checker().check(document, ['IBM_Accessibility']);
    return report.results
        .filter(result => result.value[0] === 'VIOLATION' && result.value[1] === 'FAIL')
        .map(result => ({rule: result.ruleId, message: result.message, at: result.path.dom, snippet: result.snippet}));
}"""


def ace_violations(page: Page, ace_source: str) -> list[dict]:
    """Run IBM Equal Access's checker on the page; injected like axe, never served by the app."""
    if not page.evaluate("() => typeof window.ace === 'object' && typeof window.ace.Checker === 'function'"):
        page.evaluate(ace_source)
    return page.evaluate(_ACE_RUN)


def describe_ace_violations(violations: list[dict], where: str) -> str:
    lines = [f"{where}: {len(violations)} IBM Equal Access violation(s)"]
    lines += [f"  - {found['rule']}: {found['message']}\n      at {found['at']}: {found['snippet']}"
              for found in violations]
    return "\n".join(lines)


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
