import pytest


def choose_language(browser, code, next_path="/login"):
    page = browser.get(next_path)
    form = page.select_one("form.language-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data["language"] = code
    return browser.client.post(form["action"], data=data)


@pytest.mark.parametrize(
    ("code", "heading"),
    [("nb", "Om individuell plan"), ("nn", "Om individuell plan"), ("en", "About individual plans")],
)
def test_language_is_chosen_remembered_and_sets_html_lang(browser, code, heading):
    response = choose_language(browser, code, "/about-individual-plan")
    assert response.status_code == 302
    assert response.headers["Location"] == "/about-individual-plan"
    page = browser.get("/about-individual-plan")
    assert page.html["lang"] == code
    assert page.h1.get_text(strip=True) == heading
    assert browser.get("/login").html["lang"] == code, "the choice must be remembered"


def test_language_switch_never_redirects_to_another_site(browser):
    page = browser.get("/login")
    form = page.select_one("form.language-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    for evil in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = browser.client.post(form["action"], data=data | {"language": "en", "next": evil})
        assert response.headers["Location"] == "/", evil


def test_unknown_language_changes_nothing(browser):
    choose_language(browser, "xx")
    assert browser.get("/login").html["lang"] == "nb"


def test_logged_in_choice_is_kept_on_the_person(browser, sigrid_plan, app):
    person = browser.login_as("patient")
    choose_language(browser, "nn", f"/plan/{sigrid_plan.public_id}/")
    from tests.views.conftest import person_by_key

    assert person_by_key(app, "patient").preferred_locale == "nn"
    choose_language(browser, "nb", f"/plan/{sigrid_plan.public_id}/")


@pytest.mark.parametrize(("locale", "expected"), [("nb", "Du ser planen til <b>&."), ("en", "You are viewing the plan for <b>&.")])
def test_template_translations_escape_their_variables_and_follow_the_locale(app, locale, expected):
    """``_()`` in templates (patient_app/i18n.py: translate) escapes what is put into a text,
    not the text itself, as Jinja's newstyle gettext does, and ``%%`` is a per cent sign."""
    from flask import render_template_string
    from flask_babel import force_locale

    from bs4 import BeautifulSoup

    source = '<p>{{ _("Du ser planen til %(name)s.", name=name) }}</p><p>{{ _("100 %%") }}</p>'
    with app.test_request_context(), force_locale(locale):
        html = render_template_string(source, name="<b>&")
    first, second = BeautifulSoup(html, "html.parser").find_all("p")
    assert first.get_text() == expected
    assert first.find("b") is None, "a variable must never become markup"
    assert second.get_text() == "100 %"
