"""The coordinator's workspace: the plans they coordinate, and keeping each one current.

Only the coordinator of a plan reaches these pages (``coordinates_plan``);
anyone else gets 404. Each form follows one pattern: valid → store, record the
change in the plan's history, redirect with a confirmation; invalid → the same
page with the errors at their fields and what was typed kept.
"""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from patient_app import history, messaging, queries
from patient_app.access import (
    OSLO,
    PlanAccess,
    coordinated_plans,
    coordinates_plan,
    coordinator_workspace,
    guardians_may_be_refused,
)
from patient_app.extensions import db
from patient_app.forms.contacts import ParticipantForm
from patient_app.forms.crisis import MAX_CRISIS_CONTACTS, CrisisPlanForm
from patient_app.forms.meetings import MeetingForm, MinutesForm
from patient_app.forms.plan import DecisionForm, GoalForm, MeasureForm, PlanDetailsForm
from patient_app.forms.proposals import ProposalDecisionForm
from patient_app.models import (
    CrisisContact,
    CrisisPlan,
    DecisionStatus,
    Goal,
    GoalStatus,
    Measure,
    Meeting,
    Minutes,
    NotificationKind,
    Participant,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ServiceDecision,
)
from patient_app.models._base import utcnow
from patient_app.notify.outbox import enqueue

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

PLAN = "/plan/<uuid:plan_id>"


# --- The plans I coordinate ----------------------------------------------------


@bp.get("/")
@coordinator_workspace
def index():
    accesses = coordinated_plans(current_user)
    summaries = queries.coordinator_summaries(accesses)
    return render_template("views/coordinator/index.html", summaries=summaries)


@bp.get(f"{PLAN}/")
@coordinates_plan
def plan(access: PlanAccess):
    upcoming, past = queries.meetings_upcoming_and_past(access)
    return render_template(
        "views/coordinator/plan.html",
        coordinating=access,
        proposals=[p for p in queries.proposals(access) if p.is_waiting],
        threads=queries.message_threads(access),
        goals=queries.goals_with_steps(access),
        measures=queries.measures(access),
        decisions=queries.service_decisions(access),
        upcoming=upcoming,
        past=past,
        crisis_plan=queries.crisis_plan(access),
        participants=queries.participants(access),
        may_hide=guardians_may_be_refused(access.plan),
    )


def _plan_home(access: PlanAccess, section: str | None = None):
    return redirect(url_for("coordinator.plan", plan_id=access.plan.public_id, _anchor=section))


def _item_or_404(access: PlanAccess, model, public_id: uuid.UUID):
    item = db.session.scalar(select(model).where(model.plan_id == access.plan.id, model.public_id == public_id))
    if item is None:
        abort(404)
    return item


def _drop_guardian_choice(form, access: PlanAccess) -> None:
    """Only a child of 12–15 can have things kept from guardians; elsewhere the box would mislead."""
    if not guardians_may_be_refused(access.plan) and "hidden_from_guardians" in form:
        del form.hidden_from_guardians


def _text(value: str | None) -> str:
    return (value or "").strip()


def _render_form(template: str, access: PlanAccess, form, **context):
    return render_template(template, coordinating=access, form=form, **context)


# --- Messages: closing and reopening a conversation ----------------------------


# What names an item in its history: "Målet «Gå tur»" needs the title, a decision its service.
ITEM_LABELS = {
    "goal": lambda goal: goal.title,
    "measure": lambda measure: measure.title,
    "decision": lambda decision: decision.service,
    "meeting": lambda meeting: meeting.title,
    "participant": lambda participant: participant.name,
}


def _add_with_history(access: PlanAccess, kind: str, item) -> None:
    """Add a new item and its "created" entry in the plan's history, in the same transaction."""
    db.session.add(item)
    db.session.flush()  # the history entry points at the item's public id
    history.record_created(access, kind, item, ITEM_LABELS[kind](item))


@contextmanager
def _changes_recorded(access: PlanAccess, kind: str, item, fields: history.Fields):
    """Whatever the block changes in ``fields`` lands in the plan's history as one entry."""
    before = history.snapshot(item, fields)
    yield
    history.record_update(access, kind, item, ITEM_LABELS[kind](item), before, fields)


