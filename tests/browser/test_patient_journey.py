"""What a person does on their phone: log in, read the plan, find the crisis plan."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from patient_app.demo.people import demo_person
from tests.browser.helpers import back_on_app

CRISIS_LINK_NAME = re.compile(r"^Kriseplan\b")


def expect_overview(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")


def expect_crisis_plan(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Kriseplan")
    call_113 = page.get_by_role("link", name="Ring 113")
    expect(call_113).to_have_attribute("href", "tel:113")
    expect(call_113).to_be_visible()


def test_patient_finds_the_crisis_plan_on_a_phone(page, app_url, login, assert_accessible, artifacts):
    page.goto(app_url + "/login")
    assert_accessible(page, "the login page")

    # The TestID page belongs to the stand-in provider, not to us: no axe there.
    login(page, "patient")
    expect_overview(page)

    # The crisis plan is the first thing in <main> after the heading, and the
    # first thing there to tab to, on screen without scrolling.
    main = page.locator("main")
    crisis_link = main.get_by_role("link", name=CRISIS_LINK_NAME)
    placement = crisis_link.evaluate(
        """link => {
            const main = link.closest('main');
            const focusable = main.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
            return {
                afterHeading: main.firstElementChild.tagName === 'H1' && main.children[1] === link,
                firstFocusable: focusable === link,
                scrollY: window.scrollY,
            };
        }"""
    )
    assert placement == {"afterHeading": True, "firstFocusable": True, "scrollY": 0}, placement
    expect(crisis_link).to_be_in_viewport(ratio=1)
    box = crisis_link.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"], box

    assert_accessible(page, "the overview")
    page.screenshot(path=artifacts / "overview-390x844.png")
    page.screenshot(path=artifacts / "overview-390x844-full.png", full_page=True)

    crisis_link.tap()
    expect_crisis_plan(page)
    assert_accessible(page, "the crisis plan")
    page.screenshot(path=artifacts / "crisis-plan-390x844.png")
    page.screenshot(path=artifacts / "crisis-plan-390x844-full.png", full_page=True)


def test_keyboard_only_login_and_crisis_plan(page, login_with_number):
    """Tab and Enter all the way: log in by number, skip to the content, open the crisis plan."""
    login_with_number(page, demo_person("patient").pid, keyboard=True)
    expect_overview(page)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hopp til innholdet")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("main").get_by_role("link", name=CRISIS_LINK_NAME)).to_be_focused()
    page.keyboard.press("Enter")
    expect_crisis_plan(page)


def test_without_javascript_the_plan_can_still_be_read(new_context, login):
    page = new_context(java_script_enabled=False).new_page()
    login(page, "patient")
    expect_overview(page)
    expect(page.get_by_role("heading", name="Målene mine")).to_be_visible()
    page.locator("main").get_by_role("link", name=CRISIS_LINK_NAME).click()
    expect_crisis_plan(page)


def test_relative_sees_only_what_was_shared(page, login, assert_accessible):
    login(page, "relative")
    expect(page.get_by_text("Du ser planen til Sigrid Bakken Holm.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Planen")
    expect(nav.get_by_role("link")).to_have_text(["Oversikt", "Møter", "Kontakter"])
    expect(page.get_by_role("link", name=CRISIS_LINK_NAME)).to_have_count(0)
    assert_accessible(page, "the overview as the relative sees it")


def test_overview_has_no_console_errors_or_csp_violations(context, app_url, login):
    # Chromium reports CSP violations both to the console and as events; catch both.
    context.add_init_script(
        """document.addEventListener('securitypolicyviolation', event => {
            (window.__cspViolations = window.__cspViolations || []).push(
                `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
        });"""
    )
    login(context.new_page(), "patient")

    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.goto(app_url + "/plans")
    expect_overview(page)
    page.wait_for_load_state("networkidle")

    problems += [f"CSP: {violation}" for violation in page.evaluate("window.__cspViolations || []")]
    assert not problems, "on the overview:\n" + "\n".join(problems)
    # Our own script must still run under the CSP (it has the nonce).
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load on the overview"

    # And the listeners do hear one: an inline script without the nonce is refused.
    refused = lambda message: message.type == "error" and "Content Security Policy" in message.text  # noqa: E731
    with page.expect_console_message(refused):
        page.evaluate(
            """() => {
                const script = document.createElement('script');
                script.textContent = 'window.__inlineRan = true';
                document.body.append(script);
            }"""
        )
    # (Polled from a promise: wait_for_function would need the string evaluation the CSP forbids.)
    page.evaluate(
        """() => new Promise(resolve => {
            const check = () => (window.__cspViolations || []).length ? resolve() : setTimeout(check, 20);
            check();
        })"""
    )
    assert page.evaluate("window.__inlineRan === undefined"), "an inline script ran despite the CSP"


def test_tapping_log_in_at_once_on_a_first_visit_works(new_context, app_url):
    """A first visit installs the service worker, which fetches the app shell in the
    background while the person may already be tapping "Logg inn med ID-porten". Every
    answer of the app sets the whole session cookie again, so an answer to a request sent
    before the tap and arriving after it takes the login's state away ("Innloggingen gikk
    ikke"). While the worker fetched the shell with credentials, about half of such
    logins failed. Three first visits, no waiting."""
    for attempt in range(1, 4):
        page = new_context().new_page()
        page.goto(app_url + "/login")
        page.get_by_role("button", name="Logg inn med ID-porten").click()
        page.get_by_role("button", name=re.compile(r"^Logg inn som Sigrid Bakken Holm \(")).click()
        page.wait_for_url(back_on_app(app_url))
        assert urlsplit(page.url).path != "/login/callback", (
            f"first visit {attempt}: the login failed, the app showed "
            f"{page.get_by_role('heading', level=1).first.text_content()!r} at /login/callback"
        )
        expect_overview(page)
        page.context.close()
