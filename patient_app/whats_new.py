""""Nytt siden sist": what changed in the plan since the person's last visit.

The mark of what a person has seen is stored per plan (PlanVisit). At the first
page of a plan in a login the stored mark is remembered by the login (on the
server, login_sessions.remember) and moved to the newest change, so that
everything new stays marked while the person looks around, and counts as seen
the next time they log in. Changes the person made themselves are never
"new" to them.
"""

from __future__ import annotations

from flask import g
from sqlalchemy.exc import IntegrityError

from patient_app import login_sessions, queries
from patient_app.access import PlanAccess
from patient_app.extensions import db
from patient_app.models import PlanVisit
from patient_app.models._base import utcnow

SEEN_BEFORE = "seen_before"


def seen_before(access: PlanAccess) -> int | None:
    """The newest change this person had seen before this login; None on their very first visit."""
    plan_key = str(access.plan.public_id)
    marks = login_sessions.remembered(SEEN_BEFORE)
    if plan_key in marks:
        return marks[plan_key]
    before = _move_visit_mark(access)
    # Remembered by the login on the server: in the signed cookie, one mark per plan opened
    # grew it until the browser dropped it (issue 14).
    login_sessions.remember(SEEN_BEFORE, plan_key, before)
    db.session.commit()
    return before


def _move_visit_mark(access: PlanAccess) -> int | None:
    """Move the stored mark to the newest change; return where it was (None: never visited)."""
    person_id = access.membership.person_id
    visit = db.session.get(PlanVisit, (person_id, access.plan.id))
    before = visit.last_seen_change_id if visit else None
    newest = queries.newest_change_id(access)
    if visit is None:
        db.session.add(PlanVisit(person_id=person_id, plan_id=access.plan.id, last_seen_change_id=newest))
    else:
        visit.last_seen_change_id = max(newest, visit.last_seen_change_id)
        visit.seen_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # two first requests at once; the other one stored the same mark
        db.session.rollback()
    return before


def changes_since_last_visit(access: PlanAccess) -> list:
    """Changes by others since the last visit, newest first, as the policy lets this person see them."""
    if "changes_since_last_visit" not in g:
        before = seen_before(access)
        changes = [] if before is None else queries.plan_changes(access, after_id=before)
        g.changes_since_last_visit = [c for c in changes if c.changed_by_id != access.membership.person_id]
    return g.changes_since_last_visit


def is_new(access: PlanAccess | None, item) -> bool:
    """For templates: has this item changed since the last visit? One query per page at most."""
    if access is None or getattr(item, "public_id", None) is None:
        return False
    return any(change.item_public_id == item.public_id for change in changes_since_last_visit(access))


def summary(changes: list) -> list:
    """One line per item (its latest change first), so a busy week reads as a short list."""
    seen = set()
    lines = []
    for change in changes:
        if change.item_public_id in seen:
            continue
        seen.add(change.item_public_id)
        lines.append(change)
    return lines
