"""Hostile text, stored through the app the way people store it, stays text in Chromium.

A corpus of classic injection attempts (written here, one marker ``XSSnn`` in
each) goes in through the forms over HTTP, with the session of the person who
would write it: the patient starts conversations, the coordinator answers and
writes goals, sub-goals, measures, contacts, minutes and the crisis plan. Names
come from the population register in real life, so the people's names are
written into the database. Then every page that shows them is opened in
Chromium, the patient's and the coordinator's, and on each:

- no dialog opens (alert, confirm, prompt);
- the Content-Security-Policy reports no violation (an init script listens for
  ``securitypolicyviolation``): nothing even tried to run;
- no element or attribute in the DOM came from a payload: a marker may be text, a
  form field's value, or part of an http(s) link made by linkify, nothing else;
  no iframe, object, embed or base element, no link to javascript:, data: or vbscript:;
- every payload is shown somewhere, literally (so the checks looked at it), and
  ``{{7*7}}`` reads ``{{7*7}}``, not 49.

Also: htmx is configured so that it cannot be turned against the page.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from patient_app.extensions import db
from patient_app.models import Goal, MessageThread, Participant, Plan
from tests.browser.helpers import person_row, plan_url_arguments
from tests.browser.helpers import discover_pages, log_in
from tests.conftest import app_on_new_database, live_system
from tests.views.form_filling import fill

# Each attempt carries its marker where an injected element or attribute would carry it.
CORPUS = [
    '<script>alert("XSS01")</script>',
    "<SCRIPT SRC=//example.invalid/XSS02.js></SCRIPT>",
    "<img src=x id=XSS03 onerror=alert(3)>",
    '"><img src=x id=XSS04 onerror=alert(4)>',
    "'><svg id=XSS05 onload=alert(5)>",
    '<svg><script>alert("XSS06")</script></svg>',
    '<iframe id=XSS07 srcdoc="<script>parent.alert(7)</script>"></iframe>',
    '<iframe id=XSS08 src="javascript:alert(8)"></iframe>',
    '<a id=XSS09 href="javascript:alert(9)">Trykk her</a>',
    "javascript:alert('XSS10')",
    "[Se vedtaket](javascript:alert('XSS11'))",
    '[Se vedtaket](https://example.org/XSS12 "tittel")',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMyk8L3NjcmlwdD4= XSS13",
    '<a id=XSS14 href="data:text/html,<script>alert(14)</script>">data</a>',
    '<div id=XSS15 style="background:url(javascript:alert(15))">stil</div>',
    '<div id=XSS16 style="width:expression(alert(16))">gammel IE</div>',
    "<style>@import 'https://example.invalid/XSS17.css';</style>",
    "{{7*7}} XSS18 {{constructor.constructor('alert(18)')()}}",
    "${7*7} #{7*7} <%= 7*7 %> XSS19",
    "{{ config.SECRET_KEY }} {% print(7*7) %} XSS20",
    '<div id=XSS21 hx-get="/logout" hx-trigger="load">htmx</div>',
    """<button id=XSS22 hx-post="/language" hx-vals='{"language":"en"}' hx-trigger="load">Språk</button>""",
    '<div id=XSS23 hx-on:htmx:load="alert(23)" hx-on::after-request="alert(23)">hx-on</div>',
    '<div id=XSS24 data-hx-get="https://example.invalid/" data-hx-trigger="load">data-hx</div>',
    "<details id=XSS25 open ontoggle=alert(25)><summary>Mer</summary></details>",
    "<body id=XSS26 onload=alert(26)>",
    "<input id=XSS27 autofocus onfocus=alert(27)>",
    "<math><mtext><table><mglyph><style><img id=XSS28 src=x onerror=alert(28)>",
    '<noscript><p title="</noscript><img id=XSS29 src=x onerror=alert(29)>">',
    "\u202eXSS30 fdp.exe\u202c snudd tekst \u200f שלום",
    "\" onmouseover=\"alert('XSS31')\" x=\"",
    "' autofocus onfocus='alert(\"XSS32\")' x='",
    "</textarea><img id=XSS33 src=x onerror=alert(33)>",
    '</title><script>alert("XSS34")</script>',
    'https://example.org/XSS35"onmouseover="alert(35)',
    "https://example.org/XSS36?<script>alert(36)</script>",
    '<base id=XSS37 href="https://example.invalid/">',
    '<meta id=XSS38 http-equiv="refresh" content="0;url=javascript:alert(38)">',
    '<object id=XSS39 data="javascript:alert(39)"></object>',
    '<embed id=XSS40 src="data:image/svg+xml,<svg onload=alert(40)>">',
    "<template id=XSS41><img src=x onerror=alert(41)></template>",
    "&lt;script&gt;alert('XSS42')&lt;/script&gt; &#60;b&#62;XSS42&#60;/b&#62;",
    '<form id=XSS43 action="https://example.invalid/"><button>Send inn</button></form>',
    '<a id=XSS44 href=" &#14;javascript:alert(44)">mellomrom</a>',
    '<a id=XSS45 href="vbscript:msgbox(45)">vbscript</a>',
    "<<script>alert('XSS46');//<</script>",
]
MARKER = re.compile(r"XSS\d\d")
# Names are shorter: one per person whose name the pages show.
NAMES = {"patient": CORPUS[3], "coordinator": CORPUS[30], "relative": CORPUS[32]}

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} (${event.sample})`);
});
"""

