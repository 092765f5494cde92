"""All models, imported so that metadata and relationships are complete."""

from patient_app.models.memberships import Membership, Role, Scope
from patient_app.models.crisis import CrisisContact, CrisisPlan
from patient_app.models.meetings import Meeting, Minutes, meeting_invitee
from patient_app.models.people import Person, hash_pid
from patient_app.models.plans import (
    Consent,
    DecisionStatus,
    Goal,
    GoalStatus,
    Measure,
    Participant,
    Plan,
    ServiceDecision,
)

__all__ = [
    "Consent",
    "CrisisContact",
    "CrisisPlan",
    "DecisionStatus",
    "Goal",
    "GoalStatus",
    "Measure",
    "Meeting",
    "Membership",
    "Minutes",
    "Participant",
    "Person",
    "Plan",
    "Role",
    "Scope",
    "ServiceDecision",
    "hash_pid",
    "meeting_invitee",
]
