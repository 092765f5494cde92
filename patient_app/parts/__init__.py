"""One home for each part of the plan the coordinator keeps: what its items are called,
which of their fields the plan's history tracks (and how each is labelled), where an
item is shown, and how items are added and changed.

Each part is a module here (goals.py, measures.py, decisions.py, meetings.py,
contacts.py, crisis_plan.py, about.py, proposals.py). Views turn a form into values and
call these; only these write plan items, each write with its history entry in the same
transaction (patient_app/history.py). The history page (views/changes.py) and the
queries (queries.plan_changes) read the declarations through ``ITEM_TYPES``.
"""

from __future__ import annotations

from patient_app.parts import about, contacts, crisis_plan, decisions, goals, measures, meetings
from patient_app.parts._base import ItemType

ITEM_TYPES: dict[str, ItemType] = {
    item_type.code: item_type
    for item_type in (
        goals.GOAL, measures.MEASURE, decisions.DECISION, meetings.MEETING, meetings.MINUTES,
        crisis_plan.CRISIS_PLAN, contacts.PARTICIPANT, about.PLAN,
    )
}
