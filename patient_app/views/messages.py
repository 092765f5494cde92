"""Messages with the coordinator: conversations (threads) with a subject.

New messages appear without reloading through htmx polling: the thread's
message list (``_messages.html``, the fragment the page itself includes) asks
the same URL every 10 seconds. We chose polling over server-sent events
because it needs no long-lived connections (gunicorn's sync workers would be
tied up, one per open phone), passes every proxy, and costs one small query
when nothing changed (the client sends the version it shows; the answer is
then 204 and htmx leaves the page alone). A message to the coordinator is not
a chat, so ten seconds is soon enough. Without JavaScript the page is a plain
form that posts and redirects.

Polling stops by itself after POLL_WINDOW (the answer 286 tells htmx to stop),
so a phone left open on a thread does not keep the session alive past its idle
timeout: every answer refreshes the session cookie.
"""

from __future__ import annotations

import math
import time
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from patient_app import messaging, queries
from patient_app.access import Part, PlanAccess, plan_part
from patient_app.extensions import db
from patient_app.rate_limits import MESSAGE, limited
from patient_app.forms.messages import NewThreadForm, ReplyForm
from patient_app.linkify import linkify
from patient_app.models import Message, ThreadReadMark
from patient_app.models.messages import MESSAGE_MAX_LENGTH
from patient_app.views._render import page_or_fragment

bp = Blueprint("messages", __name__)
bp.add_app_template_filter(linkify, "linkify")
bp.add_app_template_global(queries.unread_message_count, "unread_message_count")

POLL_SECONDS = 10
POLL_WINDOW_SECONDS = 15 * 60  # well inside the 30-minute idle timeout
STOP_POLLING = 286  # htmx: swap this answer, then stop polling


@bp.get("/plan/<uuid:plan_id>/messages")
@plan_part(Part.MESSAGES)
def index(access: PlanAccess):
    return render_template(
        "views/messages/index.html",
        access=access,
        threads=queries.message_threads(access),
        coordinator=queries.coordinator(access),
        is_coordinator=access.writes_as_coordinator,
    )


@bp.route("/plan/<uuid:plan_id>/messages/new", methods=["GET", "POST"])
@limited(MESSAGE, methods=("POST",))
@plan_part(Part.MESSAGES)
def new_thread(access: PlanAccess):
    form = NewThreadForm()
    if form.validate_on_submit():
        message = messaging.start_thread(access, form.subject.data, form.body.data, form.key)
        flash(_("Meldingen er sendt. Du ser her når koordinatoren har lest den."))
        return redirect(_thread_url(access, message.thread.public_id, anchor=f"message-{message.public_id}"))
    return render_template(
        "views/messages/new.html",
        access=access,
        form=form,
        coordinator=queries.coordinator(access),
        is_coordinator=access.writes_as_coordinator,
        max_length=MESSAGE_MAX_LENGTH,
    )


@bp.route("/plan/<uuid:plan_id>/messages/<uuid:thread_id>", methods=["GET", "POST"])
@limited(MESSAGE, methods=("POST",))
@plan_part(Part.MESSAGES)
def thread(access: PlanAccess, thread_id: uuid.UUID):
    thread = queries.message_thread(access, thread_id)
    if thread is None:
        abort(404)
    form = ReplyForm()
    may_write = access.may_write_in(thread)
    if request.method == "POST":
        if not may_write:
            flash(_("Samtalen er avsluttet. Skriv en ny melding hvis du trenger mer hjelp."))
            return redirect(_thread_url(access, thread.public_id))
        if form.validate_on_submit():
            message = messaging.reply(access, thread, form.body.data, form.key)
            flash(_("Svaret er sendt."))
            return redirect(_thread_url(access, thread.public_id, anchor=f"message-{message.public_id}"))

    if request.htmx and _version(thread) == request.args.get("version"):
        return "", 204  # nothing new: htmx leaves the page as it is
    read_up_to = _last_read(access, thread)
    messaging.mark_read(access, thread)
    opened = _opened_at()
    polling = time.time() - opened < POLL_WINDOW_SECONDS
    context = dict(
        access=access,
        thread=thread,
        form=form,
        may_write=may_write,
        may_close=access.writes_as_coordinator,
        is_coordinator=access.writes_as_coordinator,
        may_hide_from_guardians=access.may_hide_from_guardians,
        me=access.membership.person_id,
        read_up_to=read_up_to,
        polling=polling,
        poll_seconds=POLL_SECONDS,
        poll_url=url_for(
            "messages.thread",
            plan_id=access.plan.public_id,
            thread_id=thread.public_id,
            version=_version(thread),
            opened=int(opened),
        ),
        announce=_newly_arrived(thread, request.args.get("version"), access),
        coordinator=queries.coordinator(access),
        max_length=MESSAGE_MAX_LENGTH,
    )
    response = page_or_fragment("views/messages/thread.html", "views/messages/_messages.html", **context)
    if request.htmx and not polling:
        return response, STOP_POLLING
    return response


def _thread_url(access: PlanAccess, thread_id: uuid.UUID, anchor: str | None = None) -> str:
    return url_for("messages.thread", plan_id=access.plan.public_id, thread_id=thread_id, _anchor=anchor)


def _version(thread) -> str:
    """What the list shows: messages, read receipts, open or closed. Changes when any of them does."""
    messages = thread.messages
    receipts = sum(1 for message in messages if message.coordinator_read_at is not None)
    newest = messages[-1].public_id.hex[:12] if messages else "none"  # never a row id in a URL
    return f"{len(messages)}-{newest}-{receipts}-{int(thread.is_closed)}"


def _last_read(access: PlanAccess, thread) -> int:
    """The newest message this person had seen before this request, to mark the rest as new."""
    mark = db.session.get(ThreadReadMark, (thread.id, access.membership.person_id))
    return mark.last_read_message_id if mark else 0


def _opened_at() -> float:
    """When this page was first shown; polls carry it along. Tampering only stops polling sooner or later."""
    try:
        opened = float(request.args.get("opened", ""))
    except ValueError:
        return time.time()
    if not math.isfinite(opened):  # "nan" and "-inf" are floats too, and no time
        return time.time()
    return min(opened, time.time())


def _newly_arrived(thread, shown_version: str | None, access: PlanAccess) -> int:
    """How many messages from others arrived since the version the page showed (for screen readers)."""
    if not request.htmx or not shown_version:
        return 0
    try:
        shown_count = int(shown_version.split("-")[0])
    except ValueError:
        return 0
    me = access.membership.person_id
    new: list[Message] = thread.messages[shown_count:]
    return sum(1 for message in new if message.author_id != me)
