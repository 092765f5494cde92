"""What the patient proposes, and the coordinator's decision (docs/domain.md, Proposals):
approved or declined with a reason the patient reads; an approved new goal enters the plan
in the same transaction."""

from __future__ import annotations

from patient_app.access import PlanAccess
from patient_app.extensions import db
from patient_app.models import Goal, Measure, Proposal, ProposalKind, ProposalStatus
from patient_app.models._base import utcnow
from patient_app.parts._base import add_item
from patient_app.parts.goals import GOAL


def propose(access: PlanAccess, kind: ProposalKind, text: str, target: Goal | Measure | None,
            target_type: str) -> Proposal:
    """A proposal about something kept from the guardians is kept from them too."""
    proposal = Proposal(
        plan_id=access.plan.id,
        kind=kind,
        target_type=target_type,
        target_public_id=target.public_id if target else None,
        target_label=target.title if target else "",
        text=text,
        proposed_by_id=access.membership.person_id,
        proposed_role=access.role,
        hidden_from_guardians=bool(getattr(target, "hidden_from_guardians", False)),
    )
    db.session.add(proposal)
    db.session.commit()
    return proposal


def decide(access: PlanAccess, proposal: Proposal, *, approved: bool, reason: str,
           goal_title: str, goal_position: int) -> None:
    proposal.status = ProposalStatus.APPROVED if approved else ProposalStatus.DECLINED
    proposal.decided_by_id = access.membership.person_id
    proposal.decided_at = utcnow()
    proposal.reason = reason
    if approved and proposal.kind is ProposalKind.NEW_GOAL:
        goal = Goal(plan_id=access.plan.id, position=goal_position)
        add_item(access, GOAL, goal, {"title": goal_title, "hidden_from_guardians": proposal.hidden_from_guardians})
        proposal.result_public_id = goal.public_id
    db.session.commit()