# What may carry a marker: text, a form field's value, an http(s) link. Anything else came from a payload.
DOM_PROBLEMS = """() => {
    const marker = /XSS\\d\\d/;
    const problems = [];
    for (const element of document.querySelectorAll('*')) {
        const tag = element.tagName.toLowerCase();
        for (const attribute of element.attributes) {
            if (!marker.test(attribute.name) && !marker.test(attribute.value)) continue;
            const fieldValue = attribute.name === 'value' && ['input', 'option', 'button'].includes(tag);
            const webLink = tag === 'a' && attribute.name === 'href' && /^https?:\\/\\//i.test(attribute.value)
                && element.rel.includes('noopener') && element.rel.includes('noreferrer');
            if (!fieldValue && !webLink) problems.push(`<${tag} ${attribute.name}="${attribute.value.slice(0, 80)}">`);
        }
        if (['script', 'style'].includes(tag) && marker.test(element.textContent)) {
            problems.push(`<${tag}> with ${element.textContent.slice(0, 80)}`);
        }
    }
    for (const element of document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv=refresh]')) {
        problems.push(`a ${element.tagName.toLowerCase()} element`);
    }
    for (const link of document.querySelectorAll('a[href], area[href]')) {
        if (!['http:', 'https:', 'mailto:', 'tel:'].includes(link.protocol)) problems.push(`a link to ${link.href}`);
    }
    for (const element of document.querySelectorAll('[src], [action], [formaction]')) {
        const url = element.src || element.action || element.formAction || '';
        if (/^\\s*(javascript|data|vbscript):/i.test(url)) problems.push(`<${element.tagName.toLowerCase()}> to ${url}`);
    }
    return problems;
}"""


def normalised(text: str) -> str:
    return " ".join(text.split())


