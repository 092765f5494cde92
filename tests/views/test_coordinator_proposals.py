"""The patient proposes; the coordinator approves or declines with a reason."""

from __future__ import annotations

from sqlalchemy import select

from patient_app.extensions import db
from patient_app.models import Goal, Proposal, ProposalStatus
from tests.views.conftest import error_for, plan_of, text
from tests.views.form_filling import submit





def propose(browser, plan, **typed):
    page = browser.get(f"/plan/{plan.public_id}/proposals/new")
    return submit(browser, page, "form.proposal-form", typed)


def test_a_proposed_goal_waits_for_the_coordinator(fresh_browser, sigrid):
    response = propose(fresh_browser, sigrid, kind="new_goal", text="Jeg vil begynne å svømme igjen")
    assert response.status_code == 302
    page = fresh_browser.get(response.headers["Location"])
    assert "Forslaget er sendt til koordinatoren." in text(page.select_one(".confirmation"))
    mine = next(li for li in page.select(".proposal-list li") if "svømme" in text(li))
    assert "Venter på koordinatoren" in text(mine) and "Et nytt mål" in text(mine)
    goals = fresh_browser.get(f"/plan/{sigrid.public_id}/goals")
    assert "svømme" not in str(goals), "a proposal is not part of the plan until approved"


def test_a_proposal_needs_words_and_a_change_needs_its_goal_or_measure(fresh_browser, sigrid):
    response = propose(fresh_browser, sigrid, kind="change", text="")
    page = fresh_browser.parse(response)
    assert error_for(page, "text") == "Feil: Skriv forslaget ditt"
    assert error_for(page, "target") == "Feil: Velg hvilket mål eller tiltak det gjelder"
    assert page.select_one("input[name=kind][value=change]").has_attr("checked"), "what was chosen is kept"
    response = propose(fresh_browser, sigrid, text="Noe")
    assert error_for(fresh_browser.parse(response), "kind") == "Feil: Velg hva du vil foreslå"


def test_a_change_to_a_measure_names_the_measure(fresh_browser, sigrid):
    with fresh_browser.app.app_context():
        from patient_app.models import Measure

        measure = db.session.scalar(select(Measure.public_id).where(Measure.title == "Fysioterapi"))
    page = fresh_browser.get(f"/plan/{sigrid.public_id}/proposals/new?about=measure:{measure}")
    assert page.select_one("#target option[selected]")["value"] == f"measure:{measure}"
    submit(fresh_browser, page, "form.proposal-form", {"text": "Kan vi ha fysioterapi på ettermiddagen?"})
    listing = fresh_browser.get(f"/plan/{sigrid.public_id}/proposals")
    assert "En endring i et mål eller et tiltak: Fysioterapi" in text(listing.select_one(".proposal-list"))


def test_the_coordinator_approves_a_goal_in_adjusted_words(fresh_browser, sigrid):
    app = fresh_browser.app
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(f"/coordinator/plan/{sigrid.public_id}/proposals")
    article = page.select_one("article.proposal")
    assert "Jeg vil klare å ta bussen til byen alene." in text(article)
    prefix = article.select_one("input[name$=goal_title]")["name"].rsplit("-", 1)[0]
    assert article.select_one("input[name$=goal_title]")["value"] == "Jeg vil klare å ta bussen til byen alene."
    response = submit(fresh_browser, page, "article.proposal form", {
        f"{prefix}-decision": "approve", f"{prefix}-goal_title": "Jeg vil ta bussen til byen alene",
        f"{prefix}-reason": "Så bra! Vi starter med en tur sammen.",
    })
    assert response.status_code == 302
    assert "målet står nå i planen" in text(fresh_browser.get(response.headers["Location"]).select_one(".confirmation"))
    with app.app_context():
        goal = db.session.scalar(select(Goal).where(Goal.title == "Jeg vil ta bussen til byen alene"))
        assert goal is not None and goal.plan_id == sigrid.id
    fresh_browser.login_as("patient")
    listing = fresh_browser.get(f"/plan/{sigrid.public_id}/proposals")
    card = next(li for li in listing.select(".proposal-list li") if "bussen" in text(li))
    assert "Godkjent" in text(card) and "Så bra! Vi starter med en tur sammen." in text(card)
    assert "Jeg vil ta bussen til byen alene" in text(fresh_browser.get(f"/plan/{sigrid.public_id}/goals"))


def test_declining_needs_a_reason_and_keeps_what_was_typed(fresh_browser, sigrid):
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(f"/coordinator/plan/{sigrid.public_id}/proposals")
    prefix = page.select_one("article.proposal input[name$=reason], article.proposal textarea[name$=reason]")["name"].rsplit("-", 1)[0]
    response = submit(fresh_browser, page, "article.proposal form", {f"{prefix}-decision": "decline", f"{prefix}-reason": ""})
    assert response.status_code == 200
    page = fresh_browser.parse(response)
    assert error_for(page, f"{prefix}-reason") == "Feil: Skriv hvorfor du avslår, slik at personen forstår det"
    assert page.select_one(f"input[name={prefix}-decision][value=decline]").has_attr("checked")
    assert page.title.get_text().startswith("Feil:")
    response = submit(fresh_browser, page, "article.proposal form",
                      {f"{prefix}-decision": "decline", f"{prefix}-reason": "Vi tar det opp på møtet først."})
    assert response.status_code == 302
    fresh_browser.login_as("patient")
    listing = fresh_browser.get(f"/plan/{sigrid.public_id}/proposals")
    card = next(li for li in listing.select(".proposal-list li") if "bussen" in text(li))
    assert "Avslått" in text(card) and "Vi tar det opp på møtet først." in text(card)


def test_a_decided_proposal_cannot_be_decided_again(fresh_browser, sigrid):
    app = fresh_browser.app
    fresh_browser.login_as("coordinator")
    page = fresh_browser.get(f"/coordinator/plan/{sigrid.public_id}/proposals")
    prefix = page.select_one("article.proposal input[name$=goal_title]")["name"].rsplit("-", 1)[0]
    for _ in range(2):
        submit(fresh_browser, page, "article.proposal form", {f"{prefix}-decision": "approve"})
    with app.app_context():
        assert len(db.session.scalars(select(Goal).where(Goal.title.like("%bussen%"))).all()) == 1
        assert db.session.scalar(select(Proposal.status)) is ProposalStatus.APPROVED


def test_relatives_cannot_propose_and_see_no_proposals(browser, sigrid_plan):
    browser.login_as("relative")
    browser.get(f"/plan/{sigrid_plan.public_id}/proposals/new", expected_status=404)
    browser.get(f"/plan/{sigrid_plan.public_id}/proposals", expected_status=404)
    assert "/proposals" not in str(browser.get(f"/plan/{sigrid_plan.public_id}/"))


def test_a_guardian_proposes_for_a_child(fresh_browser):
    emil = plan_of(fresh_browser.app, "child")
    fresh_browser.login_as("guardian1")
    response = propose(fresh_browser, emil, kind="new_goal", text="Emil vil lære å sykle")
    assert response.status_code == 302
    fresh_browser.login_as("coordinator")
    assert "Emil vil lære å sykle" in text(fresh_browser.get(f"/coordinator/plan/{emil.public_id}/proposals").select_one("main"))
    summary = fresh_browser.get("/coordinator/")
    assert "1 forslag venter på svar" in text(summary.select_one("main"))
