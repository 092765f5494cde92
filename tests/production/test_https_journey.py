"""A person on a phone, over HTTPS through nginx, against gunicorn with the production
settings: every kind of form POST a person makes (log in, send a message, grant access,
log out), each answered by whichever app server nginx picks.

Over plain HTTP none of this could fail the way it failed in production: Flask-WTF's
strict Referer check (HTTPS only) met our own Referrer-Policy, and nobody could log in.
"""

from __future__ import annotations

from playwright.sync_api import expect

from patient_app.demo.people import demo_person
from tests.browser.helpers import PHONE, log_in

# Someone the stand-in population register knows (the demo people), without access to Sigrid's plan.
NEW_RELATIVE = demo_person("guardian1")


def test_log_in_send_grant_and_log_out_over_https(browser, cluster):
    # The certificate is made at set-up and self-signed; the browser is told to accept it,
    # and everything else about HTTPS (Secure and __Host- cookies, HSTS, CSP) applies.
    context = browser.new_context(**PHONE, ignore_https_errors=True)
    patient = context.new_page()
    errors = []
    patient.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    log_in(patient, cluster.app_url, "patient")  # login pages on the stand-in's second origin, over HTTPS
    assert patient.url.startswith(cluster.app_url + "/plan/")
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    session = cookies["__Host-min_plan_session"]
    assert session["secure"] and session["httpOnly"]
    plan_url = patient.url.split("#")[0].rstrip("/")

    patient.goto(plan_url + "/messages/new")
    patient.get_by_label("Hva gjelder det?").fill("Sendt over HTTPS")
    patient.get_by_label("Melding", exact=True).fill("Hei! Dette gikk gjennom nginx.")
    patient.get_by_role("button", name="Send melding").click()
    expect(patient.locator(".confirmation")).to_contain_text("Meldingen er sendt")
    expect(patient.get_by_text("Hei! Dette gikk gjennom nginx.")).to_be_visible()

    patient.goto(plan_url + "/sharing/new")
    patient.get_by_label("Fødselsnummeret til personen (11 siffer)").fill(NEW_RELATIVE.pid)
    patient.get_by_label("Møter og kontakter").check()
    patient.get_by_role("button", name="Gå videre").click()
    # The name is the population register's (its stand-in runs in the cluster too).
    expect(patient.get_by_role("heading", level=1)).to_have_text(f"Er dette {NEW_RELATIVE.name}?")
    patient.get_by_role("button", name="Ja, gi tilgang").click()
    expect(patient.get_by_role("status")).to_contain_text(f"{NEW_RELATIVE.name} har fått tilgang til planen din.")

    patient.get_by_role("button", name="Logg ut").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    patient.goto(plan_url + "/")
    assert patient.url.startswith(cluster.app_url + "/login"), "logged out: the plan asks for a login"
    assert not [text for text in errors if "Content Security Policy" in text], errors
    context.close()
