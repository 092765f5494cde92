"""Goals and their steps (docs/domain.md, The plan and what it holds, a)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.models import Goal
from patient_app.parts._base import HIDDEN_FROM_GUARDIANS, ItemType, Tracked, add_item, change_item


def _parent_title(goal: Goal) -> str:
    parent = db.session.get(Goal, goal.parent_id) if goal.parent_id else None
    return parent.title if parent else ""


GOAL = ItemType(
    code="goal", label=_l("Mål"), part=Part.GOALS, name_of=lambda goal: goal.title, endpoint="plan.goals",
    tracked=(
        Tracked("title", "text", _l("Tittel")),
        Tracked("description", "text", _l("Beskrivelse")),
        Tracked("status", "goal_status", _l("Status")),
        Tracked("parent_id", "text", _l("Delmål under"), value=_parent_title),
        HIDDEN_FROM_GUARDIANS,
    ),
)


def add_goal(access: PlanAccess, position: int, values: dict[str, Any]) -> Goal:
    item = add_item(access, GOAL, Goal(plan_id=access.plan.id, position=position), values)
    db.session.commit()
    return item


def change_goal(access: PlanAccess, goal: Goal, values: dict[str, Any]) -> None:
    change_item(access, GOAL, goal, values)
    db.session.commit()