class Visits:
    """Pages opened in Chromium, each checked; what they showed is kept for the final checks."""

    def __init__(self, app_url: str):
        self.app_url = app_url
        self.dialogs: list[str] = []
        self.shown: list[str] = []
        self.count = 0

    def watch(self, page) -> None:
        page.on("dialog", lambda dialog: (self.dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))

    def open(self, page, path: str) -> None:
        response = page.goto(self.app_url + path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        self.check(page, path)

    def check(self, page, where: str) -> None:
        page.wait_for_load_state("load")
        page.wait_for_timeout(50)  # let load-triggered handlers and htmx's processing run
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        violations = page.evaluate("() => window.__cspViolations")
        assert not violations, f"{where}: the Content-Security-Policy blocked something: {violations}"
        problems = page.evaluate(DOM_PROBLEMS)
        assert not problems, f"{where}: markup from a payload is in the page: {problems}"
        text = normalised(page.evaluate("() => document.body.textContent"))
        assert "49 XSS18" not in text and "XSS18 49" not in text, f"{where}: {{{{7*7}}}} was evaluated"
        self.shown.append(text)
        self.count += 1


@pytest.fixture(scope="module")
def hostile_system(tmp_path_factory):
    """The app and the stand-in on a database of their own: the corpus must not reach other tests' pages."""
    with app_on_new_database(tmp_path_factory) as app:
        with live_system(app.config["SQLALCHEMY_DATABASE_URI"]) as running:
            yield running


def signed_in_page(browser, app_url: str, key: str, visits: Visits):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO")
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    visits.watch(page)
    log_in(page, app_url, key)
    return context, page


def send_form(page, visits: Visits, path: str, selector: str, changes: dict, show: bool = False) -> str:
    """Open the form's page, fill it in as the browser shows it, post it with the browser's cookies,
    and follow the redirect (which shows the confirmation): in Chromium, checked, when ``show``
    (confirmations that quote the text), else over HTTP only, to keep the test quick. Returns that path."""
    form_page = page.request.get(visits.app_url + path)
    assert form_page.status == 200, f"{path} answered {form_page.status}"
    action, data = fill(BeautifulSoup(form_page.text(), "html.parser"), selector, changes)
    answer = page.request.post(
        visits.app_url + action,
        data=urllib.parse.urlencode(data),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert answer.status in (302, 303), (
        f"posting {selector} on {path} answered {answer.status}: "
        + normalised(BeautifulSoup(answer.text(), "html.parser").select_one("main").get_text())[:300]
    )
    where = urllib.parse.urlsplit(answer.headers["location"])
    target = where.path + (f"?{where.query}" if where.query else "")
    if show:
        visits.open(page, target)
    else:
        assert page.request.get(visits.app_url + target).status == 200, target
    return where.path


def store_the_corpus(app, patient, coordinator, visits: Visits) -> dict:
    """Everything goes in as the person who would write it; returns the ids of what was made."""
    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.owner_id == person_row(app, "patient").id))
        arguments = plan_url_arguments(app)
    plan_path, work = f"/plan/{plan.public_id}", f"/coordinator/plan/{plan.public_id}"

    for text in CORPUS:
        send_form(patient, visits, f"{plan_path}/messages/new", "form:has(textarea[name=body])",
                  {"subject": text[:120], "body": text})
    with app.app_context():
        thread = db.session.scalar(select(MessageThread.public_id).where(MessageThread.plan_id == plan.id)
                                   .order_by(MessageThread.id.desc()).limit(1))
    for text in CORPUS:
        send_form(coordinator, visits, f"{plan_path}/messages/{thread}", "form:has(textarea[name=body])", {"body": text})

    for number, text in enumerate(CORPUS):
        send_form(coordinator, visits, f"{work}/goals/new", "form:has(input[name=title])",
                  {"title": text, "description": f"Delmål: {text}"}, show=True)
        if number % 4 == 0:
            with app.app_context():
                goal = db.session.scalar(select(Goal).where(Goal.plan_id == plan.id).order_by(Goal.id.desc()).limit(1))
            send_form(coordinator, visits, f"{work}/goals/new", "form:has(input[name=title])",
                      {"title": f"Steg: {text}", "parent": str(goal.public_id)})
        send_form(coordinator, visits, f"{work}/measures/new", "form:has(input[name=title])",
                  {"title": text, "how": text})
        send_form(coordinator, visits, f"{work}/contacts/new", "form:has(input[name=name])",
                  {"name": text[:200], "role_title": text[:200], "organisation": "Bydel Sagene"})

    minutes = "\n\n".join(CORPUS)
    send_form(coordinator, visits, f"{work}/meetings/{arguments['meeting_id']}/minutes", "form:has(textarea[name=body])",
              {"body": minutes, "action": "publish"})
    crisis = {"warning_signs": minutes, "what_i_can_do": minutes[:5000], "practical_matters": CORPUS[20]}
    for row, text in enumerate(CORPUS[:12]):
        crisis |= {f"contacts-{row}-name": text[:200], f"contacts-{row}-relation": text[:200],
                   f"contacts-{row}-phone": "22 33 44 55", f"contacts-{row}-when_to_call": text[:300]}
    send_form(coordinator, visits, f"{work}/crisis-plan", "form:has(textarea[name=warning_signs])", crisis)

    with app.app_context():
        for key, name in NAMES.items():
            person_row(app, key).name = name  # from the register, not from a form
        db.session.commit()
        latest = {
            "thread_id": thread,
            "goal_id": db.session.scalar(select(Goal.public_id).where(Goal.plan_id == plan.id, Goal.parent_id.is_(None))
                                         .order_by(Goal.id.desc()).limit(1)),
            "participant_id": db.session.scalar(select(Participant.public_id).where(Participant.plan_id == plan.id)
                                                .order_by(Participant.id.desc()).limit(1)),
        }
        assert db.session.scalar(select(func.count()).select_from(MessageThread)
                                 .where(MessageThread.plan_id == plan.id)) >= len(CORPUS)
    return arguments | latest


