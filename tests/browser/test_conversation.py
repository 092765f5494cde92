"""The patient writes, the coordinator (another phone) reads and answers; the patient sees
the unread badge, the answer, the badge clear, and a further answer appear without reloading."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import log_in


def unread_badge(page):
    badge = page.locator("nav.plan-nav a", has_text="Meldinger").locator(".badge")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


def answer(coordinator, thread_url, text):
    coordinator.goto(thread_url)
    coordinator.get_by_label("Melding", exact=True).fill(text)
    coordinator.get_by_role("button", name="Send svar").click()
    expect(coordinator.locator(".confirmation")).to_contain_text("Svaret er sendt")


def test_a_conversation_between_two_phones(new_context, app_url, assert_accessible):
    patient = new_context().new_page()
    log_in(patient, app_url, "patient")
    plan_url = patient.url.rstrip("/")
    unread_before = unread_badge(patient)
    patient.goto(plan_url + "/messages/new")
    patient.get_by_label("Hva gjelder det?").fill("Spørsmål om arbeidsutprøvingen")
    patient.get_by_label("Melding", exact=True).fill("Hei! Kan jeg starte en uke senere?")
    patient.get_by_role("button", name="Send melding").click()
    expect(patient.locator(".confirmation")).to_contain_text("Meldingen er sendt")
    thread_url = patient.url.split("#")[0]

    coordinator = new_context().new_page()
    log_in(coordinator, app_url, "coordinator")
    coordinator.goto(thread_url)
    expect(coordinator.get_by_text("Hei! Kan jeg starte en uke senere?")).to_be_visible()
    patient.goto(plan_url + "/")
    answer(coordinator, thread_url, "Ja, det går fint. Jeg gir beskjed til Per.")

    patient.reload()
    assert unread_badge(patient) == unread_before + 1, "the answer is counted as unread"
    patient.goto(thread_url)
    expect(patient.get_by_text("Ja, det går fint. Jeg gir beskjed til Per.")).to_be_visible()
    assert unread_badge(patient) == unread_before, "the badge clears when the answer is read"

    # With the thread open, a further answer appears by itself (htmx polls every 10 s).
    answer(coordinator, thread_url, "Husk å ta med timelista.")
    expect(patient.get_by_text("Husk å ta med timelista.")).to_be_visible(timeout=25_000)
    assert_accessible(patient, "thread after an answer arrived")
