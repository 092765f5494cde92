"""Reading plan data, always through a PlanAccess so lists follow the access policy.

Each function runs a fixed number of queries whatever the size of the plan
(eager loading chosen per page), so pages stay fast for long plans.

One module per kind of reading; every function is reachable as ``queries.<name>``.
"""

from patient_app.queries._statements import item_of_plan
from patient_app.queries.changes import newest_change_id, plan_changes
from patient_app.queries.coordinator import coordinator_summaries, waiting_proposals_by_plan
from patient_app.queries.municipality import active_coordinator, coordinating_unit, coordinators
from patient_app.queries.messages import message_thread, message_threads, unread_message_count
from patient_app.queries.plan import (
    consents,
    coordinator,
    crisis_plan,
    goals_with_steps,
    measures,
    measures_now_and_other,
    meeting,
    meetings_since,
    meetings_upcoming_and_past,
    more_links,
    next_meeting,
    overview,
    participants,
    service_decisions,
    upcoming_meetings,
)
from patient_app.queries.proposals import proposal, proposals
from patient_app.queries.sharing import access_log, grant_events, memberships_of_plan, relative_membership

__all__ = [
    "access_log", "active_coordinator", "consents", "coordinating_unit", "coordinator", "coordinator_summaries",
    "coordinators", "crisis_plan", "goals_with_steps",
    "grant_events", "item_of_plan", "measures", "measures_now_and_other", "meeting", "meetings_since",
    "meetings_upcoming_and_past", "memberships_of_plan", "message_thread", "message_threads", "more_links",
    "newest_change_id", "next_meeting", "overview", "participants", "plan_changes", "proposal", "proposals",
    "relative_membership", "service_decisions", "unread_message_count", "upcoming_meetings",
    "waiting_proposals_by_plan",
]
