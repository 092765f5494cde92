"""The texts about the plan and its period (docs/domain.md, The plan and what it holds,
a, d, g and i)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from patient_app.access import Part, PlanAccess
from patient_app.extensions import db
from patient_app.parts._base import ItemType, Tracked, change_item

PLAN = ItemType(
    code="plan", label=_l("Om planen"), part=Part.CONSENT, name_of=lambda plan: str(_l("Om planen")),
    endpoint="plan.about_this_plan",
    tracked=(
        Tracked("period_start", "date", _l("Planen gjelder fra")),
        Tracked("period_end", "date", _l("Planen gjelder til")),
        Tracked("next_review", "date", _l("Neste gjennomgang")),
        Tracked("strengths", "text", _l("Dette er jeg god på")),
        Tracked("needs", "text", _l("Hva jeg trenger hjelp til")),
        Tracked("own_contribution", "text", _l("Hva jeg selv bidrar med")),
        Tracked("relatives_contribution", "text", _l("Hva de pårørende bidrar med")),
        Tracked("cooperation", "text", _l("Samarbeid med andre tjenester")),
        Tracked("language_and_culture", "text", _l("Språk og kultur")),
    ),
)


def change_about_this_plan(access: PlanAccess, values: dict[str, Any]) -> None:
    change_item(access, PLAN, access.plan, values)
    db.session.commit()
