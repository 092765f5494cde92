"""All models, imported so that metadata and relationships are complete."""

from patient_app.models.memberships import AccessLogEntry, GrantAction, GrantEvent, Membership, Role, Scope
from patient_app.models.calendar import CalendarFeed
from patient_app.models.crisis import CrisisContact, CrisisPlan
from patient_app.models.history import PlanChange, PlanVisit
from patient_app.models.meetings import Meeting, Minutes, meeting_invitee
from patient_app.models.municipalities import CoordinatingUnit, Municipality, StaffMembership, StaffRole
from patient_app.models.messages import Message, MessageThread, ThreadReadMark
from patient_app.models.people import Person, hash_pid
from patient_app.models.sessions import LoginSession, SeenLogoutToken
from patient_app.models.proposals import Proposal, ProposalKind, ProposalStatus
from patient_app.models.notifications import (
    NotificationCategory,
    NotificationKind,
    NotificationPreference,
    OutboxItem,
    PushSubscription,
    SentReminder,
)
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
    "AccessLogEntry",
    "CalendarFeed",
    "Consent",
    "CoordinatingUnit",
    "GrantAction",
    "GrantEvent",
    "CrisisContact",
    "CrisisPlan",
    "DecisionStatus",
    "Goal",
    "GoalStatus",
    "Measure",
    "LoginSession",
    "SeenLogoutToken",
    "Meeting",
    "Membership",
    "Message",
    "MessageThread",
    "Minutes",
    "Municipality",
    "NotificationCategory",
    "NotificationKind",
    "NotificationPreference",
    "OutboxItem",
    "Participant",
    "Person",
    "Plan",
    "PlanChange",
    "PlanVisit",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "PushSubscription",
    "Role",
    "Scope",
    "SentReminder",
    "StaffMembership",
    "StaffRole",
    "ServiceDecision",
    "ThreadReadMark",
    "hash_pid",
    "meeting_invitee",
]
