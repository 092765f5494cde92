"""Every GET page of the app, rendered through the test client for each kind of person.

The pages come from the URL map (tests/browser/helpers.discover_pages), filled in with
ids from the demo plans (helpers.plan_url_arguments), as the browser tests find them.
"""

from __future__ import annotations

from tests.browser.helpers import AppPage, discover_pages, plan_url_arguments
from tests.views.conftest import Browser

# role -> (the demo person logged in, the demo person whose plan the URLs point at)
ROLES = {
    "patient": ("patient", "patient"),
    "relative": ("relative", "patient"),
    "guardian": ("guardian1", "child"),
    "coordinator": ("coordinator", "patient"),
    "administrator": ("administrator", "patient"),  # the patient's plan's municipality
    "logged out": (None, "patient"),
}


def render(app, role: str, locale: str = "nb") -> list[tuple[AppPage, str]]:
    """(page, html) of every GET page the role may open, in ``locale``."""
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
            session["locale"] = locale
        response = client.get(page.path)
        if response.status_code == 200 and response.mimetype == "text/html":
            rendered.append((page, response.get_data(as_text=True)))
    return rendered
