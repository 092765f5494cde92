"""The coordinator's workspace: the plans they coordinate, and keeping each one current.

Only the coordinator of a plan reaches these pages (``coordinates_plan``); anyone else
gets 404. One module per part of the plan, over one editing pattern (_blueprint.py);
the writing itself is in patient_app/parts.
"""

from patient_app.views.coordinator import (  # noqa: F401 (each module adds its pages to bp)
    about,
    contacts,
    crisis_plan,
    decisions,
    goals,
    measures,
    meetings,
    messages,
    plans,
    proposals,
)
from patient_app.views.coordinator._blueprint import bp  # noqa: F401
