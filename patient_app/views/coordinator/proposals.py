"""What the patient proposes: the coordinator approves or declines, with a reason."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from patient_app import queries
from patient_app.access import PlanAccess, coordinates_plan
from patient_app.forms.proposals import ProposalDecisionForm
from patient_app.models import Proposal, ProposalKind
from patient_app.parts import proposals as deciding
from patient_app.views.coordinator._blueprint import PLAN, bp, stripped


def _proposal_form(proposal: Proposal, submitted: bool = False) -> ProposalDecisionForm:
    # One form per proposal on the page; the prefix keeps their fields apart.
    prefix = f"proposal-{proposal.public_id.hex[:12]}"
    if submitted:
        return ProposalDecisionForm(kind=proposal.kind, prefix=prefix)
    form = ProposalDecisionForm(kind=proposal.kind, prefix=prefix, formdata=None)
    if form.goal_title is not None:
        form.goal_title.data = proposal.text[:300]
    return form


def _render_proposals(access: PlanAccess, forms: dict | None = None):
    everything = queries.proposals(access)
    forms = forms or {}
    for proposal in everything:
        if proposal.is_waiting and proposal.public_id not in forms:
            forms[proposal.public_id] = _proposal_form(proposal)
    return render_template(
        "views/coordinator/proposals.html", coordinating=access, proposals=everything, forms=forms
    )


def _confirmation(proposal: Proposal, approved: bool) -> str:
    name = proposal.proposed_by.first_name
    if approved and proposal.kind is ProposalKind.NEW_GOAL:
        return _("Forslaget er godkjent, og målet står nå i planen. %(name)s ser svaret ditt.", name=name)
    if approved:
        return _("Forslaget er godkjent. Husk å endre planen slik dere ble enige om. %(name)s ser svaret ditt.", name=name)
    return _("Forslaget er avslått. %(name)s ser begrunnelsen din.", name=name)


@bp.get(f"{PLAN}/proposals")
@coordinates_plan
def proposals(access: PlanAccess):
    return _render_proposals(access)


@bp.post(f"{PLAN}/proposals/<uuid:proposal_id>")
@coordinates_plan
def decide_proposal(access: PlanAccess, proposal_id: uuid.UUID):
    proposal = queries.proposal(access, proposal_id) or abort(404)
    if not proposal.is_waiting:
        flash(_("Forslaget er allerede besvart."))
        return redirect(url_for("coordinator.proposals", plan_id=access.plan.public_id))
    form = _proposal_form(proposal, submitted=True)
    if not form.validate_on_submit():
        return _render_proposals(access, {proposal.public_id: form})
    approved = form.decision.data == "approve"
    deciding.decide(
        access, proposal, approved=approved, reason=form.reason.data or "",
        goal_title=stripped(form.goal_title.data) if form.goal_title is not None else "",
        goal_position=len(queries.goals_with_steps(access)),
    )
    flash(_confirmation(proposal, approved))
    return redirect(url_for("coordinator.proposals", plan_id=access.plan.public_id))
