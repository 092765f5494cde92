"""Form errors the URL-map scan in test_accessibility.py never sees, since they are answers to posts.

The crisis plan's list of people to call, posted with a thirteenth row (the page
offers at most twelve; this is a hand-made post): the form comes back with the
error in the summary and under the list's heading, and passes axe.
"""

from __future__ import annotations

from playwright.sync_api import expect

from patient_app.forms.crisis import MAX_CRISIS_CONTACTS
from tests.browser.helpers import log_in


def test_the_crisis_plan_refused_for_too_many_rows_says_so_and_passes_axe(new_context, app_url, url_arguments,
                                                                         assert_accessible):
    page = new_context().new_page()
    log_in(page, app_url, "coordinator")
    page.goto(f"{app_url}/coordinator/plan/{url_arguments['plan_id']}/crisis-plan")
    # Rows the page does not offer, added by hand up to one more than the form takes.
    page.locator("main form").evaluate(
        """(form, last) => {
            const shown = form.querySelectorAll("input[name$='-name']").length;
            for (let row = shown; row <= last; row++) {
                for (const [field, value] of [["name", "Person " + row], ["phone", "900 00 " + row]]) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = `contacts-${row}-${field}`;
                    input.value = value;
                    form.append(input);
                }
            }
        }""",
        MAX_CRISIS_CONTACTS,
    )
    page.get_by_role("button", name="Lagre").click()

    message = "Listen kan ha høyst 12 personer. Skjemaet sendte flere, og ingenting er lagret."
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(message)
    expect(page.locator("#contacts-error")).to_contain_text(message)
    assert_accessible(page, "crisis plan form, too many rows")
    summary.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Hvem jeg ringer, i denne rekkefølgen")).to_be_in_viewport()
