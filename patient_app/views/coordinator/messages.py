"""Closing and reopening a conversation, and keeping one from a child's guardians."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from patient_app import messaging, queries
from patient_app.access import PlanAccess, coordinates_plan, guardians_may_be_refused
from patient_app.views.coordinator._blueprint import PLAN, bp


def _back_to(access: PlanAccess, thread):
    return redirect(url_for("messages.thread", plan_id=access.plan.public_id, thread_id=thread.public_id))


@bp.post(f"{PLAN}/messages/<uuid:thread_id>/close")
@coordinates_plan
def close_thread(access: PlanAccess, thread_id: uuid.UUID):
    thread = queries.message_thread(access, thread_id) or abort(404)
    if not thread.is_closed:
        messaging.close_thread(access, thread)
        flash(_("Samtalen er avsluttet."))
    return _back_to(access, thread)


@bp.post(f"{PLAN}/messages/<uuid:thread_id>/reopen")
@coordinates_plan
def reopen_thread(access: PlanAccess, thread_id: uuid.UUID):
    thread = queries.message_thread(access, thread_id) or abort(404)
    if thread.is_closed:
        messaging.reopen_thread(thread)
        flash(_("Samtalen er åpnet igjen."))
    return _back_to(access, thread)


@bp.post(f"{PLAN}/messages/<uuid:thread_id>/guardians")
@coordinates_plan
def thread_guardians(access: PlanAccess, thread_id: uuid.UUID):
    """A child of 12–15 may ask that a conversation is kept from their guardians."""
    thread = queries.message_thread(access, thread_id) or abort(404)
    if not guardians_may_be_refused(access.plan):
        abort(404)
    hidden = messaging.toggle_hidden_from_guardians(thread)
    flash(_("Foresatte ser ikke lenger denne samtalen.") if hidden else _("Foresatte ser samtalen igjen."))
    return _back_to(access, thread)