def test_the_xss_corpus_renders_inert_in_chromium(browser, hostile_system):
    app_url, _issuer, app = hostile_system
    visits = Visits(app_url)
    patient_context, patient = signed_in_page(browser, app_url, "patient", visits)
    coordinator_context, coordinator = signed_in_page(browser, app_url, "coordinator", visits)
    try:
        arguments = store_the_corpus(app, patient, coordinator, visits)
        # Not pages: the manifest, the worker, the login steps, and calendar files (text/calendar,
        # which no browser renders as a page; tests/views/test_calendar.py reads what they hold).
        skipped = {"pwa.manifest", "pwa.service_worker", "auth.callback", "auth.start", "auth.login",
                   "calendar.meeting_file", "calendar.feed"}
        administrator_context, administrator = signed_in_page(browser, app_url, "administrator", visits)
        viewers = {"coordinator": coordinator, "administrator": administrator}
        for page in discover_pages(app, arguments):
            if page.path is None or page.is_public or page.endpoint in skipped:
                continue
            visits.open(viewers.get(page.viewer, patient), page.path)
        administrator_context.close()
        # The coordinator reads the conversation too; the relative sees the meetings and contacts.
        thread_path = f"/plan/{arguments['plan_id']}/messages/{arguments['thread_id']}"
        visits.open(coordinator, thread_path)
        visits.open(coordinator, f"/plan/{arguments['plan_id']}/messages")
        relative_context, relative = signed_in_page(browser, app_url, "relative", visits)
        for part in ("meetings", "contacts", "changes"):
            visits.open(relative, f"/plan/{arguments['plan_id']}/{part}")
        relative_context.close()

        # What htmx swaps in is processed by htmx (hx-* attributes would come alive): poll with a stale version.
        visits.open(patient, thread_path)
        with patient.expect_response(lambda response: "version=stale" in response.url):
            patient.evaluate("""path => htmx.ajax('GET', path + '?version=stale&opened=' + Math.floor(Date.now() / 1000),
                                                  {target: '#thread-messages', swap: 'outerHTML'})""", thread_path)
        patient.wait_for_timeout(300)
        visits.check(patient, "the thread after an htmx swap")
    finally:
        patient_context.close()
        coordinator_context.close()

    everything = "\n".join(visits.shown)
    missing = [text for text in CORPUS if normalised(text) not in everything]
    assert not missing, f"never shown literally, so never checked: {missing}"
    assert "{{7*7}} XSS18" in everything
    assert app.config["SECRET_KEY"] not in everything
    assert visits.count > len(CORPUS) + 30, f"only {visits.count} pages were checked"


def test_htmx_cannot_be_turned_against_the_page(browser, hostile_system):
    """Only requests to this site, no <script> in swapped content, no eval (hx-on, js: values),
    no inline styles of its own (the CSP forbids them), no copies of pages in localStorage."""
    app_url = hostile_system[0]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(app_url + "/login")
        config = page.evaluate("""() => ({
            selfRequestsOnly: htmx.config.selfRequestsOnly,
            allowScriptTags: htmx.config.allowScriptTags,
            allowEval: htmx.config.allowEval,
            includeIndicatorStyles: htmx.config.includeIndicatorStyles,
            historyCacheSize: htmx.config.historyCacheSize,
        })""")
    finally:
        context.close()
    assert config == {
        "selfRequestsOnly": True,
        "allowScriptTags": False,
        "allowEval": False,
        "includeIndicatorStyles": False,
        "historyCacheSize": 0,
    }
