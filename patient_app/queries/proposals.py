"""What the patient proposed, and the answers."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from patient_app.access import Part, PlanAccess, visible_to
from patient_app.extensions import db


# --- Proposals ---------------------------------------------------------------


def proposals(access: PlanAccess) -> list:
    """The plan's proposals, those waiting for the coordinator first, newest first."""
    from patient_app.models import Proposal, ProposalStatus

    if not access.may_view(Part.PROPOSALS):
        return []
    rows = db.session.scalars(
        select(Proposal)
        .where(Proposal.plan_id == access.plan.id, *visible_to(access, Proposal))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all()
    return sorted(rows, key=lambda p: p.status is not ProposalStatus.WAITING)


def proposal(access: PlanAccess, proposal_id: uuid.UUID):
    from patient_app.models import Proposal

    if not access.may_view(Part.PROPOSALS):
        return None
    return db.session.scalar(
        select(Proposal).where(
            Proposal.plan_id == access.plan.id, Proposal.public_id == proposal_id, *visible_to(access, Proposal)
        )
    )
