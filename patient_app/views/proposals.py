"""The patient owns the plan: proposing a goal in their own words, or a change or a comment.

A proposal shows as "waiting for the coordinator" until the coordinator
approves or declines it with a reason (views/coordinator/proposals.py, parts/proposals.py).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from patient_app import queries
from patient_app.access import Part, PlanAccess, plan_part
from patient_app.forms.proposals import KIND_LABELS, ProposalForm
from patient_app.models import Goal, Measure, ProposalKind
from patient_app.parts import proposals as proposing

bp = Blueprint("proposals", __name__)
bp.add_app_template_global(lambda kind: KIND_LABELS[kind], "proposal_kind_label")


@bp.get("/plan/<uuid:plan_id>/proposals")
@plan_part(Part.PROPOSALS)
def index(access: PlanAccess):
    return render_template("views/proposals/index.html", access=access, proposals=queries.proposals(access))


def _targets(access: PlanAccess) -> dict[str, Goal | Measure]:
    """What a change or comment may be about: the goals and measures this person sees."""
    targets: dict[str, Goal | Measure] = {}
    for goal, steps in queries.goals_with_steps(access):
        for item in (goal, *steps):
            targets[f"goal:{item.public_id}"] = item
    for measure in queries.measures(access):
        targets[f"measure:{measure.public_id}"] = measure
    return targets


@bp.route("/plan/<uuid:plan_id>/proposals/new", methods=["GET", "POST"])
@plan_part(Part.PROPOSALS)
def new(access: PlanAccess):
    targets = _targets(access)
    form = ProposalForm()
    form.target.choices = [SelectChoice("", _("Ingen, det er et nytt mål"))] + [
        SelectChoice(key, (_("Mål: %(title)s", title=item.title) if key.startswith("goal:")
                           else _("Tiltak: %(title)s", title=item.title)))
        for key, item in targets.items()
    ]
    if request.method == "GET":
        about = request.args.get("about", "")
        if about in targets:
            form.target.data = about
            form.kind.data = ProposalKind.CHANGE.value
    if form.validate_on_submit():
        kind = ProposalKind(form.kind.data)
        target = targets.get(form.target.data) if kind is not ProposalKind.NEW_GOAL else None
        target_type = form.target.data.split(":")[0] if target else ""
        proposing.propose(access, kind, form.text.data, target, target_type)
        flash(_("Forslaget er sendt til koordinatoren. Her ser du når det er svart på."))
        return redirect(url_for("proposals.index", plan_id=access.plan.public_id))
    return render_template("views/proposals/new.html", access=access, form=form)