@bp.post(f"{PLAN}/messages/<uuid:thread_id>/close")
@coordinates_plan
def close_thread(access: PlanAccess, thread_id: uuid.UUID):
    thread = queries.message_thread(access, thread_id) or abort(404)
    if not thread.is_closed:
        messaging.close_thread(access, thread)
        flash(_("Samtalen er avsluttet."))
    return redirect(url_for("messages.thread", plan_id=access.plan.public_id, thread_id=thread.public_id))


@bp.post(f"{PLAN}/messages/<uuid:thread_id>/reopen")
@coordinates_plan
def reopen_thread(access: PlanAccess, thread_id: uuid.UUID):
    thread = queries.message_thread(access, thread_id) or abort(404)
    if thread.is_closed:
        messaging.reopen_thread(thread)
        flash(_("Samtalen er åpnet igjen."))
    return redirect(url_for("messages.thread", plan_id=access.plan.public_id, thread_id=thread.public_id))


@bp.post(f"{PLAN}/messages/<uuid:thread_id>/guardians")
@coordinates_plan
def thread_guardians(access: PlanAccess, thread_id: uuid.UUID):
    """A child of 12–15 may ask that a conversation is kept from their guardians."""
    thread = queries.message_thread(access, thread_id) or abort(404)
    if not guardians_may_be_refused(access.plan):
        abort(404)
    thread.hidden_from_guardians = not thread.hidden_from_guardians
    db.session.commit()
    if thread.hidden_from_guardians:
        flash(_("Foresatte ser ikke lenger denne samtalen."))
    else:
        flash(_("Foresatte ser samtalen igjen."))
    return redirect(url_for("messages.thread", plan_id=access.plan.public_id, thread_id=thread.public_id))


# --- Goals ---------------------------------------------------------------------

def _goal_title(goal_id: int | None) -> str:
    goal = db.session.get(Goal, goal_id) if goal_id else None
    return goal.title if goal else ""


GOAL_FIELDS: history.Fields = {
    "title": "text",
    "description": "text",
    "status": "goal_status",
    "parent_id": ("text", lambda goal: _goal_title(goal.parent_id)),
    "hidden_from_guardians": "bool",
}


def _goal_form(access: PlanAccess, goal: Goal | None) -> GoalForm:
    form = GoalForm(obj=goal) if goal else GoalForm()
    main_goals = [g for g, _steps in queries.goals_with_steps(access) if goal is None or g.id != goal.id]
    form.parent.choices = [SelectChoice("", _("Nei, det er et hovedmål"))] + [
        SelectChoice(str(g.public_id), _("Ja, et delmål under «%(title)s»", title=g.title)) for g in main_goals
    ]
    if goal and request.method == "GET":
        form.status.data = goal.status.value
        parent = next((g for g in main_goals if g.id == goal.parent_id), None)
        form.parent.data = str(parent.public_id) if parent else ""
    _drop_guardian_choice(form, access)
    return form


def _apply_goal(access: PlanAccess, form: GoalForm, goal: Goal) -> None:
    goal.title = _text(form.title.data)
    goal.description = form.description.data or ""
    goal.status = GoalStatus(form.status.data)
    parent = (
        _item_or_404(access, Goal, uuid.UUID(form.parent.data)) if form.parent.data else None
    )
    goal.parent_id = parent.id if parent else None
    if "hidden_from_guardians" in form:
        goal.hidden_from_guardians = form.hidden_from_guardians.data
    goal.updated_at = utcnow()


@bp.route(f"{PLAN}/goals/new", methods=["GET", "POST"])
@coordinates_plan
def new_goal(access: PlanAccess):
    form = _goal_form(access, None)
    if form.validate_on_submit():
        goal = Goal(plan_id=access.plan.id, position=len(queries.goals_with_steps(access)))
        _apply_goal(access, form, goal)
        _add_with_history(access, "goal", goal)
        db.session.commit()
        flash(_("Målet «%(title)s» er lagt til.", title=goal.title))
        return _plan_home(access, "goals")
    return _render_form("views/coordinator/goal.html", access, form, goal=None)


