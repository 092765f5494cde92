"""Small things a person saw and that read wrong (issue 19, point 13), each as they read it."""

from __future__ import annotations

import pytest

from tests.views.conftest import text
from tests.views.form_filling import submit


def reads(element) -> str:
    """The text as it reads, without the spaces text() puts between inline elements."""
    return " ".join(element.get_text().split())


def in_language(browser, person_key: str, locale: str):
    browser.login_as(person_key)
    with browser.client.session_transaction() as session:
        session["locale"] = locale


def test_the_coordinator_is_called_coordinator_once(browser, sigrid_plan):
    """Lise's role title is "Koordinator": the contacts page printed "Koordinator, Koordinator"."""
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/contacts")
    card = next(li for li in page.select(".contact-list > li") if "Koordinator" in text(li))
    assert reads(card.p).startswith("Koordinator, Koordinerende enhet"), reads(card.p)
    assert "Koordinator, Koordinator" not in reads(page.select_one("main"))
    others = [reads(li.p) for li in page.select(".contact-list > li") if li is not card]
    assert any(line.startswith("Fastlege") for line in others), "other roles are still shown"

    browser.login_as("coordinator")
    workspace = browser.get(f"/coordinator/plan/{sigrid_plan.public_id}/")
    lise = next(li for li in workspace.select("#contacts li") if "Lise Aasen" in text(li))
    assert text(lise).count("Koordinator") == 1, text(lise)


@pytest.mark.parametrize("locale, one, many", [("nb", "ulest", "uleste"), ("nn", "ulesen", "ulesne"),
                                               ("en", "unread", "unread")])
def test_the_unread_badge_counts_in_words_with_the_right_plural(browser, sigrid_plan, locale, one, many):
    in_language(browser, "patient", locale)
    page = browser.get(f"/plan/{sigrid_plan.public_id}/")
    badge = page.select_one("nav.plan-nav .badge")
    assert badge is not None, "the demo has a reply Sigrid has not read"
    count = int(text(badge).split()[0])
    assert text(badge) == f"{count} {one if count == 1 else many}"


def test_published_minutes_are_announced_in_the_definite_form(browser, sigrid_plan):
    browser.login_as("patient")
    page = browser.get(f"/plan/{sigrid_plan.public_id}/meetings")
    main = text(page.select_one("main"))
    assert "Referatet er klart" in main
    assert "Referat er klart" not in main


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_the_emergency_numbers_in_the_footer_are_one_tap_to_call(browser, sigrid_plan, locale):
    in_language(browser, "patient", locale)
    footer = browser.get(f"/plan/{sigrid_plan.public_id}/").select_one("footer")
    calls = {link["href"]: text(link) for link in footer.select('a[href^="tel:"]')}
    assert calls == {"tel:113": "113", "tel:116117": "116 117"}, calls


def test_an_answer_without_words_does_not_promise_any(fresh_browser, sigrid):
    """Approved with no reply written: the patient saw "Svar fra Lise Aasen:" and nothing after it."""
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(f"/coordinator/plan/{sigrid.public_id}/proposals")
    prefix = page.select_one("article.proposal input[name$=goal_title]")["name"].rsplit("-", 1)[0]
    response = submit(fresh_browser, page, "article.proposal form", {f"{prefix}-decision": "approve",
                                                                     f"{prefix}-reason": ""})
    assert response.status_code == 302
    fresh_browser.login_as("patient")
    listing = fresh_browser.get(f"/plan/{sigrid.public_id}/proposals")
    card = next(li for li in listing.select(".proposal-list li") if "bussen" in text(li))
    answer = text(card.select_one(".proposal__answer"))
    assert answer.startswith("Godkjent av Lise Aasen, "), answer
    assert "Svar fra" not in answer and not answer.endswith(":"), answer