@bp.route(f"{PLAN}/goals/<uuid:goal_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_goal(access: PlanAccess, goal_id: uuid.UUID):
    goal = _item_or_404(access, Goal, goal_id)
    form = _goal_form(access, goal)
    if form.validate_on_submit():
        with _changes_recorded(access, "goal", goal, GOAL_FIELDS):
            _apply_goal(access, form, goal)
        db.session.commit()
        flash(_("Målet «%(title)s» er lagret.", title=goal.title))
        return _plan_home(access, "goals")
    return _render_form("views/coordinator/goal.html", access, form, goal=goal)


# --- Measures ------------------------------------------------------------------

MEASURE_FIELDS: history.Fields = {
    "title": "text",
    "extent": "text",
    "how": "text",
    "responsible_id": ("text", lambda m: m.responsible.name if m.responsible else ""),
    "start_date": "date",
    "end_date": "date",
    "goal_id": ("text", lambda m: m.goal.title if m.goal else ""),
    "hidden_from_guardians": "bool",
}


def _participant_choice(participant: Participant) -> SelectChoice:
    name = participant.name
    return SelectChoice(str(participant.public_id), f"{name}, {participant.role_title}" if participant.role_title else name)


def _participant_choices(access: PlanAccess, empty_label: str) -> list[SelectChoice]:
    return [SelectChoice("", empty_label)] + [_participant_choice(p) for p in queries.participants(access)]


def _goal_choices(access: PlanAccess) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Ingen bestemt"))]
    for goal, steps in queries.goals_with_steps(access):
        choices.append(SelectChoice(str(goal.public_id), goal.title))
        choices += [SelectChoice(str(step.public_id), f"– {step.title}") for step in steps]
    return choices


def _measure_form(access: PlanAccess, measure: Measure | None) -> MeasureForm:
    form = MeasureForm(obj=measure) if measure else MeasureForm()
    form.responsible.choices = _participant_choices(access, _("Ikke bestemt ennå"))
    form.goal.choices = _goal_choices(access)
    if measure and request.method == "GET":
        form.responsible.data = str(measure.responsible.public_id) if measure.responsible else ""
        form.goal.data = str(measure.goal.public_id) if measure.goal else ""
    _drop_guardian_choice(form, access)
    return form


def _apply_measure(access: PlanAccess, form: MeasureForm, measure: Measure) -> None:
    measure.title = _text(form.title.data)
    measure.extent = _text(form.extent.data)
    measure.how = form.how.data or ""
    measure.responsible = (
        _item_or_404(access, Participant, uuid.UUID(form.responsible.data)) if form.responsible.data else None
    )
    measure.goal = _item_or_404(access, Goal, uuid.UUID(form.goal.data)) if form.goal.data else None
    measure.start_date = form.start_date.data
    measure.end_date = form.end_date.data
    if "hidden_from_guardians" in form:
        measure.hidden_from_guardians = form.hidden_from_guardians.data
    measure.updated_at = utcnow()


@bp.route(f"{PLAN}/measures/new", methods=["GET", "POST"])
@coordinates_plan
def new_measure(access: PlanAccess):
    form = _measure_form(access, None)
    if form.validate_on_submit():
        measure = Measure(plan_id=access.plan.id)
        _apply_measure(access, form, measure)
        _add_with_history(access, "measure", measure)
        db.session.commit()
        flash(_("Tiltaket «%(title)s» er lagt til.", title=measure.title))
        return _plan_home(access, "measures")
    return _render_form("views/coordinator/measure.html", access, form, measure=None)


@bp.route(f"{PLAN}/measures/<uuid:measure_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_measure(access: PlanAccess, measure_id: uuid.UUID):
    measure = _item_or_404(access, Measure, measure_id)
    form = _measure_form(access, measure)
    if form.validate_on_submit():
        with _changes_recorded(access, "measure", measure, MEASURE_FIELDS):
            _apply_measure(access, form, measure)
        db.session.commit()
        flash(_("Tiltaket «%(title)s» er lagret.", title=measure.title))
        return _plan_home(access, "measures")
    return _render_form("views/coordinator/measure.html", access, form, measure=measure)


# --- Service decisions ---------------------------------------------------------

DECISION_FIELDS: history.Fields = {
    "service": "text",
    "decided_by": "text",
    "status": "decision_status",
    "extent": "text",
    "decided_on": "date",
    "valid_from": "date",
    "valid_to": "date",
    "answer_due": "date",
    "appeal_deadline": "date",
    "note": "text",
    "hidden_from_guardians": "bool",
}
_DECISION_TEXT = ("service", "decided_by", "extent")
_DECISION_DATES = ("decided_on", "valid_from", "valid_to", "answer_due", "appeal_deadline")


def _decision_form(access: PlanAccess, decision: ServiceDecision | None) -> DecisionForm:
    form = DecisionForm(obj=decision) if decision else DecisionForm()
    if decision and request.method == "GET":
        form.status.data = decision.status.value
    _drop_guardian_choice(form, access)
    return form


def _apply_decision(form: DecisionForm, decision: ServiceDecision) -> None:
    for name in _DECISION_TEXT:
        setattr(decision, name, _text(form[name].data))
    for name in _DECISION_DATES:
        setattr(decision, name, form[name].data)
    decision.status = DecisionStatus(form.status.data)
    decision.note = form.note.data or ""
    if "hidden_from_guardians" in form:
        decision.hidden_from_guardians = form.hidden_from_guardians.data
    decision.updated_at = utcnow()


@bp.route(f"{PLAN}/decisions/new", methods=["GET", "POST"])
@coordinates_plan
def new_decision(access: PlanAccess):
    form = _decision_form(access, None)
    if form.validate_on_submit():
        decision = ServiceDecision(plan_id=access.plan.id)
        _apply_decision(form, decision)
        _add_with_history(access, "decision", decision)
        db.session.commit()
        flash(_("Vedtaket om «%(service)s» er lagt til.", service=decision.service))
        return _plan_home(access, "decisions")
    return _render_form("views/coordinator/decision.html", access, form, decision=None)


@bp.route(f"{PLAN}/decisions/<uuid:decision_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_decision(access: PlanAccess, decision_id: uuid.UUID):
    decision = _item_or_404(access, ServiceDecision, decision_id)
    form = _decision_form(access, decision)
    if form.validate_on_submit():
        with _changes_recorded(access, "decision", decision, DECISION_FIELDS):
            _apply_decision(form, decision)
        db.session.commit()
        flash(_("Vedtaket om «%(service)s» er lagret.", service=decision.service))
        return _plan_home(access, "decisions")
    return _render_form("views/coordinator/decision.html", access, form, decision=decision)


# --- Meetings and minutes ------------------------------------------------------

MEETING_FIELDS: history.Fields = {
    "title": "text",
    "starts_at": "datetime",
    "ends_at": "datetime",
    "location": "text",
    "video_url": "text",
    "invitees": ("text", lambda m: [p.name for p in m.invitees]),
    "agenda": "text",
    "cancelled": "bool",
    "hidden_from_guardians": "bool",
}


def in_oslo(day: dt.date, clock: dt.time) -> dt.datetime:
    """A date and time as people in Norway mean it, stored in UTC."""
    return dt.datetime.combine(day, clock, tzinfo=OSLO).astimezone(dt.timezone.utc)


def _meeting_form(access: PlanAccess, meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting) if meeting else MeetingForm()
    participants = queries.participants(access)
    form.invitees.choices = [_participant_choice(p) for p in participants]
    if meeting and request.method == "GET":
        starts = meeting.starts_at.astimezone(OSLO)
        form.date.data = starts.date()
        form.starts.data = starts.time()
        form.ends.data = meeting.ends_at.astimezone(OSLO).time() if meeting.ends_at else None
        form.invitees.data = [str(p.public_id) for p in meeting.invitees]
    _drop_guardian_choice(form, access)
    return form


def _apply_meeting(access: PlanAccess, form: MeetingForm, meeting: Meeting) -> None:
    meeting.title = _text(form.title.data)
    meeting.starts_at = in_oslo(form.date.data, form.starts.data)
    meeting.ends_at = in_oslo(form.date.data, form.ends.data) if form.ends.data else None
    meeting.location = _text(form.location.data)
    meeting.video_url = _text(form.video_url.data)
    chosen = set(form.invitees.data or [])
    meeting.invitees = [p for p in queries.participants(access) if str(p.public_id) in chosen]
    meeting.agenda = form.agenda.data or ""
    meeting.cancelled = form.cancelled.data
    if "hidden_from_guardians" in form:
        meeting.hidden_from_guardians = form.hidden_from_guardians.data
    meeting.updated_at = utcnow()


def _notify_about_meeting(access: PlanAccess, meeting: Meeting, kind: NotificationKind) -> None:
    """Push notifications in the same transaction as the change (the outbox)."""
    enqueue(
        db.session,
        plan_id=access.plan.id,
        kind=kind,
        url=url_for("meetings.show", plan_id=access.plan.public_id, meeting_id=meeting.public_id),
        actor_id=access.membership.person_id,
        hidden_from_guardians=meeting.hidden_from_guardians,
        meeting_id=meeting.id,
    )


@bp.route(f"{PLAN}/meetings/new", methods=["GET", "POST"])
@coordinates_plan
def new_meeting(access: PlanAccess):
    form = _meeting_form(access, None)
    if form.validate_on_submit():
        meeting = Meeting(plan_id=access.plan.id)
        _apply_meeting(access, form, meeting)
        _add_with_history(access, "meeting", meeting)
        _notify_about_meeting(access, meeting, NotificationKind.MEETING_CREATED)
        db.session.commit()
        flash(_("Møtet «%(title)s» er satt opp.", title=meeting.title))
        return _plan_home(access, "meetings")
    return _render_form("views/coordinator/meeting.html", access, form, meeting=None)


@bp.route(f"{PLAN}/meetings/<uuid:meeting_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_meeting(access: PlanAccess, meeting_id: uuid.UUID):
    meeting = _item_or_404(access, Meeting, meeting_id)
    form = _meeting_form(access, meeting)
    if form.validate_on_submit():
        was_cancelled, was_at = meeting.cancelled, meeting.starts_at
        with _changes_recorded(access, "meeting", meeting, MEETING_FIELDS):
            _apply_meeting(access, form, meeting)
        if meeting.cancelled and not was_cancelled:
            _notify_about_meeting(access, meeting, NotificationKind.MEETING_CANCELLED)
        elif meeting.starts_at != was_at and not meeting.cancelled:
            _notify_about_meeting(access, meeting, NotificationKind.MEETING_MOVED)
        db.session.commit()
        flash(_("Møtet «%(title)s» er lagret.", title=meeting.title))
        return _plan_home(access, "meetings")
    return _render_form("views/coordinator/meeting.html", access, form, meeting=meeting)


@bp.route(f"{PLAN}/meetings/<uuid:meeting_id>/minutes", methods=["GET", "POST"])
@coordinates_plan
def minutes(access: PlanAccess, meeting_id: uuid.UUID):
    """Minutes are a draft until the coordinator publishes them; only then does the plan show them."""
    meeting = _item_or_404(access, Meeting, meeting_id)
    record = meeting.minutes
    form = MinutesForm(obj=record)
    if form.validate_on_submit():
        publish = request.form.get("action") == "publish"
        # Minutes are shown with their meeting, so their history hangs on the meeting.
        shown_with = dict(public_id=meeting.public_id, hidden=meeting.hidden_from_guardians)
        if record is None:
            record = Minutes(meeting=meeting, body=form.body.data)
            db.session.add(record)
        else:
            before = history.snapshot(record, {"body": "text"})
            record.body = form.body.data
            if record.is_published:
                history.record_update(access, "minutes", record, meeting.title, before, {"body": "text"}, **shown_with)
        if publish and not record.is_published:
            record.published_at = utcnow()
            history.record_event(access, "minutes", record, meeting.title, "published", **shown_with)
            _notify_about_meeting(access, meeting, NotificationKind.MINUTES)
        db.session.commit()
        if record.is_published:
            flash(_("Referatet er publisert. Nå ser de andre i planen det."))
        else:
            flash(_("Utkastet er lagret. Ingen andre ser det før du publiserer."))
        return _plan_home(access, "meetings")
    return _render_form("views/coordinator/minutes.html", access, form, meeting=meeting, record=record)


# --- The crisis plan -----------------------------------------------------------

CRISIS_FIELDS: history.Fields = {
    "warning_signs": "text",
    "what_i_can_do": "text",
    "what_others_can_do": "text",
    "practical_matters": "text",
    "contacts": ("text", lambda c: [f"{x.name} ({x.phone})" for x in c.contacts]),
}
_CRISIS_TEXT = ("warning_signs", "what_i_can_do", "what_others_can_do", "practical_matters")


@bp.route(f"{PLAN}/crisis-plan", methods=["GET", "POST"])
@coordinates_plan
def crisis_plan(access: PlanAccess):
    crisis = queries.crisis_plan(access)
    if request.method == "GET" and crisis:
        # What the plan says now, then one empty row for someone new while there is room
        # (one row more than the form takes would fail inside WTForms: a 500 for a full list).
        data = {name: getattr(crisis, name) for name in _CRISIS_TEXT}
        data["contacts"] = [
            {"name": c.name, "relation": c.relation, "phone": c.phone, "when_to_call": c.when_to_call}
            for c in crisis.contacts
        ]
        if len(data["contacts"]) < MAX_CRISIS_CONTACTS:
            data["contacts"].append({})
        form = CrisisPlanForm(data=data)
    else:
        form = CrisisPlanForm()
    if form.validate_on_submit():
        created = crisis is None
        if created:
            crisis = CrisisPlan(plan_id=access.plan.id)
            db.session.add(crisis)
            db.session.flush()
        before = history.snapshot(crisis, CRISIS_FIELDS)
        for name in _CRISIS_TEXT:
            setattr(crisis, name, form[name].data or "")
        for contact in list(crisis.contacts):
            db.session.delete(contact)
        crisis.contacts = [
            CrisisContact(position=position, name=_text(row.form.name.data), relation=_text(row.form.relation.data),
                          phone=_text(row.form.phone.data), when_to_call=_text(row.form.when_to_call.data))
            for position, row in enumerate(r for r in form.contacts if not r.form.is_empty)
        ]
        crisis.updated_at = utcnow()
        # The crisis plan has no id of its own in URLs; its history hangs on the plan.
        shown_with = dict(public_id=access.plan.public_id, hidden=False)
        if created:
            history.record_created(access, "crisis_plan", crisis, _("Kriseplan"), **shown_with)
        else:
            history.record_update(access, "crisis_plan", crisis, _("Kriseplan"), before, CRISIS_FIELDS, **shown_with)
        db.session.commit()
        flash(_("Kriseplanen er lagret."))
        return _plan_home(access, "crisis-plan")
    return _render_form("views/coordinator/crisis-plan.html", access, form)


# --- Contacts and participants -------------------------------------------------

PARTICIPANT_FIELDS: history.Fields = {
    "name": "text",
    "role_title": "text",
    "organisation": "text",
    "phone": "text",
    "show_phone": "bool",
    "email": "text",
    "show_email": "bool",
    "in_responsibility_group": "bool",
}


def _apply_participant(form: ParticipantForm, participant: Participant) -> None:
    for name in ("name", "role_title", "organisation", "phone", "email"):
        setattr(participant, name, _text(form[name].data))
    for name in ("show_phone", "show_email", "in_responsibility_group"):
        setattr(participant, name, bool(form[name].data))


@bp.route(f"{PLAN}/contacts/new", methods=["GET", "POST"])
@coordinates_plan
def new_participant(access: PlanAccess):
    form = ParticipantForm()
    if form.validate_on_submit():
        participant = Participant(plan_id=access.plan.id, position=len(queries.participants(access)))
        _apply_participant(form, participant)
        _add_with_history(access, "participant", participant)
        db.session.commit()
        flash(_("%(name)s er lagt til i planen.", name=participant.name))
        return _plan_home(access, "contacts")
    return _render_form("views/coordinator/participant.html", access, form, participant=None)


@bp.route(f"{PLAN}/contacts/<uuid:participant_id>", methods=["GET", "POST"])
@coordinates_plan
def edit_participant(access: PlanAccess, participant_id: uuid.UUID):
    participant = _item_or_404(access, Participant, participant_id)
    form = ParticipantForm(obj=participant)
    if form.validate_on_submit():
        with _changes_recorded(access, "participant", participant, PARTICIPANT_FIELDS):
            _apply_participant(form, participant)
        db.session.commit()
        flash(_("Opplysningene om %(name)s er lagret.", name=participant.name))
        return _plan_home(access, "contacts")
    return _render_form("views/coordinator/participant.html", access, form, participant=participant)


# --- Plan period, review and the texts about the plan --------------------------

PLAN_FIELDS: history.Fields = {
    "period_start": "date",
    "period_end": "date",
    "next_review": "date",
    "strengths": "text",
    "needs": "text",
    "own_contribution": "text",
    "relatives_contribution": "text",
    "cooperation": "text",
    "language_and_culture": "text",
}


@bp.route(f"{PLAN}/about-this-plan", methods=["GET", "POST"])
@coordinates_plan
def plan_details(access: PlanAccess):
    plan_row = access.plan
    form = PlanDetailsForm(obj=plan_row)
    if form.validate_on_submit():
        before = history.snapshot(plan_row, PLAN_FIELDS)
        for name in ("period_start", "period_end", "next_review"):
            setattr(plan_row, name, form[name].data)
        for name in ("strengths", "needs", "own_contribution", "relatives_contribution", "cooperation",
                     "language_and_culture"):
            setattr(plan_row, name, form[name].data or "")
        plan_row.updated_at = utcnow()
        history.record_update(access, "plan", plan_row, _("Om planen"), before, PLAN_FIELDS)
        db.session.commit()
        flash(_("Planperioden og tekstene om planen er lagret."))
        return _plan_home(access, "about")
    return _render_form("views/coordinator/plan-details.html", access, form)


# --- What the patient proposes -------------------------------------------------


def _proposal_form(proposal: Proposal, submitted: bool = False) -> ProposalDecisionForm:
    # One form per proposal on the page; the prefix keeps their fields apart.
    prefix = f"proposal-{proposal.public_id.hex[:12]}"
    if submitted:
        return ProposalDecisionForm(kind=proposal.kind, prefix=prefix)
    form = ProposalDecisionForm(kind=proposal.kind, prefix=prefix, formdata=None)
    if form.goal_title is not None:
        form.goal_title.data = proposal.text[:300]
    return form


def _render_proposals(access: PlanAccess, forms: dict | None = None):
    everything = queries.proposals(access)
    forms = forms or {}
    for proposal in everything:
        if proposal.is_waiting and proposal.public_id not in forms:
            forms[proposal.public_id] = _proposal_form(proposal)
    return render_template(
        "views/coordinator/proposals.html", coordinating=access, proposals=everything, forms=forms
    )


@bp.get(f"{PLAN}/proposals")
@coordinates_plan
def proposals(access: PlanAccess):
    return _render_proposals(access)


@bp.post(f"{PLAN}/proposals/<uuid:proposal_id>")
@coordinates_plan
def decide_proposal(access: PlanAccess, proposal_id: uuid.UUID):
    proposal = queries.proposal(access, proposal_id) or abort(404)
    if not proposal.is_waiting:
        flash(_("Forslaget er allerede besvart."))
        return redirect(url_for("coordinator.proposals", plan_id=access.plan.public_id))
    form = _proposal_form(proposal, submitted=True)
    if not form.validate_on_submit():
        return _render_proposals(access, {proposal.public_id: form})
    approved = form.decision.data == "approve"
    proposal.status = ProposalStatus.APPROVED if approved else ProposalStatus.DECLINED
    proposal.decided_by_id = access.membership.person_id
    proposal.decided_at = utcnow()
    proposal.reason = form.reason.data or ""
    if approved and proposal.kind is ProposalKind.NEW_GOAL:
        goal = Goal(
            plan_id=access.plan.id,
            title=_text(form.goal_title.data),
            position=len(queries.goals_with_steps(access)),
            hidden_from_guardians=proposal.hidden_from_guardians,
        )
        _add_with_history(access, "goal", goal)
        proposal.result_public_id = goal.public_id
    db.session.commit()
    name = proposal.proposed_by.first_name
    if approved and proposal.kind is ProposalKind.NEW_GOAL:
        flash(_("Forslaget er godkjent, og målet står nå i planen. %(name)s ser svaret ditt.", name=name))
    elif approved:
        flash(_("Forslaget er godkjent. Husk å endre planen slik dere ble enige om. %(name)s ser svaret ditt.", name=name))
    else:
        flash(_("Forslaget er avslått. %(name)s ser begrunnelsen din.", name=name))
    return redirect(url_for("coordinator.proposals", plan_id=access.plan.public_id))
